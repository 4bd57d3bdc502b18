"""Small statistics helpers that reproduce R's results (qicharts2 and NHSRplotthedots are R).

Matching those packages to a relative error of 1e-9 mostly needs nothing special, but a
few details are worth copying exactly:

* R's ``mean()`` makes a second, correcting pass over the data; :func:`mean` does the same,
  so a centre line near zero is not dominated by rounding noise.
* R's ``median()`` averages the two middle values of an even count (as numpy does).
* ``qbinom(0.05, n - 1, 0.5)`` (the Anhøj crossings limit) is computed exactly with integer
  arithmetic for moderate n and in log space for very long series.
* c4/c5 (bias constants for xbar and s charts) come from ``lgamma`` exactly as qicharts2
  computes them, not from a printed table.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

__all__ = [
    "mean",
    "median",
    "anhoej_limits",
    "longest_run_max",
    "crossings_min",
    "c4",
    "c5",
]


def mean(values: np.ndarray) -> float:
    """Mean of the non-missing values, R style (NaN when there are none).

    R's ``mean.default`` divides the sum by n and then adds the mean of the residuals;
    the second pass removes most of the rounding error of the first.
    """
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.nan
    s = float(v.sum()) / v.size
    if math.isfinite(s):
        s += float((v - s).sum()) / v.size
    return s


def median(values: np.ndarray) -> float:
    """Median of the non-missing values (NaN when there are none), as R's ``median``."""
    v = values[~np.isnan(values)]
    if v.size == 0:
        return math.nan
    return float(np.median(v))


def longest_run_max(n_useful: int) -> int:
    """Anhøj: the longest run expected by chance, ``round(log2(n)) + 3`` (Schilling 2012).

    log2 of an integer is never exactly k + 0.5, so R's and Python's rounding agree.
    """
    return round(math.log2(n_useful)) + 3


# Up to this many trials the binomial tail is summed exactly with Python integers; above
# it (only very long series) a log-space sum is used, accurate to ~1e-10 relative.
_EXACT_BINOMIAL_LIMIT = 4000


@lru_cache(maxsize=4096)
def crossings_min(n_useful: int) -> int:
    """Anhøj: fewest crossings expected by chance, R's ``qbinom(0.05, n_useful - 1, 0.5)``.

    That is the smallest c with P(X <= c) >= 0.05 for X ~ Binomial(n_useful - 1, 1/2)
    (Chen 2010). ``n_useful`` of 1 gives 0.
    """
    m = max(n_useful - 1, 0)
    if m <= _EXACT_BINOMIAL_LIMIT:
        # P(X <= c) >= 1/20  <=>  20 * sum_{k<=c} C(m, k) >= 2**m, all in integers.
        target = 2**m
        term = 1  # C(m, 0)
        cumulative = 0
        for c in range(m + 1):
            cumulative += term
            if 20 * cumulative >= target:
                return c
            term = term * (m - c) // (c + 1)
        return m  # not reached: the full sum is 2**m
    return _crossings_min_logspace(m)


def _crossings_min_logspace(m: int) -> int:
    """The same quantile for large m, summing the lower tail in log space with numpy."""
    mode = m // 2
    # log C(m, k) / 2**m for k = mode, mode-1, ..., 0 via the term ratios
    # C(m, k-1) / C(m, k) = k / (m - k + 1), accumulated downwards from the mode.
    log_top = math.lgamma(m + 1) - math.lgamma(mode + 1) - math.lgamma(m - mode + 1)
    log_top -= m * math.log(2.0)
    k = np.arange(mode, 0, -1, dtype=np.float64)
    log_ratios = np.log(k / (m - k + 1.0))
    log_terms = np.concatenate(([log_top], log_top + np.cumsum(log_ratios)))  # k = mode..0
    terms = np.exp(log_terms[::-1])  # k = 0..mode
    cdf = np.cumsum(terms)
    return int(np.searchsorted(cdf, 0.05, side="left"))


def anhoej_limits(n_useful: int) -> tuple[int, int]:
    """``(longest_run_max, n_crossings_min)`` for a part with ``n_useful`` useful points."""
    return longest_run_max(n_useful), crossings_min(n_useful)


@lru_cache(maxsize=1024)
def _c4_scalar(m: float) -> float:
    if not m > 1:
        return math.nan
    return math.sqrt(2.0 / (m - 1.0)) * math.exp(
        math.lgamma(m / 2.0) - math.lgamma((m - 1.0) / 2.0)
    )


def c4(m: np.ndarray) -> np.ndarray:
    """Bias constant c4 for subgroup sizes m (NaN where m <= 1), as qicharts2's ``c4()``."""
    m = np.asarray(m, dtype=np.float64)
    uniq, inverse = np.unique(m, return_inverse=True)
    return np.array([_c4_scalar(float(u)) for u in uniq], dtype=np.float64)[inverse].reshape(
        m.shape
    )


def c5(m: np.ndarray) -> np.ndarray:
    """c5 = sqrt(1 - c4^2) (NaN where m <= 1)."""
    return np.sqrt(1.0 - c4(m) ** 2)
