"""Making Data Count variation and assurance icons, for every chart with limits."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qi.analysis import analyze
from qi.analysis.icons import Icons, _latest_point_type, icons, variation_icon

BASE = [0.5, -0.5] * 10  # mean 0, every moving range 1


def _i(y, improvement="up", target=None):
    # the limits from the first 20 points: mean 0, 2 sigma at 1.773, 3 sigma at 2.66
    return icons(analyze(y, chart="i", freeze=20), improvement, target)


@pytest.mark.parametrize(
    ("tail", "improvement", "expected"),
    [
        ([0.1, -0.1, 0.2], "up", "common_cause"),
        ([0.1] * 7, "up", "improvement_high"),  # a shift above the mean
        ([0.1] * 7, "down", "concern_high"),
        ([-0.1] * 7, "down", "improvement_low"),
        ([-0.1] * 7, "up", "concern_low"),
        ([0.1] * 7, "neither", "neutral_high"),
        ([-0.1] * 7, "neither", "neutral_low"),
        ([0.1] * 6, "up", "common_cause"),  # six is not a shift
        ([0.1] * 3 + [0.0] + [0.1] * 3, "up", "common_cause"),  # a point on the mean breaks it
        ([9.0], "up", "improvement_high"),  # outside the upper limit
        ([-9.0], "up", "concern_low"),
        ([-1.0, -0.6, -0.2, 0.1, 0.3, 0.4, 0.45], "up", "improvement_high"),  # 7-point trend
        ([-1.0, -0.6, -0.2, -0.2, 0.3, 0.4, 0.45], "up", "common_cause"),  # a tie breaks it
        ([2.0, 0.1, 2.1], "down", "concern_high"),  # 2 of 3 beyond 2 sigma, same side
        ([2.0, -0.1, 2.1], "down", "common_cause"),  # ...but not across the mean
    ],
)
def test_variation_icon_of_an_i_chart_by_the_mdc_rules(tail, improvement, expected):
    assert _i(BASE + tail, improvement).variation == expected


@pytest.mark.parametrize(
    ("improvement", "target", "expected"),
    [
        ("up", 100.0, "fail"),  # above the upper limit: the process will never reach it
        ("up", -100.0, "pass"),
        ("up", 0.5, "hit_and_miss"),
        ("down", 100.0, "pass"),
        ("down", -100.0, "fail"),
        ("down", 0.0, "hit_and_miss"),
        ("neither", 100.0, None),
        ("up", None, None),
    ],
)
def test_assurance_icon(improvement, target, expected):
    got = _i(BASE, improvement, target)
    assert got.assurance == expected
    assert got.target == (target if expected else None)


def test_a_target_equal_to_a_limit_is_hit_and_miss():
    a = analyze(BASE, chart="i")
    assert icons(a, "up", float(a.ucl[-1])).assurance == "hit_and_miss"
    assert icons(a, "up", float(a.ucl[-1]) + 1e-9).assurance == "fail"


def test_run_charts_get_no_icons():
    assert icons(analyze(BASE + [0.1] * 7), "up", 100.0) == Icons(None, None)


def test_p_chart_uses_its_own_varying_limits():
    n = [100, 400] * 10 + [400]
    y = [10, 40] * 10 + [60]  # 15% of 400 is beyond the upper limit for n = 400 only
    a = analyze(y, n=n, chart="p", multiply=100)
    assert a.ucl[-1] < 15 < a.ucl[-2] + 5
    assert icons(a, "down", 5.0) == Icons("concern_high", "fail", 5.0)
    assert icons(a, "up", 5.0) == Icons("improvement_high", "pass", 5.0)


@pytest.mark.parametrize("chart", ["c", "u", "up", "pp", "g", "t", "mr"])
def test_every_chart_with_limits_gets_a_variation_icon(chart):
    y = [5, 6, 4, 5, 7, 5, 6, 4, 5, 6, 5, 4, 6, 5, 40]
    n = [50] * len(y) if chart in ("u", "up", "pp") else None
    a = analyze(y, n=n, chart=chart)
    got = icons(a, "down", None)
    assert got.variation == "concern_high" and got.assurance is None


def test_xbar_and_s_charts_get_icons():
    x = np.repeat(np.arange(20), 5)
    y = np.tile([10, 11, 9, 10, 12], 20).astype(float)
    y[-5:] += 20
    for chart in ("xbar", "s"):
        assert icons(analyze(y, x=x, chart=chart), "down", None).variation is not None
    assert icons(analyze(y, x=x, chart="xbar"), "down", None).variation == "concern_high"


def test_only_the_latest_part_counts():
    y = [0.5, -0.5] * 6 + [5.0] * 7 + [5.5, 4.5] * 6
    a = analyze(y, chart="i", part=[19])
    assert icons(a, "up", None).variation == "common_cause"
    assert icons(analyze(y, chart="i"), "up", None).variation == "improvement_high"


def test_mdc_rules_analysis_gives_the_engines_icons():
    y = [1, 2, 3, 3, 4, 5, 6, 7, 8, 1, 2, 3]
    a = analyze(y, chart="i", rules="mdc", improvement="down", target=0.5)
    assert a.parts[-1].variation_type == "common_cause"
    assert icons(a, "down", 0.5) == Icons("common_cause", "fail", 0.5)


_REF = json.loads((Path(__file__).parents[1] / "data" / "r_reference.json").read_text())
_IMPROVEMENT = {"increase": "up", "decrease": "down", "neutral": "neither"}
_ASSURANCE = {"consistent_pass": "pass", "consistent_fail": "fail",
              "inconsistent": "hit_and_miss", None: None}


def _positions(v):
    return None if v is None else ([v] if isinstance(v, int) else v)


@pytest.mark.parametrize("case", _REF["mdc"])
def test_icons_of_every_nhsrplotthedots_reference_case(case):
    """The icons of the last point, and the assurance, exactly as NHSRplotthedots says."""
    i = case["input"]
    improvement = _IMPROVEMENT[i["improvement"]]
    y = np.array([float(v) for v in case["y_text"]])
    a = analyze(y, chart="i", rules="mdc", improvement=improvement, screen_mr=i["screened"],
                part=_positions(i.get("rebase")), freeze=i.get("fix_after"),
                target=i.get("target"))
    pt = case["points"]["point_type"]
    last = pt[-1] if isinstance(pt, list) else pt
    sign = {"up": 1, "down": -1, "neither": 0}[improvement]
    got = icons(a, improvement, i.get("target"))
    assert got.variation == variation_icon(last, sign)
    assert got.assurance == _ASSURANCE[case["assurance"]]


SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.integers(-30, 30).map(lambda v: v / 10), min_size=3, max_size=50),
       st.sampled_from(["up", "down", "neither"]))
@pytest.mark.slow
def test_the_generic_rules_reproduce_nhsrplotthedots_given_its_limits(y, improvement):
    """Run on an MDC analysis's own lines, the rules used for every other chart give the
    engine's (NHSRplotthedots') point type of the latest point."""
    a = analyze(y, chart="i", rules="mdc", improvement=improvement)
    sign = {"up": 1, "down": -1, "neither": 0}[improvement]
    assert _latest_point_type(a, sign) == a.parts[-1].variation_type
