"""NHS England "Making Data Count" XmR rules, as NHSRplotthedots 0.2.2 implements them.

Per rebase group (a qi *part*):

* mean of the group's values (of its first K values when the limits are fixed after K);
  moving ranges of those values; AMR screened by default (a range is kept only if it is
  strictly below 3.267 x AMR); process limits mean +/- 2.66 AMR (exactly 2.66) and "near"
  lines at 2/3 of that distance;
* special causes, all with strict comparisons:
  1. a point outside the process limits;
  2. a trend: 7 points each strictly above (or below) the previous one - a tie breaks it;
  3. two out of three: in 3 consecutive points, all on the same side of the mean, at least
     2 lie between the near line and the limit (only those 2-3 points are flagged);
  4. a shift: 7 points on the same side of the mean - a point on the mean breaks it;
  a point hit by several rules is labelled by the first in that order;
* point types from the label and the improvement direction; the variation type of a part is
  the type of its last point; the assurance compares a target with the part's limits.

qi extensions (NHSRplotthedots has no such inputs): excluded points are left out of the
mean and the moving ranges (a range is formed across them) and out of the pattern rules, but
are still flagged when outside the limits; a missing value breaks shifts, trends and 2-in-3
windows and has no point type.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import rstats
from .limits import average_moving_range
from .runs import Run

__all__ = ["MdcGroup", "mdc_group", "POINT_TYPES", "assurance", "special_causes"]

LIMIT = 2.66
NEAR = 2 * (LIMIT / 3)  # written as NHSRplotthedots writes it, for identical rounding
RUN = 7  # points for a shift or a trend

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

# special-cause labels (NHSRplotthedots' special_cause_type) as codes, highest priority first
NONE, OUTSIDE, TREND, TWO_IN_THREE, SHIFT = 0, 1, 2, 3, 4
LABELS = (None, "outside_limits", "trend", "two_of_three", "shift")
MISSING = -1  # point-type code of a missing value


@dataclass(frozen=True, eq=False)
class MdcGroup:
    """Results for one rebase group; arrays cover every point of the group."""

    mean: float
    lpl: float
    upl: float
    nlpl: float
    nupl: float
    outside: np.ndarray  # bool
    label: np.ndarray  # int8 code: NONE, OUTSIDE, TREND, TWO_IN_THREE or SHIFT
    high: np.ndarray  # int8: +1 label reads Above/Increasing, -1 Below/Decreasing, 0 none
    point_type: np.ndarray  # int8: index into POINT_TYPES, MISSING for a missing value
    shifts: tuple[Run, ...]
    trends: tuple[Run, ...]
    two_in_three: tuple[Run, ...]


def _long_blocks(values: np.ndarray, min_length: int):
    """(start, end-exclusive) of blocks of >= min_length equal, non-zero consecutive values.

    NaN never equals anything, so a missing value always ends a block.
    """
    if values.shape[0] < min_length:
        return []
    change = np.flatnonzero(~(values[1:] == values[:-1])) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [values.shape[0]]))
    keep = (ends - starts >= min_length) & (values[starts] != 0)
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


def mdc_group(
    y: np.ndarray,
    include: np.ndarray,
    positions: np.ndarray,
    fix_after: int | None,
    screen: bool,
    direction: int,
) -> MdcGroup:
    """Limits and special causes of one group. ``direction``: +1 up, -1 down, 0 neutral."""
    k = y.shape[0]
    fixed = np.arange(k) < (fix_after if fix_after is not None else k)
    calc = fixed & include
    mean = rstats.mean(y[calc])
    amr = average_moving_range(y[calc], screen)
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    nlpl, nupl = mean - NEAR * amr, mean + NEAR * amr

    sc = special_causes(y, include, positions, mean, lpl, upl, nlpl, nupl, direction)
    return MdcGroup(
        mean=mean,
        lpl=lpl,
        upl=upl,
        nlpl=nlpl,
        nupl=nupl,
        outside=sc.outside,
        label=sc.label,
        high=sc.high,
        point_type=sc.point_type,
        shifts=sc.shifts,
        trends=sc.trends,
        two_in_three=sc.two_in_three,
    )


def assurance(target: float | None, direction: int, lpl: float, upl: float) -> str | None:
    """consistent_pass / consistent_fail / inconsistent, or None without a target or direction.

    Strict comparisons: a target equal to a limit is inconsistent; missing limits too.
    """
    if target is None or direction == 0:
        return None
    if not math.isnan(upl) and target > upl:
        return "consistent_fail" if direction > 0 else "consistent_pass"
    if not math.isnan(lpl) and target < lpl:
        return "consistent_pass" if direction > 0 else "consistent_fail"
    return "inconsistent"


@dataclass(frozen=True, eq=False)
class SpecialCauses:
    """The MDC rules' verdict on every point (see :class:`MdcGroup` for the fields)."""

    outside: np.ndarray
    label: np.ndarray
    high: np.ndarray
    point_type: np.ndarray
    shifts: tuple[Run, ...]
    trends: tuple[Run, ...]
    two_in_three: tuple[Run, ...]


