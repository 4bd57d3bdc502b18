"""Improvement projects: an aim, a team, a start date and a status."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlmodel import Session, delete, select

from qi import domain, models
from qi.domain import ProjectStatus
from qi.errors import Conflict, InvalidInput
from qi.services import teams as team_service
from qi.services._common import (
    as_utc,
    by_slug,
    check_slug,
    optional_text,
    required_text,
)

LIST_CMD = "qi project list"


def get_row(s: Session, slug: str) -> models.Project:
    return by_slug(s, models.Project, slug, "project", LIST_CMD)


def _record(project: models.Project, team_slug: str, measures: list[str]) -> domain.Project:
    return domain.Project(
        id=project.id,
        slug=project.slug,
        title=project.title,
        aim=project.aim,
        team=team_slug,
        start=project.start_date,
        status=ProjectStatus(project.status),
        closing_note=project.closing_note,
        measures=tuple(measures),
        created_at=as_utc(project.created_at),
        updated_at=as_utc(project.updated_at),
    )


def _measures_of(s: Session, project_ids: list[int]) -> dict[int, list[str]]:
    rows = s.exec(
        select(models.Measure.project_id, models.Measure.slug)
        .where(models.Measure.project_id.in_(project_ids))
        .order_by(models.Measure.slug)
    ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for project_id, slug in rows:
        out[project_id].append(slug)
    return out


def _one(s: Session, project: models.Project) -> domain.Project:
    team = s.get(models.Team, project.team_id)
    return _record(project, team.slug, _measures_of(s, [project.id]).get(project.id, []))


def _ensure_free(s: Session, slug: str) -> None:
    if s.exec(select(models.Project.id).where(models.Project.slug == slug)).first() is not None:
        raise Conflict(
            f"A project with the slug '{slug}' already exists. Choose another slug, "
            f"or see it with 'qi project show {slug}'"
        )


def add(
    s: Session, slug: str, *, title: str, team: str, aim: str, start: date | None = None,
) -> domain.Project:
    check_slug(slug, "project")
    team_row = team_service.get_row(s, team)
    _ensure_free(s, slug)
    project = models.Project(
        slug=slug,
        title=required_text(title, "project title", 300),
        aim=required_text(aim, "aim"),
        team_id=team_row.id,
        start_date=start,
        status=ProjectStatus.active.value,
    )
    s.add(project)
    s.flush()
    return _one(s, project)


def list_all(
    s: Session, *, team: str | None = None, status: ProjectStatus | None = None
) -> list[domain.Project]:
    # Two queries whatever the number of projects: projects with their team, then measures.
    query = (
        select(models.Project, models.Team.slug)
        .join(models.Team, models.Team.id == models.Project.team_id)
        .order_by(models.Project.slug)
    )
    if team:
        query = query.where(models.Project.team_id == team_service.get_row(s, team).id)
    if status:
        query = query.where(models.Project.status == status.value)
    rows = s.exec(query).all()
    measures = _measures_of(s, [p.id for p, _ in rows])
    return [_record(p, team_slug, measures.get(p.id, [])) for p, team_slug in rows]


def show(s: Session, slug: str) -> domain.Project:
    return _one(s, get_row(s, slug))


def edit(
    s: Session, slug: str, *, new_slug: str | None = None, title: str | None = None,
    aim: str | None = None, team: str | None = None, start: date | None = None,
    status: ProjectStatus | None = None,
) -> domain.Project:
    project = get_row(s, slug)
    if new_slug is not None and new_slug != project.slug:
        _ensure_free(s, check_slug(new_slug, "project"))
        project.slug = new_slug
    if title is not None:
        project.title = required_text(title, "project title", 300)
    if aim is not None:
        project.aim = required_text(aim, "aim")
    if team is not None:
        project.team_id = team_service.get_row(s, team).id
    if start is not None:
        project.start_date = start
    if status is not None:
        project.status = status.value
    s.add(project)
    s.flush()
    return _one(s, project)


def close(
    s: Session, slug: str, *, status: ProjectStatus = ProjectStatus.completed,
    note: str | None = None,
) -> domain.Project:
    """Mark a project completed or abandoned, with an optional closing note."""
    if status == ProjectStatus.active:
        raise InvalidInput(
            "A project is closed as 'completed' or 'abandoned'. To reopen it run "
            f"'qi project edit {slug} --status active'"
        )
    project = get_row(s, slug)
    project.status = status.value
    if note is not None:
        project.closing_note = optional_text(note)
    s.add(project)
    s.flush()
    return _one(s, project)


def delete_with_children(s: Session, slug: str) -> None:
    """Delete a project with its cycles, ideas, measures, measurements and imports
    (`qi team remove --force`)."""
    project = get_row(s, slug)
    # Cycles first: they refer to ideas and measures (their links go with them by cascade).
    s.exec(delete(models.Cycle).where(models.Cycle.project_id == project.id))
    s.exec(delete(models.ChangeIdea).where(models.ChangeIdea.project_id == project.id))
    measure_ids = select(models.Measure.id).where(models.Measure.project_id == project.id)
    s.exec(delete(models.Measurement).where(models.Measurement.measure_id.in_(measure_ids)))
    # An import's records of what it replaced go with it (ON DELETE CASCADE).
    s.exec(delete(models.DataImport).where(models.DataImport.project_id == project.id))
    s.exec(delete(models.Measure).where(models.Measure.project_id == project.id))
    s.delete(project)
    s.flush()
