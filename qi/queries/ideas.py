"""Change ideas: `qi idea list`, the record every idea service returns, finding an idea by
id or title, and the SQL that adds, changes and removes one."""

from __future__ import annotations

from collections import defaultdict

from qi import domain
from qi.errors import InvalidInput, NotFound
from qi.gateway import Db, get_datetime, utcnow
from qi.queries import projects
from qi.queries._common import known_list, not_found

LIST_CMD = "qi idea list"
COLUMNS = ("title", "description", "primary_driver", "secondary_driver")

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


def locate(db: Db, ref: str, *, project_id: int | None = None,
           project_slug: str | None = None) -> int:
    """An idea's id, given by id, or (within the project) by its exact title, ignoring
    case; NotFound lists the ideas there are."""
    ref = ref.strip()
    within = "" if project_id is None else " AND project_id = :p"
    params: dict = {"p": project_id}
    if ref.isascii() and ref.isdigit():
        found = db.scalar("SELECT id FROM change_idea WHERE id = :id" + within,
                          {**params, "id": int(ref)})
        if found is not None:
            return found
    elif project_id is not None:
        matches = db.all("SELECT id FROM change_idea WHERE lower(title) = :t" + within,
                         {**params, "t": ref.lower()})
        if len(matches) == 1:
            return matches[0][0]
        if len(matches) > 1:
            raise InvalidInput(f"Several ideas are called '{ref}'. Give the idea's id instead")
    existing = [f"{i} ({title})" for i, title in db.all(
        "SELECT id, title FROM change_idea WHERE 1 = 1" + within + " ORDER BY id", params)]
    if project_id is None:
        raise not_found("idea", ref, existing, LIST_CMD)
    have = f"Its ideas: {known_list(existing)}" if existing else "It has no ideas yet"
    raise NotFound(f"No idea '{ref}' in project '{project_slug}'. {have}. "
                   f"Run '{LIST_CMD} {project_slug}'")


def insert(db: Db, project_id: int, values: dict) -> int:
    """A new idea of the project (`values`: its COLUMNS); its id."""
    now = db.put_datetime(utcnow())
    row = {**{k: values.get(k) for k in COLUMNS}, "project_id": project_id,
           "created_at": now, "updated_at": now}
    return db.scalar(
        "INSERT INTO change_idea (project_id, title, description, primary_driver, "
        "secondary_driver, created_at, updated_at) VALUES (:project_id, :title, "
        ":description, :primary_driver, :secondary_driver, :created_at, :updated_at) "
        "RETURNING id", row)


def stored(db: Db, idea_id: int) -> dict:
    """The idea's COLUMNS as stored."""
    return dict(zip(COLUMNS, db.get(
        "SELECT title, description, primary_driver, secondary_driver FROM change_idea "
        "WHERE id = :id", {"id": idea_id}), strict=True))


def update(db: Db, idea_id: int, changes: dict) -> None:
    """Change these COLUMNS of an idea (and its `updated_at`)."""
    if set(changes) - set(COLUMNS):
        raise TypeError(f"not idea columns: {sorted(set(changes) - set(COLUMNS))}")
    row = {**changes, "updated_at": db.put_datetime(utcnow())}
    assignments = ", ".join(f"{k} = :{k}" for k in row)
    db.execute(f"UPDATE change_idea SET {assignments} WHERE id = :idea_id",
               {**row, "idea_id": idea_id})


def remove(db: Db, idea_id: int) -> None:
    """Remove an idea; the cycles testing it stay, without an idea."""
    db.execute("UPDATE cycle SET idea_id = NULL, updated_at = :now WHERE idea_id = :id",
               {"id": idea_id, "now": db.put_datetime(utcnow())})
    db.execute("DELETE FROM change_idea WHERE id = :id", {"id": idea_id})
