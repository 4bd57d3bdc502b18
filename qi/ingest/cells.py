"""Cells to values: numbers (1,234 and 45%) and dates (ISO, day-first UK, Excel date
cells), a whole column at a time, with why each bad cell is bad; and dates moved to the
start of their week or month."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.values import OUT_OF_RANGE, THOUSANDS, out_of_range

if TYPE_CHECKING:
    import numpy as np

_TIME_PART = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
_ANY_DATE = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")


def parse_numbers(cells) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Numbers from a column: (values with NaN where blank, blank mask, indices of bad cells,
    why each is bad). Accepts thousands separators (1,234) and percentages (45% = 0.45)."""
    import numpy as np

    values, blank, bad, why = _parse_numbers(cells)
    values[bad] = np.nan  # each bad cell is reported once
    far = np.flatnonzero(out_of_range(values))
    if len(far):
        values[far] = np.nan
        bad = np.concatenate([bad, far]).astype(np.int64)
        why = [*why, *[OUT_OF_RANGE] * len(far)]
    return values, blank, bad, why


def _parse_numbers(cells):
    import numpy as np
    import pandas as pd

    if cells.dtype.kind == "b":  # a column of only TRUE/FALSE: they are not numbers
        blank = np.zeros(len(cells), dtype=bool)
        bad = np.arange(len(cells))
        return (np.full(len(cells), np.nan), blank, bad,
                ["not a number (TRUE and FALSE are not numbers)"] * len(bad))
    if cells.dtype.kind in "iuf":
        values = cells.to_numpy(dtype=np.float64, copy=True)
        bad = np.flatnonzero(np.isinf(values))
        return values, np.isnan(values), bad, ["not a finite number"] * len(bad)
    if cells.dtype == object:  # Excel cells: booleans and dates are not numbers
        cells = cells.map(lambda v: str(v) if isinstance(v, bool | date) else v,
                          na_action="ignore")
    missing = cells.isna().to_numpy()
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    blank = missing.copy()
    todo = np.flatnonzero((np.isnan(values) | np.isinf(values)) & ~missing)
    if len(todo) == 0:
        return values, blank, todo, []
    # The few cells that are not plain numbers: thousands separators, percentages, or bad.
    text = cells.iloc[todo].astype(str).str.strip()
    empty = (text == "").to_numpy()
    percent = text.str.endswith("%").to_numpy()
    core = text.str.removesuffix("%").str.strip()
    commas = core.str.contains(",", regex=False).to_numpy()
    grouped = core.str.fullmatch(THOUSANDS).to_numpy(dtype=bool, na_value=False)
    core = core.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(core, errors="coerce").to_numpy(dtype=np.float64)
    numbers = np.where(percent, numbers / 100.0, numbers)
    wrong_commas = commas & ~grouped
    bad = ~empty & (~np.isfinite(numbers) | wrong_commas)
    values[todo] = np.where(bad | empty, np.nan, numbers)
    blank[todo[empty]] = True
    why = ["not a number (a comma is read only as a thousands separator, as in 1,234)"
           if c else "not a number" for c in wrong_commas[bad]]
    return values, blank, todo[bad], why


def _date_reason(text: str) -> str:
    m = _ANY_DATE.match(text)
    if not m:
        return "not a date; write dates as YYYY-MM-DD (2018-04-03) or DD/MM/YYYY (03/04/2018)"
    first, second, third = m.groups()
    if len(first) < 4 and len(third) < 4:
        return ("the year has two digits, which is ambiguous; write it in full "
                "(03/04/2018 or 2018-04-03)")
    if len(first) < 4 and 1 <= int(first) <= 12 and 1 <= int(second) <= 31:
        return ("not a real date read day first; qi reads DD/MM/YYYY (03/04/2018 is 3 April) "
                "and never guesses month-first dates")
    return "not a real date; check the day and the month (day first: 03/04/2018 is 3 April)"


def _one_date(cell) -> tuple[date | None, str | None]:
    """One distinct date cell -> (date, None) or (None, why it is not a date)."""
    from datetime import datetime as dt

    from qi.dates import parse_date

    if isinstance(cell, dt):  # Excel date cells (and pandas Timestamps)
        return cell.date(), None
    if isinstance(cell, date):
        return cell, None
    if not isinstance(cell, str):
        return None, "a number, not a date; format the cell as a date or write YYYY-MM-DD"
    text = _TIME_PART.sub("", cell.strip())
    if text.lower() in ("today", "yesterday"):  # fine when typed, not in a stored file
        return None, "not a date; write dates as YYYY-MM-DD (2018-04-03) or DD/MM/YYYY"
    try:
        return parse_date(text), None
    except InvalidInput:
        return None, _date_reason(text)


def parse_dates(cells) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Dates from a column: (datetime64[D] with NaT where blank or bad, blank mask, indices
    of bad cells, why each is bad). ISO, day-first UK and Excel date cells; a time of day
    after the date is ignored. Each distinct text is parsed once."""
    import numpy as np
    import pandas as pd

    blank = cells.isna().to_numpy()
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    uniques = list(uniques)
    parsed = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[D]")
    reasons: list[str | None] = [None] * len(uniques)
    todo: list[int] | range = range(len(uniques))
    if len(uniques) > 10_000:  # event-level files: most dates ISO, parse those in C first
        iso = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d",
                             errors="coerce").to_numpy().astype("datetime64[D]")
        parsed[:] = iso
        todo = np.flatnonzero(np.isnat(iso)).tolist()
    for k in todo:
        day, why = _one_date(uniques[k])
        if day is not None:
            parsed[k] = np.datetime64(day, "D")
        reasons[k] = why
    # A blank cell's code is -1: the NaT appended at the end.
    days = np.append(parsed, np.datetime64("NaT", "D"))[codes]
    bad = np.flatnonzero(np.isnat(days) & ~blank)
    return days, blank, bad, [reasons[codes[i]] for i in bad]


def start_of_period(days: np.ndarray, period: str | None) -> np.ndarray:
    """Each date moved to the start of its week (Monday) or month; NaT stays NaT."""
    import numpy as np

    if period is None:
        return days
    if period == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    ordinal = days.astype("datetime64[D]").astype(np.int64)
    # 1970-01-01, day 0, was a Thursday: (day + 3) % 7 is 0 on Mondays.
    monday = (ordinal - (ordinal + 3) % 7).astype("datetime64[D]")
    return np.where(np.isnat(days), days, monday)

