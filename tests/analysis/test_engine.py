"""The public entry point: edge cases, options, validation errors and signal texts."""

import json

import numpy as np
import pytest

from qi.analysis import InvalidValue, PositionError, analyze
from qi.analysis.document import to_dict
from qi.errors import InvalidInput

NA = np.nan


# ---- edge cases ----------------------------------------------------------------------


@pytest.mark.parametrize("chart", ["run", "i", "mr", "c", "g", "t"])
def test_a_single_point(chart):
    a = analyze([4.0], chart=chart)
    assert len(a) == 1 and len(a.parts) == 1
    assert not a.sigma_signal.any() and not a.runs_signal.any()


def test_constant_run_chart_has_every_point_on_the_median():
    p = analyze([5] * 8).parts[0]
    assert (p.n_obs, p.n_useful, p.longest_run, p.runs_signal) == (8, 0, None, False)


def test_missing_values_at_the_ends():
    a = analyze([NA, 1, 2, 3, 4, NA], chart="i", screen_mr=False)
    assert a.cl[0] == 2.5 and a.ucl[0] == pytest.approx(2.5 + 3 / 1.128)
    assert a.parts[0].n_obs == 6 and a.parts[0].n_useful == 4
    assert np.isnan(a.y[0]) and np.isnan(a.y[-1])
    assert not a.sigma_signal[0] and not a.sigma_signal[-1]


def test_freeze_longer_than_the_data_uses_everything():
    a = analyze([1, 2, 3, 4], chart="i", freeze=10)
    b = analyze([1, 2, 3, 4], chart="i")
    assert a.baseline.all()
    np.testing.assert_array_equal(a.ucl, b.ucl)


def test_freeze_computes_from_the_baseline_but_tests_every_point():
    y = [1, 2, 1, 2, 1, 2, 5, 6, 5, 6, 5, 6]
    a = analyze(y, chart="run", freeze=6)
    assert a.cl[0] == 1.5
    assert a.baseline.tolist() == [True] * 6 + [False] * 6
    assert a.parts[0].n_obs == 12 and a.parts[0].longest_run == 7  # point 6 and the last six


def test_parts_are_independent_and_a_part_may_have_one_point():
    a = analyze([1, 2, 3, 10, 11, 12, 50], chart="i", part=[3, 6])
    assert a.part.tolist() == [1, 1, 1, 2, 2, 2, 3]
    assert [p.cl for p in a.parts] == [2, 11, 50]
    assert np.isnan(a.ucl[-1])  # one point: no moving range, no limits
    assert [(p.start, p.end) for p in a.parts] == [(1, 3), (4, 6), (7, 7)]


def test_freeze_with_parts_is_a_baseline_within_each_part():
    y = [1, 3, 9, 9, 10, 12, 30, 30]
    a = analyze(y, chart="i", part=[4], freeze=2)
    assert a.baseline.tolist() == [True, True, False, False, True, True, False, False]
    assert a.cl[0] == 2 and a.cl[-1] == 11


def test_excluded_points_are_plotted_but_left_out_of_calculations_and_runs():
    a = analyze([1, 2, 1, 2, 40, 1, 2], chart="i", exclude=[5])
    assert a.cl[0] == pytest.approx(9 / 6)
    assert a.include.tolist() == [True] * 4 + [False, True, True]
    assert a.sigma_signal[4]  # still flagged
    assert a.parts[0].n_obs == 6


def test_x_dates_are_sorted_and_named_in_texts():
    x = np.array(["2018-03-12", "2018-03-05", "2018-03-19"], dtype="datetime64[D]")
    a = analyze([12.0, 10.0, 40.0], x=x, chart="c")
    assert a.x.tolist() == sorted(x.tolist())
    assert a.y.tolist() == [10, 12, 40]
    assert [s.text for s in a.signals] == ["Point 3 (2018-03-19) is above the upper control limit"]


def test_anhoej_signal_texts():
    y = [1] + [-1] * 9 + [1] * 11 + [-1] * 3  # median 0
    a = analyze(y, chart="run")
    texts = [s.text for s in a.signals]
    assert [s.rule for s in a.signals] == ["crossings", "longest_run", "longest_run"]
    assert texts[0] == (
        "Only 3 crossings of the centre line in 24 useful points (fewer than 8 suggests a shift)"
    )
    assert texts[1] == (
        "9 points in a row below the centre line from point 2 to point 10 "
        "(more than 8 suggests a shift)"
    )
    assert (a.signals[2].start, a.signals[2].end) == (11, 21)


def test_sigma_signals_are_grouped_in_blocks():
    y = [0, 1] * 10 + [9, 9, 9, 0, -8]
    a = analyze(y, chart="i", freeze=20)
    rules = [(s.rule, s.start, s.end) for s in a.signals if s.rule == "sigma"]
    assert rules == [("sigma", 21, 23), ("sigma", 25, 25)]
    assert a.signals[-1].text == "Point 25 is below the lower control limit"
    block = [s for s in a.signals if s.start == 21][0]
    assert block.text == "Points 21 to 23 are above the upper control limit"


