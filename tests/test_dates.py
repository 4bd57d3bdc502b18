from datetime import date

import pytest

from qi.dates import parse_date
from qi.errors import InvalidInput

TODAY = date(2018, 4, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-04-03", date(2018, 4, 3)),
        ("2018-4-3", date(2018, 4, 3)),
        ("03/04/2018", date(2018, 4, 3)),  # UK day-first: 3 April
        ("3/4/2018", date(2018, 4, 3)),
        ("13/01/2018", date(2018, 1, 13)),
        ("03-04-2018", date(2018, 4, 3)),
        ("03.04.2018", date(2018, 4, 3)),
        (" today ", TODAY),
        ("Yesterday", date(2018, 4, 2)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["", "soon", "03/04/18", "2018/04/03", "04-2018", "1e3"])
def test_unreadable_dates_say_which_forms_work(text):
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date(text, what="--start")


@pytest.mark.parametrize("text", ["31/02/2018", "2018-13-01", "00/01/2018"])
def test_impossible_dates(text):
    with pytest.raises(InvalidInput, match="not a real date"):
        parse_date(text)


# --- dates for people ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style", "day", "month"),
    [("uk", "26 Mar 2018", "Mar 2018"), ("dmy", "26/03/2018", "03/2018"),
     ("iso", "2018-03-26", "2018-03")],
)  # fmt: skip
def test_human_dates_follow_qi_date_style(monkeypatch, style, day, month):
    from qi.dates import human_date, human_month, humanise

    monkeypatch.setenv("QI_DATE_STYLE", style)
    assert human_date(date(2018, 3, 26)) == day
    assert human_month(date(2018, 3, 26)) == month
    assert humanise("from 2018-03-26 to 2018-03-26.") == f"from {day} to {day}."


def test_uk_is_the_default_and_unknown_styles_fall_back_to_it(monkeypatch):
    from qi.dates import date_style, human_date, humanise

    monkeypatch.delenv("QI_DATE_STYLE", raising=False)
    assert human_date(date(2018, 1, 6)) == "6 Jan 2018" and date_style() == "uk"
    monkeypatch.setenv("QI_DATE_STYLE", "american")
    assert date_style() == "uk"
    assert human_date(None) == ""
    assert humanise("not a date: 2018-02-30, version 2018-13-01") == (
        "not a date: 2018-02-30, version 2018-13-01")
