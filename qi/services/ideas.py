"""Change ideas and the driver diagram (aim -> primary -> secondary drivers -> ideas)."""

from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, func, select

from qi import domain, models
from qi.errors import Conflict, InvalidInput, NotFound
from qi.gateway import of_session
from qi.queries import ideas as idea_queries
from qi.services import projects as project_service
from qi.services._common import (
    counted,
    known_list,
    not_found,
    optional_text,
    required_text,
)

LIST_CMD = "qi idea list"


def get_row(s: Session, ref: str, *, project: models.Project | None = None) -> models.ChangeIdea:
    """An idea by id, or (within `project`) by its exact title, ignoring case."""
    ref = ref.strip()
    query = select(models.ChangeIdea)
    if project is not None:
        query = query.where(models.ChangeIdea.project_id == project.id)
    if ref.isascii() and ref.isdigit():
        idea = s.exec(query.where(models.ChangeIdea.id == int(ref))).first()
        if idea is not None:
            return idea
    elif project is not None:
        matches = s.exec(query.where(func.lower(models.ChangeIdea.title) == ref.lower())).all()
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise InvalidInput(f"Several ideas are called '{ref}'. Give the idea's id instead")
    existing = [f"{i.id} ({i.title})" for i in s.exec(query.order_by(models.ChangeIdea.id))]
    if project is None:
        raise not_found("idea", ref, existing, LIST_CMD)
    have = f"Its ideas: {known_list(existing)}" if existing else "It has no ideas yet"
    raise NotFound(f"No idea '{ref}' in project '{project.slug}'. {have}. "
                   f"Run '{LIST_CMD} {project.slug}'")


def _one(s: Session, idea: models.ChangeIdea) -> domain.Idea:
    return idea_queries.by_id(of_session(s), idea.id)


def _check_drivers(primary: str | None, secondary: str | None) -> None:
    if secondary and not primary:
        raise InvalidInput("A secondary driver sits under a primary driver. Give "
                           "--primary-driver too")


def add(
    s: Session, project: str, title: str, *, description: str | None = None,
    primary_driver: str | None = None, secondary_driver: str | None = None,
) -> domain.Idea:
    project_row = project_service.get_row(s, project)
    primary = optional_text(primary_driver, "primary driver", 300)
    secondary = optional_text(secondary_driver, "secondary driver", 300)
    _check_drivers(primary, secondary)
    idea = models.ChangeIdea(
        project_id=project_row.id,
        title=required_text(title, "idea title", 300),
        description=optional_text(description),
        primary_driver=primary,
        secondary_driver=secondary,
    )
    s.add(idea)
    s.flush()
    return _one(s, idea)


def list_all(s: Session, *, project: str | None = None) -> list[domain.Idea]:
    return idea_queries.list_all(of_session(s), project=project)


def show(s: Session, ref: str) -> domain.Idea:
    return _one(s, get_row(s, ref))


def edit(
    s: Session, ref: str, *, title: str | None = None, description: str | None = None,
    primary_driver: str | None = None, secondary_driver: str | None = None,
) -> domain.Idea:
    idea = get_row(s, ref)
    if title is not None:
        idea.title = required_text(title, "idea title", 300)
    if description is not None:
        idea.description = optional_text(description)
    if primary_driver is not None:
        idea.primary_driver = optional_text(primary_driver, "primary driver", 300)
    if secondary_driver is not None:
        idea.secondary_driver = optional_text(secondary_driver, "secondary driver", 300)
    _check_drivers(idea.primary_driver, idea.secondary_driver)
    s.add(idea)
    s.flush()
    return _one(s, idea)


def check_removable(s: Session, ref: str, *, force: bool) -> domain.Idea:
    record = show(s, ref)
    if record.cycles and not force:
        raise Conflict(
            f"Idea {record.id} ('{record.title}') is tested by "
            f"{counted(len(record.cycles), 'cycle')} ({', '.join(record.cycles)}). Add --force "
            "to remove it; the cycles stay, without an idea"
        )
    return record


def remove(s: Session, ref: str, *, force: bool = False) -> domain.Idea:
    """Remove an idea; cycles testing it stay (unlinked) but only with `force`."""
    record = check_removable(s, ref, force=force)
    idea = get_row(s, ref)
    # The foreign key unlinks the cycles (ON DELETE SET NULL); do it explicitly as well so
    # the session's view of those cycles is right within this transaction.
    for cycle in s.exec(select(models.Cycle).where(models.Cycle.idea_id == idea.id)):
        cycle.idea_id = None
        s.add(cycle)
    s.delete(idea)
    s.flush()
    return record


def driver_diagram(s: Session, project: str) -> dict:
    """The project's driver diagram as nested data, in a stable order.

    {"project", "aim", "primary_drivers": [{"driver", "secondary_drivers":
    [{"driver", "ideas": [{"id", "title", "cycles": [{"ref", "title", "stage"}]}]}],
    "ideas": [...]}], "ideas": [...]} — ideas without a driver sit at the level they reach.
    """
    from qi.services import cycles as cycle_service

    project_row = project_service.get_row(s, project)
    ideas = s.exec(select(models.ChangeIdea).where(
        models.ChangeIdea.project_id == project_row.id).order_by(models.ChangeIdea.id)).all()
    cycles_by_idea: dict[int, list[dict]] = defaultdict(list)
    for c in cycle_service.list_all(s, project=project_row.slug):
        if c.idea is not None:
            cycles_by_idea[c.idea].append({"ref": c.ref, "title": c.title,
                                           "stage": c.stage.value})

    def idea_node(i: models.ChangeIdea) -> dict:
        return {"id": i.id, "title": i.title, "cycles": cycles_by_idea.get(i.id, [])}

    primaries: dict[str, dict] = {}
    loose: list[dict] = []
    for idea in ideas:
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
    return {"project": project_row.slug, "aim": project_row.aim,
            "primary_drivers": list(primaries.values()), "ideas": loose}
