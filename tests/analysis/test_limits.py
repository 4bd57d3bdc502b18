"""Worked examples for every chart type, computed by hand from the textbook formulas
(Montgomery 2009; Laney 2002; Provost & Murray 2011), independently of the engine."""

import math

import numpy as np
import pytest

from qi.analysis import analyze

NA = np.nan
C4 = {2: 0.7978845608028654, 3: 0.886226925452758, 5: 0.9399856029866254}


def approx(v):
    return pytest.approx(v, rel=1e-12)


# 18 points from the NHSRplotthedots vignette: one freak moving range pair around the 10
SPIKE = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


def test_i_chart_uses_3_over_1_128_and_screens_by_default():
    mean = 35 / 18
    a = analyze(SPIKE, chart="i")
    # moving ranges 8 and 9 are >= 3.267 x 32/17 and are dropped: 15 ranges of 1 remain
    assert a.cl[0] == approx(mean)
    assert a.ucl[0] == approx(mean + 3 * (1 / 1.128))
    assert a.lcl[0] == approx(mean - 3 * (1 / 1.128))
    assert a.ucl_95[0] == approx(mean + 2 * (1 / 1.128))
    assert 3 / 1.128 == pytest.approx(2.6596, abs=1e-4)  # not 2.66
    assert a.sigma_signal.tolist() == [i == 4 for i in range(18)]


def test_i_chart_without_screening():
    mean, amr = 35 / 18, 32 / 17
    a = analyze(SPIKE, chart="i", screen_mr=False)
    assert a.ucl[0] == approx(mean + 3 * amr / 1.128)
    assert a.lcl[0] == approx(mean - 3 * amr / 1.128)


def test_moving_ranges_are_lost_across_missing_values_but_formed_across_excluded_points():
    missing = analyze([1, NA, 4, 6], chart="i", screen_mr=False)
    assert missing.cl[0] == approx(11 / 3)
    assert missing.ucl[0] == approx(11 / 3 + 3 * 2 / 1.128)  # only |6 - 4| remains
    excluded = analyze([1, 100, 4, 6], chart="i", exclude=[2], screen_mr=False)
    assert excluded.cl[0] == approx(11 / 3)
    assert excluded.ucl[0] == approx(11 / 3 + 3 * 2.5 / 1.128)  # |4 - 1| and |6 - 4|
    assert excluded.sigma_signal.tolist() == [False, True, False, False]


def test_constant_series_has_no_limits_when_screened_as_in_qicharts2():
    a = analyze([3, 3, 3, 3], chart="i")
    assert a.cl[0] == 3
    assert np.isnan(a.ucl).all() and np.isnan(a.lcl).all()
    b = analyze([3, 3, 3, 3], chart="i", screen_mr=False)
    assert b.ucl[0] == 3 and b.lcl[0] == 3


def test_mr_chart():
    a = analyze([1, 3, 2, 6], chart="mr")
    assert np.isnan(a.y[0]) and a.y[1:].tolist() == [2, 1, 4]
    assert a.cl[0] == approx(7 / 3)
    assert a.ucl[0] == approx(3.267 * 7 / 3)
    assert a.ucl_95[0] == approx(3.267 / 3 * 2 * 7 / 3)
    assert a.lcl[0] == 0
    assert not a.runs_signal.any()


def test_run_chart_has_a_median_and_no_limits():
    a = analyze([3, 1, 4, 1, 5, 9], chart="run")
    assert a.cl[0] == 3.5
    assert np.isnan(a.ucl).all() and np.isnan(a.lcl).all() and not a.sigma_signal.any()


def test_c_chart():
    a = analyze([2, 4, 6], chart="c")
    assert a.cl[0] == 4 and a.ucl[0] == approx(4 + 3 * 2) and a.lcl[0] == 0
    assert a.ucl_95[0] == approx(8) and a.lcl_95[0] == 0


def test_u_chart_limits_vary_with_the_denominator():
    a = analyze([2, 4], n=[10, 20], chart="u")
    assert a.y.tolist() == [0.2, 0.2]
    assert a.cl[0] == approx(0.2)
    assert a.ucl.tolist() == [approx(0.2 + 3 * math.sqrt(0.02)), approx(0.2 + 3 * math.sqrt(0.01))]
    assert a.lcl.tolist() == [0, 0]


def test_p_chart_clips_to_0_and_1_before_multiplying():
    a = analyze([1, 2, 3], n=[10, 10, 10], chart="p")
    sd = math.sqrt(0.2 * 0.8 / 10)
    assert a.cl[0] == approx(0.2) and a.ucl[0] == approx(0.2 + 3 * sd) and a.lcl[0] == 0
    b = analyze([9, 9], n=[10, 10], chart="p", multiply=100)
    assert b.cl[0] == approx(90) and b.ucl[0] == 100 and b.ucl_95[0] == 100
    assert b.lcl[0] == approx(100 * (0.9 - 3 * math.sqrt(0.09 / 10)))


def _laney(y, n, cl, var):
    p = np.asarray(y) / np.asarray(n)
    sd = np.sqrt(var / np.asarray(n))
    z = (p - cl) / sd
    sigma_z = np.mean(np.abs(np.diff(z))) / 1.128
    return sd * sigma_z


