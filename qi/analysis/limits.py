"""Centre lines and 3-sigma limits, one function per chart type, as qicharts2 computes them.

Each function receives one part of the series (``PartData``: the subgroup arrays sliced to
the part) and ``base``, the points that may inform the centre line and limits (baseline and
not excluded). It returns the plotted values, the centre line and the 3- and 2-sigma lines
for every point of the part. Multiplying, turning infinite limits into missing ones and the
sigma signal happen afterwards, for all chart types alike (see ``engine``).

Sources: qicharts2 0.8.1 ``R/helper.functions.R`` (``qic.run``, ``qic.i``, ...); formulas in
Montgomery (2009) and Laney (2002). Quirks kept on purpose, because users compare numbers:

* the i chart uses sigma = AMR / 1.128 and 3 sigma (= 2.6596 AMR), not 2.66;
* moving ranges are taken between consecutive *base* points: an excluded point is removed
  first, so a range is formed across it, while a missing value makes both ranges that
  touch it missing;
* screening (Nelson 1982) keeps a moving range only if it is strictly below 3.267 AMR; a
  constant series therefore has no ranges left and no limits, as in qicharts2;
* p and p' limits are clipped to [0, 1]; c, u, u', g and t lower limits to 0;
* the g chart draws the median but takes its limits from the mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import rstats

__all__ = ["PartData", "Lines", "CHART_FUNCTIONS"]

# 3.267 (= D4 for n = 2) and 1.128 (= d2 for n = 2) as used by qicharts2, not more digits.
_D4 = 3.267
_D2 = 1.128


@dataclass(frozen=True, eq=False)
class PartData:
    """The subgroup arrays of one part."""

    y: np.ndarray
    y_sum: np.ndarray
    y_length: np.ndarray
    y_mean: np.ndarray
    y_sd: np.ndarray
    n: np.ndarray


@dataclass(frozen=True, eq=False)
class Lines:
    """Plotted values and lines for every point of a part (before ``multiply``)."""

    y: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray


def _div(num: float, den: float) -> float:
    """num / den with IEEE results (x/0 = +/-inf, 0/0 = NaN) like R, never an exception."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(num) / np.float64(den))


def _full(like: np.ndarray, value: float) -> np.ndarray:
    return np.full(like.shape, value, dtype=np.float64)


def _sym(y: np.ndarray, cl: float | np.ndarray, sd: float | np.ndarray) -> Lines:
    """cl +/- 3 sd and cl +/- 2 sd, written as qicharts2 writes them (same rounding)."""
    cl_arr = np.broadcast_to(np.asarray(cl, dtype=np.float64), y.shape).copy()
    with np.errstate(invalid="ignore"):
        return Lines(
            y=y,
            cl=cl_arr,
            lcl=cl_arr - 3 * sd,
            ucl=cl_arr + 3 * sd,
            lcl_95=cl_arr - 2 * sd,
            ucl_95=cl_arr + 2 * sd,
        )


def average_moving_range(values: np.ndarray, screen: bool) -> float:
    """Mean of |v_k - v_(k-1)| over consecutive values, missing ranges skipped.

    With ``screen``, ranges >= 3.267 x the first average are dropped and the average is
    recomputed (qicharts2's ``qic.screenedmr`` option, on when the package is attached).
    """
    mr = np.abs(np.diff(values))
    amr = rstats.mean(mr)
    if screen:
        with np.errstate(invalid="ignore"):
            kept = mr[mr < _D4 * amr]  # NaN ranges and NaN amr compare False: dropped
        amr = rstats.mean(kept)
    return amr


def _clip_low(arr: np.ndarray, low: float = 0.0) -> np.ndarray:
    """Lower limits below zero -> zero (infinite values are left for the engine to drop)."""
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(arr) & (arr < low), low, arr)


def _clip_high(arr: np.ndarray, high: float = 1.0) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(arr) & (arr > high), high, arr)


def run_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    cl = rstats.median(d.y[base])
    nan = _full(d.y, math.nan)
    return Lines(d.y, _full(d.y, cl), nan, nan.copy(), nan.copy(), nan.copy())


def i_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    y = d.y
    cl = rstats.mean(y[base])
    # qicharts2 differences y - cl, not y: the same up to the last bit, kept for fidelity.
    amr = average_moving_range(y[base] - cl, screen)
    return _sym(y, cl, amr / _D2)


def mr_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    # The moving ranges of *all* points of the part (excluded ones too), first one missing.
    y = np.concatenate(([math.nan], np.abs(np.diff(d.y))))
    cl = rstats.mean(y[base])
    return Lines(
        y=y,
        cl=_full(y, cl),
        lcl=_full(y, 0.0),
        ucl=_full(y, _D4 * cl),
        lcl_95=_full(y, 0.0),
        ucl_95=_full(y, (_D4 / 3) * 2 * cl),
    )


def _pooled_sd(d: PartData, base: np.ndarray) -> float:
    """s-bar: the pooled sd if subgroup sizes vary anywhere in the part, else the mean sd.

    As in qicharts2, a base subgroup with no values (size 0) still adds -1 to the pooled
    denominator; its NaN sd is skipped in the numerator.
    """
    var_n = np.unique(d.y_length).shape[0] > 1
    m = d.y_length[base]
    s = d.y_sd[base]
    if var_n:
        pooled_var = _div(np.nansum((m - 1) * s**2), np.sum(m - 1))
        return math.sqrt(pooled_var) if pooled_var >= 0 else math.nan
    return rstats.mean(s)


