"""Invariants that hold for any series (hypothesis)."""

import io
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qi.analysis import analyze
from qi.analysis.document import to_dict, write_json

pytestmark = pytest.mark.slow  # hypothesis-heavy property tests

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

# decimals as in real data (one decimal place), with ties and missing values
values = st.lists(
    st.one_of(st.integers(-50, 50).map(lambda v: v / 10), st.just(math.nan)),
    min_size=1,
    max_size=60,
)
positive = st.lists(st.integers(1, 500).map(lambda v: v / 10), min_size=1, max_size=40)


@st.composite
def proportions(draw):
    n = draw(st.lists(st.integers(1, 200), min_size=1, max_size=40))
    y = [draw(st.integers(0, k)) for k in n]
    return y, n


@SETTINGS
@given(values, st.sampled_from(["run", "i", "mr"]))
def test_runs_statistics_are_consistent(y, chart):
    a = analyze(y, chart=chart)
    for p in a.parts:
        size = p.end - p.start + 1
        assert 0 <= p.n_useful <= p.n_obs <= size
        if p.n_useful:
            assert 1 <= p.longest_run <= p.n_useful
            assert 0 <= p.n_crossings <= p.n_useful - 1
            assert p.runs_signal == (
                chart != "mr"
                and (p.longest_run > p.longest_run_max or p.n_crossings < p.n_crossings_min)
            )
        else:
            assert p.longest_run is None and not p.runs_signal


@SETTINGS
@given(values)
def test_reversing_a_series_keeps_its_runs_statistics(y):
    a, b = analyze(y), analyze(y[::-1])
    pa, pb = a.parts[0], b.parts[0]
    assert (pa.n_useful, pa.longest_run, pa.n_crossings) == (
        pb.n_useful,
        pb.longest_run,
        pb.n_crossings,
    )


@SETTINGS
@given(values, st.booleans())
def test_i_chart_limits_are_symmetric_and_flag_exactly_the_points_outside(y, screen):
    a = analyze(y, chart="i", screen_mr=screen)
    ok = ~np.isnan(a.ucl)
    np.testing.assert_allclose((a.ucl - a.cl)[ok], (a.cl - a.lcl)[ok], rtol=1e-9, atol=1e-12)
    assert np.all(a.lcl[ok] <= a.cl[ok]) and np.all(a.cl[ok] <= a.ucl[ok])
    with np.errstate(invalid="ignore"):
        outside = (a.y > a.ucl) | (a.y < a.lcl)
    assert a.sigma_signal.tolist() == outside.tolist()
    assert a.parts[0].sigma_signals == int(outside.sum())


@SETTINGS
@given(proportions(), st.sampled_from(["p", "pp"]), st.sampled_from([1, 100]))
def test_proportion_limits_stay_between_0_and_multiply(data, chart, multiply):
    y, n = data
    a = analyze(y, n=n, chart=chart, multiply=multiply)
    for arr in (a.lcl, a.ucl, a.cl):
        ok = ~np.isnan(arr)
        assert np.all(arr[ok] >= 0) and np.all(arr[ok] <= multiply)


@SETTINGS
@given(positive, st.sampled_from(["c", "u", "up", "g", "t"]))
def test_lower_limits_of_counts_and_times_are_never_negative(y, chart):
    n = [10.0] * len(y) if chart in ("u", "up") else None
    a = analyze(y, n=n, chart=chart)
    ok = ~np.isnan(a.lcl)
    assert np.all(a.lcl[ok] >= 0)


@SETTINGS
@given(values, st.integers(1, 5), st.sampled_from(["run", "i", "c"]))
def test_splitting_into_parts_equals_analysing_each_part_alone(y, cut, chart):
    y = [abs(v) if chart == "c" and not math.isnan(v) else v for v in y]
    if len(y) < 2:
        return
    cut = min(cut, len(y) - 1)
    whole = analyze(y, chart=chart, part=[cut])
    first, second = analyze(y[:cut], chart=chart), analyze(y[cut:], chart=chart)
    np.testing.assert_array_equal(whole.cl, np.concatenate((first.cl, second.cl)))
    np.testing.assert_array_equal(whole.ucl, np.concatenate((first.ucl, second.ucl)))
    assert [p.runs_signal for p in whole.parts] == [first.parts[0].runs_signal,
                                                    second.parts[0].runs_signal]  # fmt: skip


@SETTINGS
@given(values, st.sampled_from(["up", "down", "neither"]))
def test_mdc_direction_only_renames_point_types(y, improvement):
    up = analyze(y, chart="i", rules="mdc", improvement="up").point_type.tolist()
    other = analyze(y, chart="i", rules="mdc", improvement=improvement).point_type.tolist()
    swap = {
        "up": {},
        "down": {"special_cause_improvement": "special_cause_concern",
                 "special_cause_concern": "special_cause_improvement"},
        "neither": {"special_cause_improvement": "special_cause_neutral_high",
                    "special_cause_concern": "special_cause_neutral_low"},
    }[improvement]  # fmt: skip
    assert other == [swap.get(t, t) for t in up]


@SETTINGS
@given(values, st.sampled_from(["run", "i", "mdc", "ihi"]), st.booleans())
def test_fast_json_writer_matches_json_dumps(y, kind, dates):
    x = np.datetime64("2020-01-06") + np.arange(len(y)) * 7 if dates else None
    chart = {"mdc": "i", "ihi": "run"}.get(kind, kind)
    rules = kind if kind in ("mdc", "ihi") else "anhoej"
    a = analyze(y, x=x, chart=chart, rules=rules)
    buf = io.StringIO()
    write_json(a, buf.write)
    assert buf.getvalue() == json.dumps(to_dict(a), indent=2, ensure_ascii=False) + "\n"
