"""Making Data Count icons and dated targets drawn on charts (checked through the Figure)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from matplotlib import dates as mdates

from qi.analysis import analyze
from qi.charts import ChartSpec, figure, render
from qi.reports import _icons

DNA = [8.5, 8.8, 8.2, 7.6, 8.0, 7.5, 8.6, 9.8, 8.0, 7.9, 9.0, 8.9,
       7.6, 6.0, 6.6, 4.8, 5.6, 4.3, 4.8, 4.3, 5.8, 4.9, 6.2, 6.1]  # fmt: skip
X = np.datetime64("2018-01-01") + np.arange(24) * 7


def _icon_axes(fig):
    return {ax.get_gid(): ax for ax in fig.axes if (ax.get_gid() or "").startswith("icon-")}


@pytest.mark.parametrize("names", [("improvement_low", "hit_and_miss"), ("common_cause",),
                                   ("concern_high", "fail"), ("neutral_low", "pass")])
@pytest.mark.slow
def test_icons_are_drawn_top_right_in_their_colours(names):
    a = analyze(DNA, x=X, chart="i", freeze=12)
    fig = figure(ChartSpec(a, title="DNA rate", period="week", icons=names))
    found = _icon_axes(fig)
    assert list(found) == [f"icon-{n}" for n in reversed(names)]
    plot = next(ax for ax in fig.axes if ax.get_gid() is None)
    for name, ax in found.items():
        box = ax.get_position()
        assert box.x1 <= 1 and box.y1 <= 1 and box.y0 > plot.get_position().y1  # above the plot
        ring = ax.patches[0]
        assert ring.get_edgecolor()[:3] == pytest.approx(
            tuple(int(_icons.colour(name.removeprefix("icon-"))[k:k + 2], 16) / 255
                  for k in (1, 3, 5)), abs=1e-3)
    # left to right in the order given: variation first, then assurance
    boxes = [found[f"icon-{n}"].get_position().x0 for n in names]
    assert boxes == sorted(boxes)
    assert render(ChartSpec(a, title="DNA rate", period="week", icons=names),
                  "png").startswith(b"\x89PNG")


def test_no_icons_no_icon_axes():
    a = analyze(DNA, x=X, chart="run")
    assert _icon_axes(figure(ChartSpec(a, title="DNA rate", period="week"))) == {}


def test_letters_say_high_and_low_and_pass_and_fail():
    a = analyze(DNA, x=X, chart="i")
    fig = figure(ChartSpec(a, title="T", period="week",
                           icons=("improvement_high", "fail")))
    texts = {g: [t.get_text() for t in ax.texts] for g, ax in _icon_axes(fig).items()}
    assert texts == {"icon-improvement_high": ["H"], "icon-fail": ["F"]}


def test_a_dated_target_is_a_step_line():
    a = analyze(DNA, x=X, chart="i", freeze=12)
    steps = ((None, 8.0), (date(2018, 3, 1), 6.0), (date(2018, 5, 1), 4.5))
    fig = figure(ChartSpec(a, title="DNA", period="week", target=4.5, target_steps=steps))
    (line,) = list(fig.findobj(lambda o: o.get_gid() == "target"))
    xs, ys = line.get_xdata(), line.get_ydata()
    assert list(ys) == [8.0, 8.0, 6.0, 6.0, 4.5, 4.5]
    assert xs[2] == mdates.date2num(np.datetime64("2018-03-01"))
    assert xs[4] == mdates.date2num(np.datetime64("2018-05-01"))
    ax = line.axes
    assert xs[0] == ax.get_xlim()[0] and xs[-1] == ax.get_xlim()[1]
    assert ax.get_ylim()[1] > 8.0 + 0.5  # the earlier, higher target stays in view


def test_stored_measure_charts_carry_icons_and_targets(qi, session, tmp_path):
    qi("team add North", ok=True)
    qi("project add p --title P --team north --aim A", ok=True)
    qi("measure add wait --project p --name Wait --kind outcome --chart i --direction down "
       "--target 9", ok=True)
    rows = ["date,value"] + [f"{d},{v}" for d, v in zip(X, DNA, strict=True)]
    (tmp_path / "w.csv").write_text("\n".join(rows) + "\n")
    qi(f"data import {tmp_path / 'w.csv'} --project p --measure wait", ok=True)
    qi("measure target wait --from 2018-04-01 5", ok=True)
    from qi import charts
    from qi.services import measure_view

    with session(write=False) as s:
        v = measure_view.view(s, "p/wait")
    spec = charts.spec_from_view(v)
    assert spec.target_steps == ((None, 9.0), (date(2018, 4, 1), 5.0))
    assert spec.target == 5.0 and v.target_since == date(2018, 4, 1)
    assert spec.icons == (v.summary["variation"], v.summary["assurance"])
    assert spec.icons[0] == "improvement_low"


def test_icon_letters_keep_their_size_whatever_the_points():
    a = analyze(DNA, x=X, chart="i")
    fig = figure(ChartSpec(a, title="T", period="week", icons=("improvement_low", "pass")))
    sizes = {g: [t.get_fontsize() for t in ax.texts] for g, ax in _icon_axes(fig).items()}
    assert sizes["icon-improvement_low"][0] < 12  # the small H/L under or over the points
    assert sizes["icon-pass"][0] > sizes["icon-improvement_low"][0]