def test_ihi_rules_report_signals_and_the_missing_runs_test():
    y = [1, 2, 3, 4, 5, 3, 3, 3]
    a = analyze(y, chart="run", rules="ihi")
    p = a.parts[0]
    assert [s.rule for s in p.signals] == ["trend"]
    assert p.runs_signal and a.runs_signal.all()
    assert "outside the IHI table's 10..60" in p.notes[0]
    d = to_dict(a)["parts"][0]
    assert d["ihi"]["runs_tested"] is False and "note" in d


def test_mr_chart_never_has_a_runs_signal():
    a = analyze([1, 1, 1, 1, 1, 1, 1, 1, 1, 9, 9, 9, 9, 9, 9, 9, 9, 9], chart="mr")
    assert not a.runs_signal.any() and not a.parts[0].runs_signal


# ---- validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "index", "field", "words"),
    [
        ({"y": [1, 2, 0], "chart": "t"}, 2, "y", "above 0"),
        ({"y": [1, -2], "chart": "t"}, 1, "y", "above 0"),
        ({"y": [1, 2], "n": [10, 0], "chart": "p"}, 1, "n", "above 0"),
        ({"y": [1, 2], "n": [-5, 10], "chart": "u"}, 0, "n", "above 0"),
        ({"y": [1, 12], "n": [10, 10], "chart": "p"}, 1, "y", "greater than the denominator"),
        ({"y": [1, -1], "chart": "c"}, 1, "y", "0 or more"),
        ({"y": [1, np.inf], "chart": "i"}, 1, "y", "finite"),
    ],
)
def test_bad_values_name_the_row_and_field(kwargs, index, field, words):
    with pytest.raises(InvalidValue) as err:
        analyze(**kwargs)
    assert (err.value.index, err.value.field) == (index, field)
    assert words in str(err.value) and f"row {index + 1}" in str(err.value)


def test_non_numeric_values_are_refused():
    with pytest.raises(InvalidValue) as err:
        analyze([1, "two", 3])
    assert err.value.index == 1 and "not a number" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"y": [1, 2], "chart": "p"}, "needs denominators"),
        ({"y": [1, 2, 3], "chart": "xbar"}, "several rows sharing the same x"),
        ({"y": [1, 2, 3], "chart": "s"}, "several rows sharing the same x"),
        ({"y": [1, 2], "chart": "pie"}, "unknown chart"),
        ({"y": [1, 2], "rules": "nelson"}, "unknown rules"),
        ({"y": [1, 2], "chart": "i", "rules": "ihi"}, "run charts"),
        ({"y": [1, 2], "chart": "run", "rules": "mdc"}, "XmR"),
        ({"y": [1, 2], "chart": "i", "target": 3}, "Making Data Count"),
        ({"y": [1, 2], "multiply": 0}, "multiply"),
        ({"y": [], "chart": "i"}, "no data"),
    ],
)
def test_bad_requests(kwargs, words):
    with pytest.raises(InvalidInput, match=words):
        analyze(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "option"),
    [
        ({"part": [0]}, "part"), ({"part": [4]}, "part"), ({"exclude": [5]}, "exclude"),
        ({"exclude": [0]}, "exclude"), ({"freeze": 0}, "freeze"), ({"part": [1.5]}, "part"),
    ],
)  # fmt: skip
def test_positions_out_of_range(kwargs, option):
    with pytest.raises(PositionError) as err:
        analyze([1, 2, 3, 4], chart="i", **kwargs)
    assert err.value.option == option


# ---- the document ----------------------------------------------------------------------


def test_document_has_exactly_the_documented_keys():
    x = np.array(["2018-01-01", "2018-01-08", "2018-01-15"], dtype="datetime64[D]")
    d = to_dict(analyze([12, 9, 14], n=[100, 90, 100], x=x, chart="p"))
    assert list(d) == ["chart", "rules", "parts", "points"]
    part_keys = ["part", "n_obs", "n_useful", "longest_run", "longest_run_max", "n_crossings",
                 "n_crossings_min", "runs_signal", "cl", "sigma_signals", "signals"]  # fmt: skip
    assert list(d["parts"][0])[: len(part_keys)] == part_keys
    point_keys = ["x", "y", "n", "cl", "lcl", "ucl", "part", "baseline", "include",
                  "sigma_signal", "runs_signal"]  # fmt: skip
    assert list(d["points"][0])[: len(point_keys)] == point_keys
    assert d["points"][0]["x"] == "2018-01-01" and d["points"][0]["n"] == 100
    assert d["points"][0]["y"] == 0.12
    json.dumps(d, allow_nan=False)  # no NaN anywhere: missing values are null


def test_document_for_mdc_adds_point_type_variation_and_assurance():
    d = to_dict(analyze([1, 2, 3, 2, 1] * 3, chart="i", rules="mdc", target=10))
    assert d["points"][0]["point_type"] == "common_cause"
    assert d["parts"][0]["variation_type"] == "common_cause"
    assert d["parts"][0]["assurance_type"] == "consistent_fail"
    no_target = to_dict(analyze([1, 2, 3, 2, 1] * 3, chart="i", rules="mdc"))
    assert "assurance_type" not in no_target["parts"][0]


def test_missing_values_become_null():
    d = to_dict(analyze([1, NA, 3], chart="run"))
    assert d["points"][1]["y"] is None and d["points"][0]["lcl"] is None
    assert d["points"][0]["n"] is None
