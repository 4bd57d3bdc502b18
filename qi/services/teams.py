"""Teams: a name, a slug, an optional area (North, West, ...) and a note.

Edit functions take None for "leave as it is" and "" for "clear this optional field".
"""

from __future__ import annotations

from sqlmodel import Session, func, select

from qi import domain, models
from qi.errors import Conflict
from qi.gateway import of_session
from qi.queries import teams as team_queries
from qi.services import projects as project_service
from qi.services._common import (
    check_slug,
    optional_text,
    required_text,
    row_id,
)
from qi.text import plural

LIST_CMD = "qi team list"


def get_row(s: Session, ref: str) -> models.Team:
    """A team by its slug or by its name, ignoring case (the lookup of `qi.queries`)."""
    return s.get_one(models.Team, team_queries.id_of(of_session(s), ref))


def _record(s: Session, team: models.Team, *, detail: bool = False) -> domain.Team:
    return team_queries.by_id(of_session(s), row_id(team), detail=detail)


def _ensure_free(s: Session, slug: str) -> None:
    if s.exec(select(models.Team.id).where(models.Team.slug == slug)).first() is not None:
        raise Conflict(
            f"A team with the slug '{slug}' already exists. Choose another with --slug, "
            f"or see it with 'qi team show {slug}'"
        )


def add(
    s: Session, name: str, *, slug: str | None = None, area: str | None = None,
    note: str | None = None,
) -> domain.Team:
    name = required_text(name, "team name", 200)
    slug = check_slug(slug if slug is not None else domain.slugify(name), "team")
    _ensure_free(s, slug)
    team = models.Team(slug=slug, name=name, area=optional_text(area, "area", 200),
                       note=optional_text(note))
    s.add(team)
    s.flush()
    return _record(s, team)


def list_all(s: Session, *, area: str | None = None) -> list[domain.Team]:
    return team_queries.list_all(of_session(s), area=area)


def show(s: Session, slug: str) -> domain.Team:
    return _record(s, get_row(s, slug), detail=True)


def edit(
    s: Session, slug: str, *, name: str | None = None, new_slug: str | None = None,
    area: str | None = None, note: str | None = None,
) -> domain.Team:
    team = get_row(s, slug)
    if name is not None:
        team.name = required_text(name, "team name", 200)
    if new_slug is not None and new_slug != team.slug:
        _ensure_free(s, check_slug(new_slug, "team"))
        team.slug = new_slug
    if area is not None:
        team.area = optional_text(area, "area", 200)
    if note is not None:
        team.note = optional_text(note)
    s.add(team)
    s.flush()
    return _record(s, team, detail=True)


def children(s: Session, slug: str) -> dict[str, int]:
    """What removing the team would also remove: its projects and memberships."""
    team = get_row(s, slug)
    projects = s.exec(
        select(func.count()).select_from(models.Project).where(models.Project.team_id == team.id)
    ).one()
    members = s.exec(
        select(func.count())
        .select_from(models.TeamMembership)
        .where(models.TeamMembership.team_id == team.id)
    ).one()
    meetings = s.exec(
        select(func.count()).select_from(models.Meeting).where(models.Meeting.team_id == team.id)
    ).one()
    return {"project": projects, "member": members, "meeting": meetings}


def check_removable(s: Session, slug: str, *, force: bool) -> dict[str, int]:
    """Refuse to remove a team with children unless forced; return what would go."""
    counts = children(s, slug)
    if any(counts.values()) and not force:
        what = " and ".join(plural(n, k) for k, n in counts.items() if n)
        raise Conflict(
            f"Team '{slug}' has {what}. Add --force to remove the team with its projects "
            "and their measures (members stay), or first move the projects with "
            "'qi project edit PROJECT --team OTHER'"
        )
    return counts


def remove(s: Session, slug: str, *, force: bool = False) -> domain.Team:
    """Remove a team; with children (projects, members) only when `force` is given.

    With force, the team's projects and their measures go too; members stay (they only
    lose this team).
    """
    team = get_row(s, slug)
    check_removable(s, slug, force=force)
    record = _record(s, team, detail=True)
    for project_slug in record.projects:
        project_service.delete_with_children(s, project_slug)
    s.delete(team)
    s.flush()
    return record
