"""The figure: draw the plot, measure every block of text, then stack the blocks."""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qi.charts import icons as chart_icons
from qi.charts.draw import (
    _date_axis,
    _draw_annotations,
    _draw_edge_values,
    _draw_plot,
    _edge_values,
    _make_legend,
    _place_key,
    _setup_axes,
    _text_block,
    _ytick_width,
)
from qi.charts.layout import (
    _caption_lines,
    _gaps,
    _Ink,
    _layout_key,
    _marks,
    _series,
    _strip_rows,
    _subtitle_lines,
)
from qi.charts.spec import ChartSpec
from qi.charts.style import _DEFAULT_H, _DEFAULT_W, _RC, PALETTE
from qi.errors import InvalidInput


def figure(spec: ChartSpec) -> Figure:
    """Draw the chart. Raises InvalidInput when there is nothing to draw.

    The returned Figure has an Agg canvas attached; artists carry ``gid``s ("data",
    "centre-1-baseline", "centre-1-extended", "ucl-1", "lcl-1", "target", "signal-run",
    "signal-sigma", "signal-improvement", ..., "excluded", "freeze", "phases", "cycles",
    "notes", "label-3", "value", "legend", and per line of text "title-1", "subtitle-1",
    "key-1", "caption-1") which also become element ids in SVG output.
    """
    a = spec.analysis
    if len(a) == 0 or np.isnan(a.y).all():
        raise InvalidInput(
            f"{spec.title!r} has no values to chart yet"
            if len(a)
            else f"{spec.title!r} has no data to chart"
        )
    with matplotlib.rc_context(_RC):
        return _figure(spec)


def _figure(spec: ChartSpec) -> Figure:
    """Draw the plot, measure every block of text, then stack the blocks top to bottom.

    Layout is computed here in inches from measured text rather than by a layout engine:
    it is exact (labels never clipped), deterministic, and several times faster.
    """
    W, H = spec.width, spec.height
    scale = min(max(min(W / _DEFAULT_W, H / _DEFAULT_H), 0.6), 1.6)
    fig = Figure(figsize=(W, H), dpi=spec.dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ink = _Ink(fig, scale)
    s = _series(spec)
    gaps, missing_periods = _gaps(s, spec.period)
    marks = _marks(spec, s)
    drawn = [m for m in marks if not m.where]

    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    _setup_axes(ax, s, spec, ink)
    pad = 0.3 * scale
    edge = _edge_values(spec)
    left, ax_w = _horizontal(ax, spec, ink, edge, pad)
    if s.dates:
        _date_axis(ax, s, spec, ink, ax_w)
    legend = _draw_plot(ax, s, spec, gaps, drawn)

    text_w = W - 2 * pad
    icon_size = 0.62 * scale
    head_w = text_w - chart_icons.width(spec.icons, icon_size)
    title = [ink.fit(" ".join(spec.title.split()), head_w, ink.size("title"), "bold")]
    sub_lines = _subtitle_lines(spec, ink, head_w)
    strip = _strip_rows(drawn, ink, ax_w, s)
    n_rows = 1 + max((r for r, _ in strip), default=-1)
    row_h = ink.line(ink.size("strip"), 1.45)
    leg = _make_legend(fig, legend, ink, text_w)
    key = _layout_key(marks, ink, text_w, H)
    cap_size = ink.size("caption")
    cap_lines = _caption_lines(spec, ink, text_w, cap_size, missing_periods)

    # ---- heights, top to bottom (inches)
    gap = 0.12 * scale
    title_h = ink.line(ink.size("title"), 1.25)
    sub_h = len(sub_lines) * ink.line(ink.size("subtitle"), 1.3)
    strip_h = n_rows * row_h + (0.1 * scale if n_rows else 0.0)
    xtick_h = ink.line(ink.size("ticks"), 1.0) + 0.2 * scale
    leg_h = leg.get_window_extent(ink.renderer).height / fig.dpi
    key_h = key.height + gap if key.columns else 0.0
    cap_h = len(cap_lines) * ink.line(cap_size, 1.3)
    head_h = max(title_h + sub_h, icon_size if spec.icons else 0.0)  # the icons fit beside
    top_block = pad * 0.8 + head_h + gap + strip_h
    bottom_block = xtick_h + gap + leg_h + gap + key_h + cap_h + pad * 0.8
    ax_h = max(H - top_block - bottom_block, 0.8)
    ax.set_position((left / W, bottom_block / H, ax_w / W, ax_h / H))

    # ---- place the blocks
    y = H - pad * 0.8
    _text_block(fig, pad, y, title, ink.size("title"), 1.25, "title", weight="bold",
                color=PALETTE["text"])  # fmt: skip
    if spec.icons:
        chart_icons.draw(fig, spec.icons, W - pad, y, icon_size)
    y -= title_h
    _text_block(fig, pad, y, sub_lines, ink.size("subtitle"), 1.3, "subtitle",
                color=PALETTE["muted"])  # fmt: skip
    _draw_annotations(fig, ax, drawn, strip, s, ink, row_h)
    _draw_edge_values(ax, edge, ink, ax_h)
    y = bottom_block - xtick_h - gap
    leg.set_bbox_to_anchor((pad / W, y / H), transform=fig.transFigure)
    y -= leg_h + gap
    _place_key(fig, key, pad, y, text_w)
    y -= key_h
    _text_block(fig, pad, y, cap_lines, cap_size, 1.3, "caption", color=PALETTE["muted"])
    return fig


def _horizontal(ax, spec: ChartSpec, ink: _Ink, edge, pad: float) -> tuple[float, float]:
    """Left edge and width of the plot (inches): room for the measured y tick labels and
    the axis label on the left, and for the value labels on the right."""
    scale = ink.scale
    left = pad + _ytick_width(ax, ink) + 0.15 * scale
    if spec.y_label:
        left += ink.line(ink.size("label"), 1.0) + 0.15 * scale
    edge_w = max((ink.width(t, ink.size("values")) for _, t, _ in edge), default=0.0)
    right = pad + (edge_w + 0.15 * scale if edge else 0.1)
    return left, spec.width - left - right
