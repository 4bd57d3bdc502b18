"""PDSA cycles: numbered per project (`dna-rate#3`), moving plan -> do -> study -> act ->
complete. The stage is derived from the worksheet's fields, never stored separately.

Every function runs on the gateway (`qi.gateway.Db`), so that `qi cycle new|do|study|act`
never load SQLAlchemy; given an ORM session instead (the demo, bundles, tests), it runs
on that session's connection, in its transaction. The SQL is in `qi.queries.cycles`
(records, lookups) and `qi.queries.cycle_writes` (changes); the rules are here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from qi import domain
from qi.domain import Decision, Purpose, Stage
from qi.errors import Conflict, InvalidInput
from qi.gateway import Db, as_db, get_datetime, writer
from qi.queries import cycle_writes as writes
from qi.queries import cycles as cycle_queries
from qi.queries import ideas as idea_queries
from qi.queries import measures as measure_queries
from qi.queries import members as member_queries
from qi.queries.cycles import ref_of, stage_of  # noqa: F401 (part of this service's API)
from qi.services._common import optional_text, required_text
from qi.text import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    Conn = Db | Session

# Text fields of the worksheet, by stage; `edit` accepts any of them at any stage.
PLAN_FIELDS = ("objective", "questions", "predictions", "plan", "data_plan")
TEXT_FIELDS = PLAN_FIELDS + ("notes", "problems", "results", "learning", "next_steps")


def _measure_ids(db: Db, project_id: int, project_slug: str, refs: list[str]) -> list[int]:
    """The measures a cycle expects to move: its own project's, by SLUG or PROJECT/SLUG."""
    wanted = []
    for ref in refs:
        measure_id, owner_id = measure_queries.locate(
            db, ref if "/" in ref else f"{project_slug}/{ref}")
        if owner_id != project_id:
            raise InvalidInput(f"Measure '{ref}' belongs to project '{ref.split('/')[0]}', "
                               f"not '{project_slug}'")
        wanted.append(measure_id)
    return wanted


def _builds_on(db: Db, project_id: int, project_slug: str, ref: str | int | None
               ) -> int | None:
    """The id of the cycle of the same project that this one builds on (a ramp)."""
    if ref is None or ref == "":
        return None
    text = str(ref).strip().lstrip("#")
    parent_id, parent_project = cycle_queries.locate(
        db, text if "#" in text else f"{project_slug}#{text}")
    if parent_project != project_id:
        raise InvalidInput("A cycle can only build on a cycle of the same project")
    return parent_id


def _check_dates(started_on: date | None, completed_on: date | None, ref: str) -> None:
    if completed_on and started_on and completed_on < started_on:
        raise InvalidInput(f"{ref} would be completed on {completed_on}, before it started on "
                           f"{started_on}. Check the dates")


def _save(db: Db, row: cycle_queries.Row, changes: dict[str, Any]) -> domain.Cycle:
    """Write the columns that differ from the stored row (nothing, if none does: the cycle
    keeps its `updated_at`); the cycle as it now is."""
    changed = {k: v for k, v in changes.items() if getattr(row, k) != v}
    if changed:
        writes.update(db, row.id, changed)
    return cycle_queries.by_id(db, row.id)


def _row(db: Db, ref: str) -> cycle_queries.Row:
    return cycle_queries.row(db, cycle_queries.locate(db, ref)[0])


