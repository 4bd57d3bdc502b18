"""How many decimals a measure's values are shown with, the same on its chart (centre line,
limits and target beside the axis; the caption), in reports and in `qi status`.

One format per measure: decimals enough to tell apart values a thousandth of the data's
range apart (at most 4), so an axis from 0 to 20 % reads '16.7%' beside '0.8%', never
'16.7%' beside '0.775%', and the report says '8.8%' where the chart says '8.8%'.
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def decimals_for(values: Iterable[float]) -> int:
    """Decimals for a measure whose shown values (points, centre lines, limits, target)
    are ``values``; NaN and infinities are ignored."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return 1
    lo, hi = min(finite), max(finite)
    span = hi - lo if hi > lo else max(abs(hi), 1e-12)
    return max(0, min(4, 2 - math.floor(math.log10(span))))


def fixed(v: float, decimals: int) -> str:
    """``v`` with exactly ``decimals`` decimals and thousands separated; never '-0'."""
    if not math.isfinite(v):
        return "-"
    text = f"{v:,.{decimals}f}"
    if text.startswith("-") and not text.strip("-0.,"):
        text = text[1:]
    return text
