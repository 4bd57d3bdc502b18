"""Members as records: `qi member list`, the record every member service returns, and
finding a member by id or name."""

from __future__ import annotations

from collections import defaultdict

from qi import domain
from qi.errors import InvalidInput
from qi.gateway import Db, get_datetime
from qi.queries._common import not_found

LIST_CMD = "qi member list"

_SELECT = "SELECT m.id, m.name, m.role, m.email, m.created_at, m.updated_at FROM member m"


def locate(db: Db, ref: str) -> int:
    """A member's id, given by id or by name (ignoring case); two people of the same name
    are told apart by id, and NotFound lists the members there are."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit():
        found = db.scalar("SELECT id FROM member WHERE id = :id", {"id": int(ref)})
        if found is not None:
            return found
    matches = db.all("SELECT id, role FROM member WHERE lower(name) = :n ORDER BY id",
                     {"n": ref.lower()})
    if len(matches) == 1:
        return matches[0][0]
    if len(matches) > 1:
        which = ", ".join(f"id {member_id} ({role})" for member_id, role in matches)
        raise InvalidInput(f"{len(matches)} members are called '{ref}': {which}. "
                           "Give the id instead")
    raise not_found("member", ref, [r[0] for r in db.all("SELECT name FROM member")],
                    LIST_CMD)


def teams_of(db: Db, member_ids: list[int]) -> dict[int, list[str]]:
    """Each member's team slugs, in slug order."""
    marks, params = db.in_list("m", member_ids)
    teams: dict[int, list[str]] = defaultdict(list)
    for member_id, slug in db.all(
            "SELECT tm.member_id, t.slug FROM team_membership tm JOIN team t "
            f"ON t.id = tm.team_id WHERE tm.member_id IN ({marks}) ORDER BY t.slug", params):
        teams[member_id].append(slug)
    return teams


def _records(db: Db, rows: list[tuple]) -> list[domain.Member]:
    teams = teams_of(db, [r[0] for r in rows])
    return [domain.Member(id=r[0], name=r[1], role=r[2], email=r[3],
                          teams=tuple(teams.get(r[0], [])), created_at=get_datetime(r[4]),
                          updated_at=get_datetime(r[5])) for r in rows]


def by_id(db: Db, member_id: int) -> domain.Member:
    return _records(db, db.all(_SELECT + " WHERE m.id = :id", {"id": member_id}))[0]


def list_all(db: Db, *, team_id: int | None = None) -> list[domain.Member]:
    """Members by name (ignoring case), of one team or all."""
    if team_id is None:
        rows = db.all(_SELECT + " ORDER BY lower(m.name), m.id")
    else:
        rows = db.all(_SELECT + " JOIN team_membership tm ON tm.member_id = m.id "
                      "WHERE tm.team_id = :t ORDER BY lower(m.name), m.id", {"t": team_id})
    return _records(db, rows)
