"""The chart renderer: the Figure's artists (lines, markers, texts and where they are) and
the files written, rather than pixels."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.colors import to_hex
from PIL import Image

from qi import charts
from qi.analysis import analyze
from qi.charts import Annotation, ChartSpec, caption_text, figure, place_rows, render, save
from qi.errors import Conflict, InvalidInput

NA = np.nan
# Baseline around 8.5, then a sustained drop: a long run below the frozen median.
DNA = [8.5, 8.8, 8.2, 7.6, 8.0, 7.5, 8.6, 9.8, 8.0, 7.9, 9.0, 8.9,
       7.6, 6.0, 6.6, 4.8, 5.6, 4.3, 4.8, 4.3, 5.8, 4.9, 6.2, 6.1]  # fmt: skip


def weeks(n: int, start: str = "2018-01-01") -> np.ndarray:
    return np.datetime64(start, "D") + np.arange(n) * 7


def months(n: int, year: int = 2017) -> np.ndarray:
    return np.array([np.datetime64(f"{year + m // 12}-{m % 12 + 1:02d}-01", "D") for m in range(n)])


def by_gid(fig, prefix: str) -> list:
    """Every artist (in the axes and the figure) whose gid starts with ``prefix``."""
    found = []
    for artist in fig.findobj(lambda a: (a.get_gid() or "").startswith(prefix)):
        if artist not in found:
            found.append(artist)
    return found


def one(fig, gid: str):
    (artist,) = [a for a in by_gid(fig, gid) if a.get_gid() == gid]
    return artist


def text_of(fig, prefix: str) -> str:
    return " ".join(t.get_text() for t in by_gid(fig, prefix + "-"))


def mark_xs(fig, kind: str = "cycle") -> list[float]:
    """The dates (x) of the thin lines drawn through the plot for cycles or notes."""
    return sorted(seg[0][0] for lc in by_gid(fig, f"{kind}-line") for seg in lc.get_segments())


def dnum(d) -> float:
    return float(mdates.date2num(np.datetime64(d, "D")))


def spec_for(analysis, **kw) -> ChartSpec:
    kw.setdefault("title", "DNA rate")
    kw.setdefault("period", "week")
    return ChartSpec(analysis, **kw)


@pytest.fixture(scope="module")
def run_fig():
    """A run chart frozen after 12 weeks with three cycles and a note."""
    x = weeks(24)
    a = analyze(DNA, x=x, chart="run", freeze=12)
    anns = (
        Annotation(date(2018, 3, 28), "dna-rate#1", "SMS reminders, one nurse"),
        Annotation(date(2018, 4, 11), "dna-rate#2", "SMS reminders, all nurses"),
        Annotation(np.datetime64("2018-05-02"), "dna-rate#3", "Reception script"),
        Annotation(date(2018, 4, 20), "N1", "Practice closed for refurbishment", "note"),
    )
    spec = spec_for(
        a,
        subtitle="Reduce nurse DNAs · North Barnet · Reduce the DNA rate from 8% to 5%",
        caption_source="Source: EMIS search 12; generated 2026-11-27",
        annotations=anns,
        unit="%",
    )
    return a, spec, figure(spec)


# ---- what is drawn ------------------------------------------------------------------


def test_the_data_line_is_the_analysis(run_fig):
    a, _, fig = run_fig
    line = one(fig, "data")
    np.testing.assert_array_equal(line.get_xdata(), mdates.date2num(a.x))
    np.testing.assert_array_equal(line.get_ydata(), a.y)
    assert line.get_marker() == "o" and line.get_linestyle() == "-"


def test_a_frozen_centre_line_is_solid_then_dashed(run_fig):
    a, _, fig = run_fig
    base, ext = one(fig, "centre-1-baseline"), one(fig, "centre-1-extended")
    assert base.get_linestyle() == "-" and ext.get_linestyle() == "--"
    x = mdates.date2num(a.x)
    assert base.get_xdata()[0] == x[0] and base.get_xdata()[-1] == x[11]
    # the extension starts where the baseline ends, so the two join up
    assert ext.get_xdata()[0] == x[11] and ext.get_xdata()[-1] == x[-1]
    assert set(base.get_ydata()) == set(ext.get_ydata()) == {a.parts[0].cl}
    assert one(fig, "freeze").get_segments()[0][0][0] == pytest.approx((x[11] + x[12]) / 2)


def test_a_run_chart_has_no_limits(run_fig):
    _, _, fig = run_fig
    assert by_gid(fig, "ucl") == [] and by_gid(fig, "lcl") == []


def test_runs_signal_points_and_centre_line_in_the_signal_colour(run_fig):
    a, _, fig = run_fig
    (signal,) = [s for s in a.signals if s.rule == "longest_run"]
    points = one(fig, "signal-run")
    expected = mdates.date2num(a.x[signal.start - 1 : signal.end])
    np.testing.assert_array_equal(points.get_xdata(), expected)
    assert to_hex(points.get_markerfacecolor()) == charts.PALETTE["run"].lower()
    assert points.get_marker() == "D"  # not colour alone
    assert to_hex(one(fig, "centre-1-baseline").get_color()) == charts.PALETTE["run"].lower()
    assert by_gid(fig, "signal-sigma") == []


def test_annotation_markers_stand_at_their_dates(run_fig):
    _, _, fig = run_fig
    assert mark_xs(fig, "cycle") == [dnum("2018-03-28"), dnum("2018-04-11"), dnum("2018-05-02")]
    for lc in by_gid(fig, "cycle-line"):  # from the bottom of the plot to its top
        assert all((seg[0][1], seg[1][1]) == (0.0, 1.0) for seg in lc.get_segments())
    assert mark_xs(fig, "note") == [dnum("2018-04-20")]


def test_labels_are_short_and_the_key_gives_titles_and_dates(run_fig):
    _, _, fig = run_fig
    labels = [t.get_text() for t in by_gid(fig, "label-")]
    assert labels == ["#1", "#2", "N1", "#3"]  # by date
    key = [t.get_text() for t in by_gid(fig, "key-")]
    assert key[0].startswith("#1") and "28 Mar 2018  SMS reminders, one nurse" in key[0]
    assert "N1" in key[2] and "20 Apr 2018  Practice closed for refurbishment" in key[2]


def test_labels_sit_above_their_markers(run_fig):
    """Each label's leader drops from under the label onto the top of the plot at its
    mark's date, and no leader crosses any text."""
    _, _, fig = run_fig
    lay = charts.layout_of(fig)
    top = lay["plot"][1]
    ax = fig.axes[0]
    H = lay["height"]
    marks = sorted(ax.transData.transform((x, 0))[0] for x in mark_xs(fig, "cycle")
                   + mark_xs(fig, "note"))  # fmt: skip
    labels = sorted((t["box"] for t in lay["texts"] if t["role"] == "annotation"),
                    key=lambda b: b[0])  # fmt: skip
    assert len(labels) == len(marks) == 4
    for box, x in zip(labels, marks, strict=True):
        assert box[3] <= top and box[0] <= x <= box[2]
        assert any(abs(s[0] - x) < 1 and abs(s[3] - top) < 1 or abs(s[2] - x) < 1
                   and abs(s[3] - top) < 1 for s in lay["leaders"])  # fmt: skip
    assert charts.boxes.problems(lay) == []
    assert H == 1125
