"""Recorded imports: listing them, and undoing one exactly (deleting what it added,
putting back what it replaced), refused when later changes would be overwritten."""

from __future__ import annotations

from datetime import UTC

from sqlmodel import Session, col, delete, func, select

from qi import domain, models
from qi.errors import Conflict, NotFound
from qi.services import projects as project_service
from qi.services._common import as_utc, row_id
from qi.text import plural


def _import_record(row: models.DataImport, project_slug: str) -> domain.DataImport:
    return domain.DataImport(
        id=row_id(row), project=project_slug, file=row.file_name, sha256=row.sha256,
        added=row.rows_added, changed=row.rows_changed,
        # SQLite hands the timestamps back naive; they were written in UTC.
        imported_at=row.imported_at.replace(tzinfo=row.imported_at.tzinfo or UTC),
        undone_at=as_utc(row.undone_at),
    )


def imports(s: Session, *, project: str | None = None) -> list[domain.DataImport]:
    """Recorded imports, oldest first."""
    query = (select(models.DataImport, models.Project.slug)
             .join(models.Project, col(models.Project.id) == models.DataImport.project_id)
             .order_by(col(models.DataImport.id)))
    if project:
        query = query.where(col(models.DataImport.project_id) ==
                            project_service.get_row(s, project).id)
    return [_import_record(row, slug) for row, slug in s.exec(query).all()]


def _get_import(s: Session, ref: str) -> tuple[models.DataImport, str]:
    text = str(ref).strip().removeprefix("#")
    row = s.get(models.DataImport, int(text)) if text.isascii() and text.isdigit() else None
    if row is None:
        raise NotFound(f"No import '{ref}'. Imports are numbered; run 'qi data imports'")
    project = s.get(models.Project, row.project_id)
    if project is None:  # a foreign key: never, but said rather than assumed
        raise NotFound(f"Import {row.id} belongs to no project")
    return row, project.slug


def check_undoable(s: Session, ref: str) -> domain.DataImport:
    """The import, if undoing it would restore exactly what it replaced; else Conflict."""
    row, project_slug = _get_import(s, ref)
    if row.undone_at is not None:
        raise Conflict(f"Import {row.id} ({row.file_name}) was already undone on "
                       f"{as_utc(row.undone_at):%Y-%m-%d %H:%M} UTC")
    # Every row an import wrote carries its id until something else writes that row, so
    # a shortfall means later changes that undoing this import would silently overwrite.
    wrote = row.rows_added + row.rows_changed
    still = s.exec(select(func.count()).select_from(models.Measurement)
                   .where(col(models.Measurement.import_id) == row.id)).one()
    if still != wrote:
        later = s.exec(select(models.DataImportChange.import_id).distinct()
                       .join(models.DataImport,
                             col(models.DataImport.id) == models.DataImportChange.import_id)
                       .where(col(models.DataImportChange.old_import_id) == row.id,
                              col(models.DataImport.undone_at).is_(None))
                       .order_by(col(models.DataImportChange.import_id))).all()
        cause = (f"by import {', '.join(str(i) for i in later)}; undo "
                 f"{'that' if len(later) == 1 else 'those'} first (newest first: 'qi data "
                 f"undo {later[-1]}')" if later else
                 "by 'qi data add --replace' or by removing a measure, so it can no longer "
                 "be undone exactly")
        raise Conflict(f"Import {row.id} ({row.file_name}) cannot be undone: "
                       f"{wrote - still} of the {plural(wrote, 'value')} it wrote have been "
                       f"changed since, {cause}. Nothing was changed")
    return _import_record(row, project_slug)


def undo(s: Session, ref: str) -> domain.DataImport:
    """Reverse an import exactly: delete what it added, put back what it replaced."""
    record = check_undoable(s, ref)
    row, _project = _get_import(s, str(record.id))
    restored = s.exec(select(models.DataImportChange)
                      .where(col(models.DataImportChange.import_id) == row.id)).all()
    s.exec(delete(models.Measurement).where(col(models.Measurement.import_id) == row.id))
    s.add_all([
        models.Measurement(measure_id=c.measure_id, period=c.period, value=c.old_value,
                           numerator=c.old_numerator, denominator=c.old_denominator,
                           note=c.old_note, import_id=c.old_import_id)
        for c in restored
    ])
    row.undone_at = models.utcnow()
    s.add(row)
    s.flush()
    return _import_record(row, record.project)
