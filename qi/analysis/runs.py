"""Runs analysis: the Anhøj rules (qicharts2's default) and the IHI run chart rules.

Both work on one part at a time and only on its *included* points (excluded points are
neither counted nor break anything). Positions in the results are the 1-based subgroup
positions of the whole series, so a signal can name its first and last point.

"On the centre line" means exact float equality, as in qicharts2 (``sign(y - cl) == 0``).
No tolerance is applied: a tolerance would change the counts users compare with qicharts2.
Values read from a CSV as decimals are exactly the doubles R reads, and a median is either
one of the values or the mean of two, so the comparison behaves as it does in R.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rstats import anhoej_limits

__all__ = [
    "Run",
    "AnhoejResult",
    "IhiResult",
    "anhoej",
    "ihi",
    "IHI_RUNS_TABLE",
    "IHI_MIN",
    "IHI_MAX",
]


@dataclass(frozen=True)
class Run:
    """A block of consecutive points (1-based positions ``start``..``end``).

    ``direction`` is +1/-1: above/below the centre line for a run, up/down for a trend.
    ``length`` counts the points that make the run (points skipped inside it do not count).
    """

    start: int
    end: int
    direction: int
    length: int


@dataclass(frozen=True)
class RunsStats:
    """A part's runs statistics, as qicharts2's ``summary()`` gives them (None when the
    part has no useful points)."""

    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None


@dataclass(frozen=True)
class AnhoejResult(RunsStats):
    signal: bool
    long_runs: tuple[Run, ...]  # every run longer than longest_run_max

    @property
    def n_runs(self) -> int | None:
        return None if self.n_crossings is None else self.n_crossings + 1


@dataclass(frozen=True)
class IhiResult:
    shifts: tuple[Run, ...]
    trends: tuple[Run, ...]
    n_runs: int | None
    runs_lower: int | None  # too few if n_runs < runs_lower
    runs_upper: int | None  # too many if n_runs > runs_upper
    too_few_runs: bool
    too_many_runs: bool
    runs_tested: bool  # False outside the table's 10..60 useful observations

    @property
    def signal(self) -> bool:
        return bool(self.shifts or self.trends or self.too_few_runs or self.too_many_runs)


def _useful_signs(y: np.ndarray, cl: np.ndarray, include: np.ndarray, positions: np.ndarray):
    """Signs of y - cl for included points, dropping missing values and points on the line."""
    with np.errstate(invalid="ignore"):
        s = np.sign(y[include] - cl[include])
    keep = (s != 0) & ~np.isnan(s)
    return s[keep], positions[include][keep]


def _blocks(values: np.ndarray):
    """Start (inclusive) and end (exclusive) indices of blocks of equal consecutive values."""
    if values.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], change))
    ends = np.concatenate((change, [values.shape[0]]))
    return starts, ends


def anhoej(
    y: np.ndarray, cl: np.ndarray, include: np.ndarray, positions: np.ndarray
) -> AnhoejResult:
    """qicharts2's ``runs.analysis()`` with ``method = "anhoej"``.

    n_obs counts every included point, missing ones too (as qicharts2 does); n_useful counts
    those that are neither missing nor on the centre line. A signal is a longest run above
    ``round(log2(n_useful)) + 3`` or fewer crossings than ``qbinom(0.05, n_useful - 1, 0.5)``.
    """
    n_obs = int(np.count_nonzero(include))
    signs, pos = _useful_signs(y, cl, include, positions)
    n_useful = int(signs.shape[0])
    if n_useful == 0:
        return AnhoejResult(n_obs, 0, None, None, None, None, False, ())
    starts, ends = _blocks(signs)
    lengths = ends - starts
    longest = int(lengths.max())
    n_crossings = int(starts.shape[0]) - 1
    lr_max, nc_min = anhoej_limits(n_useful)
    signal = longest > lr_max or n_crossings < nc_min
    long_idx = np.flatnonzero(lengths > lr_max)
    long_runs = tuple(
        Run(int(pos[starts[i]]), int(pos[ends[i] - 1]), int(signs[starts[i]]), int(lengths[i]))
        for i in long_idx
    )
    return AnhoejResult(
        n_obs, n_useful, longest, lr_max, n_crossings, nc_min, bool(signal), long_runs
    )


# Perla, Provost & Murray (2011), Table 1: useful observations -> (too few if runs <,
# too many if runs >). Checked against ../shared/data/ihi_runs_table.csv by the tests.
IHI_RUNS_TABLE: dict[int, tuple[int, int]] = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12),
    16: (5, 13), 17: (5, 13), 18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16),
    22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18), 26: (9, 19), 27: (10, 19),
    28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 23), 33: (12, 23),
    34: (12, 24), 35: (12, 24), 36: (13, 25), 37: (13, 25), 38: (14, 26), 39: (14, 26),
    40: (15, 27), 41: (15, 27), 42: (16, 28), 43: (16, 28), 44: (17, 29), 45: (17, 30),
    46: (17, 31), 47: (18, 31), 48: (18, 32), 49: (19, 32), 50: (19, 33), 51: (20, 33),
    52: (20, 34), 53: (21, 34), 54: (21, 35), 55: (22, 35), 56: (22, 35), 57: (23, 36),
    58: (23, 37), 59: (24, 38), 60: (24, 38),
}  # fmt: skip
IHI_MIN = min(IHI_RUNS_TABLE)
IHI_MAX = max(IHI_RUNS_TABLE)
IHI_SHIFT = 6  # 6 or more points on one side of the median
IHI_TREND = 5  # 5 or more points all going up or all going down


def ihi(y: np.ndarray, cl: np.ndarray, include: np.ndarray, positions: np.ndarray) -> IhiResult:
    """The IHI run chart rules on one part.

    * Shift: 6+ consecutive useful points on one side of the median; points on the median
      (and missing or excluded ones) are skipped - they neither count nor break a shift.
    * Trend: 5+ consecutive points all going up or all going down; equal consecutive values
      count once (they neither make nor break a trend); missing values are skipped. The
      trend is reported from the last of the tied values it starts from to the first of
      those it ends on.
    * Runs: too few (< lower) or too many (> upper) runs for the number of useful points,
      from Table 1; no test outside 10..60 useful points.
    """
    signs, pos = _useful_signs(y, cl, include, positions)
    starts, ends = _blocks(signs)
    shifts = tuple(
        Run(int(pos[s]), int(pos[e - 1]), int(signs[s]), int(e - s))
        for s, e in zip(starts, ends, strict=True)
        if e - s >= IHI_SHIFT
    )

    values = y[include]
    vpos = positions[include]
    present = ~np.isnan(values)
    values, vpos = values[present], vpos[present]
    trends: list[Run] = []
    if values.shape[0] >= IHI_TREND:
        # collapse ties: keep one value per block of equal values, remembering its extent
        t_starts, t_ends = _blocks(values)
        distinct = values[t_starts]
        first_pos, last_pos = vpos[t_starts], vpos[t_ends - 1]
        steps = np.sign(np.diff(distinct))
        s_starts, s_ends = _blocks(steps)
        for s, e in zip(s_starts, s_ends, strict=True):
            n_points = int(e - s) + 1
            if n_points >= IHI_TREND:
                trends.append(Run(int(last_pos[s]), int(first_pos[e]), int(steps[s]), n_points))

    n_useful = int(signs.shape[0])
    n_runs = int(starts.shape[0]) if n_useful else None
    if IHI_MIN <= n_useful <= IHI_MAX:
        lower, upper = IHI_RUNS_TABLE[n_useful]
        assert n_runs is not None
        return IhiResult(
            shifts, tuple(trends), n_runs, lower, upper, n_runs < lower, n_runs > upper, True
        )
    return IhiResult(shifts, tuple(trends), n_runs, None, None, False, False, False)
