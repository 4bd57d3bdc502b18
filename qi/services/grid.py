"""Which measures go on a grid of small multiples, in which order, and whether they can
share a y scale: a project's family of measures (outcome, process, balancing), or one
measure across the teams' projects."""

from __future__ import annotations

from dataclasses import dataclass

from qi.domain import MeasureKind, ProjectStatus
from qi.errors import InvalidInput, NotFound
from qi.gateway import Db, as_db
from qi.queries import measures as measure_queries
from qi.queries import projects as project_queries
from qi.queries import teams as team_queries
from qi.services.measure_view import MeasureView, ViewOptions
from qi.services.render import usable_views

KIND_ORDER = {MeasureKind.outcome: 0, MeasureKind.process: 1, MeasureKind.balancing: 2}


@dataclass(frozen=True)
class Grid:
    title: str
    subtitle: str
    views: list[MeasureView]  # the panels, in order, each with data
    panel_titles: list[str]
    shared_y: bool  # one y scale: every panel in the same unit
    skipped: list[str]  # "ref: why", for stderr


def _same_unit(views: list[MeasureView]) -> bool:
    return len({(v.percent, v.measure.unit) for v in views}) == 1


def project_grid(db: Db, project: str, options: ViewOptions) -> Grid:
    """A project's measures: outcome, process, balancing, then by slug. `db`: a gateway
    connection (or an ORM session, whose connection is used)."""
    db = as_db(db)
    p = project_queries.show(db, project)
    measures = sorted(measure_queries.list_all(db, project=p.slug),
                      key=lambda m: (KIND_ORDER[m.kind], m.slug))
    if not measures:
        raise InvalidInput(f"Project '{p.slug}' has no measures yet. Add one with "
                           f"'qi measure add SLUG --project {p.slug} ...'")
    views, skipped = usable_views(db, [m.id for m in measures], options)
    if not views:
        raise InvalidInput(f"None of the measures of '{p.slug}' has data to chart yet")
    team = team_queries.show(db, p.team)
    return Grid(title=f"{p.title}: the family of measures",
                subtitle=f"{team.name} · Aim: {' '.join(p.aim.split())}",
                views=views, panel_titles=[f"{v.measure.kind.value.capitalize()}: "
                                           f"{v.measure.name}" for v in views],
                shared_y=False, skipped=skipped)


def across_grid(db: Db, slug: str, teams: list[str], options: ViewOptions) -> Grid:
    """The measure `slug` in every active project (of `teams` if given), by team."""
    db = as_db(db)
    wanted = {team_queries.show(db, t).slug for t in teams}
    projects = {p.slug: p for p in project_queries.list_all(db, status=ProjectStatus.active)
                if not wanted or p.team in wanted}
    measures = [m for m in measure_queries.list_all(db)
                if m.slug == slug and m.project in projects]
    if not measures:
        where = f" of team{'s' if len(wanted) > 1 else ''} {', '.join(sorted(wanted))}" \
            if wanted else ""
        raise NotFound(f"No active project{where} has a measure '{slug}'. See the measures "
                       "with 'qi measure list'")
    measures.sort(key=lambda m: (projects[m.project].team, m.project))
    views, skipped = usable_views(db, [m.id for m in measures], options)
    if not views:
        raise InvalidInput(f"No project's '{slug}' has data to chart yet")
    names = {t.slug: t.name for t in team_queries.list_all(db)}
    shared = _same_unit(views)
    scale = "one y scale" if shared else "each its own y scale (the units differ)"
    return Grid(title=f"{views[0].measure.name}: across projects",
                subtitle=f"{len(views)} project{'s' if len(views) != 1 else ''}, {scale}",
                views=views,
                panel_titles=[f"{names[projects[v.measure.project].team]} · "
                              f"{projects[v.measure.project].title}" for v in views],
                shared_y=shared, skipped=skipped)
