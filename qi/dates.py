"""Parsing dates the way NHS users write them. Stdlib only.

Accepted: ISO `2018-04-03`, UK day-first `03/04/2018` (3 April) or `3-4-2018`, in words
`3 Apr 2018` or `3 April 2018`, and the words `today` and `yesterday`. Two-digit years and
anything else are refused rather than guessed.

Showing dates to people: :func:`human_date` (``26 Mar 2018`` by default), in the style the
``QI_DATE_STYLE`` environment variable chooses (``uk``, ``dmy`` or ``iso``); everything a
person reads (chart keys and captions, terminal tables, status, reports) goes through it,
while JSON and CSV stay ISO.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timedelta

from qi.errors import InvalidInput

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
# "1 Jan 2025", "1 January 2025", "01-Jan-2025": as people (and Excel) write dates in words
_WORDS = re.compile(r"^(\d{1,2})[\s-]+([A-Za-z]{3,9})\.?[\s-]+(\d{4})$")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
                "august", "september", "october", "november", "december")


def _month(name: str) -> int | None:
    name = name.lower()
    for number, month in enumerate(_MONTH_NAMES, start=1):
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
    elif words and (named := _month(words.group(2))):
        day, month, year = int(words.group(1)), named, int(words.group(3))
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


# --------------------------------------------------------------------------- dates for people

DATE_STYLES = ("uk", "iso", "dmy")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def date_style() -> str:
    """The style of dates people read, from ``QI_DATE_STYLE``: ``uk`` (the default,
    ``26 Mar 2018``), ``dmy`` (``26/03/2018``) or ``iso`` (``2018-03-26``). An unknown
    value falls back to ``uk`` rather than failing a report half-way (``qi status`` says so)."""
    style = os.environ.get("QI_DATE_STYLE", "").strip().lower()
    return style if style in DATE_STYLES else "uk"


def human_date(day: date | datetime | None, style: str | None = None) -> str:
    """A date as people read it (chart keys, captions, tables, reports). JSON and CSV keep
    ISO ``YYYY-MM-DD`` and never call this. None gives an empty string."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.date()
    style = style or date_style()
    if style == "iso":
        return day.isoformat()
    if style == "dmy":
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def human_month(day: date | datetime, style: str | None = None) -> str:
    """A month as people read it on a date axis: ``Mar 2018``, ``03/2018`` or ``2018-03``."""
    style = style or date_style()
    if style == "iso":
        return f"{day.year}-{day.month:02d}"
    if style == "dmy":
        return f"{day.month:02d}/{day.year}"
    return f"{_MONTHS[day.month - 1]} {day.year}"


def human_span(start: date, end: date, style: str | None = None) -> str:
    """'26 Mar 2018 to 2 Apr 2018' (one date when both are the same day)."""
    if start == end:
        return human_date(start, style)
    return f"{human_date(start, style)} to {human_date(end, style)}"


_ISO_IN_TEXT = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def humanise(text: str, style: str | None = None) -> str:
    """ISO dates inside a sentence (the analysis' signal texts) in the human style."""
    def one(m: re.Match) -> str:
        try:
            return human_date(date(int(m[1]), int(m[2]), int(m[3])), style)
        except ValueError:
            return m[0]

    return _ISO_IN_TEXT.sub(one, text)
