"""`qi data import|add|list|export|imports|undo`: measurements in and out, on every backend."""

import json
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

PROPORTION = "2018-04-02,dna,,12,150,first week\n2018-04-09,dna,,10,140,\n"


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add dna --project dna-rate --name 'DNA rate' --kind outcome --chart p", ok=True)
    qi("measure add calls --project dna-rate --name Calls --kind balancing --chart i", ok=True)
    qi("measure add visits --project dna-rate --name Visits --kind process --chart c", ok=True)
    qi("measure add rate --project dna-rate --name Rate --kind outcome --chart u", ok=True)
    return "dna-rate"


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def points(qi, measure: str) -> list[dict]:
    return json.loads(qi(f"data list {measure} --json", ok=True).stdout)


def imports(qi) -> list[dict]:
    return json.loads(qi("data imports --json", ok=True).stdout)


LONG = ("date,measure,value,numerator,denominator,note\n" + PROPORTION
        + "2018-04-02,calls,41,,,Phones down\n2018-04-09,calls,38.5,,,\n")


# --- import: the happy paths -------------------------------------------------------------


def test_long_import_stores_values_and_records_the_import(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", LONG)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == ("Imported dna.csv as import 1: 4 added, 0 changed, 0 left alone. "
                        "Undo it with 'qi data undo 1'\n")
    assert points(qi, "dna") == [
        {"date": "2018-04-02", "value": None, "numerator": 12.0, "denominator": 150.0,
         "note": "first week", "import": 1},
        {"date": "2018-04-09", "value": None, "numerator": 10.0, "denominator": 140.0,
         "note": None, "import": 1},
    ]
    assert [p["value"] for p in points(qi, "calls")] == [41.0, 38.5]
    [record] = imports(qi)
    import hashlib

    assert record == {**record, "id": 1, "project": "dna-rate", "file": "dna.csv",
                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "added": 4,
                      "changed": 0, "undone_at": None}
    assert datetime.fromisoformat(record["imported_at"].replace("Z", "+00:00"))


