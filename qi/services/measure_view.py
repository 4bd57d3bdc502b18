"""A measure as a chart and a report see it: its data analysed with the baseline and phases
kept in the record, its PDSA cycles and notes as annotations, and what it all says in words.

`qi chart`, `qi report` and `qi status` all start here, so a chart and the report beside it
can never disagree: `qi.queries.views.load` reads the stored facts of N measures (one query
per table) and `build` makes each view from them, a pure function; one chart's `view` is
that loader with N = 1. Nothing here reads the database itself.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from qi import domain
from qi.analysis import Analysis, InvalidValue, analyze
from qi.domain import (  # noqa: F401 (is_proportion, percent_axis: used from here too)
    CHART_FACTS,
    PROPORTION_CHARTS,
    RULE_FACTS,
    ChartType,
    Direction,
    ProjectStatus,
    Rules,
    is_proportion,
    percent_axis,
)
from qi.errors import InvalidInput
from qi.numbers import decimals_for

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
    # --from/--to show a window of the analysis of all the data (zoom: the same centre
    # lines, limits and signals); with analyze_window, only the window is analysed.
    analyze_window: bool = False


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
    analysis: Analysis | None  # None when the measure has no data (in the period asked)
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
    baseline_points: int | None = None  # points frozen as the baseline; None: not frozen
    target_since: date | None = None  # when the target in force came in; None: the measure's
    targets: tuple = ()  # the trajectory of dated targets (Targets.trajectory)
    sources: tuple[str, ...] = ()  # files the points were imported from, by first use
    hand_entered: int = 0  # points added with `qi data add`
    measure_points: int = 0  # all the measure's points, also outside --from/--to
    summary: dict = field(default_factory=dict)
    phase_reasons: tuple[str, ...] = ()  # the recorded reason of each phase start
    window: tuple[date | None, date | None] | None = None  # --from/--to as a zoom

    @property
    def has_data(self) -> bool:
        return self.analysis is not None


def period_of(dates: list[date]) -> str | None:
    """'month' when points fall on the 1st, 'week' when they are whole weeks apart, else
    'day'; None for fewer than two points (nothing to tell from)."""
    if len(dates) < 2:
        return None
    if all(d.day == 1 for d in dates):
        return "month"
    gaps = {(b - a).days for a, b in zip(dates, dates[1:], strict=False)}
    if gaps and all(g % 7 == 0 for g in gaps):
        return "week"
    return "day"


def target_on_scale(measure: domain.Measure, multiply: float,
                    chart: ChartType | None = None, value: float | None = None) -> float | None:
    """The target (the measure's own, or `value`) on the plotted scale. A proportion's
    target may be stored as 0.05 or as 5 (%): proportions never exceed 1, so a target above
    1 is read as a percentage. On a c chart of a ratio measure (counts of the numerator)
    the target does not apply."""
    value = measure.target if value is None else value
    if value is None:
        return None
    if measure.denominator and chart == ChartType.c:
        return None
    if multiply == 100 and value <= 1:
        return value * 100
    return value


@dataclass(frozen=True)
class Targets:
    """The target in force at the latest point (on the plotted scale) and since when (None:
    the measure's own target), and the whole trajectory for a step line: (start, value)
    pairs, the first start None for the measure's own target; empty without dated targets."""

    now: float | None
    since: date | None
    trajectory: tuple[tuple[date | None, float], ...] = ()


def in_force(standing: float | None, dated: list[tuple[date, float]], day: date
             ) -> tuple[float | None, date | None]:
    """The target in force on `day` and the date it started (None: the standing target)."""
    k = bisect.bisect_right([d for d, _ in dated], day)
    if k == 0:
        return standing, None
    return dated[k - 1][1], dated[k - 1][0]



def resolve_targets(measure: domain.Measure, dated: list[tuple[date, float]],
                    multiply: float, chart: ChartType, dates: list[date]) -> Targets:
    """Which target applies at the latest point, from the measure's own and its dated
    targets (`qi measure target`)."""
    def scaled(v):
        return target_on_scale(measure, multiply, chart, v)

    standing = scaled(measure.target)
    if not dated:
        return Targets(standing, None)
    day = dates[-1] if dates else date.max
    value, since = in_force(measure.target, dated, day)
    steps = ([(None, standing)] if standing is not None else []) + [
        (d, scaled(v)) for d, v in dated]
    if any(v is None for _, v in steps):  # a c chart of a ratio: targets do not apply
        return Targets(None, None)
    return Targets(scaled(value), since, tuple(steps))


def choose_chart(measure: domain.Measure, chart: ChartType | None,
                 rules: Rules) -> ChartType:
    """The chart to draw: the one asked for, else the one each rule set needs, else the
    measure's own. Raises InvalidInput for a chart the data or the rules cannot give."""
    needed = RULE_FACTS[rules].chart
    if chart is not None and needed is not None and chart != needed:
        raise InvalidInput(
            f"The {RULE_FACTS[rules].full_name} are for {needed.value} charts, not "
            f"{chart.value} charts. Use --type {needed.value}, or leave --type out")
    chart = chart or needed or measure.chart
    facts = CHART_FACTS[chart]
    # qi keeps one value per measure and date, so there are never subgroups to chart.
    if facts.subgroups:
        raise InvalidInput(
            f"An {chart.value} chart needs several values per date, and qi keeps one value "
            f"per date for '{measure.ref}'. Use --type i (or run)")
    if facts.ratio and not measure.denominator:
        raise InvalidInput(f"A {chart.value} chart needs numerators and denominators, and "
                           f"'{measure.ref}' has single values. Choose --type run, i or c")
    # Times and counts between events make no sense of a numerator over a denominator.
    if facts.between_events and measure.denominator:
        raise InvalidInput(
            f"A {chart.value} chart plots the time or count between events, and "
            f"'{measure.ref}' is a numerator over a denominator. Choose --type run, i, p or u")
    return chart


def _in_window(day: date, options: ViewOptions) -> bool:
    return ((options.date_from is None or day >= options.date_from)
            and (options.date_to is None or day <= options.date_to))


def _marks(cycles: list[domain.Cycle], notes: list[tuple], options: ViewOptions
           ) -> tuple[Mark, ...]:
    """Cycles (by their Do date; planned ones by their planned start with `planned`) and
    notes. With --from/--to only those in that window: the chart shows a period, and a key
    listing changes from outside it would only distract."""
    if not options.annotations:
        return ()
    marks = []
    for c in cycles:
        on = c.started_on or (c.planned_start if options.planned else None)
        if on is not None:
            title = c.title if c.started_on else f"{c.title} (planned)"
            marks.append(Mark(on, c.ref, title, "cycle"))
    # Notes are numbered over all of the measure's notes, so N2 is N2 on every chart.
    for k, (on, text) in enumerate(notes, start=1):
        marks.append(Mark(on, f"N{k}", text, "note"))
    kept = [m for m in marks if _in_window(m.on, options)]
    return tuple(sorted(kept, key=lambda m: (m.on, m.kind, m.label)))


def _positions_before(dates: list[date], day: date) -> int:
    """How many points fall on or before `day`."""
    return sum(1 for d in dates if d <= day)


def _baseline(measure: domain.Measure, cycles: list[domain.Cycle],
              options: ViewOptions) -> tuple[date | None, str | None]:
    """Where the baseline ends and why: the option, the record, or the day before the first
    cycle expected to move the measure started, else any of the project's cycles (a
    baseline is the process before anything was changed)."""
    if options.no_freeze:
        return None, None
    if options.freeze_until is not None:
        return options.freeze_until, "option"
    if measure.baseline_until is not None:
        return measure.baseline_until, "recorded"
    started = [(c.started_on, c) for c in cycles if c.started_on is not None]
    linked = [day for day, c in started if measure.slug in c.measures]
    first = min(linked or [day for day, _ in started], default=None)
    return (first - timedelta(days=1), "first cycle") if first else (None, None)


def _sources(files: dict[int, str], imports: list[int | None]) -> tuple[tuple[str, ...], int]:
    """The files the charted points came from (in order of first use) and how many points
    were typed in by hand."""
    used = dict.fromkeys(i for i in imports if i is not None)
    return (tuple(dict.fromkeys(files[i] for i in used if i in files)),
            sum(1 for i in imports if i is None))


def build(data, measure_id: int, options: ViewOptions | None = None,
          problems: dict[str, str] | None = None) -> MeasureView:
    """One measure's view from loaded data (`qi.queries.views.load`): a pure function.

    With `problems`, a measure whose data cannot be analysed gets a view without an
    analysis and the reason in `problems[ref]`, so that one bad measure cannot stop a
    programme's report; without, the InvalidInput is raised (its chart cannot be drawn)."""
    options = options or ViewOptions()
    measure = data.measures[measure_id]
    project = data.projects[measure.project]
    series = data.series[measure_id]
    rules = options.rules or Rules.anhoej
    zoom = (options.date_from or options.date_to) is not None and not options.analyze_window
    keep = [k for k, d in enumerate(series.dates) if zoom or _in_window(d, options)]
    dates = [series.dates[k] for k in keep]
    cycles = data.cycles.get(measure.project, [])
    baseline_end, source = _baseline(measure, cycles, options)
    phases = data.phases.get(measure_id, [])
    if options.rebase_at is not None:
        phase_starts = tuple(sorted(set(options.rebase_at)))
        reasons = tuple("" for _ in phase_starts)
    else:
        phase_starts, reasons = tuple(p[0] for p in phases), tuple(p[1] for p in phases)
    analysis, frozen, chart = None, None, measure.chart
    try:
        chart = choose_chart(measure, options.chart, rules)
        percent = percent_axis(measure, chart)
        multiply = 100.0 if percent else 1.0
        targets = resolve_targets(measure, data.targets.get(measure_id, []), multiply, chart,
                                  dates)
        if any(_in_window(d, options) for d in dates):
            analysis, frozen = analysis_of(measure, series, keep, dates, chart, rules,
                                           multiply, baseline_end, phase_starts, targets.now)
    except InvalidInput as exc:
        if problems is None:
            raise
        problems[measure.ref] = str(exc)
        percent, multiply, targets = False, 1.0, Targets(None, None)
    files, by_hand = _sources(data.files, [series.imports[k] for k in keep
                                           if _in_window(series.dates[k], options)])
    result = MeasureView(
        measure=measure, project=project, team_name=data.team_names[project.team],
        analysis=analysis, marks=_marks(cycles, data.notes.get(measure_id, []), options),
        baseline_end=baseline_end, baseline_source=source, phase_starts=phase_starts,
        multiply=multiply, percent=percent, period=period_of(dates), target=targets.now,
        rules=rules, chart=chart, baseline_points=frozen, sources=files,
        hand_entered=by_hand, measure_points=len(series.dates), target_since=targets.since,
        targets=targets.trajectory, phase_reasons=reasons,
        window=(options.date_from, options.date_to) if zoom else None,
    )
    return MeasureView(**{**result.__dict__, "summary": summarise(result)})


def view(s, ref: str, options: ViewOptions | None = None) -> MeasureView:
    """Everything a chart or a report needs to show one measure: the loader with N = 1.
    `s` is a gateway connection or an ORM session (whose connection is used)."""
    from qi.gateway import as_db
    from qi.queries import measures as measure_queries
    from qi.queries import views

    db = as_db(s)
    measure_id, _ = measure_queries.locate(db, ref)
    return build(views.load(db, [measure_id]), measure_id, options)


def views_of(data, *, until: date | None = None,
             problems: dict[str, str] | None = None) -> dict[str, MeasureView]:
    """Every loaded measure's view, by ref; with `until`, of the data up to that date as
    they were then (an analysis of that data, not a window of today's)."""
    options = ViewOptions(date_to=until, analyze_window=True)
    return {m.ref: build(data, m.id, options, problems) for m in data.measures.values()}


def measures_of_programme(s) -> list[tuple[domain.Project, domain.Measure]]:
    """Every measure of every active project, by team, project and measure slug."""
    from qi.gateway import as_db
    from qi.queries import measures as measure_queries
    from qi.queries import projects as project_queries

    db = as_db(s)
    projects = project_queries.list_all(db, status=ProjectStatus.active)
    by_project: dict[str, list[domain.Measure]] = {}
    for m in measure_queries.list_all(db):
        by_project.setdefault(m.project, []).append(m)
    ordered = sorted(projects, key=lambda p: (p.team, p.slug))
    return [(p, m) for p in ordered for m in by_project.get(p.slug, [])]


def analysis_of(measure, series, keep, dates, chart, rules, multiply, baseline_end,
                phase_starts, target) -> tuple[Analysis, int | None]:
    """The analysis of the kept points, and how many of them form the frozen baseline."""
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
    _check_chartable(measure, dates, y, n, target)
    mdc = rules == Rules.mdc
    try:
        analysis = analyze(
            y, x=x, n=n, chart=chart.value, freeze=freeze, part=breaks or None,
            multiply=multiply, rules=rules.value,
            improvement=_DIRECTION_TO_IMPROVEMENT[measure.direction] if mdc else None,
            target=target if mdc else None)  # fmt: skip
    except InvalidValue as exc:
        # The engine counts rows from 1; people know their data by date.
        what = {"y": "numerator" if n is not None else "value", "n": "denominator"}
        raise InvalidInput(
            f"'{measure.ref}' on {dates[exc.index]}: the {what.get(exc.field, exc.field)} "
            f"{_number(exc.value)} - {exc.reason}. Correct it with 'qi data add {measure.ref} "
            f"{dates[exc.index]} ... --replace', or choose another --type") from None
    return analysis, freeze


def _check_chartable(measure, dates, y, n, target) -> None:
    """A value stored before qi refused such numbers at the door (or written by another
    program) that no chart can show: one clear message for this measure, which a report or
    the dashboard shows in its place while every other measure is drawn as usual."""
    from qi.values import OUT_OF_RANGE, out_of_range

    for what, values in (("value" if n is None else "numerator", y), ("denominator", n)):
        if values is None:
            continue
        bad = np.flatnonzero(out_of_range(values))
        if len(bad):
            k = int(bad[0])
            raise InvalidInput(
                f"'{measure.ref}' on {dates[k]}: the stored {what} {values[k]:.6g} is "
                f"{OUT_OF_RANGE}. Correct it with 'qi data add {measure.ref} {dates[k]} ... "
                "--replace'")
    if target is not None and out_of_range([target])[0]:
        raise InvalidInput(f"'{measure.ref}': the target {target:.6g} is {OUT_OF_RANGE}. "
                           f"Change it with 'qi measure edit {measure.ref} --target N' (or "
                           f"'qi measure target {measure.ref} --from DATE N --replace')")


def _number(v: object) -> str:
    return f"{v:g}" if isinstance(v, float | int) else str(v)


def _value(v: float | None) -> float | None:
    if v is None or v != v:
        return None
    return round(float(v), 6)


_VERDICTS = {
    "improvement": "signals of improvement",
    "concern": "signals of concern (a change for the worse)",
    "change": "signals of non-random change",
    "random": "random variation only: no signal of change",
    "none": "too few points to judge",
}
# With phases but no signal inside any of them, the change is the rebase itself.
_PHASE_VERDICTS = {
    "improvement": "improved: the latest phase's centre line is better than the first's",
    "concern": "worse: the latest phase's centre line is worse than the first's",
    "change": "changed: the latest phase's centre line differs from the first's",
}
# The runs rules need this many useful points (off the centre line) to say anything;
# the IHI runs table starts at 10.
_FEW_USEFUL = 10


def summarise(v: MeasureView) -> dict:
    """What the analysis says, for reports and the dashboard (plain values and sentences)."""
    if v.analysis is None:
        return {"points": 0, "latest": None, "latest_date": None, "baseline_centre": None,
                "current_centre": None, "signals": [], "verdict": "no data yet",
                "direction": "none", "runs_signal": False, "sigma_signals": 0, "parts": 0,
                "first_part_points": 0, "provisional": None, "decimals": 1,
                "variation": None, "assurance": None, "centre": None, "lcl": None,
                "ucl": None}
    a = v.analysis
    valid = np.flatnonzero(~np.isnan(a.y))
    latest = float(a.y[valid[-1]]) if valid.size else None
    latest_date = str(a.x[valid[-1]]) if valid.size else None
    baseline_centre = float(a.cl[0]) if a.cl.size else None
    direction, verdict = _direction_of(v, a)
    short = provisional(v)
    if short and direction != "none":
        verdict = f"{verdict} (provisional: {short})"
    shown = valid
    if v.window is not None:
        days = a.x.astype("datetime64[D]").astype(object)
        shown = np.array([k for k in valid if _in_window(days[k], ViewOptions(
            date_from=v.window[0], date_to=v.window[1]))], dtype=int)  # fmt: skip
        if shown.size:
            latest, latest_date = float(a.y[shown[-1]]), str(a.x[shown[-1]])
    return {"points": int(shown.size), "latest": _value(latest),
            "latest_date": latest_date, "baseline_centre": _value(baseline_centre),
            "current_centre": _value(_current_centre(a)),
            "signals": [sig.text for sig in a.signals],
            "verdict": verdict, "direction": direction,
            "runs_signal": bool(any(p.runs_signal for p in a.parts)),
            "sigma_signals": int(sum(p.sigma_signals for p in a.parts)),
            "parts": len(a.parts), "first_part_points": int(a.parts[0].n_obs),
            "provisional": short, "decimals": decimals_for(_shown_values(v, a)),
            **_icons(v, a)}


def _icons(v: MeasureView, a: Analysis) -> dict:
    """The Making Data Count icons and the lines they were judged by (at the latest
    point); no icons for a run chart."""
    from qi.analysis.icons import icons

    got = icons(a, _DIRECTION_TO_IMPROVEMENT[v.measure.direction], v.target)
    return {"variation": got.variation, "assurance": got.assurance,
            "centre": _value(float(a.cl[-1])), "lcl": _value(float(a.lcl[-1])),
            "ucl": _value(float(a.ucl[-1]))}


# How long a baseline must be before what the analysis says is more than provisional
# (see spc-reference.md): control limits from at least 12 points (NHSRplotthedots'
# vignette "Number of points required": limits from the first 12 points; §6 there), the
# runs rules from at least 10 useful observations, points off the centre line (the IHI
# runs table starts at 10, Perla, Provost & Murray 2011; §3 there).
LIMITS_MIN = 12
RUNS_MIN = 10


def provisional(v: MeasureView) -> str | None:
    """Why the verdict is only provisional ('baseline of 6 points; limits need 12'), or
    None when the baseline is long enough for the chart's rules."""
    a = v.analysis
    if a is None:
        return None
    first = a.parts[0]
    sl = slice(first.start - 1, first.end)
    base = a.baseline[sl] & a.include[sl] & ~np.isnan(a.y[sl])
    if a.chart == "run":
        count = int(np.count_nonzero(base & (a.y[sl] != a.cl[sl])))
        need, what, points = RUNS_MIN, "the runs rules need", "useful points"
    else:
        count, need, what, points = int(np.count_nonzero(base)), LIMITS_MIN, "limits need", "points"
    if count >= need:
        return None
    return f"baseline of {count} {points if count != 1 else points[:-1]}; {what} {need}"


def _shown_values(v: MeasureView, a: Analysis) -> list[float]:
    """The values a chart of the measure prints: points, centre lines, limits, target
    (the chart's :func:`qi.charts.spec.value_decimals` uses the same)."""
    values = np.concatenate([a.y, a.cl, a.lcl, a.ucl]).tolist()
    return values + ([v.target] if v.target is not None else [])


def _current_centre(a: Analysis) -> float | None:
    """The centre of the latest phase; after a frozen baseline, of the points since it (the
    extended line only shows where the process *was*)."""
    if not a.cl.size:
        return None
    after = ~a.baseline & ~np.isnan(a.y) & (a.part == a.part[-1])
    if not after.any():
        return float(a.cl[-1])
    y = a.y[after]
    if a.chart == "run":
        return float(np.median(y))
    if a.got_n:  # proportions and rates pool numerators over denominators
        n = a.n[after]
        return float(np.sum(y * n) / np.sum(n))
    return float(np.mean(y))


def _direction_of(v: MeasureView, a: Analysis) -> tuple[str, str]:
    """Whether the signals point to improvement, concern, or just change; and in words."""
    if a.rules == "mdc" and a.point_type is not None:
        special = [t for t in a.point_type if t and t != "common_cause"]
        if special:
            # the most recent special cause says where things stand
            direction = {"special_cause_improvement": "improvement",
                         "special_cause_concern": "concern"}.get(special[-1], "change")
            return direction, _VERDICTS[direction]
    elif a.signals:
        direction = _better_or_worse(v, _moved(a))
        return direction, _VERDICTS[direction]
    if len(a.parts) > 1:
        direction = _better_or_worse(v, _sign(float(a.cl[-1]) - float(a.cl[0])))
        return direction, _PHASE_VERDICTS[direction]
    # Points on the centre line tell the runs rules nothing (all-equal values have none).
    useful: int = sum(p.n_useful for p in a.parts) if a.rules != "mdc" else len(a)
    direction = "random" if useful >= _FEW_USEFUL else "none"
    return direction, _VERDICTS[direction]


def _better_or_worse(v: MeasureView, moved: int) -> str:
    if moved == 0 or v.measure.direction == Direction.neither:
        return "change"
    better = moved > 0 if v.measure.direction == Direction.up else moved < 0
    return "improvement" if better else "concern"


def _sign(diff: float) -> int:
    return 0 if diff == 0 or diff != diff else (1 if diff > 0 else -1)


def _moved(a: Analysis) -> int:
    """+1 if the latest signal says the process went up, -1 down, 0 if it cannot say.

    A run, shift or point outside the limits lies on one side of the centre line; a trend
    runs one way. Whole-phase signals (too few crossings) have no side: then the last
    phase's centre is compared with the first, or the points after a frozen baseline with
    its centre."""
    for signal in reversed(a.signals):
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
        return _sign(float(a.cl[-1]) - float(a.cl[0]))
    after = ~a.baseline & ~np.isnan(a.y)
    if not after.any():
        return 0
    return _sign(float(np.median(a.y[after])) - float(a.cl[0]))
