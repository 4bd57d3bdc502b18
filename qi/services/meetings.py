"""Meetings: the programme's learning sessions (no team) and teams' own meetings, so that
reports can cover "since the last meeting"."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from qi import domain, models
from qi.gateway import of_session
from qi.queries import meetings as meeting_queries
from qi.queries import teams as team_queries
from qi.services import teams as team_service
from qi.services._common import required_text, row_id


def add(s: Session, held_on: date, title: str, *, team: str | None = None) -> domain.Meeting:
    team_row = team_service.get_row(s, team) if team else None
    meeting = models.Meeting(held_on=held_on, title=required_text(title, "meeting title", 300),
                             team_id=team_row.id if team_row else None)
    s.add(meeting)
    s.flush()
    return get(s, row_id(meeting))


def list_all(s: Session, *, team: str | None = None) -> list[domain.Meeting]:
    """Meetings in date order; with `team`, that team's meetings and the programme's."""
    db = of_session(s)
    return meeting_queries.list_all(db, team_id=team_queries.id_of(db, team) if team else None)


def get(s: Session, meeting_id: int) -> domain.Meeting:
    return meeting_queries.get(of_session(s), meeting_id)


def last_before(s: Session, day: date, *, team: str | None = None) -> domain.Meeting | None:
    """The latest meeting on or before `day` (the team's or the programme's)."""
    db = of_session(s)
    return meeting_queries.last_before(
        db, day, team_id=team_queries.id_of(db, team) if team else None)


def remove(s: Session, meeting_id: int) -> domain.Meeting:
    record = get(s, meeting_id)
    s.delete(s.get(models.Meeting, meeting_id))
    s.flush()
    return record
