"""Change ideas and the driver diagram (aim -> primary -> secondary drivers -> ideas).

Every function runs on the gateway (`qi.gateway.Db`) or, given an ORM session, on that
session's connection; the SQL is in `qi.queries.ideas`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qi import domain
from qi.errors import Conflict, InvalidInput
from qi.gateway import as_db, writer
from qi.queries import cycles as cycle_queries
from qi.queries import ideas as idea_queries
from qi.queries import projects as project_queries
from qi.queries.ideas import LIST_CMD  # noqa: F401 (part of this service's API)
from qi.services._common import optional_text, required_text
from qi.text import plural

if TYPE_CHECKING:
    from sqlmodel import Session

    from qi.gateway import Db

    Conn = Db | Session


def _check_drivers(primary: str | None, secondary: str | None) -> None:
    if secondary and not primary:
        raise InvalidInput("A secondary driver sits under a primary driver. Give "
                           "--primary-driver too")


def add(
    s: Conn, project: str, title: str, *, description: str | None = None,
    primary_driver: str | None = None, secondary_driver: str | None = None,
) -> domain.Idea:
    db = writer(s)
    project_id = project_queries.id_of(db, project)
    primary = optional_text(primary_driver, "primary driver", 300)
    secondary = optional_text(secondary_driver, "secondary driver", 300)
    _check_drivers(primary, secondary)
    idea_id = idea_queries.insert(db, project_id, {
        "title": required_text(title, "idea title", 300),
        "description": optional_text(description),
        "primary_driver": primary, "secondary_driver": secondary,
    })
    return idea_queries.by_id(db, idea_id)


def list_all(s: Conn, *, project: str | None = None) -> list[domain.Idea]:
    return idea_queries.list_all(as_db(s), project=project)


def show(s: Conn, ref: str) -> domain.Idea:
    db = as_db(s)
    return idea_queries.by_id(db, idea_queries.locate(db, ref))


def edit(
    s: Conn, ref: str, *, title: str | None = None, description: str | None = None,
    primary_driver: str | None = None, secondary_driver: str | None = None,
) -> domain.Idea:
    db = writer(s)
    idea_id = idea_queries.locate(db, ref)
    stored = idea_queries.stored(db, idea_id)
    changes: dict[str, str | None] = {}
    if title is not None:
        changes["title"] = required_text(title, "idea title", 300)
    if description is not None:
        changes["description"] = optional_text(description)
    if primary_driver is not None:
        changes["primary_driver"] = optional_text(primary_driver, "primary driver", 300)
    if secondary_driver is not None:
        changes["secondary_driver"] = optional_text(secondary_driver, "secondary driver", 300)
    after = stored | changes
    _check_drivers(after["primary_driver"], after["secondary_driver"])
    changed = {k: v for k, v in changes.items() if stored[k] != v}
    if changed:  # nothing different: the idea keeps its `updated_at`
        idea_queries.update(db, idea_id, changed)
    return idea_queries.by_id(db, idea_id)


def check_removable(s: Conn, ref: str, *, force: bool) -> domain.Idea:
    record = show(s, ref)
    if record.cycles and not force:
        raise Conflict(
            f"Idea {record.id} ('{record.title}') is tested by "
            f"{plural(len(record.cycles), 'cycle')} ({', '.join(record.cycles)}). Add --force "
            "to remove it; the cycles stay, without an idea"
        )
    return record


def remove(s: Conn, ref: str, *, force: bool = False) -> domain.Idea:
    """Remove an idea; cycles testing it stay (unlinked) but only with `force`."""
    db = writer(s)
    record = check_removable(db, ref, force=force)
    idea_queries.remove(db, record.id)
    return record


def driver_diagram(s: Conn, project: str) -> dict:
    """The project's driver diagram as nested data, in a stable order.

    {"project", "aim", "primary_drivers": [{"driver", "secondary_drivers":
    [{"driver", "ideas": [{"id", "title", "cycles": [{"ref", "title", "stage"}]}]}],
    "ideas": [...]}], "ideas": [...]} — ideas without a driver sit at the level they reach.
    """
    db = as_db(s)
    record = project_queries.show(db, project)
    cycles_by_idea: dict[int, list[dict]] = {}
    for c in cycle_queries.list_all(db, project=record.slug):
        if c.idea is not None:
            cycles_by_idea.setdefault(c.idea, []).append(
                {"ref": c.ref, "title": c.title, "stage": c.stage.value})

    def idea_node(i: domain.Idea) -> dict:
        return {"id": i.id, "title": i.title, "cycles": cycles_by_idea.get(i.id, [])}

    primaries: dict[str, dict] = {}
    loose: list[dict] = []
    for idea in sorted(idea_queries.list_all(db, project=record.slug), key=lambda i: i.id):
        if not idea.primary_driver:
            loose.append(idea_node(idea))
            continue
        primary = primaries.setdefault(idea.primary_driver,
                                       {"driver": idea.primary_driver,
                                        "secondary_drivers": [], "ideas": []})
        if not idea.secondary_driver:
            primary["ideas"].append(idea_node(idea))
            continue
        for secondary in primary["secondary_drivers"]:
            if secondary["driver"] == idea.secondary_driver:
                break
        else:
            secondary = {"driver": idea.secondary_driver, "ideas": []}
            primary["secondary_drivers"].append(secondary)
        secondary["ideas"].append(idea_node(idea))
    return {"project": record.slug, "aim": record.aim,
            "primary_drivers": list(primaries.values()), "ideas": loose}
