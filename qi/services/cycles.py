"""PDSA cycles: numbered per project (`dna-rate#3`), moving plan -> do -> study -> act ->
complete. The stage is derived from the worksheet's fields, never stored separately."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, func, select

from qi import domain, models
from qi.domain import Decision, Purpose, Stage
from qi.errors import Conflict, InvalidInput
from qi.gateway import of_session
from qi.queries import cycles as cycle_queries
from qi.queries.cycles import ref_of, stage_of  # noqa: F401 (part of this service's API)
from qi.services import ideas as idea_service
from qi.services import measures as measure_service
from qi.services import members as member_service
from qi.services import projects as project_service
from qi.services._common import as_utc, counted, optional_text, required_text

# Text fields of the worksheet, by stage; `edit` accepts any of them at any stage.
PLAN_FIELDS = ("objective", "questions", "predictions", "plan", "data_plan")
TEXT_FIELDS = PLAN_FIELDS + ("notes", "problems", "results", "learning", "next_steps")


def get_row(s: Session, ref: str) -> tuple[models.Cycle, models.Project]:
    """A cycle by 'project#number' or by id (the lookup of `qi.queries`, on this session)."""
    cycle_id, project_id = cycle_queries.locate(of_session(s), ref)
    return s.get(models.Cycle, cycle_id), s.get(models.Project, project_id)


def _one(s: Session, cycle: models.Cycle, project: models.Project) -> domain.Cycle:
    return cycle_queries.by_id(of_session(s), cycle.id)


def _set_measures(s: Session, cycle: models.Cycle, project: models.Project,
                  refs: list[str]) -> None:
    wanted = []
    for ref in refs:
        measure, owner = measure_service.get_row(
            s, ref if "/" in ref else f"{project.slug}/{ref}")
        if owner.id != project.id:
            raise InvalidInput(f"Measure '{ref}' belongs to project '{owner.slug}', not "
                               f"'{project.slug}'")
        wanted.append(measure.id)
    for link in s.exec(select(models.CycleMeasure).where(
            models.CycleMeasure.cycle_id == cycle.id)):
        s.delete(link)
    s.flush()
    for measure_id in dict.fromkeys(wanted):
        s.add(models.CycleMeasure(cycle_id=cycle.id, measure_id=measure_id))


def _check_dates(cycle: models.Cycle, ref: str) -> None:
    if cycle.completed_on and cycle.started_on and cycle.completed_on < cycle.started_on:
        raise InvalidInput(
            f"{ref} would be completed on {cycle.completed_on}, before it started on "
            f"{cycle.started_on}. Check the dates"
        )


def _builds_on(s: Session, project: models.Project, ref: str | int | None) -> int | None:
    if ref is None or ref == "":
        return None
    text = str(ref).strip().lstrip("#")
    parent, _ = get_row(s, text if "#" in text else f"{project.slug}#{text}")
    if parent.project_id != project.id:
        raise InvalidInput("A cycle can only build on a cycle of the same project")
    return parent.id


def new(
    s: Session, project: str, title: str, *, idea: str | None = None,
    purpose: Purpose = Purpose.test, measures: list[str] | None = None,
    builds_on: str | int | None = None, planned_start: date | None = None,
    logged_by: str | None = None, **fields: str | None,
) -> domain.Cycle:
    """Plan a new cycle; it gets the project's next number."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    # Lock the project row (PostgreSQL; SQLite's write lock is already held) so that two
    # people planning cycles at once cannot both take the same number.
    project_row = s.exec(select(models.Project).where(
        models.Project.slug == project).with_for_update()).first() or \
        project_service.get_row(s, project)
    number = (s.exec(select(func.max(models.Cycle.number)).where(
        models.Cycle.project_id == project_row.id)).one() or 0) + 1
    cycle = models.Cycle(
        project_id=project_row.id,
        number=number,
        title=required_text(title, "cycle title", 300),
        idea_id=idea_service.get_row(s, idea, project=project_row).id if idea else None,
        builds_on_id=_builds_on(s, project_row, builds_on),
        logged_by_id=member_service.get_row(s, logged_by).id if logged_by else None,
        purpose=Purpose(purpose).value,
        planned_start=planned_start,
        **{k: optional_text(v) for k, v in fields.items()},
    )
    s.add(cycle)
    s.flush()
    _set_measures(s, cycle, project_row, measures or [])
    s.flush()
    return _one(s, cycle, project_row)


