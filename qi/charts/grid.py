"""Small multiples: a family of measures (or one measure across teams) on one 16:9 image.

Each panel is a compact chart of one :class:`~qi.charts.ChartSpec`: the data, its centre
line per phase (solid over the baseline, dashed where extended), its limits as steps, the
target (steps when it changes), signals highlighted as on the full chart (run signals
orange diamonds, points outside the limits vermillion squares, Making Data Count point
types by colour), each PDSA cycle as a dashed line labelled "#3" at the top, and the
panel's Making Data Count icons top right. All panels share one date axis; with
``shared_y`` (measures in the same unit) one y scale too.

Panels stay legible up to 9 measures (3 x 3): tick labels 12 pt and titles 14 pt at the
default size; more panels are refused with a pointer to `qi chart --all`.
"""

from __future__ import annotations

import math

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from qi.charts import icons as chart_icons
from qi.charts.draw import _RUN_RULES, signal_points
from qi.charts.layout import _Ink, _x_number, wrap_lines
from qi.charts.spec import ChartSpec
from qi.charts.style import _DEFAULT_H, _DEFAULT_W, _RC, PALETTE
from qi.errors import InvalidInput

MAX_PANELS = 9
TITLE_LINES = 2  # a panel's title wraps to two lines before it is cut
_SHAPES = {  # category -> (marker, size, colour)
    "run": ("D", 6.5, PALETTE["run"]),
    "sigma": ("s", 6.5, PALETTE["sigma"]),
    "improvement": ("o", 7.0, PALETTE["improvement"]),
    "concern": ("s", 6.5, PALETTE["concern"]),
    "neutral": ("D", 6.0, PALETTE["neutral"]),
}


def shape_of(n: int) -> tuple[int, int]:
    """(rows, columns) for n panels: 1-3 in a row, 4 as 2 x 2, 5-6 as 2 x 3, 7-9 as 3 x 3."""
    if n <= 3:
        return 1, n
    if n == 4:
        return 2, 2
    if n <= 6:
        return 2, 3
    return 3, 3


def grid_figure(specs: list[ChartSpec], *, title: str, subtitle: str | None = None,
                shared_y: bool = False, width: float = _DEFAULT_W,
                height: float = _DEFAULT_H, dpi: float = 150) -> Figure:
    """One figure of small multiples. Panels are in the order given; every spec must have
    dated points. Artists carry gids: "panel-K" (the axes), "data-K", "centre-K", "ucl-K",
    "lcl-K", "target-K", "cycles-K", "signal-CATEGORY-K", "icon-NAME" (inside panel K's
    icon axes, gid "icons-K"), "grid-title", "grid-subtitle"."""
    if not specs:
        raise InvalidInput("there are no charts to put on the grid")
    if len(specs) > MAX_PANELS:
        raise InvalidInput(f"{len(specs)} charts are too many for one legible slide (at most "
                           f"{MAX_PANELS}); draw them one per file with 'qi chart --project P "
                           "--all'")
    with matplotlib.rc_context(_RC):
        return _grid(specs, title, subtitle, shared_y, width, height, dpi)


FOOTER = ("Dashed lines: PDSA cycles (#n) · diamonds: run signals · squares: outside the "
          "limits · green dash-dot: target · top right: Making Data Count icons")


