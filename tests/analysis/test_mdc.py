"""Making Data Count rules (NHSRplotthedots 0.2.2), table-driven."""

import numpy as np
import pytest

from qi.analysis import analyze
from qi.analysis.mdc import assurance

NA = np.nan
BASE = [0.5, -0.5] * 10  # mean 0, every moving range 1: limits at +/-2.66, near at +/-1.7733


def _types(y, improvement="up", **kw):
    a = analyze(y, chart="i", rules="mdc", improvement=improvement, screen_mr=False, **kw)
    return a, a.point_type.tolist()


def test_limits_use_2_66_and_the_mean():
    a, _ = _types([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1])
    assert a.cl[0] == pytest.approx(35 / 18, rel=1e-12)
    assert a.ucl[0] == pytest.approx(35 / 18 + 2.66 * 32 / 17, rel=1e-12)
    assert a.ucl_95[0] == pytest.approx(35 / 18 + 2 * (2.66 / 3) * 32 / 17, rel=1e-12)
    screened = analyze([1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1], chart="i",
                       rules="mdc")  # fmt: skip
    assert screened.ucl[0] == pytest.approx(35 / 18 + 2.66, rel=1e-12)  # vignette: UPL 4.6
    assert screened.lcl[0] == pytest.approx(35 / 18 - 2.66, rel=1e-12)  # LPL -0.72


@pytest.mark.parametrize(
    ("name", "tail", "flagged"),
    [
        ("six above is not a shift", [0.1] * 6, []),
        ("seven above is a shift", [0.1] * 7, list(range(20, 27))),
        ("a point on the mean breaks a shift", [0.1] * 3 + [0.0] + [0.1] * 3, []),
    ],
)
def test_shift(name, tail, flagged):
    y = BASE + tail + [-0.2, 0.2, -0.2]
    a, types = _types(y)
    got = [i for i, t in enumerate(types) if t != "common_cause"]
    assert got == flagged
    assert all(types[i] == "special_cause_improvement" for i in flagged)
    assert a.parts[0].runs_signal == bool(flagged)


@pytest.mark.parametrize(
    ("name", "segment", "flagged"),
    [
        ("six rising points are not a trend", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], False),
        ("seven rising points are a trend", [-0.3, -0.2, -0.1, 0.05, 0.1, 0.2, 0.3], True),
        ("a tie breaks a trend", [0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.6], False),
    ],
)
def test_trend(name, segment, flagged):
    y = [-0.8, 0.8] * 8 + segment + [-0.8, 0.8]
    a, types = _types(y)
    seg = types[16 : 16 + len(segment)]
    if flagged:
        assert seg == ["special_cause_improvement"] * len(segment)
        assert [s.rule for s in a.parts[0].signals] == ["trend"]
    else:
        assert "trend" not in [s.rule for s in a.parts[0].signals]


def test_two_of_three_close_to_a_limit_on_the_same_side():
    y = BASE + [2.0, 0.5, 2.0] + [0.3, -0.3]
    a, types = _types(y, freeze=20)  # limits from BASE: near line 1.7733, limit 2.66
    assert types[20:23] == ["special_cause_improvement", "common_cause",
                            "special_cause_improvement"]  # fmt: skip
    assert [s.rule for s in a.parts[0].signals] == ["two_of_three"]


def test_two_of_three_on_opposite_sides_is_common_cause():
    # NHSRplotthedots' regression test: +5.5 / -5.5 style points are not a 2-in-3 signal
    y = BASE + [2.0, -2.0, 2.0, -2.0] + [0.3, -0.3]
    _, types = _types(y, freeze=20)
    assert set(types[20:24]) == {"common_cause"}


def test_outside_the_limits_beats_the_other_labels_and_direction_sets_the_type():
    y = BASE + [5.0] + [0.1] * 6
    a, up = _types(y, "up")
    _, down = _types(y, "down")
    _, neither = _types(y, "neither")
    assert up[20] == "special_cause_improvement" and down[20] == "special_cause_concern"
    assert neither[20] == "special_cause_neutral_high"
    assert a.sigma_signal[20] and a.parts[0].sigma_signals == 1
    assert a.parts[0].signals[0].rule == "outside_limits"


def test_low_points_with_neutral_direction():
    y = BASE + [-5.0]
    _, types = _types(y, "neither")
    assert types[-1] == "special_cause_neutral_low"


def test_variation_type_is_the_last_point_and_rebase_groups_are_independent():
    y = BASE + [10, 10.5] + BASE
    a, types = _types(y, part=[22])
    assert a.parts[0].variation_type == types[21] == "special_cause_improvement"
    assert a.parts[1].variation_type == "common_cause"
    assert a.cl[0] != a.cl[-1]


def test_fixing_the_limits_after_k_points():
    y = list(range(1, 13)) + [100] * 8
    a, _ = _types(y, freeze=12)
    assert a.cl[0] == pytest.approx(6.5) and a.cl[-1] == pytest.approx(6.5)
    assert a.baseline.tolist() == [True] * 12 + [False] * 8


def test_missing_values_break_patterns_and_have_no_point_type():
    y = BASE + [0.1, 0.1, 0.1, NA, 0.1, 0.1, 0.1, 0.1]
    a, types = _types(y)
    assert types[23] is None
    assert not a.parts[0].runs_signal


@pytest.mark.parametrize(
    ("target", "direction", "expected"),
    [
        (11, 1, "consistent_fail"), (11, -1, "consistent_pass"),
        (-11, 1, "consistent_pass"), (-11, -1, "consistent_fail"),
        (0, 1, "inconsistent"), (10, 1, "inconsistent"), (-10, -1, "inconsistent"),
        (5, 0, None), (None, 1, None),
    ],
)  # fmt: skip
def test_assurance(target, direction, expected):
    assert assurance(target, direction, -10.0, 10.0) == expected


def test_assurance_uses_each_parts_own_limits():
    y = BASE + [10, 10.5] * 10
    a = analyze(y, chart="i", rules="mdc", part=[20], improvement="up", target=5,
                screen_mr=False)  # fmt: skip
    assert a.parts[0].assurance_type == "consistent_fail"
    assert a.parts[1].assurance_type == "consistent_pass"


def test_signal_texts_name_dates():
    x = np.datetime64("2018-01-01") + np.arange(30) * 7
    y = [0.5, -0.5] * 10 + [0.2] * 7 + [-0.5, 0.5, -0.5]
    a = analyze(y, x=x, chart="i", rules="mdc", screen_mr=False)
    texts = [s.text for s in a.parts[0].signals]
    assert texts == [
        "7 points above the mean from 2018-05-21 to 2018-07-02 (special cause improvement)"
    ]
