"""Change ideas as records: `qi idea list`, and the record every idea service returns."""

from __future__ import annotations

from collections import defaultdict

from qi import domain
from qi.gateway import Db, get_datetime
from qi.queries import projects

_SELECT = """
    SELECT i.id, p.slug, i.title, i.description, i.primary_driver, i.secondary_driver,
           i.created_at, i.updated_at
    FROM change_idea i JOIN project p ON p.id = i.project_id
"""


def _cycle_refs(db: Db, idea_ids: list[int]) -> dict[int, list[str]]:
    marks, params = db.in_list("i", idea_ids)
    refs: dict[int, list[str]] = defaultdict(list)
    for idea_id, slug, number in db.all(
            "SELECT c.idea_id, p.slug, c.number FROM cycle c JOIN project p "
            f"ON p.id = c.project_id WHERE c.idea_id IN ({marks}) ORDER BY c.number", params):
        refs[idea_id].append(f"{slug}#{number}")
    return refs


def _records(db: Db, rows: list[tuple]) -> list[domain.Idea]:
    cycles = _cycle_refs(db, [r[0] for r in rows])
    return [
        domain.Idea(id=r[0], project=r[1], title=r[2], description=r[3],
                    primary_driver=r[4], secondary_driver=r[5],
                    cycles=tuple(cycles.get(r[0], [])), created_at=get_datetime(r[6]),
                    updated_at=get_datetime(r[7]))
        for r in rows
    ]


def by_id(db: Db, idea_id: int) -> domain.Idea:
    return _records(db, db.all(_SELECT + " WHERE i.id = :id", {"id": idea_id}))[0]


def list_all(db: Db, *, project: str | None = None) -> list[domain.Idea]:
    """Ideas in project and id order, with the cycles testing them."""
    sql, params = _SELECT, {}
    if project:
        sql += " WHERE i.project_id = :p"
        params["p"] = projects.id_of(db, project)
    return _records(db, db.all(sql + " ORDER BY p.slug, i.id", params))