def _grid(specs, title, subtitle, shared_y, W, H, dpi) -> Figure:
    scale = min(max(min(W / _DEFAULT_W, H / _DEFAULT_H), 0.6), 1.6)
    fig = Figure(figsize=(W, H), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ink = _Ink(fig, scale)
    rows, cols = shape_of(len(specs))
    fs = {"title": 20 * scale, "sub": 12 * scale, "panel": (14 if rows < 3 else 12.5) * scale,
          "ticks": (12 if rows < 3 else 11) * scale, "foot": 10 * scale}
    pad = 0.3 * scale
    text_w = W - 2 * pad
    fig.text(pad / W, 1 - 0.22 * scale / H, ink.fit(title, text_w, fs["title"], "bold"),
             fontsize=fs["title"], fontweight="bold", va="top", color=PALETTE["text"],
             gid="grid-title")
    top = 0.22 * scale + fs["title"] / 72 * 1.3
    if subtitle:
        fig.text(pad / W, 1 - top / H, ink.fit(subtitle, text_w, fs["sub"]),
                 fontsize=fs["sub"], va="top", color=PALETTE["muted"], gid="grid-subtitle")
        top += fs["sub"] / 72 * 1.35
    fig.text(pad / W, 0.12 * scale / H, ink.fit(FOOTER, text_w, fs["foot"]),
             fontsize=fs["foot"], va="bottom", color=PALETTE["muted"], gid="grid-footer")
    lo, hi = _shared_x(specs)
    ylim = _shared_y(specs) if shared_y else None
    # room above each panel for its title and the cycle labels; below, for the dates
    head = (fs["panel"] * 1.25 * TITLE_LINES + fs["ticks"] * 1.6) / 72
    bottom = 0.12 * scale + fs["foot"] / 72 * 1.4 + fs["ticks"] / 72 * 2.2
    left, right, hgap, vgap = 0.8 * scale, 0.25 * scale, 0.75 * scale, 0.35 * scale
    pw = (W - left - right - hgap * (cols - 1)) / cols
    ph = (H - top - bottom - rows * head - vgap * (rows - 1)) / rows
    for k, spec in enumerate(specs):
        r, c = divmod(k, cols)
        x0 = left + c * (pw + hgap)
        y0 = bottom + (rows - 1 - r) * (ph + head + vgap)
        ax = fig.add_axes((x0 / W, y0 / H, pw / W, ph / H), gid=f"panel-{k + 1}")
        _panel(fig, ax, spec, k + 1, (lo, hi), ylim, fs, scale, ink,
               bottom_row=k + cols >= len(specs))
    return fig


def _dates(spec: ChartSpec) -> np.ndarray:
    a = spec.analysis
    if not np.issubdtype(a.x.dtype, np.datetime64):
        raise InvalidInput(f"'{spec.title}' has numbered points; a grid needs dates")
    return np.asarray(mdates.date2num(a.x.astype("datetime64[D]")), dtype=np.float64)


def _shared_x(specs) -> tuple[float, float]:
    xs = np.concatenate([_dates(s) for s in specs])
    lo, hi = float(xs.min()), float(xs.max())
    pad = max(0.02 * (hi - lo), 3.0)
    return lo - pad, hi + pad


def _values(spec: ChartSpec) -> np.ndarray:
    a = spec.analysis
    arrays = [a.y, a.cl, a.lcl, a.ucl]
    if spec.target is not None:
        arrays.append(np.array([spec.target]))
    arrays += [np.array([v for _, v in spec.target_steps], dtype=np.float64)]
    v = np.concatenate([np.asarray(x, dtype=np.float64) for x in arrays])
    return v[np.isfinite(v)]


def _shared_y(specs) -> tuple[float, float] | None:
    v = np.concatenate([_values(s) for s in specs])
    return _padded(v, any(s.percent for s in specs)) if v.size else None


def _padded(v: np.ndarray, percent: bool) -> tuple[float, float]:
    lo, hi = float(v.min()), float(v.max())
    span = hi - lo
    pad = 0.08 * span if span > 0 else max(abs(lo) * 0.1, 1.0)
    bottom, top = lo - pad, hi + pad
    if lo >= 0 and bottom < 0:
        bottom = -0.03 * (top if top > 0 else 1.0)
    if percent and hi <= 100 and top > 100:
        top = 100 + 0.03 * (top - bottom)
    return bottom, top


def _panel(fig, ax, spec: ChartSpec, k: int, xlim, ylim, fs, scale, ink,
           bottom_row: bool) -> None:
    a = spec.analysis
    x = _dates(spec)
    ax.set_xlim(*xlim)
    own = _values(spec)
    ax.set_ylim(*(ylim or (_padded(own, spec.percent) if own.size else (0, 1))))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color=PALETTE["grid"], lw=0.8)
    ax.tick_params(labelsize=fs["ticks"], length=3)
    locator = mdates.AutoDateLocator(minticks=3, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    if spec.percent:
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    if not bottom_row:
        ax.tick_params(labelbottom=False)
    _lines(ax, spec, x, k)
    ax.plot(x, a.y, color=PALETTE["data"], lw=1.4 * scale, marker="o", ms=3.2 * scale,
            zorder=4, gid=f"data-{k}")
    for name, mask in signal_points(a).items():
        if mask.any():
            marker, size, colour = _SHAPES[name]
            ax.plot(x[mask], a.y[mask], ls="none", marker=marker, ms=size * scale,
                    color=colour, zorder=5, gid=f"signal-{name}-{k}")
    _cycles(ax, spec, k, fs)
    W, H = fig.get_size_inches()
    box = ax.get_position()
    size = 0.42 * scale
    room = box.width * W - chart_icons.width(spec.icons, size) - 0.05
    label = "\n".join(wrap_lines(spec.title, ink, room, fs["panel"], TITLE_LINES, "bold"))
    # the title above the row of cycle labels
    ax.set_title(label, loc="left", fontsize=fs["panel"], fontweight="bold",
                 color=PALETTE["text"], pad=fs["ticks"] * 1.5, gid=f"title-{k}",
                 linespacing=1.05)
    if spec.icons:
        top = box.y1 * H + fs["ticks"] / 72 * 1.5 + size
        chart_icons.draw(fig, spec.icons, box.x1 * W, top, size)
        for icon_ax in fig.axes[-len(spec.icons):]:
            icon_ax.set_label(f"icons-{k}")


def _lines(ax, spec: ChartSpec, x: np.ndarray, k: int) -> None:
    """Centre line per phase (solid over the baseline, dashed after), limits, target."""
    a = spec.analysis
    runs = {p.part for p in a.parts if p.runs_signal or any(
        sig.rule in _RUN_RULES for sig in p.signals)}
    for part in a.parts:
        idx = np.flatnonzero(a.part == part.part)
        colour = PALETTE["run"] if part.part in runs and a.rules != "mdc" else PALETTE["centre"]
        base = idx[a.baseline[idx]]
        after = idx[~a.baseline[idx]]
        if base.size:
            ax.plot(x[base], a.cl[base], color=colour, lw=1.6, gid=f"centre-{k}")
        if after.size:
            join = np.concatenate((base[-1:], after))
            ax.plot(x[join], a.cl[join], color=colour, lw=1.6, ls=(0, (5, 3)),
                    gid=f"centre-{k}")
        if a.chart != "run":
            for which, arr in (("ucl", a.ucl), ("lcl", a.lcl)):
                if np.isfinite(arr[idx]).any():
                    ax.plot(x[idx], arr[idx], color=PALETTE["limits"], lw=1.0,
                            drawstyle="steps-mid", gid=f"{which}-{k}")
    style = {"color": PALETTE["target"], "lw": 1.6, "ls": (0, (8, 3, 2, 3)), "zorder": 3}
    if spec.target_steps:
        lo, hi = ax.get_xlim()
        starts = [lo if d is None else max(lo, _x_number(d, True)) for d, _ in spec.target_steps]
        xs, ys = [], []
        for (_, v), s0, s1 in zip(spec.target_steps, starts, starts[1:] + [hi], strict=True):
            if s1 > lo and s0 < hi:
                xs += [s0, min(s1, hi)]
                ys += [v, v]
        ax.plot(xs, ys, gid=f"target-{k}", **style)
    elif spec.target is not None:
        ax.axhline(spec.target, gid=f"target-{k}", **style)


def _cycles(ax, spec: ChartSpec, k: int, fs) -> None:
    """Each PDSA cycle (and note) as a dashed line, the cycle's short label at the top."""
    lo, hi = ax.get_xlim()
    cycles = [(n, _x_number(n.x, True)) for n in spec.annotations]
    cycles = [(n, x) for n, x in cycles if lo <= x <= hi]
    if not cycles:
        return
    xs = [x for _, x in cycles]
    colours = [PALETTE["cycle"] if n.kind == "cycle" else PALETTE["note"] for n, _ in cycles]
    ax.vlines(xs, 0, 1, transform=ax.get_xaxis_transform(), colors=colours, lw=1.0,
              linestyles=(0, (4, 2)), zorder=2, gid=f"cycles-{k}")
    last = -math.inf
    span = hi - lo
    for n, x in sorted(cycles, key=lambda c: c[1]):
        if (x - last) / span < 0.045:  # too close to the previous label: the line says it
            continue
        short = "#" + n.label.rsplit("#", 1)[1] if "#" in n.label else n.label
        ax.text(x, 1.01, short, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=fs["ticks"] * 0.85, fontweight="bold",
                color=PALETTE["cycle"] if n.kind == "cycle" else PALETTE["note"])
        last = x