def special_causes(y, include, positions, mean, lpl, upl, nlpl, nupl,
                   direction: int) -> SpecialCauses:
    """The four MDC rules on one group against its centre line, limits and near lines.

    The lines are scalars (an XmR chart) or one value per point (the varying limits of a p
    or u chart, as PowerBI-SPC applies these rules to every chart with limits).
    """
    k = y.shape[0]
    with np.errstate(invalid="ignore"):
        outside = (y > upl) | (y < lpl)
        rtm = np.sign(y - mean)
        close = ~outside & ((y < nlpl) | (y > nupl))

    label = np.zeros(k, dtype=np.int8)
    high = np.zeros(k, dtype=np.int8)

    # Pattern rules work on the sequence of included points only.
    seq = np.flatnonzero(include)
    ys, rs, cs = y[seq], rtm[seq], close[seq]
    at = positions[seq]
    shift_flag, shifts = _shifts(rs, at)
    trend_flag, trend_dir, trends = _trends(ys, at)
    tit_flag, two_in_three = _two_in_three(rs, cs, at)

    # Labels by priority: outside > trend > two-in-three > shift.
    n = seq.shape[0]
    seq_label = np.zeros(n, dtype=np.int8)
    seq_high = np.zeros(n, dtype=np.int8)
    side = np.where(rs > 0, 1, -1)  # "Above" when relative_to_mean > 0, else "Below"
    for flag, name, hi in (
        (shift_flag, SHIFT, side),
        (tit_flag, TWO_IN_THREE, side),
        (trend_flag, TREND, trend_dir),
    ):  # lowest priority first, so higher ones overwrite
        seq_label[flag] = name
        seq_high[flag] = hi[flag]
    label[seq] = seq_label
    high[seq] = seq_high
    # outside the limits applies to every point, excluded ones too
    label[outside] = OUTSIDE
    high[outside] = np.where(rtm[outside] == 1, 1, -1)
    return SpecialCauses(outside, label, high, _point_types(y, high, direction),
                         tuple(shifts), tuple(trends), tuple(two_in_three))


def _shifts(rs: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, list[Run]]:
    """Shift: 7+ equal non-zero signs in a row (NaN and 0 break the run)."""
    shift_flag = np.zeros(rs.shape[0], dtype=bool)
    shifts = []
    for s, e in _long_blocks(rs, RUN):
        shift_flag[s:e] = True
        shifts.append(Run(int(at[s]), int(at[e - 1]), int(rs[s]), e - s))
    return shift_flag, shifts


def _trends(ys: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[Run]]:
    """Trend: 6+ equal strict step signs in a row = 7+ points (ties and NaN break it);
    the flags, each point's direction, and the trends."""
    steps = np.sign(np.diff(ys))
    trend_flag = np.zeros(ys.shape[0], dtype=bool)
    trends = []
    for s, e in _long_blocks(steps, RUN - 1):
        trend_flag[s : e + 1] = True
        trends.append(Run(int(at[s]), int(at[e]), int(steps[s]), e - s + 1))
    # NHSRplotthedots' direction of a trend point: the step to the next point when that
    # point is in a trend too, else the step from the previous point; "Increasing" only
    # when that step is +1 (so a flat step reads "Decreasing", as in the package).
    if trend_flag.any():
        right = np.concatenate((steps, steps[-1:]))
        left = np.concatenate(([0.0], steps))
        next_flag = np.concatenate((trend_flag[1:], [False]))
        step_dir = np.where(next_flag & trend_flag, right, left)
        trend_dir = np.where(step_dir == 1, 1, -1)
    else:
        trend_dir = np.zeros(ys.shape[0], dtype=np.int64)
    return trend_flag, trend_dir, trends


def _two_in_three(rs: np.ndarray, cs: np.ndarray, at: np.ndarray
                  ) -> tuple[np.ndarray, list[Run]]:
    """Two in three: a window of 3 with >= 2 close points, all 3 on the same side."""
    n = rs.shape[0]
    tit_flag = np.zeros(n, dtype=bool)
    if n >= 3:
        c = cs.astype(np.int64)
        with np.errstate(invalid="ignore"):
            side_sum = rs[:-2] + rs[1:-1] + rs[2:]
        window = (c[:-2] + c[1:-1] + c[2:] >= 2) & (np.abs(side_sum) == 3)
        in_window = np.zeros(n, dtype=bool)
        for offset in range(3):
            in_window[offset : n - 2 + offset] |= window
        tit_flag = in_window & cs
    two_in_three = []
    flagged = np.flatnonzero(tit_flag)
    if flagged.size:
        # group flagged points that belong to overlapping windows (at most 2 apart, same side)
        start = prev = flagged[0]
        for i in flagged[1:].tolist() + [None]:
            if i is not None and i - prev <= 2 and rs[i] == rs[prev]:
                prev = i
                continue
            count = int(np.count_nonzero(tit_flag[start : prev + 1]))
            two_in_three.append(Run(int(at[start]), int(at[prev]), int(rs[start]), count))
            if i is not None:
                start = prev = i
    return tit_flag, two_in_three


def _point_types(y: np.ndarray, high: np.ndarray, direction: int) -> np.ndarray:
    point_type = np.zeros(y.shape[0], dtype=np.int8)  # common_cause
    if direction == 0:
        point_type[high > 0] = 3  # special_cause_neutral_high
        point_type[high < 0] = 4  # special_cause_neutral_low
    else:
        oriented = high * direction
        point_type[oriented > 0] = 1  # special_cause_improvement
        point_type[oriented < 0] = 2  # special_cause_concern
    point_type[np.isnan(y)] = MISSING
    return point_type
