"""Drawing on the axes and the figure: data, centre lines, limits, target, signals,
separators, axes and ticks, annotations, right-edge values, legend and key."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from qi.analysis import Analysis
from qi.charts.caption import _cl_name
from qi.charts.key import _KEY_GAP, _KeyLayout
from qi.charts.layout import _Ink, _Series, _spread, _with_gaps, _ylim
from qi.charts.spec import ChartSpec, _num, _value, fixed, shown, value_decimals
from qi.charts.style import _DAYS, _MDC_TYPES, _RUN_RULES, _SIGNAL_NAMES, PALETTE


@dataclass
class _Legend:
    """Legend entries for what is actually drawn, shown in ``rank`` order (data first)."""

    entries: dict = field(default_factory=dict)  # label -> (rank, handle)

    def add(self, rank: int, label: str, **line) -> None:
        if label not in self.entries:
            self.entries[label] = (rank, Line2D([], [], **line))

    def sorted(self) -> tuple[list, list[str]]:
        items = sorted(self.entries.items(), key=lambda kv: kv[1][0])
        return [h for _, (_, h) in items], [label for label, _ in items]


def _segment(x: np.ndarray, y: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """A lone point's line is given some length, so a one-point part still shows its line."""
    if x.size == 1:
        return np.array([x[0] - 0.35 * step, x[0] + 0.35 * step]), np.array([y[0], y[0]])
    return x, y


def _draw_data(ax, s: _Series, spec: ChartSpec, gaps: np.ndarray, legend: _Legend) -> None:
    a = spec.analysis
    x, y = _with_gaps(s.x, a.y, gaps)
    style = {"color": PALETTE["data"], "lw": 1.8, "marker": "o", "ms": 5.5, "mec": PALETTE["data"]}
    ax.plot(x, y, zorder=4, gid="data", **style)
    legend.add(0, "Measurements", **style)
    # A value between two missing ones has no neighbour to join; the marker still shows it.
    excluded = ~a.include & ~np.isnan(a.y)
    if excluded.any():
        style = {
            "ls": "none",
            "marker": "o",
            "ms": 7,
            "mfc": "white",
            "mec": PALETTE["excluded"],
            "mew": 1.6,
        }
        ax.plot(s.x[excluded], a.y[excluded], zorder=5, gid="excluded", **style)
        legend.add(50, "Excluded from the calculations", **style)


def _draw_centre(ax, s: _Series, spec: ChartSpec, legend: _Legend) -> None:
    """Per part: solid over the baseline, dashed where a frozen baseline is extended."""
    a = spec.analysis
    name = _cl_name(a)
    for p in a.parts:
        idx = np.arange(p.start - 1, p.end)
        signal = p.runs_signal and a.rules != "mdc"
        colour = PALETTE["run"] if signal else PALETTE["centre"]
        lw = 2.8 if signal else 2.0
        base = idx[a.baseline[idx]]
        last_base = base[-1] if base.size else idx[0] - 1
        pieces: list[tuple[str, Any, Any]] = [("baseline", idx[idx <= last_base], "-")]
        # the extension starts at the last baseline point, so the two pieces join up
        pieces.append(("extended", idx[idx >= max(last_base, idx[0])], (0, (5, 3))))
        if base.size == idx.size:
            pieces = pieces[:1]
        for kind, sel, ls in pieces:
            if sel.size == 0 or not np.isfinite(a.cl[sel]).any():
                continue
            x, y = _segment(s.x[sel], a.cl[sel], s.step)
            ax.plot(x, y, color=colour, lw=lw, ls=ls, zorder=3, gid=f"centre-{p.part}-{kind}")
            label = name if kind == "baseline" else f"{name} extended"
            rank = 10 if kind == "baseline" else 11
            if signal:
                label, rank = f"{label} (runs signal)", rank + 2
            legend.add(rank, label, color=colour, lw=lw, ls=ls)


def _draw_limits(ax, s: _Series, spec: ChartSpec, legend: _Legend) -> None:
    a = spec.analysis
    if a.chart == "run":
        return
    label = "Process limits" if a.rules == "mdc" else "Control limits (3 sigma)"
    for p in a.parts:
        sl = slice(p.start - 1, p.end)
        for which, values in (("ucl", a.ucl[sl]), ("lcl", a.lcl[sl])):
            if not np.isfinite(values).any():
                continue
            x, y = _segment(s.x[sl], values, s.step)
            ax.plot(
                x,
                y,
                color=PALETTE["limits"],
                lw=1.5,
                drawstyle="steps-mid",
                zorder=2,
                gid=f"{which}-{p.part}",
            )
            legend.add(20, label, color=PALETTE["limits"], lw=1.5)


