"""Improvement projects: an aim, a team, a start date and a status."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, delete, select

from qi import domain, models
from qi.domain import ProjectStatus
from qi.errors import Conflict, InvalidInput
from qi.gateway import of_session
from qi.queries import projects as project_queries
from qi.queries import teams as team_queries
from qi.services._common import (
    by_slug,
    check_slug,
    optional_text,
    required_text,
    row_id,
)

LIST_CMD = "qi project list"


def get_row(s: Session, slug: str) -> models.Project:
    return by_slug(s, models.Project, slug, "project", LIST_CMD)


def _team_id(s: Session, team: str) -> int:
    """A team's id by its slug or name (the lookup `qi.services.teams` uses too)."""
    return team_queries.id_of(of_session(s), team)


def _one(s: Session, project: models.Project) -> domain.Project:
    return project_queries.by_id(of_session(s), row_id(project))


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
    team_id = _team_id(s, team)
    _ensure_free(s, slug)
    project = models.Project(
        slug=slug,
        title=required_text(title, "project title", 300),
        aim=required_text(aim, "aim"),
        team_id=team_id,
        start_date=start,
        status=ProjectStatus.active.value,
    )
    s.add(project)
    s.flush()
    return _one(s, project)


def list_all(
    s: Session, *, team: str | None = None, status: ProjectStatus | None = None
) -> list[domain.Project]:
    team_id = _team_id(s, team) if team else None
    return project_queries.list_all(of_session(s), team_id=team_id, status=status)


def show(s: Session, slug: str) -> domain.Project:
    return project_queries.show(of_session(s), slug)


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
        project.team_id = _team_id(s, team)
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
    s.exec(delete(models.Cycle).where(col(models.Cycle.project_id) == project.id))
    s.exec(delete(models.ChangeIdea).where(col(models.ChangeIdea.project_id) == project.id))
    measure_ids = select(models.Measure.id).where(col(models.Measure.project_id) == project.id)
    s.exec(delete(models.Measurement).where(col(models.Measurement.measure_id).in_(measure_ids)))
    # An import's records of what it replaced go with it (ON DELETE CASCADE).
    s.exec(delete(models.DataImport).where(col(models.DataImport.project_id) == project.id))
    s.exec(delete(models.Measure).where(col(models.Measure.project_id) == project.id))
    s.delete(project)
    s.flush()