def test_title_subtitle_and_legend(run_fig):
    _, _, fig = run_fig
    assert text_of(fig, "title") == "DNA rate"
    assert "North Barnet" in text_of(fig, "subtitle")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "Measurements"
    assert "Median (runs signal)" in legend and "PDSA cycle started" in legend
    assert "Note" in legend and "End of the baseline" in legend
    assert not any("limits" in t for t in legend)


def test_the_caption_counts_points_and_names_the_rule_results(run_fig):
    a, spec, fig = run_fig
    text = caption_text(spec)
    assert text.startswith("24 points from 1 Jan 2018 to 11 Jun 2018.")
    median = charts.spec.fixed(a.parts[0].cl, charts.spec.value_decimals(spec))
    assert f"Median {median}% from the first 12 points, extended" in text
    assert "Anhøj rules — too few crossings: only " in text
    assert "; long run: 12 points in a row below the centre line from 26 Mar 2018 to " in text
    assert "suggests a shift" not in text  # the threshold's explanation is left out
    assert text.endswith("Source: EMIS search 12; generated 27 Nov 2026")
    assert " ".join(text_of(fig, "caption").split()) == text


def test_no_signals_said_in_words():
    a = analyze([5, 6, 5, 7, 6, 5, 6, 7, 5, 6], chart="run")
    assert "Anhøj rules: no signals, only the variation expected by chance." in caption_text(
        ChartSpec(a, "x")
    )
    few = caption_text(ChartSpec(analyze([5, 6, 5]), "x"))
    assert "no signals, but with only 3 points few patterns could show yet." in few


