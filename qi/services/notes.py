"""Dated notes on measures ("practice closed for refurbishment"), drawn on charts.

Every function runs on the gateway (`qi.gateway.Db`) or, given an ORM session, on that
session's connection; the SQL is in `qi.queries.notes`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from qi import domain
from qi.errors import NotFound
from qi.gateway import as_db, writer
from qi.queries import measures as measure_queries
from qi.queries import members as member_queries
from qi.queries import notes as note_queries
from qi.queries import projects as project_queries
from qi.services._common import required_text

if TYPE_CHECKING:
    from sqlmodel import Session

    from qi.gateway import Db

    Conn = Db | Session


def add(s: Conn, measure: str, on: date, text: str, *, by: str | None = None
        ) -> domain.Note:
    db = writer(s)
    measure_id, _project_id = measure_queries.locate(db, measure)
    note_id = note_queries.insert(db, measure_id, on, required_text(text, "note"),
                                  member_queries.locate(db, by) if by else None)
    return show(db, note_id)


def list_all(s: Conn, *, measure: str | None = None, project: str | None = None
             ) -> list[domain.Note]:
    db = as_db(s)
    return note_queries.list_all(
        db, measure_id=measure_queries.locate(db, measure)[0] if measure else None,
        project_id=project_queries.id_of(db, project) if project else None)


def show(s: Conn, note_id: int) -> domain.Note:
    note = note_queries.by_id(as_db(s), note_id)
    if note is None:
        raise NotFound(f"No note {note_id}. Run 'qi note list' to see the notes and their ids")
    return note


def remove(s: Conn, note_id: int) -> domain.Note:
    db = writer(s)
    record = show(db, note_id)
    note_queries.remove(db, note_id)
    return record