def prefill_from(s: Session, ref: str) -> dict:
    """What the next cycle of a ramp starts with: the idea it tests, its measures, its
    purpose and its owner, and as objective what the Act decided the next cycle would be.

    The prediction, questions and plan are left empty on purpose: they belong to the next
    cycle's own Plan step, and a copied prediction would show in reports as one never made.
    """
    cycle, project = get_row(s, ref)
    record = _one(s, cycle, project)
    return {
        "idea": str(cycle.idea_id) if cycle.idea_id else None,
        "purpose": Purpose(cycle.purpose),
        "measures": list(record.measures),
        "logged_by": str(cycle.logged_by_id) if cycle.logged_by_id else None,
        "objective": cycle.next_steps,
    }


def do(s: Session, ref: str, *, on: date, notes: str | None = None,
       problems: str | None = None) -> domain.Cycle:
    """Record that the cycle was carried out (Do): its start date, what happened."""
    cycle, project = get_row(s, ref)
    cycle.started_on = on
    if notes is not None:
        cycle.notes = optional_text(notes)
    if problems is not None:
        cycle.problems = optional_text(problems)
    _check_dates(cycle, ref_of(project.slug, cycle.number))
    s.add(cycle)
    s.flush()
    return _one(s, cycle, project)


def study(s: Session, ref: str, *, results: str | None = None,
          learning: str | None = None) -> domain.Cycle:
    """Record the Study: results against the predictions, and what was learned."""
    cycle, project = get_row(s, ref)
    cref = ref_of(project.slug, cycle.number)
    if cycle.started_on is None:
        raise InvalidInput(f"{cref} has not been started: run 'qi cycle do {cref} --on DATE' "
                           "first")
    if not (results or "").strip() and not (learning or "").strip():
        raise InvalidInput(f"Say what the study of {cref} found: give --results and/or "
                           "--learning")
    if results is not None:
        cycle.results = optional_text(results)
    if learning is not None:
        cycle.learning = optional_text(learning)
    s.add(cycle)
    s.flush()
    return _one(s, cycle, project)


def act(s: Session, ref: str, *, decision: Decision, next_steps: str | None = None,
        completed_on: date | None = None) -> domain.Cycle:
    """Record the Act (adopt, adapt or abandon) and complete the cycle."""
    cycle, project = get_row(s, ref)
    cref = ref_of(project.slug, cycle.number)
    if cycle.started_on is None:
        raise InvalidInput(f"{cref} has not been started: run 'qi cycle do {cref} --on DATE' "
                           "first")
    if not (cycle.results or cycle.learning):
        raise InvalidInput(f"{cref} has not been studied: run 'qi cycle study {cref} "
                           "--results ... --learning ...' first")
    cycle.decision = Decision(decision).value
    if next_steps is not None:
        cycle.next_steps = optional_text(next_steps)
    cycle.completed_on = completed_on or date.today()
    _check_dates(cycle, cref)
    s.add(cycle)
    s.flush()
    return _one(s, cycle, project)


