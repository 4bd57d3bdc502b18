"""R-compatible helpers: Anhøj limits for every n in the published table, c4, R's mean."""

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from qi.analysis import rstats

DATA = Path(__file__).parents[1] / "data"


def _anhoej_table() -> list[tuple[int, int, int]]:
    with (DATA / "anhoej_limits.csv").open() as f:
        return [
            (int(r["n.useful"]), int(r["longest.run.max"]), int(r["n.crossings.min"]))
            for r in csv.DictReader(f)
        ]


def test_anhoej_limits_match_r_for_every_n_from_1_to_1000():
    table = _anhoej_table()
    assert [n for n, _, _ in table] == list(range(1, 1001))
    mismatches = [
        (n, lr, nc, rstats.anhoej_limits(n))
        for n, lr, nc in table
        if rstats.anhoej_limits(n) != (lr, nc)
    ]
    assert mismatches == []


@pytest.mark.parametrize(
    ("n", "expected"),
    [(10, (6, 2)), (12, (7, 3)), (20, (7, 6)), (24, (8, 8)), (30, (8, 10)), (50, (9, 19)),
     (100, (10, 41)), (1, (3, 0)), (2, (4, 0))],
)  # fmt: skip
def test_anhoej_spot_values_from_the_reference(n, expected):
    assert rstats.anhoej_limits(n) == expected


def _exact_quantile(m: int) -> int:
    """Smallest c with sum_{k<=c} C(m,k) >= 2**m / 20, by brute force."""
    total, term, target = 0, 1, 2**m
    for c in range(m + 1):
        total += term
        if 20 * total >= target:
            return c
        term = term * (m - c) // (c + 1)
    raise AssertionError


@pytest.mark.parametrize("m", [4001, 4567, 6007])
def test_long_series_use_log_space_and_agree_with_exact_arithmetic(m):
    assert rstats._crossings_min_logspace(m) == _exact_quantile(m)


def test_log_space_agrees_with_exact_path_where_both_apply():
    for m in range(1, 400, 7):
        assert rstats._crossings_min_logspace(m) == _exact_quantile(m)


def test_very_long_series_get_a_sensible_crossings_minimum():
    # a million useful points: about half cross, minus 1.645 standard deviations
    c = rstats.crossings_min(1_000_000)
    m = 999_999
    assert abs(c - (m / 2 - 1.6449 * math.sqrt(m) / 2)) < 2


@pytest.mark.parametrize(
    ("m", "c4"),
    [(2, 0.7978845608), (3, 0.8862269255), (5, 0.9399856030), (10, 0.9726592741),
     (25, 0.9896403755)],
)  # fmt: skip
def test_c4_matches_the_published_constants(m, c4):
    assert rstats.c4(np.array([m]))[0] == pytest.approx(c4, rel=1e-9)


def test_c4_is_missing_for_subgroups_of_one_or_none():
    assert np.isnan(rstats.c4(np.array([0.0, 1.0]))).all()


def test_mean_skips_missing_values_and_is_nan_when_there_are_none():
    assert rstats.mean(np.array([1.0, np.nan, 3.0])) == 2.0
    assert math.isnan(rstats.mean(np.array([np.nan])))
    assert math.isnan(rstats.mean(np.array([])))


def test_mean_second_pass_removes_rounding_error():
    # 0.1 ten times: a plain sum/n is 0.09999999999999999, R's mean gives 0.1
    values = np.full(10, 0.1)
    assert rstats.mean(values) == 0.1


def test_median_of_even_count_averages_the_middle_values():
    assert rstats.median(np.array([4.0, 1.0, 3.0, 2.0, np.nan])) == 2.5
    assert math.isnan(rstats.median(np.array([np.nan])))
