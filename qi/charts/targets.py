"""A target that changes over time, drawn as a step line: each target from the date it
comes into force until the next (the first, the measure's own, from the left edge)."""

from __future__ import annotations

from qi.charts.layout import _x_number
from qi.charts.style import PALETTE

STYLE = {"color": PALETTE["target"], "lw": 2.0, "ls": (0, (8, 3, 2, 3))}


def draw_steps(ax, spec, s) -> None:
    """The trajectory `spec.target_steps` ((start or None, value), ...) across the axes."""
    lo, hi = s.xlim
    starts = [lo if start is None else max(lo, _x_number(start, s.dates))
              for start, _ in spec.target_steps]
    ends = starts[1:] + [hi]
    xs, ys = [], []
    for (_, value), a, b in zip(spec.target_steps, starts, ends, strict=True):
        if b <= lo or a >= hi:
            continue
        xs += [a, min(b, hi)]
        ys += [value, value]
    if xs:
        ax.plot(xs, ys, zorder=2, gid="target", **STYLE)
