"""`qi analyze FILE.csv`: output for people, the JSON document, and every error path."""

import json
from pathlib import Path

import pytest

WEEKS = [f"2018-{m:02d}-{d:02d}" for m, d in [
    (1, 1), (1, 8), (1, 15), (1, 22), (1, 29), (2, 5), (2, 12), (2, 19), (2, 26), (3, 5),
    (3, 12), (3, 19), (3, 26), (4, 2), (4, 9), (4, 16), (4, 23), (4, 30), (5, 7), (5, 14),
]]  # fmt: skip
DNA = [12, 10, 9, 14, 11, 13, 25, 12, 8, 9, 10, 7, 8, 7, 6, 8, 7, 6, 7, 5]


def _csv(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def dna(tmp_path) -> Path:
    rows = "\n".join(f"{w},{y},100" for w, y in zip(WEEKS, DNA, strict=True))
    return _csv(tmp_path, "x,y,n\n" + rows + "\n", "dna.csv")


@pytest.mark.slow
def test_run_chart_by_default_for_people(qi_sqlite, dna):
    r = qi_sqlite(["analyze", str(dna), "--n", "n"])
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    assert "Run chart of y / n - 20 points, Anhøj rules" in r.stdout
    assert "Median" in r.stdout and "(2018-01-01 to 2018-05-14)" in r.stdout
    assert "Runs signal" in r.stdout


def test_p_chart_json_document(qi_sqlite, dna):
    r = qi_sqlite(["analyze", str(dna), "--chart", "p", "--multiply", "100", "--json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert list(doc) == ["chart", "rules", "parts", "points"]
    assert (doc["chart"], doc["rules"]) == ("p", "anhoej")
    part = doc["parts"][0]
    assert part["n_obs"] == 20 and part["runs_signal"] is True
    assert part["cl"] == pytest.approx(100 * sum(DNA) / 2000)  # 100 x sum(y) / sum(n)
    assert part["sigma_signals"] == 1
    signal = next(s for s in part["signals"] if s["rule"] == "sigma")
    assert signal == {"rule": "sigma", "from": 7, "to": 7,
                      "text": "Point 7 (2018-02-12) is above the upper control limit"}  # fmt: skip
    first = doc["points"][0]
    assert first["x"] == "2018-01-01" and first["y"] == 12.0 and first["n"] == 100
    assert first["part"] == 1 and first["baseline"] is True and first["include"] is True
    assert len(doc["points"]) == 20


def test_row_order_without_an_x_column_and_other_column_names(qi_sqlite, tmp_path):
    path = _csv(tmp_path, "week,visits\n1,5\n2,7\n3,6\n4,30\n5,5\n6,6\n7,7\n8,5\n")
    r = qi_sqlite(["analyze", str(path), "--y", "visits", "--chart", "c", "--json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [p["x"] for p in doc["points"]] == list(range(1, 9))
    assert doc["points"][3]["sigma_signal"] is True


def test_repeated_x_are_subgroups_and_uk_dates_are_read_day_first(qi_sqlite, tmp_path):
    text = "x,y\n03/04/2018,1\n03/04/2018,3\n10/04/2018,2\n10/04/2018,4\n10/04/2018,6\n"
    r = qi_sqlite(["analyze", str(_csv(tmp_path, text)), "--chart", "xbar", "--json"])
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [p["x"] for p in doc["points"]] == ["2018-04-03", "2018-04-10"]
    assert [p["y"] for p in doc["points"]] == [2.0, 4.0]


def test_freeze_part_and_exclude(qi_sqlite, dna):
    r = qi_sqlite(["analyze", str(dna), "--chart", "i", "--part", "10", "--freeze", "6",
                   "--exclude", "7", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    pts = doc["points"]
    assert [p["part"] for p in pts] == [1] * 10 + [2] * 10
    assert [p["baseline"] for p in pts] == ([True] * 6 + [False] * 4) * 2
    assert pts[6]["include"] is False
    # the file has an n column, so the values are y / n (as qicharts2 does)
    assert doc["parts"][0]["cl"] == pytest.approx(sum(DNA[:6]) / 600)


def test_making_data_count(qi_sqlite, dna):
    r = qi_sqlite(["analyze", str(dna), "--rules", "mdc", "--improvement", "down",
                   "--target", "0.09", "--json"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["chart"] == "i" and doc["rules"] == "mdc"
    part = doc["parts"][0]
    assert part["variation_type"] == "special_cause_improvement"  # falling DNAs: better
    assert part["assurance_type"] == "inconsistent"
    assert {p["point_type"] for p in doc["points"]} <= {
        "common_cause", "special_cause_improvement", "special_cause_concern"}  # fmt: skip
    people = qi_sqlite(["analyze", str(dna), "--rules", "mdc", "--improvement", "down"])
    assert "Variation" in people.stdout and "special cause improvement" in people.stdout


def test_ihi_rules_say_when_there_is_no_runs_test(qi_sqlite, tmp_path):
    path = _csv(tmp_path, "y\n" + "\n".join(str(v) for v in [1, 2, 3, 4, 5, 6, 2, 1]) + "\n")
    r = qi_sqlite(["analyze", str(path), "--rules", "ihi"])
    assert r.exit_code == 0, r.stderr
    assert "points in a row all going up" in r.stdout
    assert "outside the IHI" in r.stdout


# ---- errors: exit 1 with one line on stderr -------------------------------------------


@pytest.mark.parametrize(
    ("text", "args", "message"),
    [
        ("x,y\n1,2\n2,abc\n", [], "data.csv, row 3, column 'y': 'abc' is not a number"),
        ("x,value\n1,2\n", [], "data.csv has no column 'y' (the columns are: 'x', 'value')"),
        ("x,y\n1,2\n", ["--n", "denom"], "has no column 'denom' (the columns are: 'x', 'y')"),
        ("x,y,n\n1,2,10\n2,3,0\n", ["--chart", "p"],
         "data.csv, row 3, column 'n': 0 - a denominator must be a number above 0"),
        ("x,y,n\n1,2,10\n2,3,-4\n", ["--chart", "u"], "row 3, column 'n': -4"),
        ("x,y,n\n1,2,10\n2,30,20\n", ["--chart", "p"],
         "row 3, column 'y': 30 - the numerator is greater than the denominator"),
        ("x,days\n1,2\n2,0\n", ["--y", "days", "--chart", "t"],
         "row 3, column 'days': 0 - a t chart needs every value"),
        ("x,y\n1,2\n2,3\n", ["--chart", "xbar"], "several rows sharing the same x"),
        ("x,y\n1,2\n2,3\n", ["--chart", "p"], "needs denominators"),
        ("x,y\n2018-01-01,2\nlast week,3\n", [],
         "row 3, column 'x': 'last week' is neither a number nor a date"),
        ("x,y\n1,2\n,3\n", [], "row 3, column 'x': the x value is empty"),
        ("x,y\n", [], "has a header but no data rows"),
    ],
)  # fmt: skip
@pytest.mark.slow
def test_bad_files_name_the_row_and_column(qi_sqlite, tmp_path, text, args, message):
    r = qi_sqlite(["analyze", str(_csv(tmp_path, text)), *args])
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_missing_file(qi_sqlite, tmp_path):
    r = qi_sqlite(["analyze", str(tmp_path / "nope.csv")])
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith("Error: There is no file") and "nope.csv" in r.stderr


# ---- bad option values: exit 2 naming the option ---------------------------------------


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--chart", "pie"], "--chart", "pie"),
        (["--part", "x"], "--part", "'x' in 'x' is not a position"),
        (["--part", "3,1.5"], "--part", "'1.5'"),
        (["--part", "20"], "--part", "after positions 1 to 19"),
        (["--exclude", "21"], "--exclude", "from 1 to 20"),
        (["--exclude", "0"], "--exclude", "not a position"),
        (["--freeze", "0"], "--freeze", "greater than or equal to 1"),
        (["--rules", "mdc", "--chart", "p"], "--rules", "XmR"),
        (["--rules", "ihi", "--chart", "i"], "--rules", "run charts"),
        (["--target", "5"], "--target", "only applies with --rules mdc"),
        (["--improvement", "up"], "--improvement", "only applies with --rules mdc"),
        (["--multiply", "0"], "--multiply", "finite number other than 0"),
    ],
)
@pytest.mark.slow
def test_bad_options_exit_2(qi_sqlite, dna, args, option, words):
    r = qi_sqlite(["analyze", str(dna), *args])
    assert r.exit_code == 2
    assert r.stdout == ""
    assert option in r.stderr and words in r.stderr


def test_chart_names_match_the_engine():
    from qi.analysis import CHARTS, IMPROVEMENTS, RULES
    from qi.domain import CHART_NAMES, ChartType, Direction, Rules

    assert tuple(c.value for c in ChartType) == CHARTS == tuple(CHART_NAMES)
    assert tuple(r.value for r in Rules) == RULES
    assert tuple(i.value for i in Direction) == IMPROVEMENTS


def test_rows_wider_than_the_header_are_refused_not_shifted(tmp_path):
    from typer.testing import CliRunner

    from qi.cli import app

    path = tmp_path / "ragged.csv"
    path.write_text("x,y\n1,5,9\n2,6,7\n3,8,1\n")
    r = CliRunner().invoke(app, ["analyze", str(path), "--json"])
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("Error: ragged.csv, row 2 has more cells than the header row")
