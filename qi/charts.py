"""Run charts and SPC charts as slide-ready images: an :class:`~qi.analysis.Analysis` plus
PDSA cycles and notes in, a matplotlib Figure (and PNG/SVG/PDF bytes) out.

Pure rendering: no database, no clock, no printing. The caller (``qi chart``) reads the
record, runs the analysis and builds a :class:`ChartSpec`; :func:`figure` draws it and
:func:`save` writes it. Only the matplotlib Figure API with the Agg canvas is used, never
pyplot, so nothing global (no backend switch, no figure registry) is touched and figures are
garbage-collected like any object.

Anatomy of a chart, top to bottom (16:9, 13.33 x 7.5 in at 150 dpi by default):

* **title** (the measure) and **subtitle** (project, team, aim; wrapped to two lines);
* the **annotation strip**: a short label ("#3", "N1") for every PDSA cycle and note, in
  staggered rows so that no two labels overlap however many there are; a thin line runs
  from each label down through the plot at the cycle's Do date (or the note's date);
* the **plot**: data as points joined by a line (broken where a value or a whole period is
  missing); per part (phase) its centre line - solid over the baseline, dashed where a frozen
  baseline is extended - and its control limits as step lines; the target; signals
  highlighted; the current centre line, limits and target labelled with their values at
  the right edge;
* a one- or two-row **legend** of what each line and marker means (only what is drawn);
* the **key** of annotations: "#3  SMS reminders for all nurses (started 2018-04-23)", in
  as many columns as needed; annotations outside the data's dates are listed, marked
  "not drawn", rather than stretching the axis;
* the **caption**: number of points, centre line per part, the rules and what they found
  in words (the analysis' own signal sentences, shortened), data source and date.

Colours are the Okabe-Ito colour-blind-safe palette, and every highlighted category also
differs in marker shape and size, so nothing relies on colour alone:

* points in a run signal (long run, shift, trend): orange diamonds; the centre line of a
  part with a runs signal is drawn orange, as qicharts2 draws it amber;
* points outside the limits (sigma signal): vermillion squares (they take precedence over
  run diamonds: a point that is both is shown as a square);
* Making Data Count point types: improvement blue circles, concern orange squares,
  neutral reddish-purple diamonds, common cause as ordinary points;
* excluded points: hollow grey circles.

Output is deterministic: the same spec gives byte-identical SVG (fixed ``svg.hashsalt``,
no dates in the metadata), and figure layout is computed from measured text extents rather
than by matplotlib's layout engines, which keeps a 200-point chart well under half a second.
"""

from __future__ import annotations

import io
import math
import os
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D

from qi.analysis import Analysis
from qi.errors import Conflict, InvalidInput

__all__ = [
    "FORMATS",
    "PALETTE",
    "Annotation",
    "ChartSpec",
    "caption_text",
    "figure",
    "render",
    "save",
]

FORMATS = ("png", "svg", "pdf")
PERIODS = ("day", "week", "month")
KINDS = ("cycle", "note")

# Okabe & Ito (2008) colour-blind-safe palette, plus neutral greys.
PALETTE = {
    "data": "#4B5B6B",  # dark grey-blue: the measurements
    "centre": "#1A1A1A",
    "limits": "#7A7A7A",
    "target": "#009E73",  # bluish green
    "run": "#E69F00",  # orange: points of a run signal, centre line of a signalling part
    "sigma": "#D55E00",  # vermillion: points outside the limits
    "improvement": "#0072B2",  # blue
    "concern": "#E69F00",  # orange
    "neutral": "#CC79A7",  # reddish purple
    "excluded": "#B0B0B0",
    "cycle": "#332288",  # indigo (Tol): PDSA cycle markers and labels
    "note": "#666666",
    "separator": "#9A9A9A",
    "text": "#1A1A1A",
    "muted": "#555555",
    "grid": "#E8E8E8",
}