def test_import_json_summary(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", LONG)
    data = json.loads(qi(["data", "import", str(path), "--project", "dna-rate", "--json"],
                         ok=True).stdout)
    assert data == {**data, "file": "dna.csv", "import_id": 1, "dry_run": False, "added": 4,
                    "changed": 0, "unchanged": 0, "blank": 0, "created_measures": [],
                    "changes": [], "previous_import": None}
    assert data["measures"] == [
        {"measure": "dna", "added": 2, "changed": 0, "unchanged": 0},
        {"measure": "calls", "added": 2, "changed": 0, "unchanged": 0},
    ]


def test_dry_run_shows_what_would_happen_and_writes_nothing(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", LONG)
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--dry-run"])
    assert r.exit_code == 0
    assert "dna" in r.stdout and "calls" in r.stdout and "add" in r.stdout
    assert r.stderr == ("Dry run: 4 to add, 0 to change, 0 left alone. Nothing was "
                        "written\n")
    assert points(qi, "dna") == [] and imports(qi) == []
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    changed = write(tmp_path, "dna.csv", LONG.replace("12,150", "13,150"))
    r = qi(["data", "import", str(changed), "--project", "dna-rate", "--dry-run"])
    assert r.exit_code == 0
    assert "change dna 2018-04-02 (row 2): 12/150 (\"first week\") -> 13/150 " in r.stdout
    assert "0 to add, 1 to change (changing stored values needs --replace), 3 left alone" \
        in r.stderr
    assert points(qi, "dna")[0]["numerator"] == 12.0


def test_reimporting_the_same_file_changes_nothing_and_says_so(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", LONG)
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == ("Nothing to do: all 4 values in dna.csv are already stored (imported "
                        "before as import 1). Nothing was written\n")
    assert len(imports(qi)) == 1


def test_same_file_is_still_compared_with_what_is_stored(qi, project, tmp_path):
    """A matching SHA-256 is not trusted: a value changed by hand since is found."""
    path = write(tmp_path, "dna.csv", LONG)
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    qi("data add calls 2018-04-02 40 --replace", ok=True)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 1
    assert "calls 2018-04-02 (row 4): 40 (\"Phones down\") -> 41 (\"Phones down\")" in r.stderr


def test_changed_values_are_refused_with_the_differences_unless_replace(qi, project,
                                                                        tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    changed = LONG.replace("12,150,first week", "13,150,first week").replace("38.5", "39")
    path = write(tmp_path, "b.csv", changed + "2018-04-16,calls,40,,,\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "Error: b.csv would change 2 values already stored, so nothing was imported. Check "
        "them; add --replace to replace them (the import can be undone with 'qi data "
        "undo'):",
        'dna 2018-04-02 (row 2): 12/150 ("first week") -> 13/150 ("first week").',
        "calls 2018-04-09 (row 5): 38.5 -> 39.",
    ]
    assert [p["value"] for p in points(qi, "calls")] == [41.0, 38.5]
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--replace"])
    assert r.exit_code == 0
    assert r.stderr.splitlines()[-1] == ("Imported b.csv as import 2: 1 added, 2 changed, "
                                         "2 left alone. Undo it with 'qi data undo 2'")
    assert [(p["value"], p["import"]) for p in points(qi, "calls")] == [
        (41.0, 1), (39.0, 2), (40.0, 2)]


def test_undo_restores_exactly_what_was_there(qi, project, tmp_path):
    qi("data add calls 2018-04-02 7 --note 'by hand'", ok=True)
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate",
        "--replace"], ok=True)
    before = {m: points(qi, m) for m in ("dna", "calls")}
    path = write(tmp_path, "b.csv", "date,measure,value,note\n2018-04-02,calls,50,new\n"
                 "2018-04-09,calls,,\n2018-04-16,calls,52,\n")
    qi(["data", "import", str(path), "--project", "dna-rate", "--replace"], ok=True)
    assert [p["value"] for p in points(qi, "calls")] == [50.0, 38.5, 52.0]
    r = qi("data undo 2 --yes")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == ("Undid import 2 (b.csv): removed 1 added value, restored 1 earlier "
                        "value\n")
    assert {m: points(qi, m) for m in ("dna", "calls")} == before
    r = qi("data undo 1 --yes")
    assert r.exit_code == 0
    assert points(qi, "dna") == []
    assert points(qi, "calls") == [{"date": "2018-04-02", "value": 7.0, "numerator": None,
                                    "denominator": None, "note": "by hand", "import": None}]
    assert [i["undone_at"] is not None for i in imports(qi)] == [True, True]


def test_undo_of_an_import_changed_again_later_is_refused(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    path = write(tmp_path, "b.csv", "date,measure,value\n2018-04-09,calls,30\n")
    qi(["data", "import", str(path), "--project", "dna-rate", "--replace"], ok=True)
    r = qi("data undo 1 --yes")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        "Error: Import 1 (a.csv) cannot be undone: 1 of the 4 values it wrote have been "
        "changed since, by import 2; undo that first (newest first: 'qi data undo 2'). "
        "Nothing was changed.\n")
    assert [p["value"] for p in points(qi, "calls")] == [41.0, 30.0]
    qi("data undo 2 --yes", ok=True)
    qi("data undo 1 --yes", ok=True)
    assert points(qi, "calls") == []


def test_undo_after_a_change_by_hand_is_refused(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    qi("data add calls 2018-04-09 30 --replace", ok=True)
    r = qi("data undo 1 --yes")
    assert r.exit_code == 1
    assert "by 'qi data add --replace' or by removing a measure" in r.stderr
    assert points(qi, "calls")[1]["value"] == 30.0


def test_undo_asks_first_and_refuses_twice_and_unknown(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    r = qi("data undo 1")
    assert r.exit_code == 1 and "Not confirmed, so nothing was changed" in r.stderr
    assert len(points(qi, "dna")) == 2
    r = qi("data undo 1", input="y\n")
    assert r.exit_code == 0 and "Undid import 1" in r.stderr
    r = qi("data undo 1 --yes")
    assert r.exit_code == 1 and r.stderr.startswith("Error: Import 1 (a.csv) was already "
                                                    "undone on ")
    r = qi("data undo 9 --yes")
    assert r.stderr == "Error: No import '9'. Imports are numbered; run 'qi data imports'.\n"


def test_a_file_can_be_imported_again_after_undo(qi, project, tmp_path):
    path = write(tmp_path, "a.csv", LONG)
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    qi("data undo 1 --yes", ok=True)
    r = qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    assert "as import 2: 4 added" in r.stderr


def test_a_larger_file_round_trips_exactly(qi, project, tmp_path):
    """Enough rows for several multi-row INSERT statements and a part-filled last one."""
    days = pd.date_range("2000-01-03", periods=1_234, freq="D").strftime("%Y-%m-%d")
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({
        "date": list(days) * 2, "measure": ["calls"] * len(days) + ["dna"] * len(days),
        "value": list(np.round(rng.normal(0, 10, len(days)), 3)) + [None] * len(days),
        "numerator": [None] * len(days) + list(rng.integers(0, 20, len(days))),
        "denominator": [None] * len(days) + list(rng.integers(20, 40, len(days))),
        "note": ["n" if k % 7 == 0 else None for k in range(2 * len(days))],
    })
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 0 and "2468 added" in r.stderr
    stored = points(qi, "calls")
    assert [p["date"] for p in stored] == list(days)
    assert [p["value"] for p in stored] == frame["value"][:len(days)].tolist()
    assert [p["denominator"] for p in points(qi, "dna")] == [
        float(d) for d in frame["denominator"][len(days):]]
    assert [p["note"] for p in stored][:8] == ["n", None, None, None, None, None, None, "n"]
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr.startswith("Nothing to do: all 2468 values")


def test_wide_format_and_blank_cells_skipped_and_reported(qi, project, tmp_path):
    path = write(tmp_path, "wide.csv", "date,calls,visits\n2018-04-02,41,3\n"
                 "2018-04-09,,4\n2018-04-16,39,\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 0
    assert r.stderr.splitlines() == [
        "Skipped 2 blank cells (rows 3, 4)",
        "Imported wide.csv as import 1: 4 added, 0 changed, 0 left alone. Undo it with "
        "'qi data undo 1'",
    ]
    assert [(p["date"], p["value"]) for p in points(qi, "calls")] == [
        ("2018-04-02", 41.0), ("2018-04-16", 39.0)]
    assert [p["value"] for p in points(qi, "visits")] == [3.0, 4.0]


def test_wide_files_cannot_hold_ratios(qi, project, tmp_path):
    path = write(tmp_path, "wide.csv", "date,calls,dna\n2018-04-02,41,0.1\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == ("Error: Measure 'dna' has a denominator, which a wide file (a column "
                        "per measure) cannot give. Use the long format: date, measure, "
                        "numerator, denominator.\n")


def test_one_measure_and_chosen_column_names(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", "Week,DNAs,Booked,note\n02/04/2018,12,150,x\n"
                 "09/04/2018,10,140,\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--measure", "dna",
            "--date-col", "Week", "--numerator-col", "DNAs", "--denominator-col", "Booked"])
    assert r.exit_code == 0, r.stderr
    assert [(p["date"], p["numerator"], p["denominator"], p["note"])
            for p in points(qi, "dna")] == [("2018-04-02", 12.0, 150.0, "x"),
                                            ("2018-04-09", 10.0, 140.0, None)]


def test_dates_uk_iso_and_periods(qi, project, tmp_path):
    text = "date,measure,value\n03/04/2018,calls,1\n2018-05-11,calls,2\n1.6.2018,calls,3\n"
    path = write(tmp_path, "d.csv", text)
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    assert [p["date"] for p in points(qi, "calls")] == ["2018-04-03", "2018-05-11",
                                                         "2018-06-01"]
    qi("data undo 1 --yes", ok=True)
    qi(["data", "import", str(path), "--project", "dna-rate", "--period", "week"], ok=True)
    assert [p["date"] for p in points(qi, "calls")] == ["2018-04-02", "2018-05-07",
                                                         "2018-05-28"]
    qi("data undo 2 --yes", ok=True)
    qi(["data", "import", str(path), "--project", "dna-rate", "--period", "month"], ok=True)
    assert [p["date"] for p in points(qi, "calls")] == ["2018-04-01", "2018-05-01",
                                                         "2018-06-01"]


def test_dates_in_one_period_are_duplicates_not_summed(qi, project, tmp_path):
    path = write(tmp_path, "d.csv", "date,measure,value\n03/04/2018,calls,1\n"
                 "2018-04-05,calls,2\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--period", "week"])
    assert r.exit_code == 1
    assert r.stderr == (
        "Error: d.csv, row 3, column 'date': '2018-04-05' - measure 'calls' already has a "
        "value for 2018-04-02 in row 2 (dates are moved to the Monday of their week).\n")
    assert points(qi, "calls") == []


def test_bad_dates_name_every_row_and_nothing_is_written(qi, project, tmp_path):
    path = write(tmp_path, "d.csv", "date,measure,value\n2018-04-02,calls,1\n"
                 "13/25/2018,calls,2\n04/13/2018,calls,3\n03/04/18,calls,4\nsoon,calls,5\n"
                 ",calls,6\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "Error: d.csv has 5 problems; nothing was imported. Fix them and import again:",
        "d.csv, row 3, column 'date': '13/25/2018' - not a real date; check the day and the "
        "month (day first: 03/04/2018 is 3 April).",
        "d.csv, row 4, column 'date': '04/13/2018' - not a real date read day first; qi "
        "reads DD/MM/YYYY (03/04/2018 is 3 April) and never guesses month-first dates.",
        "d.csv, row 5, column 'date': '03/04/18' - the year has two digits, which is "
        "ambiguous; write it in full (03/04/2018 or 2018-04-03).",
        "d.csv, row 6, column 'date': 'soon' - not a date; write dates as YYYY-MM-DD "
        "(2018-04-03) or DD/MM/YYYY (03/04/2018).",
        "d.csv, row 7, column 'date': (empty) - the date is empty; every row needs one.",
    ]
    assert points(qi, "calls") == [] and imports(qi) == []


def test_values_thousands_percent_bom_and_windows_line_endings(qi, project, tmp_path):
    text = ("\ufeffdate,measure,value\r\n2018-04-02,calls,\"1,234\"\r\n"
            "2018-04-09,calls,45%\r\n2018-04-16,calls, 7 \r\n\r\n2018-04-23,calls,-2.5\r\n")
    path = write(tmp_path, "v.csv", text)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 0, r.stderr
    assert [p["value"] for p in points(qi, "calls")] == [1234.0, 0.45, 7.0, -2.5]


def test_every_bad_value_is_listed_with_file_row_column_value_and_why(qi, project, tmp_path):
    text = ("date,measure,value,numerator,denominator\n"
            "2018-04-02,dna,,0,0\n"          # zero denominator
            "2018-04-09,dna,,20,10\n"        # proportion above 1
            "2018-04-16,visits,-3,,\n"       # negative count
            "2018-04-23,calls,abc,,\n"       # not a number
            "2018-04-30,dna,0.5,,\n"         # value for a ratio measure
            "2018-05-07,dna,,3,\n"           # missing denominator
            "2018-05-14,calls,\"1,2\",,\n"   # a comma that is not a thousands separator
            "2018-05-21,rate,,-1,4\n"        # negative numerator
            "2018-05-28,calls,1,2,3\n")      # numerator/denominator for a value measure
    path = write(tmp_path, "dna.csv", text)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "Error: dna.csv has 9 problems; nothing was imported. Fix them and import again:",
        "dna.csv, row 2, column 'denominator': 0 - a denominator must be a number above 0.",
        "dna.csv, row 3, column 'numerator': 20 - the numerator is greater than the "
        "denominator, and a proportion cannot be above 1.",
        "dna.csv, row 4, column 'value': '-3' - a negative value is not possible for this "
        "measure (only run, i, mr, xbar and s chart measures take negative values).",
        "dna.csv, row 5, column 'value': 'abc' - not a number.",
        "dna.csv, row 6, column 'value': '0.5' - this measure has a denominator: give the "
        "numerator and denominator instead.",
        "dna.csv, row 7, column 'denominator': (empty) - the denominator is missing (the "
        "numerator is given).",
        "dna.csv, row 8, column 'value': '1,2' - not a number (a comma is read only as a "
        "thousands separator, as in 1,234).",
        "dna.csv, row 9, column 'numerator': -1 - a numerator cannot be negative.",
        "dna.csv, row 10, column 'numerator': 2 - this measure takes a single value, not a "
        "numerator and denominator.",
    ]
    assert imports(qi) == [] and points(qi, "dna") == []


def test_one_problem_is_one_line(qi, project, tmp_path):
    path = write(tmp_path, "dna.csv", "date,measure,numerator,denominator\n"
                 "2018-04-02,dna,1,10\n2018-04-09,dna,0,0\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == ("Error: dna.csv, row 3, column 'denominator': 0 - a denominator must "
                        "be a number above 0.\n")


def test_rates_may_exceed_one_and_run_charts_may_be_negative(qi, project, tmp_path):
    path = write(tmp_path, "r.csv", "date,measure,value,numerator,denominator\n"
                 "2018-04-02,rate,,12,4\n2018-04-02,calls,-4,,\n")
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)
    assert points(qi, "rate")[0]["numerator"] == 12.0
    assert points(qi, "calls")[0]["value"] == -4.0


def test_a_long_list_of_problems_is_capped(qi, project, tmp_path):
    rows = "".join(f"2018-04-{d:02d},calls,x{d}\n" for d in range(1, 29))
    rows += "".join(f"2018-05-{d:02d},calls,y{d}\n" for d in range(1, 29))
    path = write(tmp_path, "many.csv", "date,measure,value\n" + rows)
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    lines = r.stderr.splitlines()
    assert lines[0].startswith("Error: many.csv has 56 problems; nothing was imported")
    assert len(lines) == 1 + 50 + 1 and lines[-1] == "... and 6 more."
    assert lines[1] == "many.csv, row 2, column 'value': 'x1' - not a number."


def test_missing_columns_list_the_columns_found(qi, project, tmp_path):
    path = write(tmp_path, "m.csv", "Date,measure,amount\n2018-04-02,calls,1\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == (
        "Error: m.csv has no 'value' column, nor 'numerator' and 'denominator' columns (the "
        "columns are: 'Date', 'measure', 'amount'). Choose them with --value-col, or "
        "--numerator-col and --denominator-col.\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--value-col", "amt"])
    assert r.stderr == ("Error: m.csv has no column 'amt' (the columns are: 'Date', "
                        "'measure', 'amount'). Choose one with --value-col NAME.\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--date-col", "when"])
    assert "has no column 'when'" in r.stderr and "--date-col NAME" in r.stderr
    qi(["data", "import", str(path), "--project", "dna-rate", "--value-col", "amount"],
       ok=True)
    path = write(tmp_path, "p.csv", "date,measure,numerator\n2018-04-02,dna,1\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert "has no column 'denominator'" in r.stderr
    path = write(tmp_path, "v.csv", "date,measure,value\n2018-04-02,dna,1\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == (
        "Error: v.csv has no numerator column, but measure 'dna' has a denominator (the "
        "columns are: 'date', 'measure', 'value'). To import it, add numerator and "
        "denominator columns, or choose them with --numerator-col and --denominator-col.\n")


def test_unknown_measures_offer_create_measures(qi, project, tmp_path):
    path = write(tmp_path, "u.csv", "date,measure,value,numerator,denominator\n"
                 "2018-04-02,waits,12,,\n2018-04-02,sms-sent,,30,40\n2018-04-02,calls,3,,\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        "Error: Project 'dna-rate' has no measures 'waits', 'sms-sent'. Its measures: calls, "
        "dna, rate, visits. Add them with 'qi measure add', or add --create-measures to "
        "create them as run-chart outcome measures.\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--create-measures",
            "--dry-run"])
    assert r.exit_code == 0 and "Would create 2 measure(s): sms-sent, waits" in r.stderr
    assert "waits" not in qi("measure list --json", ok=True).stdout
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--create-measures"])
    assert r.exit_code == 0
    assert r.stderr.splitlines()[0] == ("Created 2 run-chart outcome measure(s): sms-sent, "
                                        "waits. Set their names and charts with 'qi measure "
                                        "edit'")
    waits = json.loads(qi("measure show dna-rate/waits --json", ok=True).stdout)
    sms = json.loads(qi("measure show dna-rate/sms-sent --json", ok=True).stdout)
    assert (waits["chart"], waits["kind"], waits["denominator"]) == ("run", "outcome", False)
    assert sms["denominator"] is True
    assert points(qi, "sms-sent")[0]["numerator"] == 30.0


