"""Runs rules, table-driven: Anhøj (qicharts2) and IHI (Perla, Provost & Murray 2011)."""

import csv
from pathlib import Path

import numpy as np
import pytest

from qi.analysis.runs import IHI_RUNS_TABLE, anhoej, ihi

DATA = Path(__file__).parents[1] / "data"
NA = np.nan


def _run(y, cl=0.0, include=None, fn=anhoej):
    y = np.asarray(y, dtype=float)
    cl_arr = np.full(y.shape, cl, dtype=float)
    inc = np.ones(y.shape, dtype=bool) if include is None else np.asarray(include)
    return fn(y, cl_arr, inc, np.arange(1, y.shape[0] + 1))


# (y around a centre line of 0, n_obs, n_useful, longest_run, n_crossings)
ANHOEJ_CASES = [
    ("one point", [1], 1, 1, 1, 0),
    ("one point on the line", [0], 1, 0, None, None),
    ("all on the line", [0, 0, 0], 3, 0, None, None),
    ("a point on the line neither breaks nor extends a run", [1, 0, 1], 3, 2, 2, 0),
    ("points on the line are skipped between sides", [1, 0, -1], 3, 2, 1, 1),
    ("missing values count in n_obs only", [NA, 1, -1, NA], 4, 2, 1, 1),
    ("alternating", [1, -1, 1, -1, 1], 5, 5, 1, 4),
    ("one long run", [1, 1, 1, 1, -1], 5, 5, 4, 1),
    ("ties on the line at the ends", [0, 2, 3, -1, 0], 5, 3, 2, 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "y", "n_obs", "n_useful", "longest", "crossings"),
    ANHOEJ_CASES,
    ids=[c[0] for c in ANHOEJ_CASES],
)
def test_anhoej_counts(name, y, n_obs, n_useful, longest, crossings):
    r = _run(y)
    assert (r.n_obs, r.n_useful, r.longest_run, r.n_crossings) == (
        n_obs,
        n_useful,
        longest,
        crossings,
    )
    if n_useful == 0:
        assert r.signal is False
        assert (r.longest_run_max, r.n_crossings_min) == (None, None)


def test_anhoej_excluded_points_are_neither_counted_nor_break_runs():
    r = _run([1, -1, 1], include=[True, False, True])
    assert (r.n_obs, r.n_useful, r.longest_run, r.n_crossings) == (2, 2, 2, 0)


def test_longest_run_signal_is_strictly_above_the_limit():
    # 12 useful points: longest run limit 7 -> a run of 7 is fine, 8 signals
    seven = [1] * 7 + [-1, 1, -1, 1, -1]
    eight = [1] * 8 + [-1, 1, -1, 1]
    r7, r8 = _run(seven), _run(eight)
    assert r7.longest_run_max == 7 and r7.longest_run == 7 and not r7.signal
    assert r8.longest_run == 8 and r8.signal
    assert [(run.start, run.end, run.direction, run.length) for run in r8.long_runs] == [
        (1, 8, 1, 8)
    ]


def test_crossings_signal_is_strictly_below_the_minimum():
    # 12 useful points: at least 3 crossings expected; 3 is fine, 2 signals
    three = [1, 1, 1, -1, -1, -1, 1, 1, 1, -1, -1, -1]
    two = [1, 1, 1, 1, -1, -1, -1, -1, 1, 1, 1, 1]
    assert _run(three).n_crossings == 3 and not _run(three).signal
    assert _run(two).n_crossings == 2 and _run(two).signal


def test_run_positions_skip_points_on_the_line():
    y = [-1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, -1, 1, -1, 1]  # 9 above with one on the line
    r = _run(y)
    assert r.longest_run == 9
    assert [(run.start, run.end, run.length) for run in r.long_runs] == [(2, 11, 9)]


# ---- IHI ---------------------------------------------------------------------------


def test_ihi_table_is_the_published_one():
    with (DATA / "ihi_runs_table.csv").open() as f:
        rows = {
            int(r["useful_observations"]): (int(r["runs_lower_limit"]), int(r["runs_upper_limit"]))
            for r in csv.DictReader(f)
        }
    assert rows == IHI_RUNS_TABLE