def test_target_assurance_in_words():
    y = [30, 31, 29, 32, 30, 31, 29, 30, 31, 32, 30, 29]
    a = analyze(y, chart="i", rules="mdc", improvement="down", target=20)
    assert a.parts[-1].assurance_type == "consistent_fail"
    text = caption_text(ChartSpec(a, "Calls", target=20))
    assert "Target assurance: the process limits are on the wrong side of the target" in text


@pytest.mark.slow
def test_nothing_is_drawn_outside_the_figure(run_fig):
    _, _, fig = run_fig
    fig.canvas.draw()  # the legend lays out its texts when drawn
    renderer = fig.canvas.get_renderer()
    page = fig.bbox
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]
    texts = [t for t in texts if t.get_visible()]
    for t in texts:
        box = t.get_window_extent(renderer)
        assert page.x0 <= box.x0 and box.x1 <= page.x1 + 0.5, t.get_text()
        assert page.y0 <= box.y0 and box.y1 <= page.y1 + 0.5, t.get_text()


# ---- SPC charts ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def p_fig():
    """A p chart in percent: three phases, each frozen after 6 months, and a target."""
    rng = np.random.default_rng(3)
    n = rng.integers(80, 140, 36)
    y = rng.binomial(n, np.repeat([0.09, 0.07, 0.05], 12))
    a = analyze(y, n=n, x=months(36), chart="p", part=[12, 24], freeze=6, multiply=100)
    spec = spec_for(a, target=5.0, percent=True, period="month", y_label="DNA rate")
    return a, spec, figure(spec)


def test_each_part_has_its_own_centre_line_and_limits(p_fig):
    a, _, fig = p_fig
    x = mdates.date2num(a.x)
    for p in a.parts:
        base, ext = one(fig, f"centre-{p.part}-baseline"), one(fig, f"centre-{p.part}-extended")
        assert base.get_xdata()[0] == x[p.start - 1] and ext.get_xdata()[-1] == x[p.end - 1]
        assert base.get_ydata()[0] == pytest.approx(a.cl[p.start - 1])
        ucl = one(fig, f"ucl-{p.part}")
        np.testing.assert_array_equal(ucl.get_ydata(), a.ucl[p.start - 1 : p.end])
        assert ucl.get_drawstyle() == "steps-mid"  # limits vary with the denominator
        np.testing.assert_array_equal(one(fig, f"lcl-{p.part}").get_xdata(), x[p.start - 1 : p.end])
    phases = [seg[0][0] for seg in one(fig, "phases").get_segments()]
    assert phases == pytest.approx([(x[11] + x[12]) / 2, (x[23] + x[24]) / 2])


def test_target_line_and_value_labels(p_fig):
    _, _, fig = p_fig
    target = one(fig, "target")
    assert set(target.get_ydata()) == {5.0}
    values = [t.get_text() for t in by_gid(fig, "value")]
    # one number format on the axis: the target reads like the centre line and limits
    assert "Target 5.0%" in values and all(v.rstrip("%").split()[-1].count(".") == 1
                                           for v in values)  # fmt: skip