def test_created_measures_go_with_a_failed_import(qi, project, tmp_path):
    path = write(tmp_path, "u.csv", "date,measure,value\n2018-04-02,waits,12\n"
                 "2018-04-02,calls,abc\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--create-measures"])
    assert r.exit_code == 1
    assert "waits" not in qi("measure list --json", ok=True).stdout


def test_bad_measure_slug_and_empty_measure(qi, project, tmp_path):
    path = write(tmp_path, "u.csv", "date,measure,value\n2018-04-02,Waits Total,12\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--create-measures"])
    assert r.exit_code == 1 and "'Waits Total' is not a valid measure slug" in r.stderr
    path = write(tmp_path, "e.csv", "date,measure,value\n2018-04-02,,12\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == ("Error: e.csv, row 2, column 'measure': (empty) - the measure is "
                        "empty; every row needs one.\n")


@pytest.mark.parametrize(("content", "message"), [
    (b"", "Error: f.csv is empty; it needs a header row and data.\n"),
    (b"\xef\xbb\xbf\r\n\r\n", "Error: f.csv is empty; it needs a header row and data.\n"),
    (b"date,measure,value\r\n", "Error: f.csv has a header but no data rows.\n"),
    (b"date,measure,value\n2018-04-02,caf\xe9,1\n",
     "Error: f.csv is not UTF-8 text: row 2 has the byte 0xe9, which is not UTF-8. Save it "
     "from the spreadsheet as 'CSV UTF-8'.\n"),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00binary",
     "Error: f.csv is not a CSV text file (it looks binary). Export it from the spreadsheet "
     "as 'CSV UTF-8', or import the .xlsx itself.\n"),
    (b"date,value,value\n2018-04-02,1,2\n", "Error: f.csv has two columns named 'value'. "
     "Rename one.\n"),
    (b"date,measure,value\n2018-04-02,calls,1\n2018-04-02,calls,1,2,3\n",
     "Error: f.csv has rows with more cells than the header names (3): row 3 has 5. Name "
     "every column in the header row, or remove the extra cells.\n"),
    (b"date,measure,value\n2018-04-02,calls,1,2,3\n",
     "Error: f.csv has rows with more cells than the header names (3): row 2 has 5. Name "
     "every column in the header row, or remove the extra cells.\n"),
    (b'date,measure,value\n2018-04-02,"calls,1\n',
     "Error: f.csv is not a readable CSV file (Error tokenizing data. C error: EOF inside "
     "string starting at row 1).\n"),
])
@pytest.mark.slow
def test_unreadable_files(qi_sqlite, tmp_path, content, message):
    qi_sqlite("team add North", ok=True)
    qi_sqlite("project add p --title T --team north --aim A", ok=True)
    (tmp_path / "f.csv").write_bytes(content)
    r = qi_sqlite(["data", "import", str(tmp_path / "f.csv"), "--project", "p"])
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", message)


