"""PDSA cycles as records: `qi cycle list` and `qi cycle show`, finding a cycle by
'PROJECT#N' or id, and the record every cycle service returns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from qi import domain
from qi.domain import Decision, Purpose, Stage
from qi.errors import InvalidInput, NotFound
from qi.gateway import Db, get_date, get_datetime
from qi.queries import projects


def stage_of(c) -> Stage:
    """The stage follows from the worksheet's fields (anything with these attributes)."""
    if c.completed_on is not None:
        return Stage.complete
    if c.decision:
        return Stage.act
    if c.results or c.learning:
        return Stage.study
    if c.started_on is not None:
        return Stage.do
    return Stage.plan


def ref_of(project_slug: str, number: int) -> str:
    return f"{project_slug}#{number}"


def locate(db: Db, ref: str) -> tuple[int, int]:
    """(cycle id, project id) of a cycle given as 'project#number' or by id."""
    ref = ref.strip()
    if "#" in ref:
        project_slug, _, number = ref.partition("#")
        project_id = projects.id_of(db, project_slug)
        if not (number.isascii() and number.isdigit()):
            raise InvalidInput(f"'{ref}' is not a cycle. Write it as PROJECT#NUMBER, e.g. "
                               f"{project_slug}#1")
        found = db.scalar("SELECT id FROM cycle WHERE project_id = :p AND number = :n",
                          {"p": project_id, "n": int(number)})
        if found is None:
            numbers = [r[0] for r in db.all(
                "SELECT number FROM cycle WHERE project_id = :p ORDER BY number",
                {"p": project_id})]
            have = (f"Its cycles: {', '.join(f'#{n}' for n in numbers[:12])}"
                    + (", ..." if len(numbers) > 12 else "") if numbers
                    else "It has no cycles yet")
            raise NotFound(f"Project '{project_slug}' has no cycle #{number}. {have}. "
                           f"Run 'qi cycle list {project_slug}'")
        return found, project_id
    if ref.isascii() and ref.isdigit():
        row = db.one("SELECT id, project_id FROM cycle WHERE id = :id", {"id": int(ref)})
        if row is not None:
            return row[0], row[1]
    raise NotFound(f"No cycle '{ref}'. Give it as PROJECT#NUMBER (e.g. dna-rate#3) or by id. "
                   "Run 'qi cycle list'")


@dataclass(slots=True)
class Row:
    """A cycle row with its columns as attributes (as stage_of reads them), dates as
    dates, and its project's slug as `project`. Built from `_SELECT`'s columns, in order."""

    id: int
    project_id: int
    number: int
    title: str
    idea_id: int | None
    builds_on_id: int | None
    logged_by_id: int | None
    purpose: str
    objective: str | None
    questions: str | None
    predictions: str | None
    plan: str | None
    data_plan: str | None
    planned_start: date | None
    started_on: date | None
    notes: str | None
    problems: str | None
    results: str | None
    learning: str | None
    decision: str | None
    next_steps: str | None
    completed_on: date | None
    created_at: Any
    updated_at: Any
    project: str

    def __post_init__(self) -> None:
        self.planned_start = get_date(self.planned_start)
        self.started_on = get_date(self.started_on)
        self.completed_on = get_date(self.completed_on)


# The worksheet's columns, in the order the record is built from.
_COLUMNS = tuple(f.name for f in fields(Row) if f.name != "project")
_SELECT = ("SELECT " + ", ".join(f"c.{c}" for c in _COLUMNS) + ", p.slug "
           "FROM cycle c JOIN project p ON p.id = c.project_id")


