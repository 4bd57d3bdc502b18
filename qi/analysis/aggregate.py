"""Rows -> subgroups: one subgroup per distinct x, in ascending order of x.

This follows qicharts2's ``qic.agg()``:

* rows whose x is missing are dropped;
* with a denominator, a row whose y *or* n is missing has both treated as missing;
* per subgroup: ``y_sum`` (a single missing value stays missing; with several rows the
  missing ones are skipped), ``y_length`` (non-missing values), ``y_mean``, ``y_sd``
  (sample sd, NaN below two values), ``n`` (sum with missing skipped, so an all-missing
  subgroup has n = 0) and the plotted value ``y`` = sum(y)/sum(n) with a denominator
  (0/0 = NaN for a missing subgroup) or the mean of y without one.

The usual QI series has one row per x; that case skips the grouping entirely, which keeps
a million-point series well inside the time budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Subgroups", "aggregate"]


@dataclass(frozen=True, eq=False)
class Subgroups:
    """Per-subgroup arrays, all the same length, ordered by x."""

    x: np.ndarray
    y: np.ndarray  # plotted value before any chart-specific transformation
    y_sum: np.ndarray
    y_length: np.ndarray  # float, so it mixes freely with the other arrays
    y_mean: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray  # NaN everywhere when no denominator was given
    got_n: bool
    first_row: np.ndarray  # index (0-based, into the input) of each subgroup's first row

    def __len__(self) -> int:
        return int(self.x.shape[0])


def _missing(x: np.ndarray) -> np.ndarray:
    if np.issubdtype(x.dtype, np.datetime64):
        return np.isnat(x)
    if np.issubdtype(x.dtype, np.floating):
        return np.isnan(x)
    return np.zeros(x.shape, dtype=bool)


def aggregate(x: np.ndarray, y: np.ndarray, n: np.ndarray | None) -> Subgroups:
    """Group rows by x. ``y`` and ``n`` are float arrays with NaN for missing values."""
    y = np.asarray(y, dtype=np.float64)
    got_n = n is not None
    rows = np.arange(y.shape[0])
    keep = ~_missing(x)
    if not keep.all():
        x, y, rows = x[keep], y[keep], rows[keep]
        if n is not None:
            n = n[keep]
    if got_n:
        n = np.asarray(n, dtype=np.float64)
        incomplete = np.isnan(y) | np.isnan(n)
        if incomplete.any():
            y = np.where(incomplete, np.nan, y)
            n = np.where(incomplete, np.nan, n)

    if x.shape[0] < 2 or bool(np.all(x[1:] > x[:-1])):
        return _one_row_per_x(x, y, n, rows)
    return _grouped(x, y, n, rows)


def _one_row_per_x(x, y, n, rows) -> Subgroups:
    valid = ~np.isnan(y)
    if n is not None:
        n_sum = np.where(np.isnan(n), 0.0, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            plotted = np.where(valid, y / n_sum, np.nan)
    else:
        n_sum = np.full(y.shape, np.nan)
        plotted = y
    return Subgroups(
        x=x,
        y=plotted,
        y_sum=y,
        y_length=valid.astype(np.float64),
        y_mean=y,
        y_sd=np.full(y.shape, np.nan),
        n=n_sum,
        got_n=n is not None,
        first_row=rows,
    )


def _grouped(x, y, n, rows) -> Subgroups:
    order = np.argsort(x, kind="stable")
    xs = x[order]
    starts = np.flatnonzero(np.concatenate(([True], xs[1:] != xs[:-1])))
    group_of_sorted = np.cumsum(np.concatenate(([False], xs[1:] != xs[:-1])))
    group = np.empty_like(group_of_sorted)
    group[order] = group_of_sorted
    k = starts.shape[0]

    valid = ~np.isnan(y)
    y0 = np.where(valid, y, 0.0)
    count = np.bincount(group, minlength=k).astype(np.float64)
    length = np.bincount(group, weights=valid.astype(np.float64), minlength=k)
    total = np.bincount(group, weights=y0, minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        ymean = total / length
        # second pass, as R's mean(): add the mean residual
        resid = np.where(valid, y - ymean[group], 0.0)
        ymean = ymean + np.bincount(group, weights=resid, minlength=k) / length
        dev = np.where(valid, y - ymean[group], 0.0)
        ss = np.bincount(group, weights=dev * dev, minlength=k)
        ysd = np.where(length >= 2, np.sqrt(ss / (length - 1.0)), np.nan)
    # sum(y, na.rm = length(y) > 1): a lone missing value stays missing
    ysum = np.where((count == 1) & (length == 0), np.nan, total)

    if n is not None:
        n_sum = np.bincount(group, weights=np.where(np.isnan(n), 0.0, n), minlength=k)
        with np.errstate(divide="ignore", invalid="ignore"):
            plotted = total / n_sum
    else:
        n_sum = np.full(k, np.nan)
        plotted = ymean

    first_row = rows[order[starts]]
    return Subgroups(
        x=xs[starts],
        y=plotted,
        y_sum=ysum,
        y_length=length,
        y_mean=ymean,
        y_sd=ysd,
        n=n_sum,
        got_n=n is not None,
        first_row=first_row,
    )
