"""The figure: draw the plot, measure every block of text, then stack the blocks."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qi.charts import icons as chart_icons
from qi.charts import lane
from qi.charts.annotate import (
    draw_lane,
    headroom,
    lane_height,
    phase_labels,
    phase_reasons,
    tight,
)
from qi.charts.draw import (
    _date_axis,
    _draw_edge_values,
    _draw_plot,
    _edge_values,
    _make_legend,
    _place_key,
    _setup_axes,
    _text_block,
    _ytick_width,
)
from qi.charts.key import KeyEntry, _KeyLayout, layout_key
from qi.charts.layout import _caption_lines, _gaps, _Ink, _marks, _series, wrap_lines
from qi.charts.spec import ChartSpec
from qi.charts.style import _DEFAULT_H, _DEFAULT_W, _RC, PALETTE
from qi.errors import InvalidInput


def figure(spec: ChartSpec) -> Figure:
    """Draw the chart. Raises InvalidInput when there is nothing to draw.

    The returned Figure has an Agg canvas attached; artists carry ``gid``s ("data",
    "centre-1-baseline", "centre-1-extended", "ucl-1", "lcl-1", "target", "signal-run",
    "signal-sigma", "signal-improvement", ..., "excluded", "freeze", "phases", "cycles"
    and "notes" (leaders and brackets above the plot), "cycle-line", "note-line",
    "cycle-band", "label-3", "phase-2", "value", "legend", and per line of text "title-1",
    "subtitle-1", "key-1", "caption-1") which also become element ids in SVG output.
    :func:`qi.charts.layout_of` measures where every text landed.
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


# The plot keeps at least this share of the figure's height (the check asks for 45 %).
PLOT_SHARE = 0.46
# What gives way, in turn, when a dense chart needs room: lines of title, subtitle and
# caption; past the last level the key lists what fits and says how many more there are.
_LEVELS = ((2, 2, 4), (2, 2, 3), (1, 1, 3), (1, 1, 2), (1, 0, 2))
_LAST_RESORT = ((1, 0, 1),)


@dataclass
class _Blocks:
    """The text blocks above and below the plot, and their heights (inches)."""

    title: list[str]
    sub: list[str]
    caption: list[str]
    key: _KeyLayout
    top: float  # from the top of the figure to the top of the plot
    bottom: float  # from the bottom of the figure to the bottom of the plot
    title_h: float
    key_h: float


def _figure(spec: ChartSpec) -> Figure:
    """Draw the plot, measure every block of text, then stack the blocks top to bottom.

    Layout is computed here in inches from measured text rather than by a layout engine:
    it is exact (labels never clipped), deterministic, and several times faster.
    """
    W, H = spec.width, spec.height
    # small charts (a report's A4 column) keep text that can be read there
    scale = min(max(min(W / _DEFAULT_W, H / _DEFAULT_H), 0.72), 1.6)
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
    ylabel = _ylabel_lines(spec, ink, PLOT_SHARE * H)
    left, ax_w = _horizontal(ax, spec, ink, edge, pad, len(ylabel))
    if s.dates:
        _date_axis(ax, s, spec, ink, ax_w)
    legend = _draw_plot(ax, s, spec, gaps, drawn)

    span = s.xlim[1] - s.xlim[0]
    size = ink.size("strip")
    placed = lane.place(drawn, lambda x: (x - s.xlim[0]) / span * ax_w,
                        lambda t: ink.width(t, size, "bold") + 0.06, ax_w, 0.12 * scale)
    _lane_legend(placed, s, legend)
    leg = _make_legend(fig, legend, ink, W - 2 * pad)
    leg_h = leg.get_window_extent(ink.renderer).height / fig.dpi
    b = _stack(spec, ink, _key_entries(marks, spec, s), lane_height(placed, ink), leg_h,
               missing_periods)  # fmt: skip
    ax_h = max(H - b.top - b.bottom, 0.3)
    ax.set_position((left / W, b.bottom / H, ax_w / W, ax_h / H))
    room = headroom(spec, ink, ax_h)
    if room:
        lo, hi = ax.get_ylim()
        ax.set_ylim(lo, hi + (hi - lo) * room / (1 - room))
    if ylabel:
        ax.set_ylabel("\n".join(ylabel), fontsize=ink.size("label"), color="#333333",
                      labelpad=8 * scale, linespacing=1.15)  # fmt: skip
    draw_lane(fig, ax, placed, ink, s)
    phase_labels(fig, ax, spec, s, ink)
    _draw_edge_values(ax, edge, ink, ax_h)
    _place_blocks(fig, spec, ink, b, leg, leg_h)
    return fig


