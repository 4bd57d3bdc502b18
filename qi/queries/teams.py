"""Teams as records (`qi team list|show`), and finding a team by its slug or by its name
ignoring case ('Hendon Medical Practice')."""

from __future__ import annotations

from qi import domain
from qi.errors import InvalidInput
from qi.gateway import Db, get_datetime
from qi.queries._common import id_by_slug

LIST_CMD = "qi team list"


def id_of(db: Db, ref: str) -> int:
    """A team's id by slug or name; NotFound lists the teams, two matches say which."""
    wanted = " ".join(ref.split())
    found = db.scalar("SELECT id FROM team WHERE slug = :w", {"w": wanted})
    if found is not None:
        return found
    matches = db.all("SELECT id, slug, name FROM team WHERE lower(slug) = :w "
                     "OR lower(name) = :w ORDER BY slug", {"w": wanted.lower()})
    if len(matches) == 1:
        return matches[0][0]
    if len(matches) > 1:
        which = ", ".join(f"{slug} ({name})" for _id, slug, name in matches)
        raise InvalidInput(f"{len(matches)} teams match '{ref}': {which}. Give the slug")
    return id_by_slug(db, "team", ref, "team", LIST_CMD)  # the usual "No team" message


_SELECT = "SELECT id, slug, name, area, note, created_at, updated_at FROM team"


def _record(db: Db, r: tuple, *, detail: bool) -> domain.Team:
    members: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    if detail:
        members = tuple(x[0] for x in db.all(
            "SELECT m.name FROM member m JOIN team_membership tm ON tm.member_id = m.id "
            "WHERE tm.team_id = :t ORDER BY m.name", {"t": r[0]}))
        projects = tuple(x[0] for x in db.all(
            "SELECT slug FROM project WHERE team_id = :t ORDER BY slug", {"t": r[0]}))
    return domain.Team(id=r[0], slug=r[1], name=r[2], area=r[3], note=r[4], members=members,
                       projects=projects, created_at=get_datetime(r[5]),
                       updated_at=get_datetime(r[6]))


def by_id(db: Db, team_id: int, *, detail: bool = False) -> domain.Team:
    return _record(db, db.get(_SELECT + " WHERE id = :id", {"id": team_id}), detail=detail)


def list_all(db: Db, *, area: str | None = None) -> list[domain.Team]:
    """Teams in slug order (of one area, ignoring case)."""
    if area:
        rows = db.all(_SELECT + " WHERE lower(area) = :a ORDER BY slug",
                      {"a": area.strip().lower()})
    else:
        rows = db.all(_SELECT + " ORDER BY slug")
    return [_record(db, r, detail=False) for r in rows]


def show(db: Db, ref: str) -> domain.Team:
    """A team with its members and projects."""
    return by_id(db, id_of(db, ref), detail=True)