def new(
    s: Conn, project: str, title: str, *, idea: str | None = None,
    purpose: Purpose = Purpose.test, measures: list[str] | None = None,
    builds_on: str | int | None = None, planned_start: date | None = None,
    logged_by: str | None = None, **fields: str | None,
) -> domain.Cycle:
    """Plan a new cycle; it gets the project's next number."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    db = writer(s)
    project_id = writes.lock_project(db, project)
    values = {
        "project_id": project_id,
        "number": writes.next_number(db, project_id),
        "title": required_text(title, "cycle title", 300),
        "idea_id": idea_queries.locate(db, idea, project_id=project_id,
                                       project_slug=project) if idea else None,
        "builds_on_id": _builds_on(db, project_id, project, builds_on),
        "logged_by_id": member_queries.locate(db, logged_by) if logged_by else None,
        "purpose": Purpose(purpose).value,
        "planned_start": planned_start,
        **{k: optional_text(v) for k, v in fields.items()},
    }
    measure_ids = _measure_ids(db, project_id, project, measures or [])
    cycle_id = writes.insert(db, values)
    writes.set_measures(db, cycle_id, measure_ids)
    return cycle_queries.by_id(db, cycle_id)


def prefill_from(s: Conn, ref: str) -> dict:
    """What the next cycle of a ramp starts with: the idea it tests, its measures, its
    purpose and its owner, and as objective what the Act decided the next cycle would be.

    The prediction, questions and plan are left empty on purpose: they belong to the next
    cycle's own Plan step, and a copied prediction would show in reports as one never made.
    """
    db = as_db(s)
    row = _row(db, ref)
    return {
        "idea": str(row.idea_id) if row.idea_id else None,
        "purpose": Purpose(row.purpose),
        "measures": list(cycle_queries.by_id(db, row.id).measures),
        "logged_by": str(row.logged_by_id) if row.logged_by_id else None,
        "objective": row.next_steps,
    }


def do(s: Conn, ref: str, *, on: date, notes: str | None = None,
       problems: str | None = None) -> domain.Cycle:
    """Record that the cycle was carried out (Do): its start date, what happened."""
    db = writer(s)
    row = _row(db, ref)
    changes: dict[str, Any] = {"started_on": on}
    if notes is not None:
        changes["notes"] = optional_text(notes)
    if problems is not None:
        changes["problems"] = optional_text(problems)
    _check_dates(on, row.completed_on, ref_of(row.project, row.number))
    return _save(db, row, changes)


def _require_started(row: cycle_queries.Row) -> str:
    cref = ref_of(row.project, row.number)
    if row.started_on is None:
        raise InvalidInput(f"{cref} has not been started: run 'qi cycle do {cref} --on DATE' "
                           "first")
    return cref


def study(s: Conn, ref: str, *, results: str | None = None,
          learning: str | None = None) -> domain.Cycle:
    """Record the Study: results against the predictions, and what was learned."""
    db = writer(s)
    row = _row(db, ref)
    cref = _require_started(row)
    if not (results or "").strip() and not (learning or "").strip():
        raise InvalidInput(f"Say what the study of {cref} found: give --results and/or "
                           "--learning")
    changes = {}
    if results is not None:
        changes["results"] = optional_text(results)
    if learning is not None:
        changes["learning"] = optional_text(learning)
    return _save(db, row, changes)


def act(s: Conn, ref: str, *, decision: Decision, next_steps: str | None = None,
        completed_on: date | None = None) -> domain.Cycle:
    """Record the Act (adopt, adapt or abandon) and complete the cycle."""
    db = writer(s)
    row = _row(db, ref)
    cref = _require_started(row)
    if not (row.results or row.learning):
        raise InvalidInput(f"{cref} has not been studied: run 'qi cycle study {cref} "
                           "--results ... --learning ...' first")
    changes: dict[str, Any] = {"decision": Decision(decision).value,
                               "completed_on": completed_on or date.today()}
    if next_steps is not None:
        changes["next_steps"] = optional_text(next_steps)
    _check_dates(row.started_on, changes["completed_on"], cref)
    return _save(db, row, changes)


def _texts(given: Mapping[str, str | None]) -> dict[str, Any]:
    """The title and text fields given (None: left as they are; '' clears a text)."""
    unknown = set(given) - {"title", *TEXT_FIELDS}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    return {k: required_text(v, "cycle title", 300) if k == "title" else optional_text(v)
            for k, v in given.items() if v is not None}


def edit_text(s: Conn, ref: str, texts: Mapping[str, str | None], *,
              unchanged_since: datetime | None = None) -> domain.Cycle:
    """Change the worksheet's text (the title and TEXT_FIELDS), as written in an editor or
    answered field by field; refused like `edit` if the cycle changed meanwhile."""
    db = writer(s)
    row = _row(db, ref)
    if unchanged_since is not None:
        _check_unchanged(db, row, unchanged_since)
    return _save(db, row, _texts(texts))


def _check_unchanged(db: Db, row: cycle_queries.Row, since: datetime) -> None:
    """Refuse an edit of a cycle someone else changed after the user read it."""
    if get_datetime(writes.lock_updated_at(db, row.id)) != since:
        raise Conflict(f"{ref_of(row.project, row.number)} was changed by someone else while "
                       "you were editing it, so your edit was not saved")


def _links(db: Db, row: cycle_queries.Row, idea: str | None, builds_on: str | None,
           logged_by: str | None) -> dict[str, Any]:
    """The idea, parent and owner an edit links to ('' unlinks)."""
    changes: dict[str, Any] = {}
    if idea is not None:
        changes["idea_id"] = (idea_queries.locate(db, idea, project_id=row.project_id,
                                                  project_slug=row.project)
                              if idea.strip() else None)
    if builds_on is not None:
        parent = _builds_on(db, row.project_id, row.project, builds_on)
        if parent == row.id:
            raise InvalidInput("A cycle cannot build on itself")
        changes["builds_on_id"] = parent
    if logged_by is not None:
        changes["logged_by_id"] = (member_queries.locate(db, logged_by)
                                   if logged_by.strip() else None)
    return changes


def edit(
    s: Conn, ref: str, *, title: str | None = None, idea: str | None = None,
    purpose: Purpose | None = None, measures: list[str] | None = None,
    builds_on: str | None = None, planned_start: date | None = None,
    started_on: date | None = None, decision: Decision | None = None,
    completed_on: date | None = None, logged_by: str | None = None,
    unchanged_since: datetime | None = None, **fields: str | None,
) -> domain.Cycle:
    """Change any field at any stage. Text '' clears a field; idea/builds_on/logged_by ''
    unlink. With `unchanged_since` (the `updated_at` the user started from), an edit of a
    cycle that someone else changed meanwhile is refused rather than silently merged."""
    db = writer(s)
    row = _row(db, ref)
    if unchanged_since is not None:
        _check_unchanged(db, row, unchanged_since)
    changes = _texts({"title": title, **fields})
    changes |= _links(db, row, idea, builds_on, logged_by)
    given = {"purpose": Purpose(purpose).value if purpose is not None else None,
             "planned_start": planned_start, "started_on": started_on,
             "decision": Decision(decision).value if decision is not None else None,
             "completed_on": completed_on}
    changes |= {k: v for k, v in given.items() if v is not None}
    _check_dates(changes.get("started_on", row.started_on),
                 changes.get("completed_on", row.completed_on),
                 ref_of(row.project, row.number))
    if measures is not None:
        writes.set_measures(db, row.id, _measure_ids(db, row.project_id, row.project,
                                                     measures))
    return _save(db, row, changes)


def ramp_warnings(s: Conn, ref: str) -> list[str]:
    """Sentences about a ramp out of order: this cycle started before the cycle it builds
    on, or a cycle building on it started before it. Allowed (history is often typed in
    later, and dates get corrected), but said, so that a slip of the date is noticed."""
    db = as_db(s)
    row = _row(db, ref)
    if row.started_on is None:
        return []
    me = ref_of(row.project, row.number)
    warnings = []
    parent = cycle_queries.row(db, row.builds_on_id) if row.builds_on_id else None
    if parent is not None and parent.started_on and row.started_on < parent.started_on:
        warnings.append(f"{me} started on {row.started_on}, before "
                        f"{ref_of(row.project, parent.number)}, which it builds on, started "
                        f"on {parent.started_on}. Check the dates")
    for number, started in writes.children(db, row.id):
        if started and started < row.started_on:
            warnings.append(f"{ref_of(row.project, number)}, which builds on {me}, "
                            f"started on {started}, before {me} started on "
                            f"{row.started_on}. Check the dates")
    return warnings


def show(s: Conn, ref: str) -> domain.Cycle:
    return cycle_queries.show(as_db(s), ref)


def list_all(
    s: Conn, *, project: str | None = None, stage: Stage | None = None,
    since: date | None = None,
) -> list[domain.Cycle]:
    return cycle_queries.list_all(as_db(s), project=project, stage=stage, since=since)


def check_removable(s: Conn, ref: str, *, force: bool) -> domain.Cycle:
    db = as_db(s)
    record = cycle_queries.show(db, ref)
    later = [number for number, _started in writes.children(db, record.id)]
    if later and not force:
        refs = ", ".join(ref_of(record.project, n) for n in later)
        raise Conflict(f"{record.ref} is built on by {plural(len(later), 'cycle')} ({refs}). "
                       "Add --force to remove it; those cycles stay, unlinked")
    return record


def remove(s: Conn, ref: str, *, force: bool = False) -> domain.Cycle:
    db = writer(s)
    record = check_removable(db, ref, force=force)
    writes.remove(db, record.id)
    return record
