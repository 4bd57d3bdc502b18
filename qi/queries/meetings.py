"""Meetings as records: the programme's learning sessions and teams' meetings, for
`qi meeting list` and for the period of a report ("since the last meeting")."""

from __future__ import annotations

from datetime import date

from qi import domain
from qi.errors import NotFound
from qi.gateway import Db, get_date, get_datetime

_SELECT = """
    SELECT g.id, g.held_on, g.title, t.slug, g.created_at, g.updated_at
    FROM meeting g LEFT JOIN team t ON t.id = g.team_id
"""
_ORDER = " ORDER BY g.held_on, g.id"


def _records(rows: list[tuple]) -> list[domain.Meeting]:
    return [domain.Meeting(id=r[0], date=get_date(r[1]), title=r[2], team=r[3],
                           created_at=get_datetime(r[4]), updated_at=get_datetime(r[5]))
            for r in rows]


def list_all(db: Db, *, team_id: int | None = None) -> list[domain.Meeting]:
    """Meetings in date order; with `team_id`, that team's meetings and the programme's."""
    if team_id is None:
        return _records(db.all(_SELECT + _ORDER))
    return _records(db.all(_SELECT + " WHERE g.team_id = :t OR g.team_id IS NULL" + _ORDER,
                           {"t": team_id}))


def get(db: Db, meeting_id: int) -> domain.Meeting:
    found = _records(db.all(_SELECT + " WHERE g.id = :id", {"id": meeting_id}))
    if not found:
        raise NotFound(f"No meeting {meeting_id}. Run 'qi meeting list' to see the meetings "
                       "and their numbers")
    return found[0]


def last_before(db: Db, day: date, *, team_id: int | None = None) -> domain.Meeting | None:
    """The latest meeting on or before `day` (the team's or the programme's)."""
    earlier = [m for m in list_all(db, team_id=team_id) if m.date <= day]
    return earlier[-1] if earlier else None
