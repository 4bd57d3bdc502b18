"""Making Data Count icons drawn on a chart (top right, beside the title), as vector shapes:
the same geometry as the HTML reports' icons (:func:`qi.reports._icons.shapes`)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from qi.reports import _icons


def width(names: tuple[str, ...], size: float) -> float:
    """Inches the icons take from the title's width (0 without icons)."""
    return len(names) * size * 1.1 if names else 0.0


def draw(fig, names: tuple[str, ...], right: float, top: float, size: float) -> None:
    """Each icon in a small square axes of `size` inches, right-aligned at `right`, its top
    at `top` (inches from the bottom of the figure). gid: icon-<name>."""
    W, H = fig.get_size_inches()
    for k, name in enumerate(reversed(names)):
        x = right - (k + 1) * size * 1.1 + 0.1 * size
        ax = fig.add_axes((x / W, (top - size) / H, size / W, size / H), gid=f"icon-{name}")
        ax.set_xlim(0, 100)
        ax.set_ylim(100, 0)
        ax.set_axis_off()
        _shape(ax, name, size / 0.62)


def _shape(ax, name: str, k: float = 1.0) -> None:
    """The icon's shapes; `k` scales line widths and letters with the icon's size."""
    s = _icons.shapes(name)
    colour = s["colour"]
    ax.add_patch(Circle((50, 50), 44, facecolor="white", edgecolor=colour, lw=2.6 * k))
    if s["points"]:
        xs, ys = zip(*s["points"], strict=True)
        ax.add_line(Line2D(xs, ys, color="#a6a6a6", lw=1.2 * k))
        for j, (x, y) in enumerate(s["points"]):
            fill = colour if s.get("special") and j >= 4 else "#a6a6a6"
            ax.add_patch(Circle((x, y), 5, color=fill, lw=0))
        if s["letter"]:
            ax.text(50, 84 if s["letter"] == "H" else 22, s["letter"], color=colour,
                    ha="center", va="center", fontsize=8 * k, fontweight="bold")
    elif s["letter"]:
        ax.text(50, 52, s["letter"], color=colour, ha="center", va="center", fontsize=16 * k,
                fontweight="bold")
    if s["wave"]:
        ax.add_line(Line2D([18, 82], [50, 50], color="#de1b1b", lw=1.4 * k))
        t = np.linspace(20, 80, 40)
        ax.add_line(Line2D(t, 50 - 20 * np.sin((t - 20) / 60 * 2 * np.pi), color=colour,
                           lw=1.8 * k))