def test_missing_file_and_folder(qi, project, tmp_path):
    r = qi(["data", "import", str(tmp_path / "nope.csv"), "--project", "dna-rate"])
    assert r.stderr == f"Error: There is no file '{tmp_path / 'nope.csv'}'. Check the path.\n"
    r = qi(["data", "import", str(tmp_path), "--project", "dna-rate"])
    assert r.stderr == f"Error: '{tmp_path}' is a folder, not a file.\n"
    r = qi(["data", "import", str(tmp_path / "nope.csv"), "--project", "nope"])
    assert r.exit_code == 1 and "No project 'nope'" in r.stderr


# --- Excel -------------------------------------------------------------------------------


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def test_excel_date_cells_numbers_and_sheets(qi, project, tmp_path):
    path = workbook(tmp_path / "data.xlsx", {
        "Notes": [["nothing here"]],
        "Weekly": [["Week", "measure", "value", "note"],
                   [datetime(2018, 4, 2), "calls", 41, "IT outage"],
                   [date(2018, 4, 9), "calls", "1,234", None],
                   ["16/04/2018", "calls", 0.5, 12],
                   [None, None, None, None],
                   [datetime(2018, 4, 30, 9, 30), "calls", None, None]],
    })
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--sheet", "Weekly",
            "--date-col", "Week"])
    assert r.exit_code == 0, r.stderr
    assert r.stderr.splitlines()[0] == "Skipped 1 blank cell (row 6)"
    assert [(p["date"], p["value"], p["note"]) for p in points(qi, "calls")] == [
        ("2018-04-02", 41.0, "IT outage"), ("2018-04-09", 1234.0, None),
        ("2018-04-16", 0.5, "12")]