# Font sizes in points at the default 13.33 x 7.5 in; scaled with the figure size so a
# smaller figure keeps the same proportions. 14 pt ticks stay readable when projected.
_SIZES = {
    "title": 24,
    "subtitle": 15,
    "ticks": 14,
    "label": 14,
    "legend": 13,
    "strip": 13,
    "key": 13,
    "key_min": 10,
    "caption": 12,
    "values": 13,
}
_DEFAULT_W, _DEFAULT_H = 40 / 3, 7.5  # 16:9; 2000 x 1125 px at 150 dpi

# Everything that affects the output is set here, so a user's matplotlibrc cannot change
# (or un-determinise) qi's charts.
_RC = {
    "font.family": "DejaVu Sans",
    "axes.unicode_minus": True,
    "svg.hashsalt": "qi-chart",
    "text.parse_math": False,  # a '$' in a name or note is a dollar sign, not TeX
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": True,
    # unhinted glyphs render about twice as fast, and at 150 dpi look the same
    "text.hinting": "no_hinting",
    "agg.path.chunksize": 0,
    "axes.formatter.useoffset": False,
    "date.converter": "auto",
    "lines.solid_capstyle": "butt",
    "lines.dash_capstyle": "butt",
}

_CL_NAMES = {
    "run": "Median",
    "g": "Median",
    "mr": "Mean moving range",
    "s": "Mean SD",
    "t": "Centre line",
}
_RULE_NAMES = {
    "anhoej": "Anhøj rules",
    "ihi": "IHI run chart rules",
    "mdc": "Making Data Count rules",
}
_SIGNAL_NAMES = {
    "longest_run": "Long run",
    "crossings": "Too few crossings",
    "sigma": "Outside the limits",
    "shift": "Shift",
    "trend": "Trend",
    "too_few_runs": "Too few runs",
    "too_many_runs": "Too many runs",
    "outside_limits": "Outside the limits",
    "two_of_three": "Two of three near a limit",
}
# Signals that mark a stretch of points (highlighted); the others concern a whole part.
_RUN_RULES = frozenset({"longest_run", "shift", "trend"})
# The analysis' sentences end with the threshold, e.g. "(more than 8 suggests a shift)";
# the caption names the rule instead, so that explanation is dropped there.
_THRESHOLD = re.compile(r"\s*\((?:more than|fewer than|\d+ or more)[^()]*\)\s*$")
_MDC_TYPES = (
    ("special_cause_improvement", "improvement", "o", 9.5, "Special cause: improvement"),
    ("special_cause_concern", "concern", "s", 8.5, "Special cause: concern"),
    ("special_cause_neutral", "neutral", "D", 8.0, "Special cause: neutral"),
)
# Below this many values the runs rules can hardly fire (the IHI runs table starts at 10).
_FEW = 10
_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}


# ---------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Annotation:
    """A PDSA cycle or a free-text note, marked on the chart at ``x``.

    ``x``: a date (``datetime.date``/``datetime``/``numpy.datetime64``) on a chart of dates,
    a number on a chart of numbered points; for a cycle, the date it started (its Do date).
    ``label``: the reference, e.g. "dna-rate#3" or "N1"; the strip shows its short form
    ("#3") unless two annotations would then share a label. ``text``: the cycle's title or
    the note. ``kind``: "cycle" or "note" (drawn in different styles).
    """

    x: date | datetime | np.datetime64 | float | int
    label: str
    text: str
    kind: str = "cycle"

    def __post_init__(self):
        if self.kind not in KINDS:
            raise InvalidInput(f"unknown annotation kind {self.kind!r}; use 'cycle' or 'note'")