def edit(
    s: Session, ref: str, *, title: str | None = None, idea: str | None = None,
    purpose: Purpose | None = None, measures: list[str] | None = None,
    builds_on: str | None = None, planned_start: date | None = None,
    started_on: date | None = None, decision: Decision | None = None,
    completed_on: date | None = None, logged_by: str | None = None,
    unchanged_since: datetime | None = None, **fields: str | None,
) -> domain.Cycle:
    """Change any field at any stage. Text '' clears a field; idea/builds_on/logged_by ''
    unlink. With `unchanged_since` (the `updated_at` the user started from), an edit of a
    cycle that someone else changed meanwhile is refused rather than silently merged."""
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    cycle, project = get_row(s, ref)
    if unchanged_since is not None:
        s.refresh(cycle, with_for_update=True)  # PostgreSQL: no other edit between check and write
    if unchanged_since is not None and as_utc(cycle.updated_at) != unchanged_since:
        raise Conflict(
            f"{ref_of(project.slug, cycle.number)} was changed by someone else while you were "
            "editing it, so your edit was not saved"
        )
    if title is not None:
        cycle.title = required_text(title, "cycle title", 300)
    if idea is not None:
        cycle.idea_id = (idea_service.get_row(s, idea, project=project).id
                         if idea.strip() else None)
    if purpose is not None:
        cycle.purpose = Purpose(purpose).value
    if builds_on is not None:
        parent = _builds_on(s, project, builds_on)
        if parent == cycle.id:
            raise InvalidInput("A cycle cannot build on itself")
        cycle.builds_on_id = parent
    if logged_by is not None:
        cycle.logged_by_id = (member_service.get_row(s, logged_by).id
                              if logged_by.strip() else None)
    if planned_start is not None:
        cycle.planned_start = planned_start
    if started_on is not None:
        cycle.started_on = started_on
    if decision is not None:
        cycle.decision = Decision(decision).value
    if completed_on is not None:
        cycle.completed_on = completed_on
    for name, value in fields.items():
        if value is not None:
            setattr(cycle, name, optional_text(value))
    _check_dates(cycle, ref_of(project.slug, cycle.number))
    if measures is not None:
        _set_measures(s, cycle, project, measures)
    s.add(cycle)
    s.flush()
    return _one(s, cycle, project)


def ramp_warnings(s: Session, ref: str) -> list[str]:
    """Sentences about a ramp out of order: this cycle started before the cycle it builds
    on, or a cycle building on it started before it. Allowed (history is often typed in
    later, and dates get corrected), but said, so that a slip of the date is noticed."""
    cycle, project = get_row(s, ref)
    if cycle.started_on is None:
        return []
    me = ref_of(project.slug, cycle.number)
    warnings = []
    parent = s.get(models.Cycle, cycle.builds_on_id) if cycle.builds_on_id else None
    if parent is not None and parent.started_on and cycle.started_on < parent.started_on:
        warnings.append(f"{me} started on {cycle.started_on}, before "
                        f"{ref_of(project.slug, parent.number)}, which it builds on, started "
                        f"on {parent.started_on}. Check the dates")
    for child in s.exec(select(models.Cycle).where(models.Cycle.builds_on_id == cycle.id)
                        .order_by(models.Cycle.number)):
        if child.started_on and child.started_on < cycle.started_on:
            warnings.append(f"{ref_of(project.slug, child.number)}, which builds on {me}, "
                            f"started on {child.started_on}, before {me} started on "
                            f"{cycle.started_on}. Check the dates")
    return warnings


def show(s: Session, ref: str) -> domain.Cycle:
    return cycle_queries.show(of_session(s), ref)


def list_all(
    s: Session, *, project: str | None = None, stage: Stage | None = None,
    since: date | None = None,
) -> list[domain.Cycle]:
    return cycle_queries.list_all(of_session(s), project=project, stage=stage, since=since)


def check_removable(s: Session, ref: str, *, force: bool) -> domain.Cycle:
    cycle, project = get_row(s, ref)
    record = _one(s, cycle, project)
    later = s.exec(select(models.Cycle.number).where(
        models.Cycle.builds_on_id == cycle.id).order_by(models.Cycle.number)).all()
    if later and not force:
        refs = ", ".join(ref_of(project.slug, n) for n in later)
        raise Conflict(f"{record.ref} is built on by {counted(len(later), 'cycle')} ({refs}). "
                       "Add --force to remove it; those cycles stay, unlinked")
    return record


def remove(s: Session, ref: str, *, force: bool = False) -> domain.Cycle:
    record = check_removable(s, ref, force=force)
    cycle, _ = get_row(s, ref)
    for later in s.exec(select(models.Cycle).where(models.Cycle.builds_on_id == cycle.id)):
        later.builds_on_id = None
        s.add(later)
    s.delete(cycle)
    s.flush()
    return record