def test_excel_without_the_sheet_lists_the_sheets(qi, project, tmp_path):
    path = workbook(tmp_path / "data.xlsx", {"One": [["date"]], "Two": [["date"]]})
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--sheet", "Three"])
    assert r.stderr == ("Error: data.xlsx has no sheet 'Three' (its sheets are: 'One', "
                        "'Two'). Choose one with --sheet NAME.\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr == "Error: data.xlsx has a header but no data rows.\n"


def test_excel_problems_name_sheet_rows(qi, project, tmp_path):
    path = workbook(tmp_path / "data.xlsx", {"S": [
        ["date", "measure", "value"], [datetime(2018, 4, 2), "calls", True],
        [12345, "calls", 3], [datetime(2018, 4, 9), "calls", "n/a"]]})
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.stderr.splitlines()[1:] == [
        "data.xlsx, row 2, column 'value': True - not a number.",
        "data.xlsx, row 3, column 'date': 12345 - a number, not a date; format the cell as "
        "a date or write YYYY-MM-DD.",
        "data.xlsx, row 4, column 'value': 'n/a' - not a number.",
    ]


def test_not_an_excel_file_and_sheet_on_csv(qi, project, tmp_path):
    path = write(tmp_path, "fake.xlsx", "date,measure,value\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 1 and r.stderr.startswith("Error: fake.xlsx is not a readable "
                                                    "Excel .xlsx file")
    path = write(tmp_path, "a.csv", LONG)
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--sheet", "S"])
    assert r.stderr == ("Error: a.csv is not an Excel file, so it has no sheets; leave out "
                        "--sheet.\n")


# --- patient-identifiable data -------------------------------------------------------------


@pytest.mark.parametrize(("header", "cell", "why"), [
    ("NHS Number", "943 476 5919", "column 'NHS Number' is named like a patient identifier"),
    ("nhs_no", "1", "column 'nhs_no' is named like a patient identifier"),
    ("Date of Birth", "01/01/1950", "column 'Date of Birth' is named like a patient "
     "identifier"),
    ("patient_dob", "01/01/1950", "column 'patient_dob' is named like a patient identifier"),
    ("Post Code", "N12 0AA", "column 'Post Code' is named like a patient identifier"),
    ("patient", "943-476-5919", "100% of the values in column 'patient' are valid NHS "
     "numbers"),
])
@pytest.mark.slow
def test_identifiers_stop_the_import(qi, project, tmp_path, header, cell, why):
    path = write(tmp_path, "p.csv", f"date,measure,value,{header}\n2018-04-02,calls,1,{cell}\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        f"Error: p.csv looks patient-identifiable: {why}. QI data should be aggregate "
        "(counts per week or month), not about patients: remove those columns from the "
        "file, or add --allow-identifiers if this is a deliberate decision.\n")
    assert points(qi, "calls") == []


def test_allow_identifiers_and_no_false_alarms(qi, project, tmp_path):
    path = write(tmp_path, "p.csv", "date,measure,value,ref\n2018-04-02,calls,1,9434765919\n"
                 "2018-04-09,calls,2,4010232137\n")
    r = qi(["data", "import", str(path), "--project", "dna-rate"])
    assert r.exit_code == 1 and "column 'ref'" in r.stderr
    qi(["data", "import", str(path), "--project", "dna-rate", "--allow-identifiers"], ok=True)
    # Ten-digit numbers that fail the Modulus 11 check, and dates, are not identifiers.
    path = write(tmp_path, "q.csv", "date,measure,value,ref\n2018-04-16,calls,1,9434765918\n"
                 "2018-04-23,calls,2,1234567890\n")
    qi(["data", "import", str(path), "--project", "dna-rate"], ok=True)


# --- event-level files -----------------------------------------------------------------------


EVENTS = ("Appointment date,Status,Clinician\n02/04/2018,DNA,A\n03/04/2018,Attended,A\n"
          "04/04/2018,Attended,B\n10/04/2018,dna,B\n11/04/2018,Attended,A\n"
          "01/05/2018 09:30,Attended,A\n")


def test_aggregate_counts_rows_per_period(qi, project, tmp_path):
    path = write(tmp_path, "ev.csv", EVENTS)
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--measure", "visits",
            "--aggregate", "week", "--date-col", "Appointment date"])
    assert r.exit_code == 0, r.stderr
    assert [(p["date"], p["value"]) for p in points(qi, "visits")] == [
        ("2018-04-02", 3.0), ("2018-04-09", 2.0), ("2018-04-30", 1.0)]


