"""The numbers qi accepts: what a chart can show (stdlib; numpy only inside)."""

from __future__ import annotations

from qi.errors import InvalidInput

# The numbers qi stores and charts: 0, and magnitudes from 1e-9 to 1e15. Beyond them the
# SPC arithmetic overflows or loses every digit and no axis can be drawn, so such a value
# is refused where it comes in rather than breaking every later chart and report.
MAX_MAGNITUDE = 1e15
MIN_MAGNITUDE = 1e-9
OUT_OF_RANGE = ("too large or too small to chart: qi takes 0 and numbers from 0.000000001 to "
                "1,000,000,000,000,000 (either sign); change the unit")


def out_of_range(values):
    """Mask of values that are infinite, or non-zero with a magnitude qi cannot chart
    (NaN is a blank, not out of range)."""
    import numpy as np

    size = np.abs(np.asarray(values, dtype=np.float64))
    with np.errstate(invalid="ignore"):
        return (size > MAX_MAGNITUDE) | ((size < MIN_MAGNITUDE) & (size > 0))


def check_magnitude(value: float | None, what: str) -> float | None:
    """One number given on the command line or in a bundle, refused when out of range."""
    if value is not None and bool(out_of_range([value])[0]):
        raise InvalidInput(f"{what} {value!r} is {OUT_OF_RANGE}")
    return value