def _icon_size(ink: _Ink) -> float:
    """The Making Data Count icons' size (inches), beside the title."""
    return 0.62 * ink.scale


def _spacing(ink: _Ink) -> tuple[float, float, float]:
    """Padding at the edges, the gap between blocks, the height of the x tick labels."""
    return 0.3 * ink.scale, 0.12 * ink.scale, ink.line(ink.size("ticks"), 1.0) + 0.2 * ink.scale


def _stack(spec: ChartSpec, ink: _Ink, entries: list[KeyEntry], lane_h: float, leg_h: float,
           missing_periods: int) -> _Blocks:  # fmt: skip
    """Choose the lines of title, subtitle and caption and the key's layout so that the
    plot keeps its share of the height: first with every key title whole (giving up at
    most a line of caption), then with every entry listed, then listing what fits."""
    H, text_w = spec.height, spec.width - 2 * 0.3 * ink.scale
    pad, gap, xtick_h = _spacing(ink)
    icons_h = _icon_size(ink) if spec.icons else 0.0
    head_w = text_w - chart_icons.width(spec.icons, _icon_size(ink))  # the icons sit beside
    levels = {"whole": _LEVELS[:2], "listed": _LEVELS, "final": _LEVELS + _LAST_RESORT}
    for attempt, options in levels.items():
        for title_n, sub_n, cap_n in options:
            title = wrap_lines(spec.title, ink, head_w, ink.size("title"), title_n, "bold")
            sub = _subtitle(spec, ink, head_w, sub_n)
            # a title cut short is given in full at the start of the caption
            full = " ".join(spec.title.split())
            lead = f"{full.rstrip('.')}." if " ".join(title) != full else ""
            cap = _caption_lines(spec, ink, text_w, ink.size("caption"), missing_periods,
                                 cap_n, lead) if spec.caption else []  # fmt: skip
            title_h = len(title) * ink.line(ink.size("title"), 1.25)
            head_h = title_h + len(sub) * ink.line(ink.size("subtitle"), 1.3)
            top = pad * 0.7 + max(head_h, icons_h) + gap + lane_h
            cap_h = len(cap) * ink.line(ink.size("caption"), 1.3)
            fixed = top + xtick_h + gap + leg_h + gap + cap_h + pad * 0.6
            budget = H * (1 - PLOT_SHARE) - fixed - gap
            key = layout_key(entries, ink, text_w, max(budget, 0.0))
            ok = {"whole": not key.more and not key.cut, "listed": not key.more,
                  "final": bool(key.columns or not entries)}[attempt]  # fmt: skip
            if budget >= 0 and ok:
                break
        else:
            continue
        break
    key_h = key.height + gap if key.columns else 0.0
    bottom = xtick_h + gap + leg_h + gap + key_h + cap_h + pad * 0.6
    return _Blocks(title, sub, cap, key, top, bottom, title_h, key_h)


def _place_blocks(fig: Figure, spec: ChartSpec, ink: _Ink, b: _Blocks, leg,
                  leg_h: float) -> None:  # fmt: skip
    """Title and subtitle above the plot; legend, key and caption below it."""
    W, H = spec.width, spec.height
    pad, gap, xtick_h = _spacing(ink)
    y = H - pad * 0.7
    _text_block(fig, pad, y, b.title, ink.size("title"), 1.25, "title", weight="bold",
                color=PALETTE["text"])  # fmt: skip
    if spec.icons:
        chart_icons.draw(fig, spec.icons, W - pad, y, _icon_size(ink))
    _subtitle_block(fig, spec, pad, y - b.title_h, b.sub, ink)
    y = b.bottom - xtick_h - gap
    leg.set_bbox_to_anchor((pad / W, y / H), transform=fig.transFigure)
    y -= leg_h + gap
    _place_key(fig, b.key, pad, y, W - 2 * pad)
    y -= b.key_h
    _text_block(fig, pad, y, b.caption, ink.size("caption"), 1.3, "caption",
                color=PALETTE["muted"])  # fmt: skip