def _draw_target(ax, spec: ChartSpec, legend: _Legend, s: _Series | None = None) -> None:
    if spec.target is None and not spec.target_steps:
        return
    style = {"color": PALETTE["target"], "lw": 2.0, "ls": (0, (8, 3, 2, 3))}
    if spec.target_steps and s is not None:
        from qi.charts.targets import draw_steps

        draw_steps(ax, spec, s)
    else:
        ax.axhline(spec.target, zorder=2, gid="target", **style)
    legend.add(30, "Target", **style)


def signal_points(a: Analysis) -> dict[str, np.ndarray]:
    """Which points are highlighted, by category (boolean arrays over the points).

    * ``run``: points covered by a long-run, shift or trend signal (not with mdc rules),
      except those outside the limits;
    * ``sigma``: points outside the control limits (not with mdc rules);
    * ``improvement``, ``concern``, ``neutral``: Making Data Count point types.
    Whole-part signals (too few crossings, too few/many runs) highlight the part's centre
    line instead (see :func:`figure`).
    """
    size = len(a)
    present = ~np.isnan(a.y)
    out: dict[str, np.ndarray] = {}
    if a.rules == "mdc" and a.point_type is not None:
        types = np.asarray(a.point_type, dtype=object)
        for key, name, *_ in _MDC_TYPES:
            mask = np.array([t is not None and t.startswith(key) for t in types], dtype=bool)
            out[name] = mask & present
        return out
    run = np.zeros(size, dtype=bool)
    for sig in a.signals:
        if sig.rule in _RUN_RULES:
            run[sig.start - 1 : sig.end] = True
    sigma = np.asarray(a.sigma_signal, dtype=bool) & present
    out["run"] = run & present & ~sigma
    out["sigma"] = sigma
    return out


def _draw_signals(ax, s: _Series, spec: ChartSpec, legend: _Legend) -> None:
    a = spec.analysis
    masks = signal_points(a)
    run_rules = {sig.rule for sig in a.signals if sig.rule in _RUN_RULES}
    run_label = "Signal: " + " or ".join(
        _SIGNAL_NAMES[r].lower() for r in ("longest_run", "shift", "trend") if r in run_rules
    )
    styles = {
        "run": ("D", 8.0, PALETTE["run"], run_label),
        "sigma": ("s", 8.5, PALETTE["sigma"], "Signal: outside the limits"),
    }
    for _key, name, marker, size, label in _MDC_TYPES:
        styles[name] = (marker, size, PALETTE[name], label)
    for rank, (name, mask) in enumerate(masks.items(), start=40):
        if not mask.any():
            continue
        marker, size, colour, label = styles[name]
        style = {
            "ls": "none",
            "marker": marker,
            "ms": size,
            "mfc": colour,
            "mec": "white",
            "mew": 0.8,
        }
        ax.plot(s.x[mask], a.y[mask], zorder=6, gid=f"signal-{name}", **style)
        legend.add(rank, label, **style)


def _draw_separators(ax, s: _Series, spec: ChartSpec, legend: _Legend) -> None:
    """Dotted line at the end of a frozen baseline, solid grey line between phases, each
    halfway between the points either side (as qicharts2 draws its freeze line) - except
    that a baseline known to end on a date (the day before the first cycle) ends there:
    on monthly data, halfway to the next point would put it after that cycle's line."""
    a = spec.analysis
    frozen, phases = [], []
    for p in a.parts:
        if p.start > 1:
            phases.append((s.x[p.start - 2] + s.x[p.start - 1]) / 2)
        base = np.flatnonzero(a.baseline[p.start - 1 : p.end]) + p.start - 1
        if base.size and base[-1] < p.end - 1:
            at = (s.x[base[-1]] + s.x[base[-1] + 1]) / 2
            if spec.baseline_end is not None and s.dates:
                end = float(mdates.date2num(np.datetime64(spec.baseline_end, "D"))) + 0.5
                at = min(max(end, s.x[base[-1]]), s.x[base[-1] + 1])
            frozen.append(at)
    tr = ax.get_xaxis_transform()
    if frozen:
        style = {"color": PALETTE["separator"], "lw": 1.4, "ls": (0, (1.5, 2.5))}
        ax.vlines(frozen, 0, 1, transform=tr, zorder=1, gid="freeze", **style)
        legend.add(70, "End of the baseline", **style)
    if phases:
        style = {"color": PALETTE["separator"], "lw": 1.4, "ls": "-"}
        ax.vlines(phases, 0, 1, transform=tr, zorder=1, gid="phases", **style)
        legend.add(71, "New phase", **style)