def xbar_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    m = d.y_length
    w = m[base] * d.y_mean[base]
    ok = ~np.isnan(w)
    cl = _div(np.sum(w[ok]), np.sum(m[base]))
    sbar = _pooled_sd(d, base)
    mm = np.where(m <= 1, np.nan, m)
    c4 = rstats.c4(mm)
    a3 = 3 / (c4 * np.sqrt(mm))
    a3_95 = 2 / (c4 * np.sqrt(mm))
    cl_arr = _full(d.y, cl)
    return Lines(
        y=d.y,
        cl=cl_arr,
        lcl=cl_arr - a3 * sbar,
        ucl=cl_arr + a3 * sbar,
        lcl_95=cl_arr - a3_95 * sbar,
        ucl_95=cl_arr + a3_95 * sbar,
    )


def s_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    y = d.y_sd
    cl = _pooled_sd(d, base)
    mm = np.where(d.y_length <= 1, np.nan, d.y_length)
    ratio = rstats.c5(mm) / rstats.c4(mm)
    with np.errstate(invalid="ignore"):
        b3 = np.where(np.isnan(ratio), np.nan, np.maximum(0.0, 1 - 3 * ratio))
        b3_95 = np.where(np.isnan(ratio), np.nan, np.maximum(0.0, 1 - 2 * ratio))
    b4 = 1 + 3 * ratio
    b4_95 = 1 + 2 * ratio
    return Lines(
        y=y, cl=_full(y, cl), lcl=b3 * cl, ucl=b4 * cl, lcl_95=b3_95 * cl, ucl_95=b4_95 * cl
    )


def t_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    """I chart on y^(1/3.6), back-transformed (Provost & Murray); values must be > 0."""
    transformed = PartData(d.y ** (1 / 3.6), d.y_sum, d.y_length, d.y_mean, d.y_sd, d.n)
    li = i_chart(transformed, base, screen)
    with np.errstate(invalid="ignore"):
        lcl = li.lcl**3.6  # a negative lower limit has no real power: NaN, then 0
        lines = Lines(
            y=li.y**3.6,
            cl=li.cl**3.6,
            lcl=np.where(np.isnan(lcl) | (lcl < 0), 0.0, lcl),
            ucl=li.ucl**3.6,
            lcl_95=li.lcl_95**3.6,  # qicharts2 does not clip this one: NaN -> missing
            ucl_95=li.ucl_95**3.6,
        )
    return lines


def _proportion_cl(d: PartData, base: np.ndarray) -> float:
    return _div(np.nansum(d.y_sum[base]), np.nansum(d.n[base]))


def _laney_sigma_z(d: PartData, base: np.ndarray, cl: float, sd: np.ndarray, screen: bool) -> float:
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (d.y[base] - cl) / sd[base]
    return average_moving_range(z, screen) / _D2


def p_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    cl = _proportion_cl(d, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(cl * (1 - cl) / d.n)
    return _clip_p(_sym(d.y, cl, sd))


def pp_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    cl = _proportion_cl(d, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(cl * (1 - cl) / d.n)
    sigma_z = _laney_sigma_z(d, base, cl, sd, screen)
    with np.errstate(invalid="ignore"):
        return _clip_p(_sym(d.y, cl, sd * sigma_z))


def _clip_p(li: Lines) -> Lines:
    return Lines(
        y=li.y,
        cl=li.cl,
        lcl=_clip_low(li.lcl),
        ucl=_clip_high(li.ucl),
        lcl_95=_clip_low(li.lcl_95),
        ucl_95=_clip_high(li.ucl_95),
    )


def _clip_lower(li: Lines) -> Lines:
    return Lines(li.y, li.cl, _clip_low(li.lcl), li.ucl, _clip_low(li.lcl_95), li.ucl_95)


def c_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    y = d.y_sum
    cl = rstats.mean(y[base])
    return _clip_lower(_sym(y, cl, math.sqrt(cl) if cl >= 0 else math.nan))


def u_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    cl = _proportion_cl(d, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(cl / d.n)
    return _clip_lower(_sym(d.y, cl, sd))


def up_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    cl = _proportion_cl(d, base)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(cl / d.n)
    sigma_z = _laney_sigma_z(d, base, cl, sd, screen)
    with np.errstate(invalid="ignore"):
        return _clip_lower(_sym(d.y, cl, sd * sigma_z))


def g_chart(d: PartData, base: np.ndarray, screen: bool) -> Lines:
    """Limits from the mean m (sd = sqrt(m(m + 1)), Montgomery p. 319); the median is drawn."""
    m = rstats.mean(d.y[base])
    sd = math.sqrt(m * (m + 1)) if m * (m + 1) >= 0 else math.nan
    li = _sym(d.y, m, sd)
    with np.errstate(invalid="ignore"):
        lcl = np.where(li.lcl < 0, 0.0, li.lcl)
        lcl_95 = np.where(li.lcl_95 < 0, 0.0, li.lcl_95)
    return Lines(d.y, _full(d.y, rstats.median(d.y[base])), lcl, li.ucl, lcl_95, li.ucl_95)


CHART_FUNCTIONS = {
    "run": run_chart,
    "i": i_chart,
    "mr": mr_chart,
    "xbar": xbar_chart,
    "s": s_chart,
    "t": t_chart,
    "p": p_chart,
    "pp": pp_chart,
    "c": c_chart,
    "u": u_chart,
    "up": up_chart,
    "g": g_chart,
}