def test_aggregate_with_numerator_where(qi, project, tmp_path):
    path = write(tmp_path, "ev.csv", EVENTS)
    r = qi(["data", "import", str(path), "--project", "dna-rate", "--measure", "dna",
            "--aggregate", "month", "--date-col", "Appointment date",
            "--numerator-where", "Status=DNA"])
    assert r.exit_code == 0, r.stderr
    assert [(p["date"], p["numerator"], p["denominator"]) for p in points(qi, "dna")] == [
        ("2018-04-01", 2.0, 5.0), ("2018-05-01", 0.0, 1.0)]


def test_aggregate_errors(qi, project, tmp_path):
    path = write(tmp_path, "ev.csv", EVENTS)
    base = ["data", "import", str(path), "--project", "dna-rate", "--date-col",
            "Appointment date"]
    r = qi(base + ["--measure", "dna", "--aggregate", "week", "--numerator-where",
                   "Status=Cancelled"])
    assert r.stderr == ("Error: ev.csv: no row has 'Cancelled' in column 'Status' (values "
                        "found include: 'DNA', 'Attended', 'dna'). Check --numerator-where "
                        "COLUMN=VALUE.\n")
    r = qi(base + ["--measure", "dna", "--aggregate", "week", "--numerator-where", "Sts=DNA"])
    assert "has no column 'Sts'" in r.stderr and "--numerator-where" in r.stderr
    r = qi(base + ["--measure", "dna", "--aggregate", "week"])
    assert r.stderr == ("Error: Measure 'dna' has a denominator: say which rows make the "
                        "numerator with --numerator-where COLUMN=VALUE (e.g. "
                        "--numerator-where 'Status=DNA').\n")
    r = qi(base + ["--measure", "visits", "--aggregate", "week", "--numerator-where",
                   "Status=DNA"])
    assert "takes a single value (the number of rows per period)" in r.stderr
    for extra, option in ((["--aggregate", "week"], "--aggregate"),
                          (["--measure", "dna", "--numerator-where", "Status=DNA"],
                           "--numerator-where"),
                          (["--measure", "dna", "--aggregate", "week", "--period", "week"],
                           "--period"),
                          (["--measure", "dna", "--aggregate", "week", "--numerator-where",
                            "Status"], "--numerator-where")):
        r = qi(base + extra)
        assert r.exit_code == 2 and option in r.stderr, extra
    assert imports(qi) == []