def test_percent_axis(p_fig):
    _, _, fig = p_fig
    ax = fig.axes[0]
    fmt = ax.yaxis.get_major_formatter()
    assert isinstance(fmt, ticker.PercentFormatter)
    assert fmt(12.5) == "12.5%" and fmt(10.0) == "10%"
    assert ax.get_ylabel() == "DNA rate"


def test_few_points_get_a_tick_each():
    a = analyze([3, 4, 5, 4, 6], x=weeks(5), chart="run")
    ax = figure(spec_for(a)).axes[0]
    locs = ax.xaxis.get_majorticklocs()
    np.testing.assert_array_equal(locs, mdates.date2num(a.x))
    labels = ax.xaxis.get_major_formatter().format_ticks(locs)
    assert labels[:2] == ["1 Jan 2018", "8 Jan 2018"]


def test_month_axis_labels(p_fig):
    _, _, fig = p_fig
    ax = fig.axes[0]
    labels = ax.xaxis.get_major_formatter().format_ticks(ax.xaxis.get_majorticklocs())
    assert labels and all(len(s.split()) == 2 for s in labels)  # 'Jan 2018'
    assert "Jan 2018" in labels


def test_caption_of_phases(p_fig):
    _, spec, _ = p_fig
    text = caption_text(spec)
    assert "in phase 1 (1 Jan 2017 to 1 Dec 2017)" in text
    assert "each from the first 6 points of its phase, extended" in text
    assert "Anhøj rules and 3-sigma limits" in text


def test_sigma_signal_points():
    y = [10, 11, 9, 10, 12, 10, 9, 11, 10, 30, 10, 11]
    a = analyze(y, x=weeks(12), chart="i")
    fig = figure(spec_for(a))
    points = one(fig, "signal-sigma")
    np.testing.assert_array_equal(points.get_xdata(), mdates.date2num(a.x[a.sigma_signal]))
    assert points.get_marker() == "s"
    assert to_hex(points.get_markerfacecolor()) == charts.PALETTE["sigma"].lower()
    assert by_gid(fig, "ucl-1") and by_gid(fig, "lcl-1")


def test_making_data_count_point_types():
    y = [30, 31, 29, 32, 30, 31, 29, 30, 31, 32, 30, 29,
         24, 23, 22, 24, 23, 22, 21, 23, 22, 24]  # fmt: skip
    a = analyze(y, x=weeks(len(y)), chart="i", rules="mdc", improvement="down")
    fig = figure(spec_for(a, unit="calls"))
    types = np.asarray(a.point_type, dtype=object)
    for name, marker in (("improvement", "o"), ("concern", "s")):
        mask = types == f"special_cause_{name}"
        assert mask.any()
        points = one(fig, f"signal-{name}")
        np.testing.assert_array_equal(points.get_xdata(), mdates.date2num(a.x[mask]))
        assert points.get_marker() == marker
        assert to_hex(points.get_markerfacecolor()) == charts.PALETTE[name].lower()
    assert by_gid(fig, "signal-run") == [] and by_gid(fig, "signal-sigma") == []
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Process limits" in legend and "Special cause: improvement" in legend
    text = caption_text(spec_for(a), max_signals=10)
    assert "Making Data Count rules — " in text
    assert (
        "shift: 10 points below the mean from 26 Mar 2018 to 28 May 2018 (special cause "
        "improvement)" in text
    )


def test_a_point_in_a_run_and_outside_the_limits_is_shown_as_outside():
    # after a frozen baseline, nine points above the centre line, one of them far above
    y = [10, 11, 9, 10, 12, 10, 9, 11, 10, 10, 12, 12, 13, 30, 12, 13, 12, 12, 13]
    a = analyze(y, chart="i", freeze=10)
    assert [(s.rule, s.start, s.end) for s in a.signals] == [
        ("longest_run", 11, 19),
        ("sigma", 14, 14),
    ]
    masks = charts.signal_points(a)
    np.testing.assert_array_equal(np.flatnonzero(masks["sigma"]), [13])
    np.testing.assert_array_equal(np.flatnonzero(masks["run"]), [10, 11, 12, 14, 15, 16, 17, 18])
    fig = figure(ChartSpec(a, "x"))
    assert list(one(fig, "signal-sigma").get_xdata()) == [14.0]
    assert 14.0 not in one(fig, "signal-run").get_xdata()


