"""The stress gallery (tests/chart_gallery.py): every generated chart's layout is checked
geometrically from the `layout` the chart reports: no two texts intersect, every text lies
inside the figure, the plot keeps 45 % of the height, no leader line crosses a text."""

from __future__ import annotations

import pytest
from chart_gallery import SCENARIOS, Scenario, spec

from qi.charts import figure, layout_of
from qi.charts.boxes import _crosses, _overlap, problems

pytestmark = pytest.mark.slow  # 53 gallery charts drawn

ROLES = {"title", "subtitle", "ylabel", "xtick", "ytick", "edge-value", "annotation",
         "legend", "key", "caption", "phase"}  # fmt: skip


def test_the_gallery_covers_what_the_issue_asks_for():
    assert len(SCENARIOS) >= 40
    assert len({s.slug for s in SCENARIOS}) == len(SCENARIOS)
    points = [s.points for s in SCENARIOS]
    assert min(points) == 1 and max(points) >= 500
    assert max(s.cycles for s in SCENARIOS) >= 40 and min(s.cycles for s in SCENARIOS) == 0
    assert any(s.cycles >= 15 and s.ramp_days is not None and s.ramp_days <= 10
               for s in SCENARIOS)  # fmt: skip
    assert any(s.notes_with_cycles for s in SCENARIOS)
    lengths = [s.title_len for s in SCENARIOS]
    assert min(lengths) == 1 and max(lengths) >= 200
    assert {"run", "i", "mr", "xbar", "s", "p", "pp", "u", "up", "c", "g", "t"} <= {
        s.chart for s in SCENARIOS}
    assert {1, 2, 3, 4} <= {s.phases for s in SCENARIOS}
    assert any(s.missing for s in SCENARIOS)
    assert any(s.window for s in SCENARIOS) and any(s.planned for s in SCENARIOS)
    assert {"slide", "half", "report"} == {s.size for s in SCENARIOS}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.slug)
def test_gallery_chart_layout_holds(scenario: Scenario):
    fig = figure(spec(scenario))
    lay = layout_of(fig)
    assert problems(lay) == []
    W, H = lay["width"], lay["height"]
    assert (W, H) == (round(fig.get_figwidth() * fig.dpi), round(fig.get_figheight() * fig.dpi))
    roles = {t["role"] for t in lay["texts"]}
    assert roles <= ROLES
    assert {"title", "xtick", "ytick", "legend", "caption"} <= roles
    if scenario.cycles or scenario.notes:
        assert "annotation" in roles and "key" in roles and lay["leaders"]
    x0, y0, x1, y1 = lay["plot"]
    assert 0 <= x0 < x1 <= W and 0 <= y0 < y1 <= H
    assert y1 - y0 >= 0.45 * H


def test_the_checks_catch_what_they_are_for():
    box = [10, 10, 50, 30]
    assert _overlap(box, [40, 20, 60, 40]) and not _overlap(box, [50, 10, 70, 30])
    assert _crosses([30, 0, 30, 100], box) and not _crosses([5, 0, 5, 100], box)
    assert _crosses([0, 0, 60, 40], box) and not _crosses([0, 35, 60, 35], box)
    lay = {"width": 100, "height": 100, "plot": [0, 0, 100, 40],
           "texts": [{"role": "key", "text": "a", "box": box},
                     {"role": "key", "text": "b", "box": [45, 25, 105, 35]}],
           "leaders": [[20, 0, 20, 50]]}  # fmt: skip
    found = problems(lay)
    assert len(found) == 4
    assert any("overlaps" in f for f in found) and any("leaves the figure" in f for f in found)
    assert any("40% of the height" in f for f in found) and any("leader" in f for f in found)


def test_a_ramp_of_rapid_tests_is_one_bracket_listed_in_full_in_the_key():
    sc = Scenario("ramp", points=40, cycles=11, ramp_days=8, notes=1)
    lay = layout_of(figure(spec(sc)))
    labels = [t["text"] for t in lay["texts"] if t["role"] == "annotation"]
    assert "#1–#11" in labels[0] or any("#1–#11" in x for x in labels)
    keys = " ".join(t["text"] for t in lay["texts"] if t["role"] == "key")
    for k in range(1, 12):
        assert f"#{k}\u2007" in keys or f"#{k} " in keys
