"""qi.ingest for measurement files: cells to dates and numbers, the identifier guard, and
malformed files thrown at `qi data import` (never a traceback, never a partial write)."""

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from qi import values
from qi.errors import InvalidInput
from qi.ingest import cells as ingest_cells
from qi.ingest import identifiers
from qi.ingest.problems import Problems

NAN = float("nan")


def _nhs_reference(number: str) -> bool:
    """The Modulus 11 check as the NHS data dictionary states it, one digit at a time."""
    digits = [int(c) for c in number]
    total = sum(d * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == digits[9]


@pytest.mark.parametrize(("number", "valid"), [
    ("9434765919", True), ("4010232137", True), ("9434765918", False), ("1234567890", False),
    ("0000000000", True),
])
def test_nhs_number_check_known_numbers(number, valid):
    assert identifiers.nhs_number_valid(np.array([int(number)]))[0] == valid
    assert _nhs_reference(number) == valid


@given(st.lists(st.integers(10**9, 10**10 - 1), min_size=1, max_size=50))
def test_nhs_number_check_agrees_with_the_reference(numbers):
    got = identifiers.nhs_number_valid(np.array(numbers, dtype=np.int64)).tolist()
    assert got == [_nhs_reference(f"{n:010d}") for n in numbers]


@pytest.mark.parametrize(("name", "flagged"), [
    ("NHS number", True), ("nhs_no", True), ("NHS No.", True), ("NHSNumber", True),
    ("Date of birth", True), ("DOB", True), ("patient dob", True), ("Birth date", True),
    ("postcode", True), ("Post Code", True), ("date", False), ("doberman", False),
    ("measure", False), ("value", False), ("Appointment date", False),
])
def test_identifier_column_names(name, flagged):
    assert identifiers._identifier_name(name) == flagged


def _dates(cells):
    days, blank, bad, why = ingest_cells.parse_dates(pd.Series(cells, dtype=object))
    return [None if np.isnat(d) else str(d) for d in days], blank.tolist(), bad.tolist(), why


def test_parse_dates_iso_uk_excel_and_times():
    got, blank, bad, _ = _dates(["2018-04-03", "03/04/2018", "3.4.2018", "03-04-2018",
                                 "2018-4-3", " 2018-04-03 ", "2018-04-03 10:15:00",
                                 "03/04/2018 09:30", "2018-04-03T10:15",
                                 pd.Timestamp("2018-04-03 12:00"), date(2018, 4, 3), None])
    assert got == ["2018-04-03"] * 11 + [None]
    assert blank == [False] * 11 + [True] and bad == []


@pytest.mark.parametrize(("cell", "why"), [
    ("13/25/2018", "not a real date; check the day"),
    ("04/13/2018", "never guesses month-first dates"),
    ("31/02/2018", "not a real date; check the day"),
    ("02/31/2018", "not a real date read day first"),
    ("03/04/18", "the year has two digits"),
    ("2018/04/03", "not a real date"),
    ("today", "not a date"),
    ("3rd April", "not a date"),
    (43193, "a number, not a date"),
])
def test_parse_dates_refuses_with_a_reason(cell, why):
    got, blank, bad, reasons = _dates(["2018-04-03", cell])
    assert got == ["2018-04-03", None] and bad == [1] and blank == [False, False]
    assert why in reasons[0]


def test_parse_dates_all_blank():
    got, blank, bad, _ = _dates([None, None])
    assert got == [None, None] and blank == [True, True] and bad == []


def test_many_distinct_dates_take_the_fast_path():
    days = pd.date_range("1990-01-01", periods=12_000, freq="D").strftime("%Y-%m-%d")
    cells = list(days) + ["02/01/1990", "bad"]
    got, _, bad, _ = _dates(cells)
    assert got[0] == "1990-01-01" and got[-2] == "1990-01-02" and bad == [len(cells) - 1]


def test_start_of_period():
    days = np.array(["2018-04-02", "2018-04-08", "2018-04-09", "2018-02-28", "NaT"],
                    dtype="datetime64[D]")
    week = ingest_cells.start_of_period(days, "week")
    month = ingest_cells.start_of_period(days, "month")
    assert [str(d) for d in week] == ["2018-04-02", "2018-04-02", "2018-04-09",
                                      "2018-02-26", "NaT"]
    assert [str(d) for d in month][:4] == ["2018-04-01", "2018-04-01", "2018-04-01",
                                           "2018-02-01"]
    assert ingest_cells.start_of_period(days, None) is days


def test_parse_numbers_text_cells():
    cells = pd.Series(["12", " 7 ", "1,234", "1,234,567.5", "45%", "-3.5", "", None, "1,2",
                       "abc", "nan", "inf", "12,34"], dtype=object)
    values, blank, bad, why = ingest_cells.parse_numbers(cells)
    assert values[:6].tolist() == [12.0, 7.0, 1234.0, 1234567.5, 0.45, -3.5]
    assert blank.tolist() == [False] * 6 + [True, True] + [False] * 5
    assert bad.tolist() == [8, 9, 10, 11, 12]
    assert why[0].startswith("not a number (a comma") and why[1] == "not a number"
    assert np.isnan(values[6:]).all()


def test_parse_numbers_numeric_columns():
    values, blank, bad, _ = ingest_cells.parse_numbers(pd.Series([1.5, np.nan, np.inf]))
    assert blank.tolist() == [False, True, False] and bad.tolist() == [2]
    assert values[0] == 1.5


@pytest.mark.parametrize(("text", "number"), [
    ("12", 12.0), ("1,234", 1234.0), ("45%", 0.45), (" 2.5 ", 2.5), ("-1,000.5", -1000.5),
])
def test_parse_number(text, number):
    assert values.parse_number(text) == number


@pytest.mark.parametrize("text", ["abc", "1,2", "nan", "inf", "1_000", ""])
def test_parse_number_refuses(text):
    with pytest.raises(InvalidInput, match="is not a number"):
        values.parse_number(text)


_NUMBER = st.one_of(st.just(float("nan")), st.sampled_from([-1.0, 0.0, 0.5, 3.0, 150.0]),
                    st.floats(-1e6, 1e6))


@given(_NUMBER, _NUMBER, _NUMBER, st.booleans(), st.sampled_from(["run", "i", "p", "c", "u"]))
def test_one_point_and_a_file_meet_the_same_value_rules(value, numerator, denominator, ratio,
                                                        chart):
    """`qi data add` checks plain floats, `qi data import` arrays: the same rules, said in
    the same words."""
    one = values.ValueRules.of_measure(chart, ratio)
    typed = values.check_values(value, numerator, denominator, one)
    column = values.ValueRules(*(np.array([flag]) for flag in
                                 (one.ratio, one.proportion, one.negative_ok)))
    filed = values.check_values(np.array([value]), np.array([numerator]),
                                np.array([denominator]), column)
    assert [(role, why) for role, _, why in typed] == [(role, why) for role, _, why in filed]
    assert all(bool(mask) is True for _, mask, _ in typed)


@pytest.mark.parametrize(("chart", "ratio", "numbers", "role"), [
    ("c", False, (-1.0, NAN, NAN), "value"), ("i", False, (-1.0, NAN, NAN), None),
    ("p", True, (NAN, 5.0, 4.0), "numerator"), ("u", True, (NAN, 5.0, 4.0), None),
    ("p", True, (NAN, -1.0, 4.0), "numerator"), ("u", True, (NAN, 1.0, 0.0), "denominator"),
])
def test_value_rules_of_a_measure(chart, ratio, numbers, role):
    found = values.check_values(*numbers, values.ValueRules.of_measure(chart, ratio))
    assert [r for r, _, _ in found][:1] == ([role] if role else [])


def test_the_value_rules_and_the_number_grammar_need_no_pandas_or_numpy():
    """`qi data add` uses them and must not pay for loading numpy."""
    code = ("import sys; import qi.values, qi.services.data; "
            "print(sorted({'numpy', 'pandas', 'sqlalchemy'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_problems_single_and_capped():
    problems = Problems(Path("x.csv"))
    problems.add(np.array([5]), "value", np.array(["abc"], dtype=object), "not a number")
    assert problems.message() == "x.csv, row 5, column 'value': 'abc' - not a number."
    problems.add(np.arange(100, 40, -1), "date", np.array([None] * 60, dtype=object),
                 "the date is empty")
    lines = problems.message().splitlines()
    assert lines[0] == ("x.csv has 61 problems; nothing was imported. Fix them and import "
                        "again:")
    assert lines[1] == "x.csv, row 5, column 'value': 'abc' - not a number."
    assert lines[2] == "x.csv, row 41, column 'date': (empty) - the date is empty."
    assert lines[-1] == "... and 11 more." and len(lines) == 52


# --- malformed files at the CLI: never a traceback, never a partial write ---------------------

CELLS = st.one_of(
    st.sampled_from(["2018-04-02", "03/04/2018", "31/02/2018", "04/13/2018", "03/04/18",
                     "dna", "calls", "new-measure", "Bad Slug", "", " ", "12", "-3", "0",
                     "1,234", "1,2", "45%", "abc", "nan", "inf", "1e400", "9434765919",
                     '"', '"a,b"', "x\ny", "é", "🩺", "\t", "NHS"]),
    st.text(max_size=6),
)
COLUMNS = st.sampled_from(["date", "measure", "value", "numerator", "denominator", "note",
                           "calls", "dna", "Date", "", "DOB", "extra"])


@st.composite
def csv_bytes(draw) -> bytes:
    if draw(st.booleans()) and draw(st.booleans()):
        return draw(st.binary(max_size=80))
    header = draw(st.lists(COLUMNS, min_size=1, max_size=6))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(header) + 2),
                         max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    text = bom + newline.join(",".join(row) for row in [header, *rows]) + newline
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16"]))
    return text.encode(encoding, errors="replace")


_counts_ready: dict[Path, bool] = {}  # databases already given a project and measures


def _counts(path: Path) -> tuple[int, ...]:
    con = sqlite3.connect(path)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("measurement", "data_import", "data_import_change", "measure"))
    finally:
        con.close()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(content=csv_bytes(), options=st.sampled_from([
    [], ["--create-measures"], ["--replace"], ["--measure", "calls"],
    ["--period", "week", "--create-measures"], ["--dry-run"],
    ["--measure", "dna", "--aggregate", "week", "--numerator-where", "value=12"],
]))
@pytest.mark.slow
def test_malformed_csv_never_a_traceback_never_a_partial_write(qi_sqlite, db_path, tmp_path,
                                                              content, options):
    if not _counts_ready.get(db_path):
        qi_sqlite("team add North", ok=True)
        qi_sqlite("project add dna-rate --title T --team north --aim A", ok=True)
        qi_sqlite("measure add dna --project dna-rate --name D --kind outcome --chart p",
                  ok=True)
        qi_sqlite("measure add calls --project dna-rate --name C --kind outcome --chart i",
                  ok=True)
        _counts_ready[db_path] = True
    path = tmp_path / "fuzz.csv"
    path.write_bytes(content)
    before = _counts(db_path)
    r = qi_sqlite(["data", "import", str(path), "--project", "dna-rate", *options])
    assert r.exit_code in (0, 1), (r.exit_code, r.stderr)
    event(f"exit code {r.exit_code}")
    assert "Traceback" not in r.stderr and "unexpected problem" not in r.stderr, r.stderr
    after = _counts(db_path)
    if r.exit_code == 1 or "--dry-run" in options:
        assert after == before, r.stderr
        if r.exit_code == 1:
            assert r.stderr.startswith("Error: ")
    else:
        assert after[1] in (before[1], before[1] + 1)