def _lookups(db: Db, rows: list[Row]):
    """Measures, idea titles, member names and parents: four queries for any number."""
    ids, params = db.in_list("c", [c.id for c in rows])
    measures: dict[int, list[str]] = defaultdict(list)
    for cycle_id, slug in db.all(
            "SELECT cm.cycle_id, m.slug FROM cycle_measure cm "
            f"JOIN measure m ON m.id = cm.measure_id WHERE cm.cycle_id IN ({ids}) "
            "ORDER BY m.slug", params):
        measures[cycle_id].append(slug)

    def names(sql: str, wanted: set) -> dict:
        if not wanted:
            return {}
        marks, params = db.in_list("i", sorted(wanted))
        return {r[0]: r[1:] if len(r) > 2 else r[1] for r in db.all(sql.format(marks), params)}

    ideas = names("SELECT id, title FROM change_idea WHERE id IN ({})",
                  {c.idea_id for c in rows if c.idea_id})
    members = names("SELECT id, name FROM member WHERE id IN ({})",
                    {c.logged_by_id for c in rows if c.logged_by_id})
    parents = names("SELECT c.id, p.slug, c.number FROM cycle c JOIN project p "
                    "ON p.id = c.project_id WHERE c.id IN ({})",
                    {c.builds_on_id for c in rows if c.builds_on_id})
    return measures, ideas, members, {k: ref_of(*v) for k, v in parents.items()}


def _records(db: Db, rows: list[Row]) -> list[domain.Cycle]:
    if not rows:
        return []
    measures, ideas, members, parents = _lookups(db, rows)
    return [
        domain.Cycle(
            id=c.id, project=c.project, number=c.number, ref=ref_of(c.project, c.number),
            title=c.title, stage=stage_of(c), idea=c.idea_id,
            idea_title=ideas.get(c.idea_id), purpose=Purpose(c.purpose),
            objective=c.objective, questions=c.questions, predictions=c.predictions,
            plan=c.plan, data_plan=c.data_plan, measures=tuple(measures.get(c.id, [])),
            planned_start=c.planned_start, started_on=c.started_on, notes=c.notes,
            problems=c.problems, results=c.results, learning=c.learning,
            decision=Decision(c.decision) if c.decision else None, next_steps=c.next_steps,
            completed_on=c.completed_on, builds_on=parents.get(c.builds_on_id),
            logged_by=members.get(c.logged_by_id),
            created_at=get_datetime(c.created_at), updated_at=get_datetime(c.updated_at),
        )
        for c in rows
    ]


def row(db: Db, cycle_id: int) -> Row:
    """A cycle's stored columns, as the services check them before a change."""
    return Row(*db.get(_SELECT + " WHERE c.id = :id", {"id": cycle_id}))


def by_id(db: Db, cycle_id: int) -> domain.Cycle:
    return _records(db, [Row(*r) for r in db.all(_SELECT + " WHERE c.id = :id",
                                                 {"id": cycle_id})])[0]


def show(db: Db, ref: str) -> domain.Cycle:
    return by_id(db, locate(db, ref)[0])


def of_projects(db: Db, project_ids: list[int]) -> list[domain.Cycle]:
    """The cycles of these projects, in project and number order."""
    marks, params = db.in_list("p", project_ids)
    return _records(db, [Row(*r) for r in db.all(
        _SELECT + f" WHERE c.project_id IN ({marks}) ORDER BY p.slug, c.number", params)])


def list_all(db: Db, *, project: str | None = None, stage: Stage | None = None,
             since: date | None = None) -> list[domain.Cycle]:
    """Cycles in project and number order. `since` keeps cycles with any activity (planned
    start, start, completion or an update) on or after that date."""
    sql, params = _SELECT, {}
    if project:
        sql += " WHERE c.project_id = :p"
        params["p"] = projects.id_of(db, project)
    records = _records(db, [Row(*r) for r in db.all(sql + " ORDER BY p.slug, c.number",
                                                    params)])
    if stage is not None:
        records = [c for c in records if c.stage == stage]
    if since is not None:
        records = [c for c in records if _last_activity(c) >= since]
    return records


def _last_activity(c: domain.Cycle) -> date:
    dates = [d for d in (c.planned_start, c.started_on, c.completed_on) if d]
    if c.updated_at is not None:
        dates.append(c.updated_at.date())
    return max(dates) if dates else date.min
