"""NHS England "Making Data Count" icons for any chart with limits.

The *variation* icon says what the latest point shows (NHSRplotthedots' ``variation_type``
of the last point, named by its icon file): ``common_cause``, ``improvement_high|low``,
``concern_high|low`` or ``neutral_high|low``. The *assurance* icon says whether the process,
as its limits stand at the latest point, will meet the target: ``pass`` (the target lies
beyond the limit on the worse side, so every point meets it), ``fail`` (beyond the limit on
the better side: no point will), ``hit_and_miss`` (between the limits), or None without a
target or a direction of improvement.

For an analysis with ``rules="mdc"`` (an XmR chart) both come straight from the engine, so
they are exactly NHSRplotthedots'. For every other chart with limits (i, mr, t, p, p', c, u,
u', g, xbar, s) the same four MDC rules run on the latest part against the chart's own centre
line, 3-sigma limits and 2-sigma lines, as NHS-R's PowerBI-SPC visual does. Run charts have
no limits and get no icons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .mdc import MISSING, POINT_TYPES, assurance, special_causes

__all__ = ["Icons", "icons", "VARIATION_ICONS", "ASSURANCE_ICONS"]

VARIATION_ICONS = ("common_cause", "improvement_high", "improvement_low", "concern_high",
                   "concern_low", "neutral_high", "neutral_low")
ASSURANCE_ICONS = ("pass", "fail", "hit_and_miss")
_ASSURANCE = {"consistent_pass": "pass", "consistent_fail": "fail",
              "inconsistent": "hit_and_miss"}
_DIRECTION = {"up": 1, "down": -1, "neither": 0}


@dataclass(frozen=True)
class Icons:
    variation: str | None  # one of VARIATION_ICONS; None: no limits or no points
    assurance: str | None  # one of ASSURANCE_ICONS; None: no target or no direction
    target: float | None = None  # the target the assurance was judged against


def variation_icon(point_type: str | None, direction: int) -> str | None:
    """NHSRplotthedots' icon for a point type: improvement is 'high' when higher is better,
    concern the other way round."""
    if point_type is None:
        return None
    if point_type == "common_cause":
        return "common_cause"
    if point_type.startswith("special_cause_neutral_"):
        return "neutral_" + point_type.rsplit("_", 1)[1]
    better_high = direction >= 0
    if point_type == "special_cause_improvement":
        return "improvement_high" if better_high else "improvement_low"
    return "concern_low" if better_high else "concern_high"


def icons(a, improvement: str, target: float | None) -> Icons:
    """The icons of an :class:`~qi.analysis.Analysis`. ``improvement``: up, down or
    neither; ``target``: on the plotted scale (after multiply), in force at the latest
    point."""
    direction = _DIRECTION[improvement]
    if a.chart == "run" or len(a) == 0:
        return Icons(None, None)
    if a.rules == "mdc":
        last = a.parts[-1]
        kind = last.variation_type
        lcl, ucl = float(a.lcl[-1]), float(a.ucl[-1])
    else:
        kind = _latest_point_type(a, direction)
        lcl, ucl = float(a.lcl[-1]), float(a.ucl[-1])
    if math.isnan(lcl) and math.isnan(ucl):
        return Icons(None, None)
    sure = assurance(target, direction, lcl, ucl)
    return Icons(variation_icon(kind, direction), _ASSURANCE.get(sure) if sure else None,
                 target if sure else None)


def _latest_point_type(a, direction: int) -> str | None:
    """The MDC point type of the latest point, from the rules run on the latest part."""
    start = int(np.flatnonzero(a.part == a.part[-1])[0])
    scale = a.multiply  # compare on the calculation scale (multiply may be negative)
    with np.errstate(invalid="ignore", divide="ignore"):
        y, cl = a.y[start:] / scale, a.cl[start:] / scale
        lo, hi = a.lcl[start:] / scale, a.ucl[start:] / scale
        lo95, hi95 = a.lcl_95[start:] / scale, a.ucl_95[start:] / scale
    if scale < 0:
        lo, hi, lo95, hi95 = hi, lo, hi95, lo95
    positions = np.arange(start + 1, len(a) + 1, dtype=np.int64)
    sc = special_causes(y, a.include[start:], positions, cl, lo, hi, lo95, hi95, direction)
    known = sc.point_type[sc.point_type != MISSING]
    return POINT_TYPES[int(known[-1])] if known.size else None