def test_p_prime_chart_laney():
    y, n = [12, 30, 18, 25, 40], [100, 150, 120, 110, 160]
    cl = sum(y) / sum(n)
    sd = _laney(y, n, cl, cl * (1 - cl))
    a = analyze(y, n=n, chart="pp", screen_mr=False)
    assert a.cl[0] == approx(cl)
    np.testing.assert_allclose(a.ucl, np.minimum(cl + 3 * sd, 1), rtol=1e-12)
    np.testing.assert_allclose(a.lcl, np.maximum(cl - 3 * sd, 0), rtol=1e-12)


def test_u_prime_chart_laney():
    y, n = [12, 30, 18, 25, 40], [100.5, 150, 120, 110, 160]
    cl = sum(y) / sum(n)
    sd = _laney(y, n, cl, cl)
    a = analyze(y, n=n, chart="up", screen_mr=False)
    np.testing.assert_allclose(a.ucl, cl + 3 * sd, rtol=1e-12)
    np.testing.assert_allclose(a.lcl, np.maximum(cl - 3 * sd, 0), rtol=1e-12)


def test_g_chart_draws_the_median_with_limits_from_the_mean():
    a = analyze([0, 2, 4, 10], chart="g")
    assert a.cl[0] == 3  # median
    assert a.ucl[0] == approx(4 + 3 * math.sqrt(4 * 5))  # mean 4
    assert a.lcl[0] == 0


def test_t_chart_transforms_and_back_transforms():
    y = np.array([5.0, 12.0, 7.5, 30.0, 18.0, 9.0])
    t = y ** (1 / 3.6)
    cl = t.mean()
    amr = np.abs(np.diff(t)).mean()
    a = analyze(y, chart="t", screen_mr=False)
    assert a.cl[0] == approx(cl**3.6)
    assert a.ucl[0] == approx((cl + 3 * amr / 1.128) ** 3.6)
    low = cl - 3 * amr / 1.128
    assert a.lcl[0] == (approx(low**3.6) if low > 0 else 0)
    np.testing.assert_allclose(a.y, y, rtol=1e-12)


def test_xbar_and_s_charts_with_unequal_subgroups_use_the_pooled_sd():
    x = [1, 1, 2, 2, 2]
    y = [1, 3, 2, 4, 6]
    pooled = math.sqrt((1 * 2 + 2 * 4) / 3)  # sds sqrt(2) and 2, sizes 2 and 3
    xbar = analyze(y, x=x, chart="xbar")
    assert xbar.y.tolist() == [2, 4]
    assert xbar.cl[0] == approx(16 / 5)
    a3 = [3 / (C4[2] * math.sqrt(2)), 3 / (C4[3] * math.sqrt(3))]
    assert xbar.ucl.tolist() == [approx(3.2 + a3[0] * pooled), approx(3.2 + a3[1] * pooled)]
    s = analyze(y, x=x, chart="s")
    assert s.y.tolist() == [approx(math.sqrt(2)), approx(2)]
    assert s.cl[0] == approx(pooled)
    b4 = [1 + 3 * math.sqrt(1 - C4[m] ** 2) / C4[m] for m in (2, 3)]
    assert s.ucl.tolist() == [approx(b4[0] * pooled), approx(b4[1] * pooled)]
    assert s.lcl.tolist() == [0, 0]


def test_xbar_with_equal_subgroups_uses_the_mean_sd():
    x = [1] * 5 + [2] * 5
    y = [1, 2, 3, 4, 5, 2, 4, 6, 8, 10]
    sbar = (math.sqrt(2.5) + math.sqrt(10)) / 2
    a = analyze(y, x=x, chart="xbar")
    assert a.cl[0] == approx(4.5)
    assert a.ucl[0] == approx(4.5 + 3 / (C4[5] * math.sqrt(5)) * sbar)


def test_subgroup_aggregation_of_counts_and_proportions():
    # repeated x: y summed over n for p charts, summed for c charts, averaged otherwise
    a = analyze([1, 2, 3, NA], n=[10, 10, 10, 10], x=[1, 1, 2, 2], chart="p")
    assert a.y.tolist() == [approx(3 / 20), approx(3 / 10)]
    assert a.n.tolist() == [20, 10]
    c = analyze([1, 2, NA, NA, 5], x=[1, 1, 2, 2, 3], chart="c")
    assert c.y.tolist() == [3, 0, 5]  # qicharts2: several missing values sum to 0
    i = analyze([1, 2, 6], x=[2, 2, 1], chart="i")
    assert i.x.tolist() == [1, 2] and i.y.tolist() == [6, 1.5]


def test_multiply_scales_values_centre_line_and_limits():
    a = analyze([1, 2, 3], n=[10, 10, 10], chart="p")
    b = analyze([1, 2, 3], n=[10, 10, 10], chart="p", multiply=100)
    np.testing.assert_allclose(b.cl, a.cl * 100, rtol=1e-15)
    np.testing.assert_allclose(b.ucl, a.ucl * 100, rtol=1e-15)
    np.testing.assert_allclose(b.y, a.y * 100, rtol=1e-15)


def test_y_neg_false_clips_negative_lower_limits_when_no_value_is_negative():
    a = analyze([1, 5, 1, 5, 1], chart="i", y_neg=False)
    assert a.lcl[0] == 0
    b = analyze([1, 5, 1, 5, 1], chart="i")
    assert b.lcl[0] < 0
    c = analyze([-1, 5, 1, 5, 1], chart="i", y_neg=False)
    assert c.lcl[0] < 0
