"""Geometry from measured text: the series in plotting units, text measuring (:class:`_Ink`),
the annotation marks, the rows of the annotation strip, the key's columns, wrapping."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
from matplotlib import dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from qi.charts.caption import caption_text
from qi.charts.spec import Annotation, ChartSpec, _is_dates, _num, shown
from qi.charts.style import _DAYS, _SIZES
from qi.dates import human_date
from qi.errors import InvalidInput


@dataclass(frozen=True)
class _Series:
    """The analysis in plotting units: x as floats (matplotlib date numbers or numbers)."""

    x: np.ndarray
    step: float  # the usual distance between points, in x units
    xlim: tuple[float, float]
    dates: bool
    first: int = 0  # index of the first point shown (a window shows a part of the series)
    last: int = -1  # index of the last point shown


def _x_number(value, dates: bool) -> float:
    """An annotation's x in plotting units; refuses dates on numbered charts and vice versa."""
    if dates:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date | np.datetime64):
            return float(mdates.date2num(np.asarray(value, dtype="datetime64[D]")))
        raise InvalidInput(f"the chart's points are dates; got {value!r} for an annotation")
    if isinstance(value, date | datetime | np.datetime64):
        raise InvalidInput(f"the chart's points are numbered, not dated; got {value}")
    return float(value)


def _series(spec: ChartSpec) -> _Series:
    a = spec.analysis
    dates = _is_dates(a)
    x = mdates.date2num(a.x.astype("datetime64[D]")) if dates else a.x.astype(np.float64)
    x = np.asarray(x, dtype=np.float64)
    if spec.period is not None and dates:
        step = _DAYS[spec.period]
    elif x.size > 1:
        step = float(np.median(np.diff(x)))
    else:
        step = 7.0 if dates else 1.0
    step = step if step > 0 else 1.0
    idx = np.flatnonzero(shown(spec))
    first, last = (int(idx[0]), int(idx[-1])) if idx.size else (0, x.size - 1)
    lo, hi = float(x[first]), float(x[last])
    pad = max(0.6 * step, 0.02 * (hi - lo))
    return _Series(x=x, step=step, xlim=(lo - pad, hi + pad), dates=dates, first=first,
                   last=last)


def _gaps(s: _Series, period: str | None) -> tuple[np.ndarray, int]:
    """Indices after which a whole period is missing, and how many periods that is.

    Only with a known period: irregular dates have no 'missing period' to speak of.
    """
    if period is None or not s.dates or s.x.size < 2:
        return np.zeros(0, dtype=np.int64), 0
    d = np.diff(s.x)
    idx = np.flatnonzero(d > 1.5 * s.step)
    inside = idx[(idx >= s.first) & (idx < s.last)]  # missing periods within the window
    return idx, int(np.sum(np.round(d[inside] / s.step) - 1))


def _with_gaps(x: np.ndarray, y: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN between points either side of a missing period, breaking the line."""
    if gaps.size == 0:
        return x, y
    xm = (x[gaps] + x[gaps + 1]) / 2
    return np.insert(x, gaps + 1, xm), np.insert(y, gaps + 1, np.nan)


def _ylim(spec: ChartSpec) -> tuple[float, float]:
    a = spec.analysis
    m = shown(spec)
    arrays = [a.y[m], a.cl[m], a.lcl[m], a.ucl[m]]
    if spec.target is not None:
        arrays.append(np.array([spec.target]))
    if spec.target_steps:
        arrays.append(np.array([v for _, v in spec.target_steps], dtype=np.float64))
    values = np.concatenate([np.asarray(v, dtype=np.float64) for v in arrays])
    values = values[np.isfinite(values)]
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo
    pad = 0.08 * span if span > 0 else max(abs(lo) * 0.1, 1.0)
    bottom, top = lo - pad, hi + pad
    # A non-negative measure (a count, a rate, a percentage) should not suggest values
    # below zero: keep just enough room for points on zero to show above the axis.
    if lo >= 0 and bottom < 0:
        bottom = -0.03 * (top if top > 0 else 1.0)
    if spec.percent and hi <= 100 and top > 100:
        top = 100 + 0.03 * (top - bottom)
    return bottom, top


def place_rows(
    centres: Sequence[float], widths: Sequence[float], *, gap: float, max_rows: int = 4
) -> list[tuple[int, float]]:
    """Greedy placement of labels in stacked rows so that none overlap.

    ``centres`` (sorted ascending) and ``widths`` in the same units, the usable range
    being 0..1. Each label goes in the first row where it fits at its own position; when
    none does and ``max_rows`` rows are in use, it goes where it needs the smallest shift
    to the right (its connector line then slants), and only as a last resort in a new row.
    Returns (row, left edge) per label.
    """
    right_edges: list[float] = []  # per row, the right edge of its last label
    out = []
    for c, w in zip(centres, widths, strict=True):
        ideal = min(max(c - w / 2, 0.0), max(1.0 - w, 0.0))
        row = next((r for r, e in enumerate(right_edges) if ideal >= e + gap), None)
        if row is None and len(right_edges) < max_rows:
            row = len(right_edges)
            right_edges.append(-math.inf)
        if row is None:
            lefts = [max(ideal, e + gap) for e in right_edges]
            fits = [r for r, left in enumerate(lefts) if left + w <= 1.0 + 1e-9]
            if fits:
                row = min(fits, key=lambda r: (lefts[r], r))
            else:
                row = len(right_edges)
                right_edges.append(-math.inf)
        left = max(ideal, right_edges[row] + gap)
        right_edges[row] = left + w
        out.append((row, left))
    return out


# (text, size, weight, dpi) -> width in pixels; valid because _RC fixes font and hinting.
_WIDTHS: dict[tuple[str, float, str, float], float] = {}


class _Ink:
    """Text measuring in inches with the figure's own renderer, at a scaled font size."""

    def __init__(self, fig: Figure, scale: float):
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)  # figure() attaches one
        self.renderer = canvas.get_renderer()
        self.dpi = fig.dpi
        self.scale = scale
        self._props: dict[tuple[float, str], FontProperties] = {}

    def size(self, key: str) -> float:
        return _SIZES[key] * self.scale

    def props(self, size: float, weight: str = "normal") -> FontProperties:
        k = (size, weight)
        if k not in self._props:
            self._props[k] = FontProperties(family="DejaVu Sans", size=size, weight=weight)
        return self._props[k]

    def width(self, text: str, size: float, weight: str = "normal") -> float:
        if not text:
            return 0.0
        from qi.charts.files import chart_text

        text = chart_text(text)  # measured as it will be drawn
        # Measuring lays the text out (about a millisecond); labels, ticks and legend
        # entries repeat from chart to chart, so a batch measures each string once.
        key = (text, size, weight, self.dpi)
        w = _WIDTHS.get(key)
        if w is None:
            w, _, _ = self.renderer.get_text_width_height_descent(
                text, self.props(size, weight), ismath=False
            )
            if len(_WIDTHS) > 20_000:
                _WIDTHS.clear()
            _WIDTHS[key] = w
        return w / self.dpi

    def line(self, size: float, spacing: float = 1.2) -> float:
        """Height of one line of text in inches."""
        return size * spacing / 72

    def wrap(self, text: str, width: float, size: float, weight: str = "normal") -> list[str]:
        """Wrap to a width in inches: estimate characters per line, then check by measuring."""
        if not text:
            return []
        chars = max(10, int(width / (0.55 * size / 72)))
        while True:
            lines = textwrap.wrap(text, chars, break_long_words=True)
            if chars <= 10 or all(self.width(s, size, weight) <= width for s in lines):
                return lines
            chars = int(chars * 0.94)

    def fit(self, text: str, width: float, size: float, weight: str = "normal") -> str:
        """The text cut with an ellipsis so it fits the width in inches."""
        if self.width(text, size, weight) <= width:
            return text
        lo, hi = 0, len(text)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.width(text[:mid].rstrip() + "…", size, weight) <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + "…"