@dataclass(frozen=True, eq=False)
class ChartSpec:
    """Everything one chart shows. Values (``target``, the analysis) are already multiplied.

    ``percent``: the analysis was multiplied by 100 and the y axis reads 0-100 %.
    ``unit``: appended to values in the caption and the right-edge labels ("days").
    ``period``: "day", "week" or "month" formats the dates on the x axis and lets a missing
    period break the data line; None for irregular dates or numbered points.
    ``rules``: the rule set's name for the caption (default: from the analysis).
    ``caption_source``: the last sentence of the caption, e.g.
    "Source: EMIS search 12; generated 2026-11-27" (the chart itself reads no clock).
    ``width``/``height`` in inches, ``dpi`` for PNG (SVG and PDF are vector).
    """

    analysis: Analysis
    title: str
    subtitle: str | None = None
    caption_source: str | None = None
    annotations: tuple[Annotation, ...] = field(default=())
    target: float | None = None
    percent: bool = False
    unit: str | None = None
    y_label: str | None = None
    period: str | None = None
    rules: str | None = None
    width: float = _DEFAULT_W
    height: float = _DEFAULT_H
    dpi: float = 150

    def __post_init__(self):
        if self.period is not None and self.period not in PERIODS:
            raise InvalidInput(
                f"unknown period {self.period!r}; use one of {', '.join(PERIODS)} or none"
            )
        for name in ("width", "height", "dpi"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise InvalidInput(f"chart {name} must be a number above 0, not {value!r}")
        if not 2 <= self.width <= 60 or not 2 <= self.height <= 60:
            raise InvalidInput(
                f"a chart of {self.width} x {self.height} in is too small or too large; "
                "use a width and height between 2 and 60 inches"
            )
        if self.target is not None and not math.isfinite(self.target):
            raise InvalidInput(f"the target must be a finite number, not {self.target!r}")
        object.__setattr__(self, "annotations", tuple(self.annotations))


# ---------------------------------------------------------------------------- numbers


def _num(v: float) -> str:
    """A value as people write it: 3 significant figures, thousands separated."""
    if not math.isfinite(v):
        return "-"
    a = abs(v)
    if a >= 100:
        s = f"{v:,.0f}"
    elif a >= 10:
        s = f"{v:.1f}"
    elif a >= 1:
        s = f"{v:.2f}"
    elif a == 0:
        s = "0"
    else:
        s = f"{v:.3g}"
    if "." in s and "e" not in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def _value(v: float, spec: ChartSpec) -> str:
    if spec.percent:
        return f"{_num(v)}%"
    if not spec.unit:
        return _num(v)
    return f"{_num(v)}{spec.unit}" if spec.unit == "%" else f"{_num(v)} {spec.unit}"


def _is_dates(a: Analysis) -> bool:
    return np.issubdtype(a.x.dtype, np.datetime64)


def _iso(day: np.datetime64) -> str:
    return str(np.datetime64(day, "D"))


# ---------------------------------------------------------------------------- caption


def _cl_name(a: Analysis) -> str:
    return _CL_NAMES.get(a.chart, "Mean")


def _span(a: Analysis, start: int, end: int) -> str:
    """1-based positions as dates when x are dates: '2018-01-01 to 2018-03-19'."""
    if _is_dates(a):
        return f"{_iso(a.x[start - 1])} to {_iso(a.x[end - 1])}"
    return f"points {start} to {end}"


def _shorten(text: str) -> str:
    return _THRESHOLD.sub("", text).rstrip(".")


def _points_sentence(spec: ChartSpec, missing_periods: int) -> str:
    a = spec.analysis
    present = int(np.count_nonzero(~np.isnan(a.y)))
    missing = len(a) - present + missing_periods
    s = f"{present} point{'s' if present != 1 else ''}"
    if _is_dates(a):
        s += f" from {_iso(a.x[0])} to {_iso(a.x[-1])}" if len(a) > 1 else f" on {_iso(a.x[0])}"
    if missing:
        s += f" ({missing} missing)"
    return s + "."


def _limits_clause(spec: ChartSpec, part) -> str:
    """', control limits 4.8 to 10.9' (averaged, and said so, when they vary by point)."""
    a = spec.analysis
    sl = slice(part.start - 1, part.end)
    lcl, ucl = a.lcl[sl], a.ucl[sl]
    if a.chart == "run" or not (np.isfinite(lcl).any() or np.isfinite(ucl).any()):
        return ""
    u = ucl[np.isfinite(ucl)]
    # p and u charts have limits that move with the denominator: give their average
    varies = u.size > 1 and float(u.max() - u.min()) > 1e-9 * max(1.0, float(np.abs(u).max()))
    lo = _value(part.lcl, spec) if math.isfinite(part.lcl) else "none"
    hi = _value(part.ucl, spec) if math.isfinite(part.ucl) else "none"
    kind = "process" if a.rules == "mdc" else "control"
    return f", {kind} limits {'on average ' if varies else ''}{lo} to {hi}"


def _centre_sentence(spec: ChartSpec) -> str:
    """'Median 8.1% from the first 12 points, extended.' With phases, one value per phase:
    'Mean 8.2% in phase 1 (2017-01-01 to 2017-12-01), 6.7% in phase 2 (...)'. Limits are
    given for a chart of one phase only, where they add to rather than bury the message."""
    a = spec.analysis
    name = _cl_name(a)
    values = [_value(p.cl, spec) if math.isfinite(p.cl) else "not computed" for p in a.parts]
    frozen = [int(np.count_nonzero(a.baseline[p.start - 1 : p.end])) for p in a.parts]
    frozen_any = any(k < p.end - p.start + 1 for k, p in zip(frozen, a.parts, strict=True))
    if len(a.parts) == 1:
        p = a.parts[0]
        s = f"{name} {values[0]}"
        if frozen_any:
            s += f" from the first {_plural(frozen[0], 'point')}, extended"
        return s + _limits_clause(spec, p) + "."
    clauses = [
        f"{v} in phase {p.part} ({_span(a, p.start, p.end)})"
        for v, p in zip(values, a.parts, strict=True)
    ]
    s = f"{name} {', '.join(clauses)}"
    if frozen_any:
        if len(set(frozen)) == 1:
            s += f", each from the first {_plural(frozen[0], 'point')} of its phase, extended"
        else:
            s += ", each from the baseline of its phase, extended"
    return s + "."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _sentence_case(text: str) -> str:
    """'Only 5 crossings' -> 'only 5 crossings' (but 'IHI' stays 'IHI')."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _signal_sentence(spec: ChartSpec, max_per_part: int) -> str:
    """'Anhøj rules - long run: 17 points in a row below the centre line from ... to ...'."""
    a = spec.analysis
    rules = spec.rules or _RULE_NAMES.get(a.rules, a.rules)
    if a.chart != "run" and a.rules != "mdc":
        rules += " and 3-sigma limits"
    found = []
    for p in a.parts:
        items = [
            f"{_SIGNAL_NAMES.get(sig.rule, sig.rule).lower()}: {_sentence_case(_shorten(sig.text))}"
            for sig in p.signals
        ]
        if len(items) > max_per_part:
            rest = len(items) - max_per_part
            items = items[:max_per_part] + [f"{_plural(rest, 'more signal')}"]
        if items:
            prefix = f"in phase {p.part}, " if len(a.parts) > 1 else ""
            found.append(prefix + "; ".join(items))
    if not found:
        present = int(np.count_nonzero(~np.isnan(a.y)))
        if present < _FEW:
            # saying "only chance" about 3 points would claim more than the rules can tell
            return (
                f"{rules}: no signals, but with only {_plural(present, 'point')} few "
                "patterns could show yet."
            )
        return f"{rules}: no signals, only the variation expected by chance."
    return f"{rules} — {'; '.join(found)}."


_ASSURANCE = {
    "consistent_pass": "the process limits are on the right side of the target, so it will "
    "be met consistently if nothing changes",
    "consistent_fail": "the process limits are on the wrong side of the target, so it will "
    "be missed consistently unless the process changes",
    "inconsistent": "the target lies between the process limits, so it will be met some of "
    "the time but not reliably",
}


def _assurance_sentence(a: Analysis) -> str:
    """Making Data Count's target assurance for the latest phase, in words."""
    kind = a.parts[-1].assurance_type if a.rules == "mdc" else None
    if kind not in _ASSURANCE:
        return ""
    return f"Target assurance: {_ASSURANCE[kind]}."


def _notes_sentence(a: Analysis) -> str:
    notes: list[str] = []
    for p in a.parts:
        for note in p.notes:
            if note not in notes:
                notes.append(note)
    return " ".join(n if n.endswith(".") else n + "." for n in notes)


def caption_text(spec: ChartSpec, *, max_signals: int = 4, missing_periods: int = 0) -> str:
    """The caption under the chart, as one paragraph of plain English.

    Number of points (and how many are missing), the centre line per part (with the
    limits for SPC charts), the rules used and what they found (the analysis' signal
    sentences without their threshold explanations, at most ``max_signals`` per part,
    then a count), Making Data Count's target assurance, the analysis' notes, and
    ``spec.caption_source``.
    ``missing_periods``: periods with no row at all (found by :func:`figure` from the dates).
    """
    a = spec.analysis
    parts = [
        _points_sentence(spec, missing_periods),
        _centre_sentence(spec),
        _signal_sentence(spec, max_signals),
        _assurance_sentence(a),
        _notes_sentence(a),
        (spec.caption_source or "").strip(),
    ]
    return " ".join(s for s in parts if s)


# ---------------------------------------------------------------------------- geometry


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


# ---------------------------------------------------------------------------- drawing


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
        pieces = [("baseline", idx[idx <= last_base], "-")]
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


def _draw_target(ax, spec: ChartSpec, legend: _Legend) -> None:
    if spec.target is None:
        return
    style = {"color": PALETTE["target"], "lw": 2.0, "ls": (0, (8, 3, 2, 3))}
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
    halfway between the points either side (as qicharts2 draws its freeze line)."""
    a = spec.analysis
    frozen, phases = [], []
    for p in a.parts:
        if p.start > 1:
            phases.append((s.x[p.start - 2] + s.x[p.start - 1]) / 2)
        base = np.flatnonzero(a.baseline[p.start - 1 : p.end]) + p.start - 1
        if base.size and base[-1] < p.end - 1:
            frozen.append((s.x[base[-1]] + s.x[base[-1] + 1]) / 2)
    tr = ax.get_xaxis_transform()
    if frozen:
        style = {"color": PALETTE["separator"], "lw": 1.4, "ls": (0, (1.5, 2.5))}
        ax.vlines(frozen, 0, 1, transform=tr, zorder=1, gid="freeze", **style)
        legend.add(70, "End of the baseline", **style)
    if phases:
        style = {"color": PALETTE["separator"], "lw": 1.4, "ls": "-"}
        ax.vlines(phases, 0, 1, transform=tr, zorder=1, gid="phases", **style)
        legend.add(71, "New phase", **style)


# ---------------------------------------------------------------------------- annotations


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


# ---------------------------------------------------------------------------- axes setup


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
    if spec.y_label:
        ax.set_ylabel(spec.y_label, fontsize=ink.size("label"), color="#333333", labelpad=10)
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
    """Month charts read 'Mar 2018'; week and day charts '5 Mar 2018'. The number of ticks
    follows from how many such labels fit across the axis."""
    span_days = s.xlim[1] - s.xlim[0]
    # over about four months, whatever the period, months are the natural ticks
    month = span_days > 120 or spec.period == "month"
    sample = "Sep 2018" if month else "30 Sep 2018"
    label_w = ink.width(sample, ink.size("ticks"))
    maxticks = max(3, min(12, int(axis_w / (label_w * 1.4))))
    fmt = "%b %Y" if month else None
    if s.x.size <= maxticks:
        # few points: a tick on each, rather than on dates that have no data
        locator = ticker.FixedLocator(s.x)
    elif month:
        # ticks on the first of the month, every k months (k from a friendly set)
        months = span_days / _DAYS["month"]
        k = next((k for k in (1, 2, 3, 4, 6, 12, 24, 36, 60) if months / k <= maxticks), 120)
        if k < 12:
            locator = mdates.MonthLocator(bymonth=range(1, 13, k))
        else:
            locator = mdates.YearLocator(base=k // 12)
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks, interval_multiples=True)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(_date_formatter(fmt)))


def _date_formatter(fmt: str | None):
    def label(v: float, _pos=None) -> str:
        d = mdates.num2date(v)
        # '%-d' is not portable (Windows), so the day is formatted by hand
        return d.strftime(fmt) if fmt else f"{d.day} {d:%b %Y}"

    return label


def _ytick_width(ax, ink: _Ink) -> float:
    locs = [v for v in ax.yaxis.get_majorticklocs() if ax.get_ylim()[0] <= v <= ax.get_ylim()[1]]
    labels = ax.yaxis.get_major_formatter().format_ticks(locs)
    return max((ink.width(t, ink.size("ticks")) for t in labels), default=0.3)


# ---------------------------------------------------------------------------- right edge


def _edge_values(spec: ChartSpec) -> list[tuple[float, str, str]]:
    """(y, text, colour) for the last part's centre line and limits, and the target."""
    a = spec.analysis
    last = a.parts[-1]
    i = last.end - 1
    out = []
    if math.isfinite(a.cl[i]):
        colour = PALETTE["run"] if last.runs_signal and a.rules != "mdc" else PALETTE["centre"]
        out.append((float(a.cl[i]), _value(float(a.cl[i]), spec), colour))
    if a.chart != "run":
        for lim in (a.ucl[i], a.lcl[i]):
            if math.isfinite(lim):
                out.append((float(lim), _value(float(lim), spec), PALETTE["limits"]))
    if spec.target is not None:
        out.append((spec.target, "Target " + _value(spec.target, spec), PALETTE["target"]))
    return out


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


# ---------------------------------------------------------------------------- figure


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
    title = [ink.fit(" ".join(spec.title.split()), text_w, ink.size("title"), "bold")]
    sub_lines = _subtitle_lines(spec, ink, text_w)
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
    top_block = pad * 0.8 + title_h + sub_h + gap + strip_h
    bottom_block = xtick_h + gap + leg_h + gap + key_h + cap_h + pad * 0.8
    ax_h = max(H - top_block - bottom_block, 0.8)
    ax.set_position((left / W, bottom_block / H, ax_w / W, ax_h / H))

    # ---- place the blocks
    y = H - pad * 0.8
    _text_block(fig, pad, y, title, ink.size("title"), 1.25, "title", weight="bold",
                color=PALETTE["text"])  # fmt: skip
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


def _draw_plot(ax, s: _Series, spec: ChartSpec, gaps: np.ndarray, drawn) -> _Legend:
    """Everything inside the axes except the annotations; returns the legend entries."""
    legend = _Legend()
    _draw_separators(ax, s, spec, legend)
    _draw_limits(ax, s, spec, legend)
    _draw_target(ax, spec, legend)
    _draw_centre(ax, s, spec, legend)
    _draw_data(ax, s, spec, gaps, legend)
    _draw_signals(ax, s, spec, legend)
    if any(m.kind == "cycle" for m in drawn):
        legend.add(60, "PDSA cycle started", color=PALETTE["cycle"], lw=1.4, ls=(0, (4, 2)))
    if any(m.kind == "note" for m in drawn):
        legend.add(61, "Note", color=PALETTE["note"], lw=1.4, ls=(0, (1, 2)))
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


def _draw_annotations(fig, ax, marks, strip, s: _Series, ink: _Ink, row_h: float) -> None:
    """A line through the plot at each date, rising to its label in the strip above.

    Lines are one LineCollection per kind (segments (x, 0) -> (x, 1) -> label, in data x
    and axes-fraction y), labels one Text each, centred on their measured extent.
    """
    if not marks:
        return
    bbox = ax.get_position()
    ax_h = bbox.height * fig.get_figheight()
    span = s.xlim[1] - s.xlim[0]
    size = ink.size("strip")
    segments: dict[str, list] = {"cycle": [], "note": []}
    for i, (m, (row, left)) in enumerate(zip(marks, strip, strict=True)):
        width = (ink.width(m.label, size, "bold") + 0.06) / (bbox.width * fig.get_figwidth())
        centre = left + width / 2
        base = 1 + (0.06 + row * row_h) / ax_h  # label baseline, in axes fractions
        segments[m.kind].append([(m.x, 0.0), (m.x, 1.0), (s.xlim[0] + centre * span, base)])
        colour = PALETTE[m.kind]
        ax.text(
            centre,
            base + 0.02 / ax_h,
            m.label,
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=size,
            weight="bold",
            color=colour,
            clip_on=False,
            gid=f"label-{i + 1}",
            style="normal" if m.kind == "cycle" else "italic",
            zorder=7,
        )
    tr = ax.get_xaxis_transform()
    for kind, ls in (("cycle", (0, (4, 2))), ("note", (0, (1, 2)))):
        if segments[kind]:
            lc = LineCollection(
                segments[kind],
                colors=PALETTE[kind],
                linewidths=1.4,
                linestyles=[ls],
                transform=tr,
                clip_on=False,
                zorder=1,
                alpha=0.85,
                gid=f"{kind}s",
            )
            ax.add_collection(lc, autolim=False)


def _draw_edge_values(ax, edge, ink: _Ink, ax_h: float) -> None:
    """Values of the current centre line, limits and target beside the right axis, pushed
    apart vertically so that they never overlap."""
    if not edge:
        return
    lo, hi = ax.get_ylim()
    size = ink.size("values")
    frac = [(v - lo) / (hi - lo) for v, _, _ in edge]
    placed = _spread(frac, ink.line(size, 1.1) / ax_h, 0.0, 1.0)
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


def _make_legend(fig: Figure, legend: _Legend, ink: _Ink, width: float):
    """One row when it fits, otherwise as few rows as needed."""
    size = ink.size("legend")
    handles, labels = legend.sorted()
    n = len(handles)
    for rows in range(1, n + 1):
        ncols = math.ceil(n / rows)
        leg = fig.legend(
            handles,
            labels,
            loc="upper left",
            ncols=ncols,
            frameon=False,
            fontsize=size,
            handlelength=2.6,
            columnspacing=1.6,
            handletextpad=0.6,
            borderaxespad=0,
            borderpad=0,
        )
        if leg.get_window_extent(ink.renderer).width / fig.dpi <= width or ncols == 1:
            leg.set_gid("legend")
            return leg
        leg.remove()
    raise AssertionError("unreachable: one column always fits")


# ---------------------------------------------------------------------------- output


def _format(path: Path | None, fmt: str | None) -> str:
    ext = path.suffix.lower().lstrip(".") if path is not None else ""
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown chart format {fmt!r}; use png, svg or pdf")
        if ext in FORMATS and ext != fmt:
            raise InvalidInput(
                f"the file name {path.name!r} ends in .{ext} but the format asked for is "
                f"{fmt}; change one of them"
            )
        return fmt
    if ext not in FORMATS:
        raise InvalidInput(
            f"cannot tell the chart format from {str(path)!r}; end the file name in "
            ".png, .svg or .pdf, or give the format"
        )
    return ext


_METADATA = {
    # no dates and no version strings, so the same chart gives the same bytes (PNG is
    # compressed at level 1 below: 40% faster than the default 6, files about 45% larger,
    # some 300 kB for a chart, which slides do not mind)
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
}


def render(spec_or_fig: ChartSpec | Figure, fmt: str = "png") -> bytes:
    """The chart as PNG, SVG or PDF bytes."""
    fmt = _format(None, fmt)
    fig = spec_or_fig if isinstance(spec_or_fig, Figure) else figure(spec_or_fig)
    _printable_text(fig)
    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(
            buf,
            format=fmt,
            dpi=fig.dpi,
            metadata=_METADATA[fmt],
            facecolor="white",
            **({"pil_kwargs": {"compress_level": 1}} if fmt == "png" else {}),
        )
    return buf.getvalue()


def chart_text(text: str) -> str:
    """Text as a chart shows it: no control characters (a vertical tab pasted from Word
    would make the SVG invalid XML), and tabs and carriage returns as spaces (no font has
    a glyph for them)."""
    from qi.text import printable

    return printable(text).replace("\t", " ").replace("\r", " ")


def _printable_text(fig: Figure) -> None:
    """Every text on the chart as chart_text() makes it, whoever wrote it."""
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        text = artist.get_text()
        if text and chart_text(text) != text:
            artist.set_text(chart_text(text))


def save(
    spec_or_fig: ChartSpec | Figure,
    path: str | os.PathLike,
    fmt: str | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Write the chart to ``path`` and return the path.

    The format comes from ``fmt`` ("png", "svg", "pdf") or else the file extension; both
    given and different is an error. A missing folder is created. An existing file is
    replaced only with ``overwrite=True`` (``--force``); the file is written to a temporary
    name and renamed, so a failure never leaves half a chart behind.
    """
    path = Path(path)
    fmt = _format(path, fmt)
    if path.is_dir():
        raise InvalidInput(f"{str(path)!r} is a folder; give a file name for the chart")
    if path.exists() and not overwrite:
        raise Conflict(f"{str(path)!r} already exists; use --force to replace it")
    data = render(spec_or_fig, fmt)
    from qi.files import describe_os_error, write_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InvalidInput(describe_os_error(e, path, "chart")) from None
    return write_file(path, data, overwrite=overwrite, what="chart")


def spec_from_view(view, *, width: float = _DEFAULT_W, height: float = _DEFAULT_H,
                   dpi: float = 150, generated: date | None = None) -> ChartSpec:
    """The chart of a measure as `qi.services.measure_view.view()` describes it.

    ``generated``: the date in the caption (default today). Raises InvalidInput, saying how
    to add data, when the measure has no data (in the period asked for).
    """
    from qi.domain import CHART_NAMES, RULE_NAMES

    m, project = view.measure, view.project
    if view.analysis is None:
        raise InvalidInput(_no_data_message(view))
    subtitle = f"{project.title} · {view.team_name} · Aim: {project.aim}"
    made = (generated or date.today()).isoformat()
    y_label = m.name if not m.unit or m.unit == "%" else f"{m.name} ({m.unit})"
    return ChartSpec(
        analysis=view.analysis,
        title=m.name,
        subtitle=subtitle,
        caption_source=f"{CHART_NAMES[view.chart.value]}. Source: {_source_text(view)}; "
        f"generated {made}",
        annotations=tuple(Annotation(k.on, k.label, k.text, k.kind) for k in view.marks),
        target=view.target,
        percent=view.percent,
        # the unit of a proportion is the percent sign the axis already shows
        unit=None if view.percent else m.unit,
        y_label=y_label,
        period=view.period,
        rules=RULE_NAMES[view.rules.value],
        width=width,
        height=height,
        dpi=dpi,
    )


def _no_data_message(view) -> str:
    m, project = view.measure, view.project
    if view.measure_points:
        return (f"'{m.ref}' has no data in the period asked for ({view.measure_points} "
                "points outside it). Widen --from/--to, or leave them out")
    add = "--numerator N --denominator D" if m.denominator else "VALUE"
    return (f"'{m.ref}' has no data to chart yet. Add some with 'qi data add {m.ref} DATE "
            f"{add}' or 'qi data import FILE --project {project.slug}'")


def _source_text(view) -> str:
    """The measure's operational definition (its first sentence, shortened), else where the
    points came from: the imported files and the points typed in."""
    definition = " ".join((view.measure.definition or "").split())
    if definition:
        first = re.split(r"(?<=[.;])\s", definition, maxsplit=1)[0].rstrip(".;")
        return textwrap.shorten(first, 110, placeholder="…")
    files = list(view.sources[:_SOURCE_FILES]) + (
        [f"{len(view.sources) - _SOURCE_FILES} more files"]
        if len(view.sources) > _SOURCE_FILES else [])
    if view.hand_entered:
        files.append(f"{_plural(view.hand_entered, 'point')} added by hand")
    return ", ".join(files) if files else "qi"


_SOURCE_FILES = 2  # imported files named in the caption; more are counted
