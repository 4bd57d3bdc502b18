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
