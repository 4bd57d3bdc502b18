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
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from qi.charts.caption import caption_text
from qi.charts.spec import Annotation, ChartSpec, _is_dates, _num
from qi.charts.style import _DAYS, _SIZES
from qi.errors import InvalidInput


@dataclass(frozen=True)
class _Series:
    """The analysis in plotting units: x as floats (matplotlib date numbers or numbers)."""

    x: np.ndarray
    step: float  # the usual distance between points, in x units
    xlim: tuple[float, float]
    dates: bool


def _x_number(value, dates: bool) -> float:
    """An annotation's x in plotting units; refuses dates on numbered charts and vice versa."""
    if dates:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date | np.datetime64):
            return float(mdates.date2num(np.datetime64(value, "D")))
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
    lo, hi = float(x[0]), float(x[-1])
    pad = max(0.6 * step, 0.02 * (hi - lo))
    return _Series(x=x, step=step, xlim=(lo - pad, hi + pad), dates=dates)


def _gaps(s: _Series, period: str | None) -> tuple[np.ndarray, int]:
    """Indices after which a whole period is missing, and how many periods that is.

    Only with a known period: irregular dates have no 'missing period' to speak of.
    """
    if period is None or not s.dates or s.x.size < 2:
        return np.zeros(0, dtype=np.int64), 0
    d = np.diff(s.x)
    idx = np.flatnonzero(d > 1.5 * s.step)
    return idx, int(np.sum(np.round(d[idx] / s.step) - 1))


def _with_gaps(x: np.ndarray, y: np.ndarray, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a NaN between points either side of a missing period, breaking the line."""
    if gaps.size == 0:
        return x, y
    xm = (x[gaps] + x[gaps + 1]) / 2
    return np.insert(x, gaps + 1, xm), np.insert(y, gaps + 1, np.nan)


def _ylim(spec: ChartSpec) -> tuple[float, float]:
    a = spec.analysis
    arrays = [a.y, a.cl, a.lcl, a.ucl]
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
        self.renderer = fig.canvas.get_renderer()
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
        day = str(mdates.num2date(x).date()) if s.dates else _num(x)
        where = "before" if x < s.xlim[0] else "after" if x > s.xlim[1] else ""
        out.append(_Mark(x, day, label, " ".join(ann.text.split()), ann.kind, where))
    # by date, cycles before notes on the same day, then as given (the sort is stable)
    return sorted(out, key=lambda m: (m.x, m.kind != "cycle"))


def _key_entry(m: _Mark, label_len: int) -> tuple[str, str, str]:
    """(label and date, title, suffix): '#3  2018-04-23  SMS reminders for all nurses'.

    The date comes before the title so that cutting a long title never loses it. Labels
    are padded to ``label_len`` with figure spaces (as wide as a digit), so that '#1' and
    '#10' take the same room and the dates line up.
    """
    label = m.label + "\u2007" * (label_len - len(m.label))
    suffix = f" (not drawn: {m.where} the data)" if m.where else ""
    return f"{label}  {m.day}  ", m.text, suffix


_KEY_GAP = 0.3  # inches between key columns


@dataclass(frozen=True)
class _KeyLayout:
    size: float
    columns: list[list[str]]
    height: float  # inches


def _layout_key(marks: list[_Mark], ink: _Ink, width: float, height: float) -> _KeyLayout:
    """Choose the key's font size and columns; the chart itself keeps the most room.

    In order: the largest font at which every entry fits whole, in as many columns as
    that allows, within a fifth of the figure height; else titles cut to fit columns, at
    a middle then the smallest font, within a fifth; else the smallest font within
    three tenths (only for dozens of cycles).
    """
    if not marks:
        return _KeyLayout(0, [], 0.0)
    longest = max(len(m.label) for m in marks)
    entries = [_key_entry(m, longest) for m in marks]
    n = len(entries)
    big, small = ink.size("key"), ink.size("key_min")
    sizes = (big, (big + small) / 2, small)

    def rows_fit(size: float, ncols: int, budget: float) -> bool:
        return math.ceil(n / ncols) * ink.line(size, 1.3) <= budget

    choice = None
    for size in sizes:
        widest = max(ink.width("".join(e), size) for e in entries)
        ncols = max(1, min(n, int((width + _KEY_GAP) / (widest + _KEY_GAP))))
        if rows_fit(size, ncols, 0.2 * height):
            choice = (size, ncols)
            break
    for size, budget in ((sizes[1], 0.2), (small, 0.2), (small, 0.3)):
        if choice is not None:
            break
        # columns no narrower than about 2.8 inches, so a cut title still says something
        most = max(1, min(8, int((width + _KEY_GAP) / (2.8 * ink.scale + _KEY_GAP))))
        ncols = next((c for c in range(1, most + 1) if rows_fit(size, c, budget * height)), None)
        if ncols is not None:
            choice = (size, ncols)
    if choice is None:
        choice = (small, max(1, min(8, int((width + _KEY_GAP) / (2.0 + _KEY_GAP)))))
    size, ncols = choice
    rows = math.ceil(n / ncols)
    col_w = (width - _KEY_GAP * (ncols - 1)) / ncols
    lines = []
    for label, title, suffix in entries:
        whole = label + title + suffix
        if ink.width(whole, size) <= col_w:
            lines.append(whole)
            continue
        room = col_w - ink.width(label, size) - ink.width(suffix, size)
        lines.append(label + ink.fit(title, max(room, 0.3), size) + suffix)
    columns = [lines[c * rows : (c + 1) * rows] for c in range(ncols)]
    return _KeyLayout(size, [c for c in columns if c], rows * ink.line(size, 1.3))


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


def _subtitle_lines(spec: ChartSpec, ink: _Ink, width: float) -> list[str]:
    """At most two lines; a long aim is cut with an ellipsis rather than crowding the plot."""
    if not spec.subtitle:
        return []
    size = ink.size("subtitle")
    lines = ink.wrap(" ".join(spec.subtitle.split()), width, size)
    if len(lines) > 2:
        lines = [lines[0], ink.fit(" ".join(lines[1:]), width, size)]
    return lines


def _caption_lines(
    spec: ChartSpec, ink: _Ink, width: float, size: float, missing_periods: int
) -> list[str]:
    """The caption wrapped to the width; listing fewer signals when it would pass 4 lines."""
    for max_signals in (4, 2, 1, 0):
        text = caption_text(spec, max_signals=max_signals, missing_periods=missing_periods)
        lines = ink.wrap(text, width, size)
        if len(lines) <= 4:
            break
    return lines


def _strip_rows(marks: list[_Mark], ink: _Ink, ax_w: float, s: _Series) -> list[tuple[int, float]]:
    """Rows and left edges (axis fractions) of the strip labels; see :func:`place_rows`."""
    if not marks:
        return []
    size = ink.size("strip")
    span = s.xlim[1] - s.xlim[0]
    centres = [(m.x - s.xlim[0]) / span for m in marks]
    # measured width plus a little air, as a fraction of the axes width
    widths = [(ink.width(m.label, size, "bold") + 0.06) / ax_w for m in marks]
    return place_rows(centres, widths, gap=0.08 / ax_w, max_rows=4)
