"""Meetings: the programme's learning sessions (no team) and teams' own meetings, so that
reports can cover "since the last meeting"."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, or_, select

from qi import domain, models
from qi.errors import NotFound
from qi.services import teams as team_service
from qi.services._common import as_utc, required_text, row_id


def _record(m: models.Meeting, team_slug: str | None) -> domain.Meeting:
    return domain.Meeting(id=row_id(m), date=m.held_on, title=m.title, team=team_slug,
                          created_at=as_utc(m.created_at), updated_at=as_utc(m.updated_at))


def _query():
    return (select(models.Meeting, models.Team.slug)
            .join(models.Team, col(models.Team.id) == models.Meeting.team_id, isouter=True)
            .order_by(col(models.Meeting.held_on), col(models.Meeting.id)))


def add(s: Session, held_on: date, title: str, *, team: str | None = None) -> domain.Meeting:
    team_row = team_service.get_row(s, team) if team else None
    meeting = models.Meeting(held_on=held_on, title=required_text(title, "meeting title", 300),
                             team_id=team_row.id if team_row else None)
    s.add(meeting)
    s.flush()
    return _record(meeting, team_row.slug if team_row else None)


def list_all(s: Session, *, team: str | None = None) -> list[domain.Meeting]:
    """Meetings in date order; with `team`, that team's meetings and the programme's."""
    query = _query()
    if team:
        team_row = team_service.get_row(s, team)
        query = query.where(or_(col(models.Meeting.team_id) == team_row.id,
                                col(models.Meeting.team_id).is_(None)))
    return [_record(m, slug) for m, slug in s.exec(query).all()]


def get(s: Session, meeting_id: int) -> domain.Meeting:
    row = s.exec(_query().where(models.Meeting.id == meeting_id)).first()
    if row is None:
        raise NotFound(f"No meeting {meeting_id}. Run 'qi meeting list' to see the meetings "
                       "and their numbers")
    return _record(*row)


def last_before(s: Session, day: date, *, team: str | None = None) -> domain.Meeting | None:
    """The latest meeting on or before `day` (the team's or the programme's)."""
    earlier = [m for m in list_all(s, team=team) if m.date <= day]
    return earlier[-1] if earlier else None


def remove(s: Session, meeting_id: int) -> domain.Meeting:
    record = get(s, meeting_id)
    s.delete(s.get(models.Meeting, meeting_id))
    s.flush()
    return record
