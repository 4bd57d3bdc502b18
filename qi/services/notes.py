"""Dated notes on measures ("practice closed for refurbishment"), drawn on charts."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from qi import domain, models
from qi.errors import NotFound
from qi.services import measures as measure_service
from qi.services import members as member_service
from qi.services import projects as project_service
from qi.services._common import as_utc, required_text


def _records(s: Session, rows) -> list[domain.Note]:
    names = dict(s.exec(select(models.Member.id, models.Member.name)).all()) if rows else {}
    return [domain.Note(id=n.id, measure=f"{project_slug}/{measure_slug}", date=n.noted_on,
                        text=n.text, created_by=names.get(n.created_by_id),
                        created_at=as_utc(n.created_at))
            for n, measure_slug, project_slug in rows]


def _query():
    return (select(models.MeasureNote, models.Measure.slug, models.Project.slug)
            .join(models.Measure, models.Measure.id == models.MeasureNote.measure_id)
            .join(models.Project, models.Project.id == models.Measure.project_id)
            .order_by(models.Project.slug, models.Measure.slug, models.MeasureNote.noted_on,
                      models.MeasureNote.id))


def add(s: Session, measure: str, on: date, text: str, *, by: str | None = None
        ) -> domain.Note:
    measure_row, _ = measure_service.get_row(s, measure)
    note = models.MeasureNote(
        measure_id=measure_row.id, noted_on=on, text=required_text(text, "note"),
        created_by_id=member_service.get_row(s, by).id if by else None,
    )
    s.add(note)
    s.flush()
    return _records(s, s.exec(_query().where(models.MeasureNote.id == note.id)).all())[0]


def list_all(s: Session, *, measure: str | None = None, project: str | None = None
             ) -> list[domain.Note]:
    query = _query()
    if measure:
        query = query.where(
            models.MeasureNote.measure_id == measure_service.get_row(s, measure)[0].id)
    if project:
        query = query.where(
            models.Measure.project_id == project_service.get_row(s, project).id)
    return _records(s, s.exec(query).all())


def show(s: Session, note_id: int) -> domain.Note:
    rows = s.exec(_query().where(models.MeasureNote.id == note_id)).all()
    if not rows:
        raise NotFound(f"No note {note_id}. Run 'qi note list' to see the notes and their ids")
    return _records(s, rows)[0]


def remove(s: Session, note_id: int) -> domain.Note:
    record = show(s, note_id)
    s.delete(s.get(models.MeasureNote, note_id))
    s.flush()
    return record