def _lane_legend(placed, s, legend) -> None:
    """Legend entries for the marks in the plot, known before the legend is measured."""
    from matplotlib.patches import Patch

    for p in placed:
        g = p.group
        if len({m.x for m in g.marks}) > 1 and tight(g, s):
            label = ("Cycles close together (see the key)" if g.kind == "cycle"
                     else "Notes close together")  # fmt: skip
            legend.entries.setdefault(label, (62, Patch(color=PALETTE[g.kind], alpha=0.18,
                                                        lw=0)))  # fmt: skip
            continue
        for kind in {m.kind for m in g.marks}:
            label = "PDSA cycle started" if kind == "cycle" else "Note"
            legend.add(60 if kind == "cycle" else 61, label, color=PALETTE[kind], lw=1.4,
                       ls=(0, (4, 2)) if kind == "cycle" else (0, (1, 2)))  # fmt: skip


def _key_entries(marks, spec: ChartSpec, s) -> list[KeyEntry]:
    out = [KeyEntry(m.label, m.day, m.text, f" (not drawn: {m.where} the data)" if m.where
                    else "") for m in marks]  # fmt: skip
    for label, day, reason, _part in phase_reasons(spec, s):
        out.append(KeyEntry(label, day, reason))
    return out


def _subtitle(spec: ChartSpec, ink: _Ink, width: float, most: int) -> list[str]:
    lines = []
    if spec.provisional:
        lines.append(ink.fit(spec.provisional, width, ink.size("subtitle"), "bold"))
    if spec.subtitle and most > 0:
        lines += wrap_lines(spec.subtitle, ink, width, ink.size("subtitle"), most)
    return lines


def _subtitle_block(fig, spec: ChartSpec, x: float, top: float, lines, ink: _Ink) -> None:
    size = ink.size("subtitle")
    if spec.provisional and lines:
        _text_block(fig, x, top, lines[:1], size, 1.3, "subtitle", weight="bold",
                    color=PALETTE["sigma"])  # fmt: skip
        top -= ink.line(size, 1.3)
        lines = lines[1:]
        first = 2
    else:
        first = 1
    _text_block(fig, x, top, lines, size, 1.3, "subtitle", first=first, color=PALETTE["muted"])


def _ylabel_lines(spec: ChartSpec, ink: _Ink, room: float) -> list[str]:
    """The y label in one line if it fits the plot's height, else two; else only the unit
    in brackets (the title names the measure in full), else cut with an ellipsis."""
    if not spec.y_label:
        return []
    size = ink.size("label")
    text = " ".join(spec.y_label.split())
    room *= 0.95
    if ink.width(text, size) <= room:
        return [text]
    two = ink.wrap(text, room, size)
    if len(two) <= 2:
        return two
    unit = text[text.rfind("(") :] if text.endswith(")") and "(" in text else ""
    if unit and ink.width(unit, size) <= room:
        return [unit.strip("()")]
    return [ink.fit(text, room, size)]


def _horizontal(ax, spec: ChartSpec, ink: _Ink, edge, pad: float,
                ylabel_lines: int) -> tuple[float, float]:  # fmt: skip
    """Left edge and width of the plot (inches): room for the measured y tick labels and
    the axis label on the left, and for the value labels on the right."""
    scale = ink.scale
    left = pad + _ytick_width(ax, ink) + 0.15 * scale
    if ylabel_lines:
        left += ylabel_lines * ink.line(ink.size("label"), 1.15) + 0.12 * scale
    edge_w = max((ink.width(t, ink.size("values")) for _, t, _ in edge), default=0.0)
    right = pad + (edge_w + 0.15 * scale if edge else 0.1)
    return left, spec.width - left - right
