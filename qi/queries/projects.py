"""Projects as records: `qi project list` and `qi project show`, and every service that
returns a project."""

from __future__ import annotations

from collections import defaultdict

from qi import domain
from qi.domain import ProjectStatus
from qi.gateway import Db, get_date, get_datetime
from qi.queries._common import id_by_slug

LIST_CMD = "qi project list"

_SELECT = """
    SELECT p.id, p.slug, p.title, p.aim, t.slug, p.start_date, p.status, p.closing_note,
           p.created_at, p.updated_at
    FROM project p JOIN team t ON t.id = p.team_id
"""


def id_of(db: Db, slug: str) -> int:
    """A project's id by its slug (NotFound lists the projects there are)."""
    return id_by_slug(db, "project", slug, "project", LIST_CMD)


def _measures_of(db: Db, project_ids: list[int] | None) -> dict[int, list[str]]:
    where, params = "", dict[str, object]()
    if project_ids is not None:
        ids, params = db.in_list("pid", project_ids)
        where = f"WHERE project_id IN ({ids})"
    out: dict[int, list[str]] = defaultdict(list)
    for project_id, slug in db.all(
            f"SELECT project_id, slug FROM measure {where} ORDER BY slug", params):
        out[project_id].append(slug)
    return out


def _records(db: Db, rows: list[tuple], *, every: bool = False) -> list[domain.Project]:
    """Two queries whatever the number of projects: the projects, then their measures."""
    measures = _measures_of(db, None if every else [r[0] for r in rows])
    return [
        domain.Project(
            id=r[0], slug=r[1], title=r[2], aim=r[3], team=r[4], start=get_date(r[5]),
            status=ProjectStatus(r[6]), closing_note=r[7],
            measures=tuple(measures.get(r[0], [])),
            created_at=get_datetime(r[8]), updated_at=get_datetime(r[9]),
        )
        for r in rows
    ]


def list_all(db: Db, *, team_id: int | None = None,
             status: ProjectStatus | None = None) -> list[domain.Project]:
    """Projects in slug order, of one team and/or with one status."""
    where: list[str] = []
    params: dict[str, object] = {}
    if team_id is not None:
        where.append("p.team_id = :team")
        params["team"] = team_id
    if status is not None:
        where.append("p.status = :status")
        params["status"] = status.value
    sql = _SELECT + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY p.slug"
    return _records(db, db.all(sql, params), every=not where)


def by_ids(db: Db, ids: list[int]) -> list[domain.Project]:
    marks, params = db.in_list("p", ids)
    return _records(db, db.all(_SELECT + f" WHERE p.id IN ({marks}) ORDER BY p.slug", params))


def by_id(db: Db, project_id: int) -> domain.Project:
    return by_ids(db, [project_id])[0]


def show(db: Db, slug: str) -> domain.Project:
    return by_id(db, id_of(db, slug))
