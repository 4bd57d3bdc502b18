"""Measures as records: `qi measure list|show`, finding a measure by SLUG (unique across
projects) or PROJECT/SLUG, and the record every measure service returns."""

from __future__ import annotations

from qi import domain
from qi.domain import ChartType, Direction, MeasureKind
from qi.errors import InvalidInput
from qi.gateway import Db, get_date, get_datetime
from qi.queries import projects
from qi.queries._common import known_list, not_found

LIST_CMD = "qi measure list"

_SELECT = """
    SELECT m.id, m.slug, p.slug, m.name, m.kind, m.unit, m.direction, m.target,
           m.definition, m.chart, m.has_denominator, m.created_at, m.updated_at,
           m.baseline_until
    FROM measure m JOIN project p ON p.id = m.project_id
"""


def _record(r: tuple) -> domain.Measure:
    return domain.Measure(
        id=r[0], slug=r[1], project=r[2], name=r[3], kind=MeasureKind(r[4]), unit=r[5],
        direction=Direction(r[6]), target=r[7], definition=r[8], chart=ChartType(r[9]),
        denominator=bool(r[10]), created_at=get_datetime(r[11]),
        updated_at=get_datetime(r[12]), baseline_until=get_date(r[13]),
    )


def locate(db: Db, ref: str) -> tuple[int, int]:
    """(measure id, project id) of 'slug' (unique across projects) or 'project/slug'."""
    ref = ref.strip()
    if "/" in ref:
        project_slug, slug = ref.split("/", 1)
        project_id = projects.id_of(db, project_slug)
        found = db.scalar("SELECT id FROM measure WHERE project_id = :p AND slug = :s",
                          {"p": project_id, "s": slug})
        if found is None:
            existing = [r[0] for r in db.all("SELECT slug FROM measure WHERE project_id = :p",
                                             {"p": project_id})]
            raise not_found("measure", ref, [f"{project_slug}/{m}" for m in existing],
                            LIST_CMD)
        return found, project_id
    rows = db.all("SELECT m.id, m.project_id, p.slug FROM measure m JOIN project p "
                  "ON p.id = m.project_id WHERE m.slug = :s", {"s": ref})
    if len(rows) == 1:
        return rows[0][0], rows[0][1]
    if len(rows) > 1:
        refs = [f"{p}/{ref}" for _m, _pid, p in rows]
        raise InvalidInput(f"Several projects have a measure '{ref}': {known_list(refs)}. "
                           "Say which with PROJECT/SLUG")
    existing = [f"{p}/{m}" for m, p in db.all(
        "SELECT m.slug, p.slug FROM measure m JOIN project p ON p.id = m.project_id")]
    raise not_found("measure", ref, existing, LIST_CMD)


def by_ids(db: Db, ids: list[int]) -> list[domain.Measure]:
    """These measures, in project and slug order."""
    marks, params = db.in_list("m", ids)
    return [_record(r) for r in db.all(
        _SELECT + f" WHERE m.id IN ({marks}) ORDER BY p.slug, m.slug", params)]


def ids_of_projects(db: Db, project_ids: list[int]) -> list[int]:
    marks, params = db.in_list("p", project_ids)
    return [r[0] for r in db.all(f"SELECT id FROM measure WHERE project_id IN ({marks})",
                                 params)]


def show(db: Db, ref: str) -> domain.Measure:
    return by_ids(db, [locate(db, ref)[0]])[0]


def list_all(db: Db, *, project: str | None = None) -> list[domain.Measure]:
    sql, params = _SELECT, {}
    if project:
        sql += " WHERE m.project_id = :p"
        params["p"] = projects.id_of(db, project)
    return [_record(r) for r in db.all(sql + " ORDER BY p.slug, m.slug", params)]
