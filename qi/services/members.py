"""Members: people with a profession or role, in one or more teams.

A member is addressed by id or by name (case-insensitive); a name shared by two people
must be given as an id.
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from qi import domain, models
from qi.errors import InvalidInput
from qi.gateway import of_session
from qi.queries import members as member_queries
from qi.services import teams as team_service
from qi.services._common import (
    known_list,
    not_found,
    optional_text,
    required_text,
    row_id,
)

LIST_CMD = "qi member list"


def get_row(s: Session, ref: str) -> models.Member:
    ref = ref.strip()
    if ref.isascii() and ref.isdigit():
        member = s.get(models.Member, int(ref))
        if member is not None:
            return member
    matches = s.exec(
        select(models.Member).where(func.lower(models.Member.name) == ref.lower())
    ).all()
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        which = ", ".join(f"id {m.id} ({m.role})" for m in matches)
        raise InvalidInput(
            f"{len(matches)} members are called '{ref}': {which}. Give the id instead"
        )
    names = list(s.exec(select(models.Member.name)).all())
    raise not_found("member", ref, names, LIST_CMD)


def _teams_of(s: Session, member_ids: list[int]) -> dict[int, list[str]]:
    return member_queries.teams_of(of_session(s), member_ids)


def _one(s: Session, member: models.Member) -> domain.Member:
    return member_queries.by_id(of_session(s), row_id(member))


def _check_email(email: str | None) -> str | None:
    email = optional_text((email or "").strip(), "email", 320)
    if email is not None and ("@" not in email or " " in email):
        raise InvalidInput(f"'{email}' is not an email address. Give it as name@example.org")
    return email


def _join(s: Session, member: models.Member, team_slugs: list[str]) -> None:
    member_id = row_id(member)
    current = set(_teams_of(s, [member_id]).get(member_id, []))
    for slug in team_slugs:
        team = team_service.get_row(s, slug)
        if team.slug not in current:
            s.add(models.TeamMembership(team_id=row_id(team), member_id=member_id))
            current.add(team.slug)


def _leave(s: Session, member: models.Member, team_slugs: list[str]) -> None:
    current = _teams_of(s, [row_id(member)]).get(row_id(member), [])
    for slug in team_slugs:
        team = team_service.get_row(s, slug)
        link = s.get(models.TeamMembership, (team.id, member.id))
        if link is None:
            raise InvalidInput(
                f"{member.name} is not in team '{slug}'. Their teams: "
                f"{known_list(current) or 'none'}"
            )
        s.delete(link)


def add(
    s: Session, name: str, *, role: str, teams: list[str] | None = None,
    email: str | None = None,
) -> domain.Member:
    member = models.Member(
        name=required_text(name, "member name", 200),
        role=required_text(role, "role", 200),
        email=_check_email(email),
    )
    s.add(member)
    s.flush()
    _join(s, member, teams or [])
    s.flush()
    return _one(s, member)


def list_all(s: Session, *, team: str | None = None) -> list[domain.Member]:
    team_id = team_service.get_row(s, team).id if team else None
    return member_queries.list_all(of_session(s), team_id=team_id)


def show(s: Session, ref: str) -> domain.Member:
    member = get_row(s, ref)
    return _one(s, member)


def edit(
    s: Session, ref: str, *, name: str | None = None, role: str | None = None,
    email: str | None = None, add_teams: list[str] | None = None,
    remove_teams: list[str] | None = None,
) -> domain.Member:
    member = get_row(s, ref)
    if name is not None:
        member.name = required_text(name, "member name", 200)
    if role is not None:
        member.role = required_text(role, "role", 200)
    if email is not None:
        member.email = _check_email(email)
    s.add(member)
    _join(s, member, add_teams or [])
    _leave(s, member, remove_teams or [])
    s.flush()
    return _one(s, member)


def remove(s: Session, ref: str) -> domain.Member:
    """Remove a member and their team memberships (their teams and projects stay)."""
    member = get_row(s, ref)
    record = _one(s, member)
    s.delete(member)
    s.flush()
    return record