@dataclass(frozen=True)
class _Mark:
    x: float  # plotting units
    day: str  # ISO date or the number, for the key
    label: str  # short label shown in the strip
    text: str
    kind: str
    where: str  # "", "before" or "after" the data


def _short_labels(annotations: Sequence[Annotation]) -> list[str]:
    """'dna-rate#3' -> '#3', unless that makes two different references look the same."""
    short = [a.label[a.label.rfind("#") :] if "#" in a.label else a.label for a in annotations]
    clash: dict[str, set[str]] = {}
    for s, a in zip(short, annotations, strict=True):
        clash.setdefault(s, set()).add(a.label)
    return [a.label if len(clash[s]) > 1 else s for s, a in zip(short, annotations, strict=True)]


def _marks(spec: ChartSpec, s: _Series) -> list[_Mark]:
    out = []
    labels = _short_labels(spec.annotations)
    for ann, label in zip(spec.annotations, labels, strict=True):
        x = _x_number(ann.x, s.dates)
        if not math.isfinite(x):
            raise InvalidInput(f"annotation {ann.label!r} has no position ({ann.x!r})")
        day = human_date(mdates.num2date(x).date()) if s.dates else _num(x)
        where = "before" if x < s.xlim[0] else "after" if x > s.xlim[1] else ""
        out.append(_Mark(x, day, label, " ".join(ann.text.split()), ann.kind, where))
    # by date, cycles before notes on the same day, then as given (the sort is stable)
    return sorted(out, key=lambda m: (m.x, m.kind != "cycle"))


def _spread(ys: list[float], min_gap: float, lo: float, hi: float) -> list[float]:
    """Move sorted positions apart to at least ``min_gap``, staying within lo..hi."""
    order = sorted(range(len(ys)), key=lambda k: ys[k])
    pos = [min(max(ys[k], lo), hi) for k in order]
    for k in range(1, len(pos)):
        pos[k] = max(pos[k], pos[k - 1] + min_gap)
    overflow = pos[-1] - hi if pos else 0
    if overflow > 0:
        pos[-1] -= overflow
        for k in range(len(pos) - 2, -1, -1):
            pos[k] = min(pos[k], pos[k + 1] - min_gap)
    out = [0.0] * len(ys)
    for k, p in zip(order, pos, strict=True):
        out[k] = p
    return out


def wrap_lines(text: str, ink: _Ink, width: float, size: float, most: int,
               weight: str = "normal") -> list[str]:
    """At most ``most`` lines; the last one cut with an ellipsis when the text is longer."""
    lines = ink.wrap(" ".join(text.split()), width, size, weight)
    if len(lines) > most:
        lines = [*lines[: most - 1], ink.fit(" ".join(lines[most - 1 :]), width, size, weight)]
    return lines


def _caption_lines(spec: ChartSpec, ink: _Ink, width: float, size: float,
                   missing_periods: int, most: int = 4, lead: str = "") -> list[str]:
    """The caption wrapped to the width, listing fewer signals when it would pass ``most``
    lines (and cut, as a last resort, at ``most`` lines)."""
    for max_signals in (4, 2, 1, 0):
        text = caption_text(spec, max_signals=max_signals, missing_periods=missing_periods,
                            lead=lead)
        lines = ink.wrap(text, width, size)
        if len(lines) <= most:
            return lines
    return wrap_lines(text, ink, width, size, most)
