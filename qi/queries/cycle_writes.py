"""The SQL that changes PDSA cycles: numbering, inserting, updating, the measures a cycle
expects to move, and removing. The rules (what may change when) are in
`qi.services.cycles`; the records read back come from `qi.queries.cycles`.

Column names in the dynamic statements come from the code, never from users, and are
checked against the cycle columns the queries read (a test checks those are the models').
"""

from __future__ import annotations

from datetime import date

from qi.gateway import Db, get_date, utcnow
from qi.queries import cycles as cycle_queries
from qi.queries import projects

_DATES = ("planned_start", "started_on", "completed_on")
_WRITABLE = frozenset(cycle_queries._COLUMNS) - {"id", "created_at", "updated_at"}


def _checked(values: dict) -> dict:
    unknown = set(values) - _WRITABLE
    if unknown:
        raise TypeError(f"not cycle columns: {sorted(unknown)}")
    return values


def _stored(db: Db, values: dict) -> dict:
    return {k: db.put_date(v) if k in _DATES else v for k, v in _checked(values).items()}


def lock_project(db: Db, slug: str) -> int:
    """The project's id, its row locked until the end of the transaction (PostgreSQL;
    SQLite's write lock is held from BEGIN IMMEDIATE), so that two people planning cycles
    at once cannot both take the same number."""
    project_id = projects.id_of(db, slug)
    if not db.is_sqlite:
        db.execute("SELECT id FROM project WHERE id = :id FOR UPDATE", {"id": project_id})
    return project_id


def next_number(db: Db, project_id: int) -> int:
    """The project's next cycle number (call after `lock_project`)."""
    return (db.scalar("SELECT max(number) FROM cycle WHERE project_id = :p",
                      {"p": project_id}) or 0) + 1


def insert(db: Db, values: dict) -> int:
    """A new cycle row; its id."""
    now = db.put_datetime(utcnow())
    row = {**_stored(db, values), "created_at": now, "updated_at": now}
    columns = ", ".join(row)
    marks = ", ".join(f":{k}" for k in row)
    return db.scalar(f"INSERT INTO cycle ({columns}) VALUES ({marks}) RETURNING id", row)


def update(db: Db, cycle_id: int, changes: dict) -> None:
    """Change these columns of a cycle (and its `updated_at`)."""
    row = {**_stored(db, changes), "updated_at": db.put_datetime(utcnow())}
    assignments = ", ".join(f"{k} = :{k}" for k in row)
    db.execute(f"UPDATE cycle SET {assignments} WHERE id = :cycle_id",
               {**row, "cycle_id": cycle_id})


def lock_updated_at(db: Db, cycle_id: int):
    """When the cycle was last changed, its row locked (PostgreSQL) so that no other edit
    comes between checking it and writing."""
    lock = "" if db.is_sqlite else " FOR UPDATE"
    return db.scalar(f"SELECT updated_at FROM cycle WHERE id = :id{lock}", {"id": cycle_id})


def set_measures(db: Db, cycle_id: int, measure_ids: list[int]) -> None:
    """The measures a cycle expects to move: exactly these (in this order, once each)."""
    db.execute("DELETE FROM cycle_measure WHERE cycle_id = :c", {"c": cycle_id})
    for measure_id in dict.fromkeys(measure_ids):
        db.execute("INSERT INTO cycle_measure (cycle_id, measure_id) VALUES (:c, :m)",
                   {"c": cycle_id, "m": measure_id})


def children(db: Db, cycle_id: int) -> list[tuple[int, date | None]]:
    """(number, started on) of the cycles building on this one, in number order."""
    return [(number, get_date(started)) for number, started in db.all(
        "SELECT number, started_on FROM cycle WHERE builds_on_id = :id ORDER BY number",
        {"id": cycle_id})]


def remove(db: Db, cycle_id: int) -> None:
    """Remove a cycle; the cycles building on it stay, unlinked (its measure links and
    phase references go with it by the foreign keys)."""
    db.execute("UPDATE cycle SET builds_on_id = NULL, updated_at = :now "
               "WHERE builds_on_id = :id", {"id": cycle_id,
                                            "now": db.put_datetime(utcnow())})
    db.execute("DELETE FROM cycle WHERE id = :id", {"id": cycle_id})
