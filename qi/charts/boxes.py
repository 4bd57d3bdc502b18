"""The layout of a drawn chart, as something a test (or a reviewer's script) can check.

:func:`layout_of` gives, in pixel coordinates of the written image (origin top left, at the
chart's dpi; SVG and PDF charts are measured as their PNG would be)::

    {"width": W, "height": H, "plot": [x0, y0, x1, y1],
     "texts": [{"role": R, "text": T, "box": [x0, y0, x1, y1]}, ...],
     "leaders": [[x0, y0, x1, y1], ...]}

Roles: title, subtitle, ylabel, xtick, ytick, edge-value, annotation, legend, key, caption,
phase. Boxes are the measured extents of the text as drawn (font ascent to descent), so
two boxes that do not intersect are two texts that do not touch.
"""

from __future__ import annotations

from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure

_ROLES = {"title": "title", "subtitle": "subtitle", "key": "key", "caption": "caption",
          "label": "annotation", "phase": "phase", "value": "edge-value"}  # fmt: skip


def _renderer(fig: Figure) -> RendererAgg:
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)  # qi.charts.figure() attaches one
    return canvas.get_renderer()


def layout_of(fig: Figure) -> dict:
    """The layout of ``fig`` (drawn by :func:`qi.charts.figure`), laid out without
    rendering pixels when it has not been drawn yet."""
    renderer = _renderer(fig)
    if not getattr(fig, "_qi_laid_out", False):
        fig.draw_without_rendering()
        setattr(fig, "_qi_laid_out", True)  # noqa: B010 (not an attribute Figure declares)
    W, H = fig.bbox.width, fig.bbox.height
    dpi = fig.dpi

    def box(b) -> list[float]:
        return [round(b.x0, 1), round(H - b.y1, 1), round(b.x1, 1), round(H - b.y0, 1)]

    texts = []

    def add(role: str, artist) -> None:
        if artist.get_visible() and artist.get_text():
            texts.append({"role": role, "text": artist.get_text(),
                          "box": box(artist.get_window_extent(renderer))})  # fmt: skip

    for t in fig.texts:
        role = _ROLES.get((t.get_gid() or "").rsplit("-", 1)[0])
        if role:
            add(role, t)
    ax = fig.axes[0]
    for t in ax.texts:
        role = _ROLES.get((t.get_gid() or "").rsplit("-", 1)[0])
        if role:
            add(role, t)
    add("ylabel", ax.yaxis.label)
    for axis, role in ((ax.xaxis, "xtick"), (ax.yaxis, "ytick")):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks():
            if lo - 1e-9 <= tick.get_loc() <= hi + 1e-9 and tick.label1.get_visible():
                add(role, tick.label1)
    for legend in fig.legends:
        for t in legend.get_texts():
            add("legend", t)
    leaders = [[round(x0 * dpi, 1), round(H - y0 * dpi, 1), round(x1 * dpi, 1),
                round(H - y1 * dpi, 1)] for x0, y0, x1, y1 in fig.__dict__.get("_qi_leaders", [])]
    return {"width": round(W), "height": round(H), "plot": box(ax.get_window_extent(renderer)),
            "texts": texts, "leaders": leaders}  # fmt: skip


def problems(lay: dict, *, min_plot_share: float = 0.45) -> list[str]:
    """What is wrong with a layout, in words (empty when nothing is): texts that overlap
    or leave the figure, a plot under ``min_plot_share`` of the height, a leader through
    a text."""
    out = []
    W, H = lay["width"], lay["height"]
    texts = lay["texts"]
    for t in texts:
        x0, y0, x1, y1 = t["box"]
        if x0 < -0.5 or y0 < -0.5 or x1 > W + 0.5 or y1 > H + 0.5:
            out.append(f"{t['role']} {t['text']!r} leaves the figure: {t['box']}")
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if _overlap(a["box"], b["box"]):
                out.append(f"{a['role']} {a['text']!r} overlaps {b['role']} {b['text']!r}")
    x0, y0, x1, y1 = lay["plot"]
    if (y1 - y0) < min_plot_share * H - 0.5:
        out.append(f"the plot is {(y1 - y0) / H:.0%} of the height")
    for seg in lay["leaders"]:
        for t in texts:
            if _crosses(seg, t["box"]):
                out.append(f"a leader {seg} crosses {t['role']} {t['text']!r}")
    return out


def _overlap(a, b, eps: float = 0.5) -> bool:
    return a[0] < b[2] - eps and b[0] < a[2] - eps and a[1] < b[3] - eps and b[1] < a[3] - eps


def _crosses(seg, b, eps: float = 0.5) -> bool:
    """Whether the segment passes through the inside of box ``b`` (Liang-Barsky clip)."""
    x0, y0, x1, y1 = seg
    bx0, by0, bx1, by1 = b[0] + eps, b[1] + eps, b[2] - eps, b[3] - eps
    if bx0 >= bx1 or by0 >= by1:
        return False
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - bx0), (dx, bx1 - x0), (-dy, y0 - by0), (dy, by1 - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True
