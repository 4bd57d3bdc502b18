"""Dated notes on measures as records (`qi note list`), and the SQL that adds and removes
one."""

from __future__ import annotations

from datetime import date

from qi import domain
from qi.gateway import Db, get_date, get_datetime, utcnow

_SELECT = """
    SELECT n.id, p.slug, m.slug, n.noted_on, n.text, w.name, n.created_at
    FROM measure_note n JOIN measure m ON m.id = n.measure_id
    JOIN project p ON p.id = m.project_id
    LEFT JOIN member w ON w.id = n.created_by_id
"""
_ORDER = " ORDER BY p.slug, m.slug, n.noted_on, n.id"


def _records(rows: list[tuple]) -> list[domain.Note]:
    return [domain.Note(id=r[0], measure=f"{r[1]}/{r[2]}", date=get_date(r[3]), text=r[4],
                        created_by=r[5], created_at=get_datetime(r[6])) for r in rows]


def by_id(db: Db, note_id: int) -> domain.Note | None:
    found = _records(db.all(_SELECT + " WHERE n.id = :id", {"id": note_id}))
    return found[0] if found else None


def list_all(db: Db, *, measure_id: int | None = None,
             project_id: int | None = None) -> list[domain.Note]:
    """Notes in project, measure, date and id order; of one measure and/or project."""
    where, params = [], {}
    if measure_id is not None:
        where.append("n.measure_id = :m")
        params["m"] = measure_id
    if project_id is not None:
        where.append("m.project_id = :p")
        params["p"] = project_id
    sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + _ORDER
    return _records(db.all(sql, params))


def insert(db: Db, measure_id: int, noted_on: date, text: str,
           created_by_id: int | None) -> int:
    """A new note; its id."""
    return db.scalar(
        "INSERT INTO measure_note (measure_id, noted_on, text, created_by_id, created_at) "
        "VALUES (:m, :d, :t, :b, :c) RETURNING id",
        {"m": measure_id, "d": db.put_date(noted_on), "t": text, "b": created_by_id,
         "c": db.put_datetime(utcnow())})


def remove(db: Db, note_id: int) -> None:
    db.execute("DELETE FROM measure_note WHERE id = :id", {"id": note_id})