def test_excluded_points_are_hollow():
    a = analyze([5, 6, 5, 7, 6, 5, 6, 7, 5, 6], chart="i", exclude=[3, 7])
    fig = figure(ChartSpec(a, "x"))
    excluded = one(fig, "excluded")
    assert list(excluded.get_xdata()) == [3.0, 7.0]
    assert excluded.get_markerfacecolor() in ("white", (1.0, 1.0, 1.0, 1.0))


# ---- annotations -----------------------------------------------------------------------


@pytest.mark.slow
def test_forty_cycles_labels_never_overlap():
    x = weeks(80, "2017-01-02")
    a = analyze(np.random.default_rng(5).normal(50, 6, 80), x=x, chart="i")
    rng = np.random.default_rng(9)
    # clustered on purpose: several cycles in the same weeks
    days = np.sort(rng.choice(80, 40)) * 7 + rng.integers(0, 7, 40)
    anns = tuple(
        Annotation(np.datetime64("2017-01-02") + int(d), f"flu#{k + 1}", f"Change {k + 1}")
        for k, d in enumerate(days)
    )
    fig = figure(spec_for(a, annotations=anns))
    lay = charts.layout_of(fig)
    assert charts.boxes.problems(lay) == []
    labels = [t["text"] for t in lay["texts"] if t["role"] == "annotation"]
    assert 1 < len(labels) < 40  # cycles close together share a bracket
    # every cycle is in the key (where the figure has room for it)
    key = " ".join(t["text"] for t in lay["texts"] if t["role"] == "key")
    listed = [k for k in range(1, 41) if f"#{k}\u2007" in key or f"#{k} " in key]
    assert len(listed) == 40 or "more (qi cycle list)" in key
    # every date is still marked: by a line, or by a tick under a group's bracket
    drawn = set(mark_xs(fig, "cycle"))
    bands = by_gid(fig, "cycle-band")
    for d in mdates.date2num(np.datetime64("2017-01-02") + days.astype(int)):
        assert d in drawn or any(b.get_x() <= d <= b.get_x() + b.get_width() for b in bands)


def test_place_rows_never_overlaps():
    rng = np.random.default_rng(1)
    for _ in range(50):
        n = int(rng.integers(1, 60))
        centres = np.sort(rng.random(n))
        widths = rng.uniform(0.01, 0.08, n)
        placed = place_rows(centres, widths, gap=0.005, max_rows=4)
        rows: dict[int, list] = {}
        for (row, left), w in zip(placed, widths, strict=True):
            assert left >= 0
            rows.setdefault(row, []).append((left, left + w))
        for spans in rows.values():
            spans.sort()
            assert all(a[1] + 0.005 <= b[0] + 1e-12 for a, b in zip(spans, spans[1:], strict=False))


def test_place_rows_keeps_labels_over_their_marks_when_there_is_room():
    placed = place_rows([0.1, 0.105, 0.5], [0.04, 0.04, 0.04], gap=0.01)
    assert placed == [(0, pytest.approx(0.08)), (1, pytest.approx(0.085)), (0, 0.48)]


def test_annotations_outside_the_data_are_listed_not_drawn():
    a = analyze(DNA, x=weeks(24), chart="run")
    anns = (
        Annotation(date(2017, 6, 1), "p#1", "Before anything"),
        Annotation(date(2018, 3, 1), "p#2", "In range"),
        Annotation(date(2019, 1, 1), "p#3", "Planned for next year"),
    )
    fig = figure(spec_for(a, annotations=anns))
    assert mark_xs(fig, "cycle") == [dnum("2018-03-01")]
    key = [t.get_text() for t in by_gid(fig, "key-")]
    assert key[0].endswith("Before anything (not drawn: before the data)")
    assert key[2].endswith("Planned for next year (not drawn: after the data)")
    assert [t.get_text() for t in by_gid(fig, "label-")] == ["#2"]


