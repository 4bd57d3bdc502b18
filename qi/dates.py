"""Parsing dates the way NHS users write them. Stdlib only.

Accepted: ISO `2018-04-03`, UK day-first `03/04/2018` (3 April) or `3-4-2018`, in words
`3 Apr 2018` or `3 April 2018`, and the words `today` and `yesterday`. Two-digit years and
anything else are refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from qi.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# "1 Jan 2025", "1 January 2025", "01-Jan-2025": as people (and Excel) write dates in words
_WORDS = re.compile(r"^(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4})$")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december")


def _month(name: str) -> int | None:
    name = name.lower()
    for number, month in enumerate(_MONTHS, start=1):
        if month == name or (name == month[:3]) or (name == "sept" and number == 9):
            return number
    return None


def parse_date(text: str, *, what: str = "date", today: date | None = None) -> date:
    """Parse a user-typed date; raise InvalidInput naming `what` when it cannot be read."""
    raw = text.strip()
    word = raw.lower()
    today = today or date.today()
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    m = _ISO.match(raw)
    words = _WORDS.match(raw)
    if m:
        year, month, day = (int(g) for g in m.groups())
    elif words and _month(words.group(2)):
        day, month, year = int(words.group(1)), _month(words.group(2)), int(words.group(3))
    else:
        m = _UK.match(raw)
        if not m:
            raise InvalidInput(
                f"Cannot read the {what} '{text}'. Use YYYY-MM-DD (2018-04-03), "
                "DD/MM/YYYY (03/04/2018), '3 Apr 2018' (in quotes), 'today' or 'yesterday'"
            )
        day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"The {what} '{text}' is not a real date. Check the day and month "
            "(day first: 03/04/2018 is 3 April 2018)"
        ) from None