def _setup_axes(ax, s: _Series, spec: ChartSpec, ink: _Ink) -> None:
    ax.set_xlim(*s.xlim)
    ax.set_ylim(*_ylim(spec))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#444444")
    ax.grid(axis="y", color=PALETTE["grid"], lw=1.0, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=ink.size("ticks"), colors="#333333", length=5)
    ax.yaxis.set_major_locator(ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], min_n_ticks=3))
    if spec.percent:
        ax.yaxis.set_major_formatter(_Percent())
    else:
        ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _pos: _tick_number(v)))
    if not s.dates:
        ax.xaxis.set_major_locator(ticker.MaxNLocator(nbins=10, integer=True, min_n_ticks=3))


class _Percent(ticker.PercentFormatter):
    """PercentFormatter(100) with labels as people write them: '5%', '12.5%', not '5.0%'."""

    def __init__(self):
        super().__init__(xmax=100, decimals=None)

    def __call__(self, x, pos=None):
        return _tick_number(x) + "%"


def _tick_number(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.10g}" if abs(v - round(v, 6)) < 1e-9 else _num(v)


def _date_axis(ax, s: _Series, spec: ChartSpec, ink: _Ink, axis_w: float) -> None:
    """Dates as people read them (``QI_DATE_STYLE``): months ('Mar 2018') over about four
    months or on monthly data, days ('5 Mar 2018') otherwise. The first period is always
    labelled (a weekly series starting 6 Jan says so, rather than starting at March); the
    number of ticks follows from how many labels fit across the axis without touching."""
    from qi.dates import human_date, human_month

    span_days = s.xlim[1] - s.xlim[0]
    month = span_days > 120 or spec.period == "month"
    size = ink.size("ticks")
    first = mdates.num2date(s.x[s.first]).date()
    first_label = human_month(first) if spec.period == "month" else human_date(first)
    label_w = ink.width(human_month(first) if month else human_date(first), size)
    maxticks = max(2, min(12, int(axis_w / (label_w * 1.35))))
    if s.last - s.first + 1 <= maxticks:
        # few points: a tick on each, rather than on dates with no data
        ticks = list(s.x[s.first : s.last + 1])
    elif month:
        months = span_days / _DAYS["month"]
        k = next((k for k in (1, 2, 3, 4, 6, 12, 24, 36, 60) if months / k <= maxticks), 120)
        loc: mdates.DateLocator = (mdates.MonthLocator(bymonth=range(1, 13, k)) if k < 12
               else mdates.YearLocator(base=k // 12))  # fmt: skip
        ticks = [float(t) for t in loc.tick_values(*mdates.num2date(s.xlim))]
    else:
        loc = mdates.AutoDateLocator(minticks=3, maxticks=maxticks, interval_multiples=True)
        ticks = [float(t) for t in loc.tick_values(*mdates.num2date(s.xlim))]
    per_day = axis_w / span_days  # inches per day
    ticks = [s.x[s.first]] + [t for t in ticks if s.x[s.first] < t <= s.xlim[1]]
    labels = {}
    for t in ticks:
        d = mdates.num2date(t).date()
        labels[t] = first_label if t == s.x[s.first] else (
            human_month(d) if month and (d.day == 1 or spec.period == "month") else human_date(d))
    # keep a tick only where its label clears the previous one (the first is always kept)
    gap = 0.25 * ink.scale
    kept = [ticks[0]]
    for t in ticks[1:]:
        need = (ink.width(labels[kept[-1]], size) + ink.width(labels[t], size)) / 2 + gap
        if (t - kept[-1]) * per_day >= need and (t - s.xlim[0]) * per_day >= ink.width(
                labels[t], size) / 2:  # fmt: skip
            kept.append(t)
    ticks = kept
    ax.xaxis.set_major_locator(ticker.FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(
        lambda v, _pos=None: labels.get(v) or human_date(mdates.num2date(v).date())))


def _ytick_width(ax, ink: _Ink) -> float:
    locs = [v for v in ax.yaxis.get_majorticklocs() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    labels = ax.yaxis.get_major_formatter().format_ticks(locs)
    return max((ink.width(t, ink.size("ticks")) for t in labels), default=0.3)


def _edge_values(spec: ChartSpec) -> list[tuple[float, str, str]]:
    """(y, text, colour) for the last part's centre line and limits, and the target."""
    a = spec.analysis
    i = int(np.flatnonzero(shown(spec))[-1])  # the last point shown (a window may end early)
    last = a.parts[int(a.part[i]) - 1]
    out = []
    if math.isfinite(a.cl[i]):
        colour = PALETTE["run"] if last.runs_signal and a.rules != "mdc" else PALETTE["centre"]
        out.append((float(a.cl[i]), "", colour))
    if a.chart != "run":
        for lim in (a.ucl[i], a.lcl[i]):
            if math.isfinite(lim):
                out.append((float(lim), "", PALETTE["limits"]))
    if spec.target is not None:
        out.append((spec.target, "Target ", PALETTE["target"]))
    # one number format for the whole axis: '16.7%' beside '0.8%', never '0.775%'; a unit
    # the y axis label already gives ('calls/week') is not repeated beside every value
    bare = bool(spec.unit and spec.unit != "%" and spec.y_label and spec.unit in spec.y_label)
    text = (lambda v: fixed(v, value_decimals(spec))) if bare else (lambda v: _value(v, spec))
    return [(v, prefix + text(v), c) for v, prefix, c in out]


def _draw_plot(ax, s: _Series, spec: ChartSpec, gaps: np.ndarray, drawn) -> _Legend:
    """Everything inside the axes except the annotations; returns the legend entries."""
    legend = _Legend()
    _draw_separators(ax, s, spec, legend)
    _draw_limits(ax, s, spec, legend)
    _draw_target(ax, spec, legend, s)
    _draw_centre(ax, s, spec, legend)
    _draw_data(ax, s, spec, gaps, legend)
    _draw_signals(ax, s, spec, legend)
    return legend


def _place_key(fig: Figure, key: _KeyLayout, x: float, top: float, width: float) -> None:
    if not key.columns:
        return
    n = len(key.columns)
    col_w = (width - _KEY_GAP * (n - 1)) / n
    rows = len(key.columns[0])
    for c, lines in enumerate(key.columns):
        _text_block(fig, x + c * (col_w + _KEY_GAP), top, lines, key.size, 1.3, "key",
                    first=1 + c * rows, color=PALETTE["text"])  # fmt: skip


def _text_block(
    fig: Figure, x: float, top: float, lines: list[str], size: float, spacing: float,
    gid: str, first: int = 1, **style,
) -> None:  # fmt: skip
    """Lines of text from ``top`` down (inches), one Text per line on exact baselines, so
    the spacing is even whatever the glyphs (a multi-line Text spaces lines by their ink).
    Each line's gid is '<gid>-<n>', n counting from ``first``."""
    W, H = fig.get_figwidth(), fig.get_figheight()
    step = size * spacing / 72
    ascent = 0.8 * size / 72 + (step - size / 72) / 2
    for i, line in enumerate(lines):
        fig.text(x / W, (top - ascent - i * step) / H, line, fontsize=size, va="baseline",
                 ha="left", gid=f"{gid}-{first + i}", **style)  # fmt: skip


def _draw_edge_values(ax, edge, ink: _Ink, ax_h: float) -> None:
    """Values of the current centre line, limits and target beside the right axis, pushed
    apart vertically so that they never overlap."""
    if not edge:
        return
    lo, hi = ax.get_ylim()
    size = ink.size("values")
    frac = [(v - lo) / (hi - lo) for v, _, _ in edge]
    placed = _spread(frac, ink.line(size, 1.35) / ax_h, 0.0, 1.0)
    for (_, text, colour), yf in zip(edge, placed, strict=True):
        ax.text(
            1.0 + 0.012,
            yf,
            text,
            transform=ax.transAxes,
            ha="left",
            va="center",
            fontsize=size,
            color=colour,
            clip_on=False,
            gid="value",
        )


_HANDLE, _TEXT_PAD, _COLUMN_GAP = 2.6, 0.6, 1.6  # the legend's spacings, in font sizes


def _surely_wider(labels: list[str], ncols: int, size: float, ink: _Ink,
                  width: float) -> bool:
    """True when a legend of `ncols` columns is sure to be wider than `width` inches: a
    lower bound of its width from the labels' measured widths, split into columns as
    matplotlib splits them, with a margin, so no legend that fits is ever skipped."""
    em = size / 72
    columns = [c for c in np.array_split(np.arange(len(labels)), ncols) if len(c)]
    text = sum(max(ink.width(labels[i], size) for i in c) for c in columns)
    least = text + len(columns) * (_HANDLE + _TEXT_PAD) * em + (len(columns) - 1) \
        * _COLUMN_GAP * em
    return least * 0.95 > width


def _make_legend(fig: Figure, legend: _Legend, ink: _Ink, width: float):
    """One row when it fits, otherwise as few rows as needed."""
    size = ink.size("legend")
    handles, labels = legend.sorted()
    n = len(handles)
    for rows in range(1, n + 1):
        ncols = math.ceil(n / rows)
        if ncols > 1 and _surely_wider(labels, ncols, size, ink, width):
            continue  # building and measuring a legend costs more than the labels' widths
        leg = fig.legend(
            handles,
            labels,
            loc="upper left",
            ncols=ncols,
            frameon=False,
            fontsize=size,
            handlelength=_HANDLE,
            columnspacing=_COLUMN_GAP,
            handletextpad=_TEXT_PAD,
            borderaxespad=0,
            borderpad=0,
        )
        if leg.get_window_extent(ink.renderer).width / fig.dpi <= width or ncols == 1:
            leg.set_gid("legend")
            return leg
        leg.remove()
    raise AssertionError("unreachable: one column always fits")
