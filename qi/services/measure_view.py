"""A measure as a chart and a report see it: its data analysed with the baseline and phases
kept in the record, its PDSA cycles and notes as annotations, and what it all says in words.

`qi chart`, `qi report` and `qi status` all start here, so a chart and the report beside it
can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from sqlmodel import Session, select

from qi import domain, models
from qi.analysis import Analysis, analyze
from qi.domain import RATIO_CHARTS, ChartType, Direction, Rules
from qi.errors import InvalidInput
from qi.services import cycles as cycle_service
from qi.services import data as data_service
from qi.services import measures as measure_service
from qi.services import notes as note_service
from qi.services import phases as phase_service

PROPORTION_CHARTS = frozenset({ChartType.p, ChartType.pp})  # drawn in percent
_DIRECTION_TO_IMPROVEMENT = {Direction.up: "up", Direction.down: "down",
                             Direction.neither: "neither"}


@dataclass(frozen=True)
class ViewOptions:
    """Per-chart overrides of what the record says (all optional)."""

    chart: ChartType | None = None
    rules: Rules | None = None
    freeze_until: date | None = None      # overrides the measure's baseline end
    no_freeze: bool = False               # one centre line from all the data
    rebase_at: tuple[date, ...] | None = None  # overrides the recorded phases
    date_from: date | None = None
    date_to: date | None = None
    planned: bool = False                 # also mark cycles not started yet (planned start)
    annotations: bool = True


@dataclass(frozen=True)
class Mark:
    """Something to mark on the chart at a date: a PDSA cycle or a note."""

    on: date
    label: str      # "dna-rate#3" or "N1"
    text: str       # the cycle's title, or the note
    kind: str       # "cycle" | "note"


@dataclass(frozen=True)
class MeasureView:
    measure: domain.Measure
    project: domain.Project
    team_name: str
    analysis: Analysis | None  # None when the measure has no data yet
    marks: tuple[Mark, ...]
    baseline_end: date | None
    baseline_source: str | None  # "recorded", "first cycle", "option" or None
    phase_starts: tuple[date, ...]
    multiply: float
    percent: bool
    period: str | None  # "day" | "week" | "month"
    target: float | None  # on the plotted scale (after multiply)
    rules: Rules
    chart: ChartType
    summary: dict = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.analysis is not None


def period_of(dates: list[date]) -> str | None:
    """'week' when points are 7 days apart, 'month' when they fall on the 1st, else 'day'."""
    if len(dates) < 2:
        return None
    if all(d.day == 1 for d in dates):
        return "month"
    gaps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    if gaps and all(g % 7 == 0 for g in gaps):
        return "week"
    return "day"


def target_on_scale(measure: domain.Measure, multiply: float) -> float | None:
    """The target on the plotted scale. A proportion's target may be stored as 0.05 or as
    5 (%): proportions never exceed 1, so a target above 1 is read as a percentage."""
    if measure.target is None:
        return None
    if measure.chart in PROPORTION_CHARTS and multiply == 100 and measure.target <= 1:
        return measure.target * 100
    return measure.target


def _first_cycle_start(s: Session, project_id: int, measure_id: int) -> date | None:
    """The Do date of the first cycle expected to move this measure, else of any cycle."""
    linked = s.exec(
        select(models.Cycle.started_on)
        .join(models.CycleMeasure, models.CycleMeasure.cycle_id == models.Cycle.id)
        .where(models.CycleMeasure.measure_id == measure_id,
               models.Cycle.started_on.is_not(None))
        .order_by(models.Cycle.started_on)).first()
    if linked is not None:
        return linked
    return s.exec(select(models.Cycle.started_on).where(
        models.Cycle.project_id == project_id, models.Cycle.started_on.is_not(None))
        .order_by(models.Cycle.started_on)).first()


def _marks(s: Session, measure: domain.Measure, options: ViewOptions) -> tuple[Mark, ...]:
    if not options.annotations:
        return ()
    marks = []
    for c in cycle_service.list_all(s, project=measure.project):
        on = c.started_on or (c.planned_start if options.planned else None)
        if on is not None:
            title = c.title if c.started_on else f"{c.title} (planned)"
            marks.append(Mark(on, c.ref, title, "cycle"))
    for k, n in enumerate(note_service.list_all(s, measure=measure.ref), start=1):
        marks.append(Mark(n.date, f"N{k}", n.text, "note"))
    return tuple(sorted(marks, key=lambda m: (m.on, m.kind, m.label)))


def _positions_before(dates: list[date], day: date) -> int:
    """How many points fall on or before `day`."""
    return sum(1 for d in dates if d <= day)


def view(s: Session, ref: str, options: ViewOptions | None = None) -> MeasureView:
    """Everything a chart or a report needs to show one measure."""
    options = options or ViewOptions()
    measure_row, project_row = measure_service.get_row(s, ref)
    measure = measure_service.show(s, f"{project_row.slug}/{measure_row.slug}")
    from qi.services import projects as project_service

    project = project_service.show(s, project_row.slug)
    team = s.get(models.Team, project_row.team_id)
    chart = options.chart or measure.chart
    rules = options.rules or Rules.anhoej
    if rules == Rules.mdc and chart != ChartType.i:
        chart = ChartType.i
    if chart in RATIO_CHARTS and not measure.denominator:
        raise InvalidInput(f"A {chart.value} chart needs numerators and denominators, and "
                           f"'{measure.ref}' has single values. Choose --type run, i or c")
    multiply = 100.0 if chart in PROPORTION_CHARTS else 1.0
    series = data_service.series(s, measure.ref)
    keep = [k for k, d in enumerate(series.dates)
            if (options.date_from is None or d >= options.date_from)
            and (options.date_to is None or d <= options.date_to)]
    dates = [series.dates[k] for k in keep]

    if options.no_freeze:
        baseline_end, source = None, None
    elif options.freeze_until is not None:
        baseline_end, source = options.freeze_until, "option"
    elif measure.baseline_until is not None:
        baseline_end, source = measure.baseline_until, "recorded"
    else:
        first = _first_cycle_start(s, project_row.id, measure_row.id)
        baseline_end = first - timedelta(days=1) if first else None
        source = "first cycle" if first else None
    if options.rebase_at is not None:
        phase_starts = tuple(sorted(options.rebase_at))
    else:
        phase_starts = tuple(p.starts_on for p in phase_service.list_for(s, measure.ref))

    analysis = None
    if dates:
        analysis = _analyse(measure, series, keep, dates, chart, rules, multiply,
                            baseline_end, phase_starts)
    target = target_on_scale(measure, multiply)
    result = MeasureView(
        measure=measure, project=project, team_name=team.name, analysis=analysis,
        marks=_marks(s, measure, options), baseline_end=baseline_end,
        baseline_source=source, phase_starts=phase_starts, multiply=multiply,
        percent=multiply == 100, period=period_of(dates), target=target, rules=rules,
        chart=chart,
    )
    return MeasureView(**{**result.__dict__, "summary": summarise(result)})


def _analyse(measure, series, keep, dates, chart, rules, multiply, baseline_end,
             phase_starts) -> Analysis:
    if measure.denominator:
        y = np.array([series.numerators[k] for k in keep], dtype=float)
        n = np.array([series.denominators[k] for k in keep], dtype=float)
    else:
        y = np.array([series.values[k] for k in keep], dtype=float)
        n = None
    x = np.array(dates, dtype="datetime64[D]")
    # A phase starting at date D begins a new part after the points before D.
    breaks = sorted({_positions_before(dates, start - timedelta(days=1))
                     for start in phase_starts} - {0, len(dates)})
    freeze = None
    if baseline_end is not None:
        freeze = _positions_before(dates, baseline_end)
        first_part = breaks[0] if breaks else len(dates)
        # Only a baseline that leaves something after it (within the first phase) is frozen.
        if freeze < 2 or freeze >= first_part:
            freeze = None
    improvement = _DIRECTION_TO_IMPROVEMENT[measure.direction] if rules == Rules.mdc else None
    target = measure.target if rules == Rules.mdc else None
    return analyze(y, x=x, n=n, chart=chart.value, freeze=freeze, part=breaks or None,
                   multiply=multiply, rules=rules.value, improvement=improvement,
                   target=target)


def _value(v: float | None) -> float | None:
    if v is None or v != v:
        return None
    return round(float(v), 6)


def summarise(v: MeasureView) -> dict:
    """What the analysis says, for reports and the dashboard (plain values and sentences)."""
    if v.analysis is None:
        return {"points": 0, "latest": None, "latest_date": None, "baseline_centre": None,
                "current_centre": None, "signals": [], "verdict": "no data yet",
                "direction": "none"}
    a = v.analysis
    y = a.y
    valid = np.flatnonzero(~np.isnan(y))
    latest = float(y[valid[-1]]) if valid.size else None
    latest_date = str(a.x[valid[-1]]) if valid.size else None
    first, last = a.parts[0], a.parts[-1]
    baseline_centre = float(a.cl[0]) if a.cl.size else None
    current_centre = _current_centre(a)
    signals = [sig.text for part in a.parts for sig in part.signals]
    direction = _direction_of(v, baseline_centre, current_centre, last)
    verdict = {
        "improvement": "signals of improvement",
        "concern": "signals of concern (a change for the worse)",
        "change": "signals of non-random change",
        "random": "random variation only: no signal of change",
        "none": "too few points to judge",
    }[direction]
    return {"points": int(valid.size), "latest": _value(latest),
            "latest_date": latest_date, "baseline_centre": _value(baseline_centre),
            "current_centre": _value(current_centre), "signals": signals,
            "verdict": verdict, "direction": direction,
            "runs_signal": bool(any(p.runs_signal for p in a.parts)),
            "sigma_signals": int(sum(p.sigma_signals for p in a.parts)),
            "parts": len(a.parts), "first_part_points": int(first.n_obs)}


def _current_centre(a: Analysis) -> float | None:
    """The centre of the latest phase; after a frozen baseline, of the points since it (the
    extended line only shows where the process *was*)."""
    if not a.cl.size:
        return None
    after = ~a.baseline & ~np.isnan(a.y) & (a.part == a.part[-1])
    if len(a.parts) > 1 and not after.any():
        return float(a.cl[-1])
    if not after.any():
        return float(a.cl[-1])
    y = a.y[after]
    if a.chart == "run":
        return float(np.median(y))
    if a.got_n:  # proportions and rates pool numerators over denominators
        n = a.n[after]
        return float(np.sum(y * n) / np.sum(n))
    return float(np.mean(y))


def _direction_of(v: MeasureView, baseline: float | None, current: float | None, last) -> str:
    """Whether the signals point to improvement, concern, or just change."""
    a = v.analysis
    if a.rules == "mdc":
        special = [t for t in a.point_type if t and t != "common_cause"]
        if not special:
            return "random" if len(a) >= 10 else "none"
        latest = special[-1]  # the most recent special cause says where things stand
        return {"special_cause_improvement": "improvement",
                "special_cause_concern": "concern"}.get(latest, "change")
    signalled = any(p.signals for p in a.parts)
    if not signalled:
        return "random" if len(a) >= 10 else "none"
    moved = _moved(a)
    if moved == 0 or v.measure.direction == Direction.neither:
        return "change"
    better = moved > 0 if v.measure.direction == Direction.up else moved < 0
    return "improvement" if better else "concern"


def _moved(a: Analysis) -> int:
    """+1 if the latest signal says the process went up, -1 down, 0 if it cannot say.

    A run, shift or point outside the limits lies on one side of the centre line; a trend
    runs one way. Whole-phase signals (too few crossings) have no side: then the last
    phase's centre is compared with the first, or the points after a frozen baseline with
    its centre."""
    for signal in reversed([sig for part in a.parts for sig in part.signals]):
        lo, hi = signal.start - 1, signal.end
        if signal.rule == "trend":
            diff = float(a.y[hi - 1] - a.y[lo])
        elif signal.rule in ("crossings", "too_few_runs", "too_many_runs"):
            continue
        else:
            diff = float(np.nanmean(a.y[lo:hi] - a.cl[lo:hi]))
        if diff == diff and diff != 0:
            return 1 if diff > 0 else -1
    if len(a.parts) > 1:
        diff = float(a.cl[-1]) - float(a.cl[0])
    else:
        after = ~a.baseline & ~np.isnan(a.y)
        if not after.any():
            return 0
        diff = float(np.median(a.y[after])) - float(a.cl[0])
    return 0 if diff == 0 or diff != diff else (1 if diff > 0 else -1)