def test_short_labels_fall_back_when_they_would_clash():
    anns = [Annotation(1, "dna#1", "a"), Annotation(2, "calls#1", "b"), Annotation(3, "x#2", "c")]
    assert charts._short_labels(anns) == ["dna#1", "calls#1", "#2"]


def test_numbered_points_and_numeric_annotations():
    a = analyze([3, 5, 4, 6, 5, 7, 6, 8], chart="i")
    fig = figure(ChartSpec(a, "Numbered", annotations=(Annotation(4, "N1", "note", "note"),)))
    assert mark_xs(fig, "note") == [4.0]
    np.testing.assert_array_equal(one(fig, "data").get_xdata(), np.arange(1, 9))
    with pytest.raises(InvalidInput, match="numbered, not dated"):
        figure(ChartSpec(a, "x", annotations=(Annotation(date(2018, 1, 1), "N1", "x"),)))


def test_no_annotations_means_no_strip_or_key():
    a = analyze(DNA, x=weeks(24), chart="run")
    fig = figure(spec_for(a))
    assert by_gid(fig, "label-") == [] and by_gid(fig, "key-") == []
    assert by_gid(fig, "cycles") == []


# ---- edge cases ----------------------------------------------------------------------


def test_no_data_is_a_clear_error():
    a = analyze([NA, NA, NA], x=weeks(3), chart="run")
    with pytest.raises(InvalidInput, match="'Empty measure' has no values to chart yet"):
        figure(ChartSpec(a, "Empty measure"))


@pytest.mark.parametrize(
    "values, chart",
    [([4.0], "run"), ([4.0], "i"), ([5.0] * 12, "run"), ([5.0] * 12, "i"),
     ([NA, 3, NA, 4, 5, NA, 6, 7], "run"), ([0.0] * 6, "c")],
)  # fmt: skip
@pytest.mark.slow
def test_edge_cases_draw_a_chart(values, chart):
    a = analyze(values, x=weeks(len(values)), chart=chart)
    fig = figure(spec_for(a, target=4.5))
    lo, hi = fig.axes[0].get_ylim()
    assert lo < hi and np.isfinite([lo, hi]).all()
    assert render(fig, "png")[:8] == b"\x89PNG\r\n\x1a\n"


def test_all_equal_values_get_a_sensible_range():
    a = analyze([5.0] * 12, x=weeks(12), chart="run")
    lo, hi = figure(spec_for(a)).axes[0].get_ylim()
    assert lo < 5 < hi and hi - lo >= 1


def test_a_missing_period_breaks_the_line_and_is_counted():
    x = np.concatenate([weeks(6), weeks(6, "2018-03-05")])  # 4 weeks missing in between
    a = analyze(np.arange(12.0), x=x, chart="run")
    spec = spec_for(a)
    fig = figure(spec)
    ydata = one(fig, "data").get_ydata()
    assert len(ydata) == 13 and np.isnan(ydata[6])
    assert "12 points from 1 Jan 2018 to 9 Apr 2018 (3 missing)." in text_of(fig, "caption")
    # without a period, irregular dates are simply joined
    assert len(one(figure(spec_for(a, period=None)), "data").get_ydata()) == 12


def test_spec_validation():
    a = analyze([1, 2, 3])
    with pytest.raises(InvalidInput, match="period"):
        ChartSpec(a, "x", period="year")
    with pytest.raises(InvalidInput, match="width"):
        ChartSpec(a, "x", width=0)
    with pytest.raises(InvalidInput, match="between 2 and 60"):
        ChartSpec(a, "x", width=100)
    with pytest.raises(InvalidInput, match="kind"):
        Annotation(1, "N1", "x", "memo")