# --- data add, list, export ----------------------------------------------------------------


def test_add_values_and_ratios(qi, project):
    r = qi("data add calls 03/04/2018 41 --note 'IT outage'")
    assert (r.exit_code, r.stdout, r.stderr) == (
        0, "", "Added 'dna-rate/calls' 2018-04-03: 41 (\"IT outage\")\n")
    r = qi("data add dna 2018-04-02 --numerator 12 --denominator 150 --json")
    assert json.loads(r.stdout) == {"measure": "dna-rate/dna", "status": "added",
                                    "date": "2018-04-02", "value": None, "numerator": 12.0,
                                    "denominator": 150.0, "note": None, "import": None}
    qi("data add calls 2018-04-11 45% --period week", ok=True)
    qi(["data", "add", "calls", "2018-04-16", "--", "-1,234.5"], ok=True)
    assert [(p["date"], p["value"]) for p in points(qi, "calls")] == [
        ("2018-04-03", 41.0), ("2018-04-09", 0.45), ("2018-04-16", -1234.5)]


def test_add_same_changed_and_replace(qi, project):
    qi("data add calls 2018-04-02 41 --note first", ok=True)
    r = qi("data add calls 2018-04-02 41")
    assert (r.exit_code, r.stderr) == (
        0, "Nothing to do: 'dna-rate/calls' already has 41 (\"first\") for 2018-04-02\n")
    r = qi("data add calls 2018-04-02 42")
    assert (r.exit_code, r.stderr) == (
        1, "Error: Measure 'dna-rate/calls' already has 41 (\"first\") for 2018-04-02. Add "
           "--replace to change it to 42 (\"first\").\n")
    r = qi("data add calls 2018-04-02 42 --replace --note second")
    assert r.stderr == "Changed 'dna-rate/calls' 2018-04-02: 42 (\"second\")\n"
    assert points(qi, "calls")[0]["note"] == "second"


@pytest.mark.parametrize(("args", "code", "message"), [
    ("dna 2018-04-02 4", 1, "Error: Measure 'dna-rate/dna' has a denominator: give "
     "--numerator N --denominator D (and no VALUE).\n"),
    ("calls 2018-04-02 --numerator 1 --denominator 2", 1, "Error: Measure 'dna-rate/calls' "
     "takes a single value: give VALUE (and no --numerator or --denominator).\n"),
    ("dna 2018-04-02 --numerator 3 --denominator 2", 1, "Error: Numerator 3: the numerator "
     "is greater than the denominator, and a proportion cannot be above 1.\n"),
    ("dna 2018-04-02 --numerator 0 --denominator 0", 1, "Error: Denominator 0: a "
     "denominator must be a number above 0.\n"),
    ("visits 2018-04-02 -- -1", 1, "Error: Value -1: a negative value is not possible for "
     "this measure (only run, i, mr, xbar and s chart measures take negative values).\n"),
    ("nope 2018-04-02 1", 1, None),
    ("calls 31/02/2018 1", 2, None),
    ("calls 2018-04-02 lots", 2, None),
])
@pytest.mark.slow
def test_add_errors(qi, project, args, code, message):
    r = qi(f"data add {args}")
    assert (r.exit_code, r.stdout) == (code, "")
    if message:
        assert r.stderr == message
    assert "Traceback" not in r.stderr
    assert points(qi, "calls") == [] and points(qi, "dna") == []


def test_list_table_csv_and_empty(qi, project, tmp_path):
    r = qi("data list calls")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr.startswith("No measurements for 'dna-rate/calls' yet.")
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    r = qi("data list dna")
    # A proportion reads as its chart shows it: 12/150 is 8.0%, not 0.08
    assert "DNA rate (dna-rate/dna): 2 points" in r.stdout and "│ 8.0%" in r.stdout
    assert "percent" in r.stdout and "0.08" not in r.stdout
    r = qi("data list calls --csv")
    assert r.stdout == ("date,value,numerator,denominator,note,import\n"
                        "2018-04-02,41,,,Phones down,1\n2018-04-09,38.5,,,,1\n")
    assert qi("data list calls --csv --json").exit_code == 2


