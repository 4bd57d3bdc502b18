"""Drawing the PDSA cycles, notes and phases on the chart.

Above the plot, the lane (placed by :mod:`qi.charts.lane`): each group's label, a leader
dropping straight from it to a bracket just above the plot that spans the group's dates,
with a tick at each member's date. In the plot, a single cycle or note is a thin line at
its date; a group is a light band over its dates, so a ramp of rapid tests reads as one
period of change rather than a solid block of lines through the data. Phases carry their
recorded reason, shortened, at the top of the phase (in full in the key).

Every leader segment is recorded on the figure (``fig._qi_leaders``, in inches from the
bottom left) for the layout check of :mod:`qi.charts.boxes`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from qi.charts.lane import Placed
from qi.charts.layout import _Ink, _Series
from qi.charts.style import PALETTE

_LINE = {"cycle": (0, (4, 2)), "note": (0, (1, 2))}


def lane_height(placed: list[Placed], ink: _Ink) -> float:
    """Inches the lane needs above the plot (none without labels)."""
    if not placed:
        return 0.0
    rows = 1 + max(p.row for p in placed)
    return _tick(ink) + _rise(ink) + rows * _row(ink)


def _tick(ink: _Ink) -> float:
    return 0.09 * ink.scale


def _rise(ink: _Ink) -> float:
    return 0.07 * ink.scale


def _row(ink: _Ink) -> float:
    return ink.line(ink.size("strip"), 1.4)


def draw_lane(fig, ax, placed: list[Placed], ink: _Ink, s: _Series) -> None:
    """Labels, leaders, brackets and ticks above the plot; lines and bands in it."""
    if not placed:
        return
    W, H = fig.get_figwidth(), fig.get_figheight()
    x0, y0, w, h = (v * d for v, d in zip(ax.get_position().bounds, (W, H, W, H), strict=True))
    top = y0 + h
    bracket = top + _tick(ink)
    size = ink.size("strip")
    segs: dict[str, list] = {"cycle": [], "note": []}
    lines_at: dict[tuple[str, float], list[float]] = {}  # (kind, alpha) -> dates
    leaders = fig.__dict__.setdefault("_qi_leaders", [])
    for i, p in enumerate(placed):
        g, kind = p.group, p.group.kind
        bottom = bracket + _rise(ink) + p.row * _row(ink)
        text = ink.fit(g.label, p.width - 0.05, size, "bold")  # measured with 0.06 of air
        fig.text((x0 + p.left + p.width / 2) / W, bottom / H, text, ha="center", va="bottom",
                 fontsize=size, weight="bold", color=PALETTE[kind], gid=f"label-{i + 1}",
                 style="normal" if kind == "cycle" else "italic", zorder=7)  # fmt: skip
        lines = [((p.leader, bottom - 0.02), (p.leader, bracket))]
        if g.x1 > g.x0:
            lines.append(((g.x0, bracket), (g.x1, bracket)))
        ticks = sorted({_inch(m.x, s, w) for m in g.marks})
        lines += [((t, bracket), (t, top)) for t in ticks]
        for (ax_, ay), (bx, by) in lines:
            segs[kind].append([(x0 + ax_, ay), (x0 + bx, by)])
            leaders.append((x0 + ax_, ay, x0 + bx, by))
        _mark_in_plot(ax, g, s, lines_at)
    for (kind, alpha), at in lines_at.items():  # one artist per style: a ramp stays cheap
        ax.vlines(sorted(at), 0, 1, transform=ax.get_xaxis_transform(), color=PALETTE[kind],
                  lw=1.2, ls=_LINE[kind], alpha=alpha, zorder=1, gid=f"{kind}-line")
    for kind, lines in segs.items():
        if lines:
            fig.add_artist(LineCollection(
                [[(a / W, b / H) for a, b in seg] for seg in lines], colors=PALETTE[kind],
                linewidths=1.3 * max(ink.scale, 0.8), transform=fig.transFigure,
                zorder=6, gid=f"{kind}s"))  # fmt: skip


def _inch(x: float, s: _Series, ax_w: float) -> float:
    return (x - s.xlim[0]) / (s.xlim[1] - s.xlim[0]) * ax_w


def tight(g, s: _Series) -> bool:
    """A group within a few periods, or whose lines would stand closer than about an
    eighth of an inch: drawn as one band (its lines would merge into a block); a looser
    group keeps a light line per member."""
    dates = len({m.x for m in g.marks})
    if g.marks[-1].x - g.marks[0].x <= 4 * s.step:
        return True
    return dates > 1 and (g.x1 - g.x0) / (dates - 1) < 0.12


def _mark_in_plot(ax, g, s: _Series, lines_at: dict) -> None:
    """A thin line at a single mark's date (collected in ``lines_at``, drawn together);
    a light band over a tight group's dates."""
    kind = g.kind
    xs = sorted({m.x for m in g.marks})
    lo, hi = xs[0], xs[-1]
    if len(xs) == 1 or not tight(g, s):
        for m in g.marks:
            lines_at.setdefault((m.kind, 0.7 if len(xs) == 1 else 0.45), []).append(m.x)
        return
    # at least a third of a period wide, so a group on two close days still shows
    pad = max(0.0, (s.step / 3 - (hi - lo)) / 2)
    ax.axvspan(lo - pad, hi + pad, color=PALETTE[kind], alpha=0.09, lw=0, zorder=0.5,
               gid=f"{kind}-band")  # fmt: skip