def test_a_small_figure_scales_its_fonts():
    a = analyze(DNA, x=weeks(24), chart="run")
    big = figure(spec_for(a))
    small = figure(spec_for(a, width=6.4, height=3.6, dpi=100))
    assert small.get_size_inches() == pytest.approx((6.4, 3.6))
    assert one(small, "title-1").get_fontsize() < one(big, "title-1").get_fontsize()


# ---- files -----------------------------------------------------------------------------


@pytest.mark.slow
def test_png_svg_pdf_files_are_valid(run_fig, tmp_path):
    _, spec, fig = run_fig
    png = save(fig, tmp_path / "a" / "b" / "chart.png")  # missing folders are created
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(png) as im:
        assert im.size == (2000, 1125)
    svg = save(fig, tmp_path / "chart.svg")
    root = ET.fromstring(svg.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = {el.get("id") for el in root.iter()}
    assert {"data", "cycles", "label-1", "caption-1"} <= ids
    pdf = save(fig, tmp_path / "chart.out", fmt="pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and b"%%EOF" in pdf.read_bytes()[-32:]


@pytest.mark.slow
def test_the_same_spec_gives_identical_svg_and_pdf(run_fig):
    _, spec, _ = run_fig
    assert render(spec, "svg") == render(spec, "svg")
    assert render(spec, "pdf") == render(spec, "pdf")
    assert b"<dc:date>" not in render(spec, "svg")


def test_never_overwrites_without_being_told(run_fig, tmp_path):
    _, _, fig = run_fig
    path = tmp_path / "out" / "chart.svg"
    path.parent.mkdir()
    path.write_text("keep me")
    with pytest.raises(Conflict, match="already exists; use --force"):
        save(fig, path)
    assert path.read_text() == "keep me"
    save(fig, path, overwrite=True)
    assert path.read_bytes().lstrip().startswith(b"<?xml")
    assert [p.name for p in path.parent.iterdir()] == ["chart.svg"]  # no temporary left


def test_format_errors(run_fig, tmp_path):
    _, _, fig = run_fig
    with pytest.raises(InvalidInput, match=r"ends in \.png but the format asked for is svg"):
        save(fig, tmp_path / "c.png", fmt="svg")
    with pytest.raises(InvalidInput, match="cannot tell the chart format"):
        save(fig, tmp_path / "c.jpeg")
    with pytest.raises(InvalidInput, match="unknown chart format"):
        render(fig, "gif")
    with pytest.raises(InvalidInput, match="is a folder"):
        save(fig, tmp_path, fmt="png", overwrite=True)


def test_png_pixels_match_dpi_and_size():
    a = analyze(DNA, x=weeks(24), chart="run")
    data = render(spec_for(a, width=8, height=4.5, dpi=100), "png")
    with Image.open(io.BytesIO(data)) as im:
        assert im.size == (800, 450)


def test_ten_cycles_with_long_titles_leave_the_plot_most_of_the_room():
    x = weeks(200, "2015-01-05")
    a = analyze(np.random.default_rng(2).normal(50, 5, 200), x=x, chart="run", freeze=20)
    anns = tuple(
        Annotation(x[20 + 18 * k], f"dna-rate#{k + 1}",
                   f"Change idea {k + 1}: SMS reminders for patients of nurse clinic {k + 1}")
        for k in range(10)
    )  # fmt: skip
    fig = figure(spec_for(a, subtitle="Project · Team · Aim", annotations=anns))
    assert fig.axes[0].get_position().height >= 0.4
    key = [t.get_text() for t in by_gid(fig, "key-")]
    assert len(key) == 10 and not any("…" in k for k in key)  # whole titles, in columns
    assert len({round(t.get_position()[0], 3) for t in by_gid(fig, "key-")}) == 2


def test_on_monthly_data_the_baseline_ends_before_the_cycle_that_ended_it():
    """The baseline ends the day before cycle #1 (15 Mar); halfway between the March and
    April points would put its line after #1's."""
    a = analyze(np.arange(12.0) % 5, x=months(12, 2018), chart="run", freeze=3)
    spec = spec_for(a, period="month", baseline_end=date(2018, 3, 14),
                    annotations=(Annotation(date(2018, 3, 15), "p#1", "First test"),))
    fig = figure(spec)
    (freeze,) = by_gid(fig, "freeze")
    at = freeze.get_segments()[0][0][0]
    assert dnum("2018-03-01") < at < mark_xs(fig, "cycle")[0] == dnum("2018-03-15")


def test_a_provisional_baseline_is_said_under_the_title_and_in_the_caption():
    a = analyze(DNA, x=weeks(24), chart="i", freeze=5)
    spec = spec_for(a, provisional="Provisional: baseline of 5 points; limits need 12")
    fig = figure(spec)
    assert text_of(fig, "subtitle").startswith("Provisional: baseline of 5 points")
    assert "Provisional: baseline of 5 points; limits need 12." in caption_text(spec)


def test_zoom_keeps_the_numbers_of_the_whole_series():
    a = analyze(DNA, x=weeks(24), chart="i", freeze=12)
    whole, zoom = spec_for(a), spec_for(a, window=(date(2018, 3, 5), date(2018, 4, 30)))
    fig = figure(zoom)
    lo, hi = fig.axes[0].get_xlim()
    assert dnum("2018-02-26") < lo < dnum("2018-03-05") and dnum("2018-04-30") < hi
    # the same centre line and limits as the whole chart, said so in the caption
    assert caption_text(zoom).startswith("9 points from 5 Mar 2018 to 30 Apr 2018, a window "
                                         "of all 24")
    assert caption_text(zoom).split(". ", 2)[1] == caption_text(whole).split(". ", 2)[1]


def test_lane_places_any_marks_without_overlaps_or_leaders_through_labels():
    from types import SimpleNamespace

    from qi.charts import lane

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 60))
        xs = np.sort(rng.choice(rng.uniform(0, 11, n), n))  # repeats: marks on the same day
        marks = [SimpleNamespace(x=float(x), label=f"#{k + 1}", kind="cycle")
                 for k, x in enumerate(xs)]  # fmt: skip
        placed = lane.place(marks, lambda x: x, lambda t: 0.1 + 0.08 * len(t), 11.0, 0.12)
        assert sorted(m.label for p in placed for m in p.group.marks) == sorted(
            m.label for m in marks)
        for p in placed:
            assert 0 <= p.left and p.left + p.width <= 11.0 + 1e-9 and p.row < lane.MAX_ROWS
            assert p.left <= p.leader <= p.left + p.width
            assert p.group.x0 - 1e-9 <= p.leader <= p.group.x1 + 1e-9
            for q in placed:
                if q is p:
                    continue
                if q.row == p.row:
                    assert q.left + q.width <= p.left or p.left + p.width <= q.left
                if q.row < p.row:  # a leader from an upper row passes between lower labels
                    assert not (q.left < p.leader < q.left + q.width)


def test_lane_labels_of_groups():
    from qi.charts.lane import group_label

    assert group_label(["#4", "#5", "#6", "#7"], []) == "#4–#7"
    assert group_label(["#4", "#6"], ["N1"]) == "#4, #6, N1"
    assert group_label(["#4", "#6", "#9"], []) == "#4…#9 (3)"
    assert group_label([], ["N1", "N2", "N3"]) == "N1–N3"


def test_a_title_cut_short_is_given_in_full_in_the_caption():
    a = analyze(DNA, x=weeks(24), chart="run")
    name = "Proportion of eligible patients " * 8 + "with a review"
    fig = figure(spec_for(a, title=name))
    title = text_of(fig, "title")
    assert title.endswith("…") and len(title) < len(name)
    assert " ".join(text_of(fig, "caption").split()).startswith(" ".join(name.split()) + ".")
    short = figure(spec_for(a))
    assert text_of(short, "caption").startswith("24 points")
