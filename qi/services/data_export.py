"""A project's measurements as a long CSV, which `qi data import` reads back."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlmodel import Session, col

from qi import models
from qi.services import projects as project_service
from qi.text import csv_row, csv_text


def _number_text(v: float | None) -> str:
    """Numbers as they round-trip: 12 not 12.0, otherwise the shortest exact form."""
    if v is None:
        return ""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def export_csv(s: Session, project: str) -> tuple[str, int]:
    """A project's measurements as a long CSV (date,measure,value,numerator,denominator,
    note), ordered by measure and date; and the number of rows. Importing it into the same
    project and measures gives the same data."""
    project_row = project_service.get_row(s, project)
    t = models.metadata.tables["measurement"]
    rows = s.connection().execute(
        select(t.c.period, col(models.Measure.slug), t.c.value, t.c.numerator,
               t.c.denominator, t.c.note)
        .join(models.Measure, col(models.Measure.id) == t.c.measure_id)
        .where(col(models.Measure.project_id) == project_row.id)
        .order_by(col(models.Measure.slug), t.c.period)).all()
    # Text cells guarded against formulas (qi's import undoes it), numbers left numbers.
    lines = [csv_row(["date", "measure", "value", "numerator", "denominator", "note"])]
    lines.extend(csv_row([_iso(d), csv_text(slug), _number_text(v), _number_text(n),
                          _number_text(q), csv_text(note or "")])
                 for d, slug, v, n, q, note in rows)
    return "".join(lines), len(rows)


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)[:10]

