"""What a chart shows: :class:`ChartSpec` and :class:`Annotation`, built from a measure's
view by :func:`spec_from_view`; values formatted as people write them."""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from qi.analysis import Analysis
from qi.charts.style import _DEFAULT_H, _DEFAULT_W
from qi.errors import InvalidInput
from qi.numbers import decimals_for, fixed
from qi.text import plural

PERIODS = ("day", "week", "month")


KINDS = ("cycle", "note")


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
    ``phases``: (start date, reason) of each recorded phase; a part of the analysis that
    starts on or after a phase's date is labelled with its reason (short at the top of
    the phase, in full in the key).
    ``provisional``: set when the baseline is too short for firm conclusions; the words
    (e.g. "Provisional: baseline of 6 points") are shown beside the title and in the caption.
    ``window``: (first, last) date shown (``--from``/``--to``): a view of the whole
    analysis, whose centre lines, limits and signals are unchanged by the window.
    ``baseline_end``: the last day of a frozen baseline, where its end line is drawn.
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
    phases: tuple[tuple[date, str], ...] = field(default=())
    provisional: str | None = None
    window: tuple[date | None, date | None] | None = None
    baseline_end: date | None = None
    width: float = _DEFAULT_W
    height: float = _DEFAULT_H
    dpi: float = 150
    # Making Data Count icons drawn top right: a variation and an assurance icon name
    icons: tuple[str, ...] = ()
    # a target that changes over time: (start date or None, value) pairs, drawn as steps
    target_steps: tuple = ()
    # the caption under the chart; a report or a deck leaves it out, as it says the same
    # beside the chart (or in the speaker notes)
    caption: bool = True

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
        object.__setattr__(self, "phases", tuple(self.phases))


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


def _value(v: float, spec: ChartSpec, decimals: int | None = None) -> str:
    """A value with its unit, with the measure's one number format (:mod:`qi.numbers`)."""
    text = fixed(v, value_decimals(spec) if decimals is None else decimals)
    if spec.percent:
        return f"{text}%"
    if not spec.unit:
        return text
    return f"{text}{spec.unit}" if spec.unit == "%" else f"{text} {spec.unit}"


def value_decimals(spec: ChartSpec) -> int:
    """Decimals of every value the chart prints (the same as reports and status print)."""
    a = spec.analysis
    values = np.concatenate([a.y, a.cl, a.lcl, a.ucl]).tolist()
    return decimals_for(values + ([spec.target] if spec.target is not None else []))


def _is_dates(a: Analysis) -> bool:
    return np.issubdtype(a.x.dtype, np.datetime64)


def _as_date(day: np.datetime64) -> date:
    return np.asarray(day, dtype="datetime64[D]").item()


def _iso(day: np.datetime64) -> str:
    return _as_date(day).isoformat()


def _day(day: np.datetime64) -> str:
    """A date of the series as people read it (``QI_DATE_STYLE``)."""
    from qi.dates import human_date

    return human_date(_as_date(day))


def shown(spec: ChartSpec) -> np.ndarray:
    """Which points the chart shows: all, or those in ``spec.window``."""
    a = spec.analysis
    mask = np.ones(len(a), dtype=bool)
    if spec.window is None or not _is_dates(a):
        return mask
    lo, hi = spec.window
    days = a.x.astype("datetime64[D]")
    if lo is not None:
        mask &= days >= np.datetime64(lo, "D")
    if hi is not None:
        mask &= days <= np.datetime64(hi, "D")
    return mask


def spec_from_view(view, *, width: float = _DEFAULT_W, height: float = _DEFAULT_H,
                   dpi: float = 150, generated: date | None = None) -> ChartSpec:
    """The chart of a measure as `qi.services.measure_view.view()` describes it.

    ``generated``: the date in the caption (default today). Raises InvalidInput, saying how
    to add data, when the measure has no data (in the period asked for).
    """
    from qi.dates import human_date
    from qi.domain import CHART_NAMES, RULE_NAMES

    m, project = view.measure, view.project
    if view.analysis is None:
        raise InvalidInput(_no_data_message(view))
    subtitle = f"{project.title} · {view.team_name} · Aim: {project.aim}"
    made = human_date(generated or date.today())
    y_label = m.name if not m.unit or m.unit == "%" else f"{m.name} ({m.unit})"
    short = view.summary.get("provisional")
    return ChartSpec(
        analysis=view.analysis,
        title=m.name,
        subtitle=subtitle,
        caption_source=f"{CHART_NAMES[view.chart.value]}. Source: {_source_text(view)}; "
        f"generated {made}",
        annotations=tuple(Annotation(k.on, k.label, k.text, k.kind) for k in view.marks),
        target=view.target,
        target_steps=tuple(view.targets),
        icons=tuple(i for i in (view.summary.get("variation"), view.summary.get("assurance"))
                    if i),
        percent=view.percent,
        # the unit of a proportion is the percent sign the axis already shows
        unit=None if view.percent else m.unit,
        y_label=y_label,
        period=view.period,
        rules=RULE_NAMES[view.rules.value],
        phases=tuple((d, r) for d, r in zip(view.phase_starts, view.phase_reasons,
                                            strict=False) if r),  # fmt: skip
        provisional=f"Provisional: {short}" if short else None,
        window=view.window,
        baseline_end=view.baseline_end if view.baseline_points else None,
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
        files.append(f"{plural(view.hand_entered, 'point')} added by hand")
    return ", ".join(files) if files else "qi"


_SOURCE_FILES = 2  # imported files named in the caption; more are counted
