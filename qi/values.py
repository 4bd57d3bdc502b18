"""The numbers qi accepts: what a chart can show, how a number is written, and what each
measure's values may be (stdlib only; numpy only inside the array helpers).

The same rules serve a file of a million rows (`qi data import`, numpy arrays) and one
point typed by hand (`qi data add`, plain floats), so they are written once, with
operators that mean the same on a float and on an array.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from qi.domain import NEGATIVE_OK_CHARTS, PROPORTION_CHARTS, ChartType
from qi.errors import InvalidInput
from qi.text import clip, quoted

# The numbers qi stores and charts: 0, and magnitudes from 1e-9 to 1e15. Beyond them the
# SPC arithmetic overflows or loses every digit and no axis can be drawn, so such a value
# is refused where it comes in rather than breaking every later chart and report.
MAX_MAGNITUDE = 1e15
MIN_MAGNITUDE = 1e-9
OUT_OF_RANGE = ("too large or too small to chart: qi takes 0 and numbers from 0.000000001 to "
                "1,000,000,000,000,000 (either sign); change the unit")

# How numbers are written in files and on the command line: plain ASCII numbers, with
# thousands separators (1,234) and percentages (45% = 0.45).
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"

# The numbers of a measurement: a value, or a numerator and a denominator.
NUMBER_ROLES = ("value", "numerator", "denominator")

# Charts whose values may be below zero (every other chart counts or times things), and
# of a proportion (the numerator cannot exceed the denominator): from the chart-type table.
NEGATIVE_OK = NEGATIVE_OK_CHARTS
PROPORTION = PROPORTION_CHARTS


def _beyond(size):
    """Magnitudes qi cannot chart (a float or an array of absolute values; NaN is not)."""
    return (size > MAX_MAGNITUDE) | ((size < MIN_MAGNITUDE) & (size > 0))


def out_of_range(values):
    """Mask of values that are infinite, or non-zero with a magnitude qi cannot chart
    (NaN is a blank, not out of range)."""
    import numpy as np

    size = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return _beyond(size)


def check_magnitude(value: float | None, what: str) -> float | None:
    """One number given on the command line or in a bundle, refused when out of range."""
    if value is not None and bool(_beyond(abs(float(value)))):
        raise InvalidInput(f"{what} {value!r} is {OUT_OF_RANGE}")
    return value


def parse_number(text: str) -> float:
    """One number as typed on the command line, read like a file's cells (1,234 and 45%)."""
    raw = text.strip()
    core = raw.removesuffix("%").strip()
    if "," in core and re.fullmatch(THOUSANDS, core):
        core = core.replace(",", "")
    # Plain ASCII numbers only, as a file's cells: float() would also take 1_000, '١٢٣'
    # and full-width '１２', which `qi data import` refuses.
    number = float(core) if PLAIN_NUMBER.fullmatch(core) else math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{quoted(text)} is not a number. Write it like 12, 0.5, 1,234 or "
                           "45%")
    number = number / 100 if raw.endswith("%") else number
    if _beyond(abs(number)):
        raise InvalidInput(f"The number {number!r} is {OUT_OF_RANGE}")
    return number


def shown_value(value: Any) -> str:
    """A cell as the user typed it: numbers bare, text quoted, empty as (empty)."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return "(empty)"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return clip(str(value), 40)
    return quoted(value)


@dataclass(frozen=True)
class ValueRules:
    """What a measure accepts: bools for one point, or boolean arrays in a batch's order
    (one entry per measure and period of a file)."""

    ratio: Any  # numerator and denominator instead of a value
    proportion: Any  # numerator <= denominator (p and p' charts)
    negative_ok: Any  # values may be below 0 (run, i, mr, xbar, s charts)

    @classmethod
    def of_measure(cls, chart: ChartType | str, ratio: bool) -> ValueRules:
        chart = ChartType(chart)
        return cls(ratio=ratio, proportion=chart in PROPORTION,
                   negative_ok=chart in NEGATIVE_OK)


def check_values(value, numerator, denominator, rules: ValueRules) -> list[tuple[str, Any, str]]:
    """Problems with numbers that are present (NaN is a blank): (role, mask, why), for the
    masks that hold. The same rules for floats and bools (one point typed on the command
    line) as for arrays (a file): `^ True` is `not`, `&` is `and`, and NaN compares false."""
    single = rules.ratio ^ True
    found = [
        ("value", single & (rules.negative_ok ^ True) & (value < 0),
         "a negative value is not possible for this measure (only run, i, mr, xbar and "
         "s chart measures take negative values)"),
        ("numerator", rules.ratio & (numerator < 0), "a numerator cannot be negative"),
        ("denominator", rules.ratio & (denominator <= 0),
         "a denominator must be a number above 0"),
        ("numerator", rules.proportion & (numerator > denominator),
         "the numerator is greater than the denominator, and a proportion cannot be "
         "above 1"),
    ]
    return [(role, mask, why) for role, mask, why in found
            if (mask.any() if hasattr(mask, "any") else mask)]
