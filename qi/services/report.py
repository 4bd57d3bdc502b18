"""Progress summaries: what a team brings to a learning session, and the facilitator's pack.

A report is plain JSON-able content (`qi report --format json` prints it as it is); the
Markdown and HTML renderers in `qi.reports` only lay it out. For one project it holds the
aim, the team, each measure with what its analysis says in words, the PDSA cycles with
activity in the period, the cycles still open, the next steps, and sentences saying what is
missing. Charts are drawn by the renderers from the measure views kept beside the content.

Values of proportions (p and p' charts) are in percent, as on their charts.

The measure views are loaded for all the report's measures at once, one query per table,
and built by the one view builder (`qi.queries.views.load`, `measure_view.build`) that
also builds one chart's view and the dashboard's, so they never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from qi import domain
from qi.domain import CHART_NAMES, RULE_NAMES, SIGNAL_NAMES, Stage
from qi.errors import InvalidInput, NotFound
from qi.gateway import as_db
from qi.queries import measures as measure_queries
from qi.queries import meetings as meeting_queries
from qi.queries import members as member_queries
from qi.queries import projects as project_queries
from qi.queries import teams as team_queries
from qi.queries import views as view_queries
from qi.services import measure_view
from qi.text import plural

OPEN_STAGES = (Stage.plan, Stage.do, Stage.study, Stage.act)


# ------------------------------------------------------------------------------ the period


@dataclass(frozen=True)
class ReportPeriod:
    """The dates a report covers: activity on or after `since` (None: from the start) up
    to `until`; `meeting` when the period is named after one."""

    since: date | None
    until: date
    meeting: domain.Meeting | None = None
    previous: domain.Meeting | None = None  # the meeting `since` comes from, if any

    def label(self) -> str:
        """'since Learning session 2 (2018-03-01)', 'since 2018-04-01' or 'so far'."""
        if self.previous is not None:
            return f"since {self.previous.title} ({self.previous.date.isoformat()})"
        if self.since is not None:
            return f"since {self.since.isoformat()}"
        return "so far"

    def as_json(self) -> dict:
        def meeting(m: domain.Meeting | None) -> dict | None:
            return None if m is None else {"id": m.id, "date": m.date.isoformat(),
                                           "title": m.title, "team": m.team}

        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat(), "label": self.label(),
                "meeting": meeting(self.meeting), "previous_meeting": meeting(self.previous)}


def resolve_period(
    s, *, since: date | None = None, since_last_meeting: bool = False,
    meeting: int | None = None, today: date, team: str | None = None,
) -> ReportPeriod:
    """The period of a report from its options (at most one of them).

    `since_last_meeting`: since the latest meeting *before* today (the team's or the
    programme's; a meeting held today is the one the report is for). `meeting`: the period
    leading up to meeting N, from the meeting before it (or the start) to N's date.
    """
    given = [o for o, v in (("--since", since), ("--since-last-meeting", since_last_meeting),
                            ("--meeting", meeting)) if v not in (None, False)]
    if len(given) > 1:
        options = ", ".join(given[:-1]) + " and " + given[-1]
        raise InvalidInput(f"Give only one of {options}: each sets where the report starts")
    if since is not None:
        if since > today:
            raise InvalidInput(f"--since {since.isoformat()} is after today "
                               f"({today.isoformat()}), so there is nothing to report yet. "
                               "Give a date on or before today")
        return ReportPeriod(since, today)
    if since_last_meeting:
        last = _last_meeting_before(as_db(s), today, team)
        if last is None:
            whose = f"team '{team}' or the programme" if team else "the programme"
            raise NotFound(f"There is no meeting of {whose} before today to report since. "
                           "Add one with 'qi meeting add DATE TITLE', or give --since DATE")
        return ReportPeriod(last.date, today, previous=last)
    if meeting is not None:
        db = as_db(s)
        target = meeting_queries.get(db, meeting)
        earlier = [m for m in meeting_queries.list_all(db)
                   if m.team in (None, target.team) and m.date < target.date]
        previous = earlier[-1] if earlier else None
        return ReportPeriod(previous.date if previous else None, target.date, meeting=target,
                      previous=previous)
    return ReportPeriod(None, today)


def _last_meeting_before(db, today: date, team: str | None) -> domain.Meeting | None:
    if team is not None:
        return meeting_queries.last_before(db, today - timedelta(days=1),
                                           team_id=team_queries.id_of(db, team))
    earlier = [m for m in meeting_queries.list_all(db) if m.team is None and m.date < today]
    return earlier[-1] if earlier else None


# ------------------------------------------------------------------- reading it all at once


@dataclass
class Loaded:
    """Everything a report or the dashboard shows for some projects, read in a few queries."""

    projects: list[domain.Project]
    teams: dict[str, domain.Team]
    members: dict[str, list[domain.Member]]  # by team slug
    measures: dict[str, list[domain.Measure]]  # by project slug, in slug order
    cycles: dict[str, list[domain.Cycle]]  # by project slug, in number order
    views: dict[str, measure_view.MeasureView] = field(default_factory=dict)  # by ref
    problems: dict[str, str] = field(default_factory=dict)  # ref -> why it has no analysis


def load(s, projects: list[domain.Project], *, until: date | None = None) -> Loaded:
    """Teams, members, measures, cycles and every measure's view for these projects;
    with `until`, the views of the data up to that date as they were then
    (`ViewOptions(date_to=until, analyze_window=True)`: an analysis of that data, not a
    window of today's). The views come from the one view builder (`qi.queries.views.load`
    then `measure_view.build` for each measure), as one chart's view does."""
    db = as_db(s)
    teams = {t.slug: t for t in team_queries.list_all(db)}
    members: dict[str, list[domain.Member]] = defaultdict(list)
    for m in member_queries.list_all(db):
        for team in m.teams:
            members[team].append(m)
    ids = [p.id for p in projects]
    data = view_queries.load(db, measure_queries.ids_of_projects(db, ids), ids)
    measures: dict[str, list[domain.Measure]] = defaultdict(list)
    for measure in data.measures.values():  # in project and slug order
        measures[measure.project].append(measure)
    cycles: dict[str, list[domain.Cycle]] = defaultdict(list, data.cycles)
    loaded = Loaded(projects, teams, members, measures, cycles)
    loaded.views = measure_view.views_of(data, until=until, problems=loaded.problems)
    return loaded


# ------------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    """A report's content (JSON-able) and the views its charts are drawn from (by ref)."""

    content: dict
    views: dict[str, measure_view.MeasureView]


def project_report(s, project: str, *, since: date | None = None,
                   since_last_meeting: bool = False, meeting: int | None = None,
                   today: date | None = None) -> dict:
    """The progress summary of one project (see the module docstring)."""
    return build_project(s, project, since=since, since_last_meeting=since_last_meeting,
                         meeting=meeting, today=today).content


def build_project(s, project: str, *, since: date | None = None,
                  since_last_meeting: bool = False, meeting: int | None = None,
                  today: date | None = None) -> Report:
    today = today or date.today()
    record = project_queries.show(as_db(s), project)
    period = resolve_period(s, since=since, since_last_meeting=since_last_meeting,
                            meeting=meeting, today=today, team=record.team)
    loaded = load(s, [record], until=_data_until(period, today))
    content = {"generated": today.isoformat(), **_project(loaded, record, period)}
    return Report(content, _charted(loaded, [record]))


def programme_report(s, *, since: date | None = None, since_last_meeting: bool = False,
                     meeting: int | None = None, today: date | None = None) -> dict:
    """The facilitator's session pack: every active project, by team (see build_programme)."""
    return build_programme(s, since=since, since_last_meeting=since_last_meeting,
                           meeting=meeting, today=today).content


def build_programme(s, *, since: date | None = None, since_last_meeting: bool = False,
                    meeting: int | None = None, today: date | None = None) -> Report:
    """Every active project, ordered by team slug then project slug, with a contents list.
    For a team's meeting (`meeting` N of one team) only that team's projects."""
    today = today or date.today()
    period = resolve_period(s, since=since, since_last_meeting=since_last_meeting,
                            meeting=meeting, today=today)
    team = period.meeting.team if period.meeting else None
    db = as_db(s)
    chosen = project_queries.list_all(db, team_id=team_queries.id_of(db, team) if team else None,
                                      status=domain.ProjectStatus.active)
    loaded = load(s, chosen, until=_data_until(period, today))
    chosen.sort(key=lambda p: (p.team, p.slug))
    sections = [_project(loaded, p, period) for p in chosen]
    title = period.meeting.title if period.meeting else "Programme report"
    content = {
        "generated": today.isoformat(),
        "title": title,
        "period": period.as_json(),
        "contents": _contents(sections),
        "projects": sections,
        "missing": [] if chosen else [
            "No active projects yet — add one with 'qi project add SLUG --title TITLE "
            "--team TEAM --aim AIM'"],
    }
    return Report(content, _charted(loaded, chosen))


def _data_until(period: ReportPeriod, today: date) -> date | None:
    """A report for a meeting already held shows the data as they stood at that meeting;
    every other report shows all the data."""
    return period.until if period.meeting is not None and period.until < today else None


def _charted(loaded: Loaded, projects: list[domain.Project]) -> dict:
    """The views with data, in report order (the ones that get a chart)."""
    return {m.ref: loaded.views[m.ref] for p in projects for m in loaded.measures[p.slug]
            if loaded.views[m.ref].has_data}


def _contents(sections: list[dict]) -> list[dict]:
    """The projects by team, each with the counts that give the programme at a glance."""
    groups: dict[str, dict] = {}
    for section in sections:
        team = section["team"]
        group = groups.setdefault(team["slug"], {"team": team["slug"], "name": team["name"],
                                                 "area": team["area"], "projects": []})
        signals: dict[str, int] = defaultdict(int)
        for m in section["measures"]:
            if m["latest"] is not None:
                signals[m["direction_of_change"]] += 1
        group["projects"].append({
            "slug": section["project"]["slug"], "title": section["project"]["title"],
            "measures": len(section["measures"]), "signals": dict(signals),
            "cycles_in_period": len(section["cycles_in_period"]),
            "open_cycles": len(section["open_cycles"]), "missing": len(section["missing"]),
        })
    return list(groups.values())


def _project(loaded: Loaded, p: domain.Project, period: ReportPeriod) -> dict:
    team = loaded.teams[p.team]
    members = loaded.members.get(team.slug, [])
    measures = [_measure(loaded.views[m.ref], period, loaded.problems.get(m.ref))
                for m in loaded.measures[p.slug]]
    cycles = loaded.cycles[p.slug]
    in_period = [c for c in cycles if _active_in(c, period)]
    still_open = [c for c in cycles if c.stage in OPEN_STAGES]
    return {
        "project": {"slug": p.slug, "title": p.title, "aim": p.aim, "status": p.status.value,
                    "start": p.start.isoformat() if p.start else None,
                    "closing_note": p.closing_note},
        "team": {"slug": team.slug, "name": team.name, "area": team.area,
                 "members": [{"name": m.name, "role": m.role} for m in members]},
        "period": period.as_json(),
        "measures": measures,
        "cycles_in_period": [_cycle(c) for c in in_period],
        "open_cycles": [_cycle(c) for c in still_open],
        "next_steps": _next_steps(in_period, still_open),
        "missing": _missing(p, team, members, measures, cycles, in_period, period),
    }


def _active_in(c: domain.Cycle, period: ReportPeriod) -> bool:
    """Any activity in the period: its planned start, Do or completion date, or - for a
    cycle still open - its last update (when a plan or a Study was written: they have no
    date of their own; a cycle is updated when it is created). A completed cycle's later
    edits are corrections, not activity: its dates say when it happened, even when its
    history was typed in long after (as in `qi demo`)."""
    days = [c.planned_start, c.started_on, c.completed_on]
    if c.completed_on is None and c.updated_at is not None:
        days.append(c.updated_at.date())
    return any((period.since is None or d >= period.since) and d <= period.until
               for d in days if d is not None)


def _number(v: float | None) -> float | None:
    return None if v is None else round(float(v), 6)


def _measure(v: measure_view.MeasureView, period: ReportPeriod, problem: str | None) -> dict:
    m, summary = v.measure, v.summary
    signals = []
    if v.analysis is not None:
        signals = [{"rule": sig.rule, "rule_name": SIGNAL_NAMES.get(sig.rule, sig.rule),
                    "text": sig.text} for sig in v.analysis.signals]
    new_points = None
    if period.since is not None and v.analysis is not None:
        days = [str(d) for d in v.analysis.x]
        new_points = sum(1 for d in days if period.since.isoformat() <= d
                         <= period.until.isoformat())
    return {
        "ref": m.ref, "slug": m.slug, "name": m.name, "kind": m.kind.value, "unit": m.unit,
        "direction": m.direction.value, "definition": m.definition,
        "chart": v.chart.value, "chart_name": CHART_NAMES[v.chart.value],
        "rules": v.rules.value, "rules_name": RULE_NAMES[v.rules.value],
        "percent": v.percent, "target": _number(v.target),
        # the target in force at the latest point: dated (qi measure target) or the
        # measure's own (None)
        "target_from": _iso(v.target_since),
        "variation_icon": summary["variation"], "assurance_icon": summary["assurance"],
        "centre": summary["centre"], "lcl": summary["lcl"], "ucl": summary["ucl"],
        "points": summary["points"], "new_points": new_points,
        # The baseline as the analysis used it: frozen over these points, or (None) not
        # frozen, when too few points fall before the end recorded or found.
        "baseline_end": _iso(v.baseline_end) if v.baseline_points else None,
        "baseline_points": v.baseline_points,
        "baseline_centre": summary["baseline_centre"],
        "latest": None if summary["latest_date"] is None else {
            "date": summary["latest_date"], "value": summary["latest"]},
        "current_centre": summary["current_centre"],
        "verdict": summary["verdict"],
        "direction_of_change": summary["direction"],
        "provisional": summary["provisional"],
        "decimals": summary["decimals"],
        "signals": signals,
        "phases": len(v.phase_starts) + 1 if v.has_data else 0,
        # why each later phase started, as recorded with `qi measure rebase`
        "rebases": [{"starts_on": d.isoformat(), "reason": r}
                    for d, r in zip(v.phase_starts, v.phase_reasons, strict=False)],
        "problem": problem,
    }


def _cycle(c: domain.Cycle) -> dict:
    return {
        "ref": c.ref, "title": c.title, "stage": c.stage.value, "purpose": c.purpose.value,
        "idea": c.idea_title, "objective": c.objective, "predictions": c.predictions,
        "plan": c.plan, "measures": list(c.measures),
        "planned_start": _iso(c.planned_start), "started_on": _iso(c.started_on),
        "notes": c.notes, "problems": c.problems, "results": c.results,
        "learning": c.learning, "decision": c.decision.value if c.decision else None,
        "next_steps": c.next_steps, "completed_on": _iso(c.completed_on),
        "builds_on": c.builds_on,
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# What an open cycle needs next, by stage.
_TODO = {
    Stage.plan: "Start {ref} ({title}) and record it with 'qi cycle do {ref} --on DATE'",
    Stage.do: "Study {ref} ({title}): compare the results with the prediction",
    Stage.study: "Decide on {ref} ({title}): adopt, adapt or abandon",
    Stage.act: "Complete {ref} ({title}): record when the Act was done",
}


def _next_steps(in_period: list[domain.Cycle], still_open: list[domain.Cycle]) -> list[dict]:
    """The next steps decided in the period's Acts, then what each open cycle needs."""
    steps = [{"cycle": c.ref, "source": "decision",
              "text": f"{c.decision.value.capitalize()}: {c.next_steps}" if c.decision
              else c.next_steps}
             for c in in_period if c.next_steps]
    for c in still_open:
        text = _TODO[c.stage].format(ref=c.ref, title=c.title)
        if c.stage == Stage.plan and c.planned_start:
            text += f" (planned for {c.planned_start.isoformat()})"
        steps.append({"cycle": c.ref, "source": "open cycle", "text": text})
    return steps


def _missing(p, team, members, measures, cycles, in_period, period: ReportPeriod) -> list[str]:
    """What the report cannot show yet, each with the command that fills the gap."""
    out = []
    if not members:
        out.append(f"No members listed for team '{team.slug}' — add them with 'qi member "
                   f"add NAME --role ROLE --team {team.slug}'")
    if not measures:
        out.append(f"No measures yet — add one with 'qi measure add SLUG --project {p.slug} "
                   "--name NAME --kind outcome'")
    for m in measures:
        if m["problem"]:
            out.append(f"'{m['slug']}' ({m['name']}) cannot be analysed: {m['problem']}")
        elif m["latest"] is None:
            how = ("--numerator N --denominator D" if m["chart"] in ("p", "pp", "u", "up")
                   else "VALUE")
            out.append(f"No data for '{m['slug']}' ({m['name']}) yet — add some with "
                       f"'qi data add {m['ref']} DATE {how}' or 'qi data import FILE "
                       f"--project {p.slug}'")
        elif m["new_points"] == 0:
            out.append(f"No new data for '{m['slug']}' ({m['name']}) {period.label()}; the "
                       f"latest is for {m['latest']['date']}")
    if not cycles:
        out.append(f"No PDSA cycles yet — plan one with 'qi cycle new {p.slug} TITLE'")
    elif not in_period:
        out.append(f"No PDSA cycle activity {period.label()} (the project has "
                   f"{plural(len(cycles), 'cycle')})")
    return out