def phase_reasons(spec, s: _Series) -> list[tuple[str, str, str, int]]:
    """(label, first date, reason, part) for each part after the first that starts on or
    after a recorded phase with a reason."""
    a = spec.analysis
    if len(a.parts) < 2 or not spec.phases or not s.dates:
        return []
    from qi.dates import human_date

    starts = sorted(spec.phases)
    out = []
    for p in a.parts[1:]:
        first = np.datetime64(a.x[p.start - 1], "D").astype(object)
        reason = next((r for d, r in reversed(starts) if d <= first), None)
        if reason and reason.strip():
            out.append((f"Phase {p.part}", human_date(first), " ".join(reason.split()), p.part))
    return out


def phase_labels(fig, ax, spec, s: _Series, ink: _Ink) -> None:
    """The reason of each phase, shortened to the phase's width, just inside the top of
    the plot (in full in the key)."""
    a = spec.analysis
    W, H = fig.get_figwidth(), fig.get_figheight()
    x0, y0, w, h = (v * d for v, d in zip(ax.get_position().bounds, (W, H, W, H), strict=True))
    size = ink.size("phase")
    for label, _day, reason, part in phase_reasons(spec, s):
        p = a.parts[part - 1]
        xa = _inch((s.x[p.start - 2] + s.x[p.start - 1]) / 2, s, w) + 0.06 * ink.scale
        xb = _inch(s.x[p.end - 1], s, w) if part < len(a.parts) else w
        room = xb - xa - 0.1 * ink.scale
        if room < ink.width(label, size):
            continue  # too narrow a phase: the key still gives its reason
        fig.text((x0 + xa) / W, (y0 + h - 0.05 * ink.scale) / H,
                 ink.fit(f"{label}: {reason}", room, size), ha="left", va="top", fontsize=size,
                 color=PALETTE["muted"], style="italic", gid=f"phase-{part}", zorder=8,
                 bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none",
                       "alpha": 0.85})  # fmt: skip


def headroom(spec, ink: _Ink, ax_h: float) -> float:
    """The fraction of the plot's height kept free at its top for phase labels."""
    if len(spec.analysis.parts) < 2 or not spec.phases:
        return 0.0
    return min(0.25, (ink.line(ink.size("phase"), 1.2) + 0.1 * ink.scale) / max(ax_h, 1e-6))

