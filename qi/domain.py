"""Enums and the small frozen records passed from services to the CLI. Stdlib only.

Services return these rather than ORM rows so that the CLI never touches a database
session (and never trips over a lazy load after the session has closed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum


class ProjectStatus(StrEnum):
    active = "active"
    completed = "completed"
    abandoned = "abandoned"


class MeasureKind(StrEnum):
    outcome = "outcome"
    process = "process"
    balancing = "balancing"


class Direction(StrEnum):
    """Which way is an improvement."""

    up = "up"
    down = "down"
    neither = "neither"


class ChartType(StrEnum):
    """The chart types of qicharts2 that qi draws."""

    run = "run"
    i = "i"
    mr = "mr"
    xbar = "xbar"
    s = "s"
    t = "t"
    p = "p"
    pp = "pp"
    c = "c"
    u = "u"
    up = "up"
    g = "g"


class Purpose(StrEnum):
    """Is the cycle to develop, test or implement a change."""

    develop = "develop"
    test = "test"
    implement = "implement"


class Decision(StrEnum):
    """The Act of a PDSA cycle."""

    adopt = "adopt"
    adapt = "adapt"
    abandon = "abandon"


class Stage(StrEnum):
    """Where a PDSA cycle is: plan -> do -> study -> act -> complete."""

    plan = "plan"
    do = "do"
    study = "study"
    act = "act"
    complete = "complete"


class Rules(StrEnum):
    """Rule sets for signals: Anhøj (qicharts2's default), IHI run chart rules, or NHS
    Making Data Count."""

    anhoej = "anhoej"
    ihi = "ihi"
    mdc = "mdc"


@dataclass(frozen=True)
class ChartFacts:
    """What qi knows about one chart type. Every layer asks this table (via `CHART_FACTS`)
    rather than keeping its own list of chart types."""

    name: str  # as charts, reports and `qi status` name it
    ratio: bool = False  # a numerator over a denominator (needs denominators)
    proportion: bool = False  # ... that cannot exceed it: drawn in percent
    negative_ok: bool = False  # values may be below zero (others count or time things)
    positive: bool = False  # every value above zero (a time between events)
    limits: bool = True  # control limits around the centre line (a run chart has a median)
    subgroups: bool = False  # needs several values per date (qi stores one per date)
    between_events: bool = False  # a time or count between events: no denominator


CHART_FACTS: dict[ChartType, ChartFacts] = {
    ChartType.run: ChartFacts("Run chart", negative_ok=True, limits=False),
    ChartType.i: ChartFacts("I chart (XmR)", negative_ok=True),
    ChartType.mr: ChartFacts("MR chart", negative_ok=True),
    ChartType.xbar: ChartFacts("Xbar chart", negative_ok=True, subgroups=True),
    ChartType.s: ChartFacts("S chart", negative_ok=True, subgroups=True),
    ChartType.t: ChartFacts("T chart", positive=True, between_events=True),
    ChartType.p: ChartFacts("P chart", ratio=True, proportion=True),
    ChartType.pp: ChartFacts("P' chart (Laney)", ratio=True, proportion=True),
    ChartType.c: ChartFacts("C chart"),
    ChartType.u: ChartFacts("U chart", ratio=True),
    ChartType.up: ChartFacts("U' chart (Laney)", ratio=True),
    ChartType.g: ChartFacts("G chart", between_events=True),
}


def _charts(fact: str) -> frozenset[ChartType]:
    return frozenset(c for c, f in CHART_FACTS.items() if getattr(f, fact))


CHART_NAMES = {chart.value: facts.name for chart, facts in CHART_FACTS.items()}
RATIO_CHARTS = _charts("ratio")  # points are a numerator over a denominator
PROPORTION_CHARTS = _charts("proportion")  # drawn in percent
NEGATIVE_OK_CHARTS = _charts("negative_ok")
SUBGROUP_CHARTS = _charts("subgroups")
BETWEEN_EVENTS_CHARTS = _charts("between_events")


@dataclass(frozen=True)
class RuleFacts:
    """One rule set: its name, the one chart type it is for (None: any chart), and the
    package whose results it follows where the name alone does not say."""

    name: str
    chart: ChartType | None = None
    after: str | None = None

    @property
    def full_name(self) -> str:
        """The name with its source, as reports and captions name the rules."""
        return f"{self.name} ({self.after})" if self.after else self.name


RULE_FACTS: dict[Rules, RuleFacts] = {
    Rules.anhoej: RuleFacts("Anhøj rules"),
    Rules.ihi: RuleFacts("IHI run chart rules", ChartType.run),
    Rules.mdc: RuleFacts("Making Data Count rules", ChartType.i, after="NHSRplotthedots"),
}
RULE_NAMES = {rules.value: facts.full_name for rules, facts in RULE_FACTS.items()}


def chart_for_rules(rules: Rules | str, chart: ChartType | str | None = None
                    ) -> ChartType | None:
    """The chart type `rules` need when `chart` is not it (None: they fit, or any chart
    will do). The one rule/chart compatibility check: each caller words its own advice."""
    needed = RULE_FACTS[Rules(rules)].chart
    return None if needed is None or chart == needed else needed


SPARK_POINTS = 20  # the latest points a sparkline of `qi status` shows

# The signals of the rules in words, as chart legends, captions and reports name them.
SIGNAL_NAMES = {
    "longest_run": "long run", "crossings": "too few crossings",
    "sigma": "outside the limits", "shift": "shift", "trend": "trend",
    "too_few_runs": "too few runs", "too_many_runs": "too many runs",
    "outside_limits": "outside the limits", "two_of_three": "two of three near a limit",
}  # fmt: skip


def is_proportion(measure: Measure) -> bool:
    """A numerator over a denominator that cannot exceed it (DNAs of booked appointments):
    recorded with a p or p' chart, or with the unit '%'. Other ratios are rates."""
    return measure.denominator and (measure.chart in PROPORTION_CHARTS or measure.unit == "%")


def percent_axis(measure: Measure, chart: ChartType) -> bool:
    """Proportions are drawn in percent whatever the chart, except a c chart (which counts
    the numerators). Charts, reports, `qi status` and `qi data list` all ask this."""
    if chart in PROPORTION_CHARTS:
        return True
    return is_proportion(measure) and chart != ChartType.c

_SLUG_OK = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """'North Barnet' -> 'north-barnet'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(_SLUG_OK.match(text)) and len(text) <= 60


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Record:
    """Base for records: `as_json()` gives the stable JSON form (ISO dates, plain values)."""

    def as_json(self) -> dict:
        # Shallow on purpose: records hold only plain values and tuples of them, and
        # dataclasses.asdict() deep-copies every field (slow for thousands of cycles).
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class Team(Record):
    id: int
    slug: str
    name: str
    area: str | None
    note: str | None
    members: tuple[str, ...] = field(default=())
    projects: tuple[str, ...] = field(default=())
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Member(Record):
    id: int
    name: str
    role: str
    email: str | None
    teams: tuple[str, ...] = field(default=())
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Project(Record):
    id: int
    slug: str
    title: str
    aim: str
    team: str
    start: date | None
    status: ProjectStatus
    closing_note: str | None
    measures: tuple[str, ...] = field(default=())
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Measure(Record):
    id: int
    slug: str
    project: str
    name: str
    kind: MeasureKind
    unit: str | None
    direction: Direction
    target: float | None
    definition: str | None
    chart: ChartType
    denominator: bool
    created_at: datetime | None = None
    updated_at: datetime | None = None
    baseline_until: date | None = None

    @property
    def ref(self) -> str:
        return f"{self.project}/{self.slug}"


@dataclass(frozen=True)
class Idea(Record):
    id: int
    project: str
    title: str
    description: str | None
    primary_driver: str | None
    secondary_driver: str | None
    cycles: tuple[str, ...] = field(default=())
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Cycle(Record):
    """A PDSA cycle as shown and exported: `ref` is 'project#number'."""

    id: int
    project: str
    number: int
    ref: str
    title: str
    stage: Stage
    idea: int | None
    idea_title: str | None
    purpose: Purpose
    objective: str | None
    questions: str | None
    predictions: str | None
    plan: str | None
    data_plan: str | None
    measures: tuple[str, ...]
    planned_start: date | None
    started_on: date | None
    notes: str | None
    problems: str | None
    results: str | None
    learning: str | None
    decision: Decision | None
    next_steps: str | None
    completed_on: date | None
    builds_on: str | None
    logged_by: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


# --- measurements (qi data) -----------------------------------------------------------


class Period(StrEnum):
    """Weekly or monthly data are stored at the start of their period."""

    week = "week"  # the Monday of the ISO week
    month = "month"  # the 1st of the month


@dataclass(frozen=True)
class Series(Record):
    """The measurements of one measure in date order, for `qi data list`, charts and reports.

    The tuples run in parallel: `values[k]` is the value for `dates[k]`, or None for a
    measure with a denominator, which has `numerators[k]` and `denominators[k]` instead.
    `imports[k]` is the id of the import that wrote the point (None when added by hand).
    """

    measure: Measure
    dates: tuple[date, ...] = ()
    values: tuple[float | None, ...] = ()
    numerators: tuple[float | None, ...] = ()
    denominators: tuple[float | None, ...] = ()
    notes: tuple[str | None, ...] = ()
    imports: tuple[int | None, ...] = ()

    def points(self) -> list[dict]:
        """One JSON object per point: date, value, numerator, denominator, note, import."""
        return [
            {"date": d.isoformat(), "value": v, "numerator": n, "denominator": q, "note": t,
             "import": i}
            for d, v, n, q, t, i in zip(self.dates, self.values, self.numerators,
                                        self.denominators, self.notes, self.imports,
                                        strict=True)
        ]

    def as_json(self) -> dict:
        return {"measure": self.measure.as_json(), "points": self.points()}


@dataclass(frozen=True)
class DataImport(Record):
    """One recorded `qi data import`."""

    id: int
    project: str
    file: str
    sha256: str
    added: int
    changed: int
    imported_at: datetime
    undone_at: datetime | None = None


@dataclass(frozen=True)
class ValueChange(Record):
    """A stored measurement that an import changes (or would change): old and new are
    {"value", "numerator", "denominator", "note"}."""

    measure: str
    date: date
    row: int
    old: dict
    new: dict


@dataclass(frozen=True)
class MeasureCounts(Record):
    measure: str
    added: int
    changed: int
    unchanged: int


@dataclass(frozen=True)
class ImportSummary(Record):
    """What an import did, or with `dry_run` what it would do.

    `import_id` is None for a dry run and when there was nothing to do. `blank` counts
    the blank cells skipped; `blank_rows` lists the first of their file rows. `changes`
    lists the first changed values (`changed` counts them all). `previous_import` is an
    earlier, not undone import of the same file (same SHA-256), if any.
    """

    file: str
    sha256: str
    import_id: int | None
    dry_run: bool
    added: int
    changed: int
    unchanged: int
    blank: int
    blank_rows: tuple[int, ...]
    created_measures: tuple[str, ...]
    measures: tuple[MeasureCounts, ...]
    changes: tuple[ValueChange, ...]
    previous_import: int | None = None
    partial_periods: tuple[str, ...] = ()  # --aggregate: periods the file covers in part

    def as_json(self) -> dict:
        out = super().as_json()
        out["measures"] = [m.as_json() for m in self.measures]
        out["changes"] = [c.as_json() for c in self.changes]
        return out


@dataclass(frozen=True)
class Phase(Record):
    """A rebase of a measure: a new centre line and limits from `starts_on`."""

    id: int
    measure: str
    starts_on: date
    reason: str
    cycle: str | None
    created_by: str | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Note(Record):
    """A dated note on a measure, drawn on its charts."""

    id: int
    measure: str
    date: date
    text: str
    created_by: str | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Meeting(Record):
    """A learning session (programme-wide when `team` is None) or a team meeting."""

    id: int
    date: date
    title: str
    team: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class Target(Record):
    """A target in force from `starts_on` until the next one; `starts_on` None is the
    measure's own (standing) target, in force before the first dated one."""

    measure: str
    starts_on: date | None
    value: float