CANDIDATES = ("date,measure,value,numerator,denominator,note\n"
              "2018-04-02,calls,0.1,,,\"Quoted, with a comma and \"\"quotes\"\"\"\n"
              "2018-04-09,calls,-1e-07,,,  leading spaces\n"
              "2018-04-16,calls,123456789.123,,,Søuth “curly” 🩺\n"
              "2018-04-23,calls,12,,,\"two\nlines\"\n"
              "2018-04-02,dna,,12,150,\n2018-04-09,dna,,0.5,3,\n")


@pytest.mark.slow
def test_export_then_import_into_an_empty_database_gives_identical_bytes(qi, project,
                                                                         tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", CANDIDATES)), "--project",
        "dna-rate"], ok=True)
    exported = qi("data export dna-rate", ok=True).stdout
    assert exported.splitlines()[0] == "date,measure,value,numerator,denominator,note"
    assert "2018-04-09,calls,-1e-07,,,  leading spaces" in exported
    empty = ["--db", str(tmp_path / "second.db")]
    qi(["init", str(tmp_path / "second.db")], ok=True)
    for command in (["team", "add", "North"],
                    ["project", "add", "dna-rate", "--title", "T", "--team", "north",
                     "--aim", "A"],
                    ["measure", "add", "dna", "--project", "dna-rate", "--name", "D",
                     "--kind", "outcome", "--chart", "p"],
                    ["measure", "add", "calls", "--project", "dna-rate", "--name", "C",
                     "--kind", "outcome", "--chart", "i"]):
        qi(empty + command, ok=True)
    copy = write(tmp_path, "export.csv", exported)
    qi(empty + ["data", "import", str(copy), "--project", "dna-rate"], ok=True)
    assert qi(empty + ["data", "export", "dna-rate"], ok=True).stdout == exported
    # And back into the first database: nothing to do.
    r = qi(["data", "import", str(copy), "--project", "dna-rate"], ok=True)
    assert r.stderr.startswith("Nothing to do: all 6 values")


def test_export_to_a_file_never_overwrites_without_force(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    out = tmp_path / "out.csv"
    r = qi(["data", "export", "dna-rate", "-o", str(out)])
    assert (r.exit_code, r.stdout, r.stderr) == (
        0, "", f"Exported 4 measurements of 'dna-rate' to {out}\n")
    assert out.read_text().startswith("date,measure,value,numerator,denominator,note\n"
                                      "2018-04-02,calls,41,,,Phones down\n")
    out.write_text("precious")
    r = qi(["data", "export", "dna-rate", "-o", str(out)])
    assert r.exit_code == 1 and "already exists. Add --force" in r.stderr
    assert out.read_text() == "precious"
    qi(["data", "export", "dna-rate", "-o", str(out), "--force"], ok=True)
    assert out.read_text().count("\n") == 5
    assert qi("data export nope").exit_code == 1


def test_imports_list(qi, project, tmp_path):
    r = qi("data imports")
    assert r.stderr.startswith("No imports yet")
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    r = qi("data imports --project dna-rate")
    assert "a.csv" in r.stdout and r.exit_code == 0
    assert qi("data imports --project nope").exit_code == 1


# --- removing what has data ----------------------------------------------------------------


def test_removing_a_measure_with_measurements_needs_force(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"],
       ok=True)
    r = qi("measure remove calls --yes")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: Measure 'dna-rate/calls' has 2 measurements. Add "
                               "--force to remove it with them")
    qi("measure remove calls --yes --force", ok=True)
    assert [p["numerator"] for p in points(qi, "dna")] == [12.0, 10.0]
    r = qi("data undo 1 --yes")
    assert r.exit_code == 1 and "cannot be undone: 2 of the 4 values" in r.stderr
    qi("measure remove visits --yes", ok=True)  # no measurements: no --force needed


def test_removing_a_team_with_force_removes_measurements_and_imports(qi, project, tmp_path):
    qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate",
        "--replace"], ok=True)
    qi(["data", "import", str(write(tmp_path, "b.csv", LONG.replace("41", "40"))),
        "--project", "dna-rate", "--replace"], ok=True)
    qi("team remove north --force --yes", ok=True)
    assert imports(qi) == []
    status = json.loads(qi("db status --json", ok=True).stdout)
    assert {t: status["rows"][t] for t in ("measurement", "data_import",
                                           "data_import_change")} == {
        "measurement": 0, "data_import": 0, "data_import_change": 0}


def test_no_progress_output_when_piped(qi, project, tmp_path, monkeypatch):
    import qi.cli.data as data_cli

    monkeypatch.setattr(data_cli, "PROGRESS_BYTES", 0)
    r = qi(["data", "import", str(write(tmp_path, "a.csv", LONG)), "--project", "dna-rate"])
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("Imported a.csv")


def test_progress_bar_on_a_terminal(tmp_path, monkeypatch):
    import io

    import qi.cli.data as data_cli

    big = write(tmp_path, "big.csv", "x" * 100)
    monkeypatch.setattr(data_cli.sys.stderr, "isatty", lambda: True, raising=False)
    with data_cli._progress(big) as update:
        assert update is None  # small file: no bar
    monkeypatch.setattr(data_cli, "PROGRESS_BYTES", 10)
    from rich.console import Console

    out = io.StringIO()
    monkeypatch.setattr(data_cli, "console",
                        lambda stderr=False: Console(file=out, force_terminal=True, width=80))
    with data_cli._progress(big) as update:
        update("Writing", 5, 10)
    assert "big.csv" in out.getvalue()
