"""Rebasing a measure: phases with their own centre line and limits, kept with who, when
and why. The baseline end (`baseline_until`) is edited with the measure."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from qi import domain, models
from qi.errors import Conflict, InvalidInput, NotFound
from qi.services import cycles as cycle_service
from qi.services import measures as measure_service
from qi.services import members as member_service
from qi.services._common import as_utc, required_text, row_id


def _records(s: Session, rows, ref: str) -> list[domain.Phase]:
    names = dict(s.exec(select(models.Member.id, models.Member.name)).all()) if rows else {}
    cycle_refs = {}
    for phase in rows:
        if phase.cycle_id and phase.cycle_id not in cycle_refs:
            cycle_refs[phase.cycle_id] = cycle_service.show(s, str(phase.cycle_id)).ref
    return [domain.Phase(id=p.id, measure=ref, starts_on=p.starts_on, reason=p.reason,
                         cycle=cycle_refs.get(p.cycle_id), created_by=names.get(p.created_by_id),
                         created_at=as_utc(p.created_at))
            for p in rows]


def rebase(s: Session, measure: str, *, at: str | date, reason: str, by: str | None = None
           ) -> domain.Phase:
    """Start a new phase at a date, or at the Do date of a cycle (`dna-rate#3`)."""
    measure_row, project = measure_service.get_row(s, measure)
    ref = f"{project.slug}/{measure_row.slug}"
    cycle_id = None
    if isinstance(at, str):
        # 'dna-rate#3', or '#3' / '3' within this measure's project
        text = at.strip()
        cycle_ref = text if "#" in text[1:] else f"{project.slug}#{text.lstrip('#')}"
        cycle = cycle_service.show(s, cycle_ref)
        if cycle.project != project.slug:
            raise InvalidInput(f"{cycle.ref} is a cycle of another project than {ref}")
        if cycle.started_on is None:
            raise InvalidInput(f"{cycle.ref} has not started yet, so it has no date to rebase "
                               f"at: run 'qi cycle do {cycle.ref} --on DATE' first, or give a "
                               "date")
        at, cycle_id = cycle.started_on, cycle.id
    taken = s.exec(select(models.MeasurePhase.id).where(
        models.MeasurePhase.measure_id == measure_row.id,
        models.MeasurePhase.starts_on == at)).first()
    if taken is not None:
        raise Conflict(f"{ref} already has a phase starting on {at}. See 'qi measure phases "
                       f"{ref}'")
    phase = models.MeasurePhase(
        measure_id=row_id(measure_row), starts_on=at, reason=required_text(reason, "reason"),
        cycle_id=cycle_id, created_by_id=member_service.get_row(s, by).id if by else None,
    )
    s.add(phase)
    s.flush()
    return _records(s, [phase], ref)[0]


def list_for(s: Session, measure: str) -> list[domain.Phase]:
    measure_row, project = measure_service.get_row(s, measure)
    rows = s.exec(select(models.MeasurePhase).where(
        models.MeasurePhase.measure_id == measure_row.id).order_by(
        col(models.MeasurePhase.starts_on))).all()
    return _records(s, rows, f"{project.slug}/{measure_row.slug}")


def remove(s: Session, measure: str, starts_on: date) -> domain.Phase:
    measure_row, project = measure_service.get_row(s, measure)
    ref = f"{project.slug}/{measure_row.slug}"
    phase = s.exec(select(models.MeasurePhase).where(
        models.MeasurePhase.measure_id == measure_row.id,
        models.MeasurePhase.starts_on == starts_on)).first()
    if phase is None:
        raise NotFound(f"{ref} has no phase starting on {starts_on}. See 'qi measure phases "
                       f"{ref}'")
    record = _records(s, [phase], ref)[0]
    s.delete(phase)
    s.flush()
    return record
