"""Parsing dates the way NHS users write them. Stdlib only.

Accepted: ISO `2018-04-03`, UK day-first `03/04/2018` (3 April) or `3-4-2018`, and the words
`today` and `yesterday`. Two-digit years and anything else are refused rather than guessed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from qi.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


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
    if m:
        year, month, day = (int(g) for g in m.groups())
    else:
        m = _UK.match(raw)
        if not m:
            raise InvalidInput(
                f"Cannot read the {what} '{text}'. Use YYYY-MM-DD (2018-04-03), "
                "DD/MM/YYYY (03/04/2018), 'today' or 'yesterday'"
            )
        day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidInput(
            f"The {what} '{text}' is not a real date. Check the day and month "
            "(day first: 03/04/2018 is 3 April 2018)"
        ) from None