# (y around a median of 0, expected shifts as (start, end, direction, length))
SHIFT_CASES = [
    ("five is not a shift", [1, 1, 1, 1, 1, -1], []),
    ("six is a shift", [1, 1, 1, 1, 1, 1, -1], [(1, 6, 1, 6)]),
    ("points on the median are skipped", [-1, -1, 0, -1, -1, 0, -1, -1, 1], [(1, 8, -1, 6)]),
    ("a missing value does not break", [1, 1, 1, NA, 1, 1, 1], [(1, 7, 1, 6)]),
    ("two shifts", [1] * 6 + [-1] * 7, [(1, 6, 1, 6), (7, 13, -1, 7)]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "y", "shifts"), SHIFT_CASES, ids=[c[0] for c in SHIFT_CASES])
def test_ihi_shifts(name, y, shifts):
    r = _run(y, fn=ihi)
    assert [(s.start, s.end, s.direction, s.length) for s in r.shifts] == shifts


# (y, expected trends as (start, end, direction, length in distinct values))
TREND_CASES = [
    ("four is not a trend", [1, 2, 3, 4, 3], []),
    ("five going up", [1, 2, 3, 4, 5], [(1, 5, 1, 5)]),
    ("five going down", [9, 7, 5, 3, 1, 2], [(1, 5, -1, 5)]),
    ("a tie counts once and does not break", [1, 2, 2, 3, 4, 5], [(1, 6, 1, 5)]),
    ("ties do not make a trend", [1, 2, 2, 2, 3, 4, 4], []),
    ("tied start is reported from its last copy", [1, 1, 2, 3, 4, 5], [(2, 6, 1, 5)]),
    ("tied end is reported to its first copy", [1, 2, 3, 4, 5, 5], [(1, 5, 1, 5)]),
    ("missing values are skipped", [1, 2, NA, 3, 4, 5], [(1, 6, 1, 5)]),
    ("up then down shares the peak", [1, 2, 3, 4, 5, 4, 3, 2, 1], [(1, 5, 1, 5), (5, 9, -1, 5)]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "y", "trends"), TREND_CASES, ids=[c[0] for c in TREND_CASES])
def test_ihi_trends(name, y, trends):
    r = _run(y, cl=100.0, fn=ihi)  # trends ignore the median
    assert [(t.start, t.end, t.direction, t.length) for t in r.trends] == trends


def test_ihi_no_runs_test_outside_10_to_60_useful_points():
    for size in (9, 61):
        r = _run([1, -1] * (size // 2) + [1] * (size % 2), fn=ihi)
        assert r.runs_tested is False and not r.too_few_runs and not r.too_many_runs
    r = _run([1, -1] * 5, fn=ihi)
    assert r.runs_tested is True and (r.runs_lower, r.runs_upper) == (3, 9)


@pytest.mark.parametrize(
    ("y", "n_runs", "too_few", "too_many"),
    [
        ([1] * 5 + [-1] * 5, 2, True, False),  # 10 useful: fewer than 3 runs is too few
        ([1, 1, 1, -1, -1, -1, 1, 1, -1, -1], 4, False, False),
        ([1, -1] * 5, 10, False, True),  # more than 9 runs is too many
        ([1, -1] * 4 + [1, 1], 9, False, False),
    ],
)
def test_ihi_too_few_and_too_many_runs(y, n_runs, too_few, too_many):
    r = _run(y, fn=ihi)
    assert (r.n_runs, r.too_few_runs, r.too_many_runs) == (n_runs, too_few, too_many)
    assert r.signal == (too_few or too_many or bool(r.shifts) or bool(r.trends))


def test_ihi_runs_ignore_points_on_the_median():
    # 12 values, 2 on the median: 10 useful points in 2 runs -> too few
    r = _run([1, 1, 0, 1, 1, 1, -1, -1, 0, -1, -1, -1], fn=ihi)
    assert (r.n_runs, r.runs_lower, r.too_few_runs) == (2, 3, True)
