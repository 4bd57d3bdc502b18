"""Which measures go on a grid of small multiples, in which order, and whether they can
share a y scale: a project's family of measures (outcome, process, balancing), or one
measure across the teams' projects."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from qi.domain import MeasureKind, ProjectStatus
from qi.errors import InvalidInput, NotFound, QiError
from qi.services import measures as measure_service
from qi.services import projects as project_service
from qi.services import teams as team_service
from qi.services.measure_view import MeasureView, ViewOptions, view

KIND_ORDER = {MeasureKind.outcome: 0, MeasureKind.process: 1, MeasureKind.balancing: 2}


@dataclass(frozen=True)
class Grid:
    title: str
    subtitle: str
    views: list[MeasureView]  # the panels, in order, each with data
    panel_titles: list[str]
    shared_y: bool  # one y scale: every panel in the same unit
    skipped: list[str]  # "ref: why", for stderr


def _usable(s: Session, refs: list[str], options: ViewOptions):
    views, skipped = [], []
    for ref in refs:
        try:
            v = view(s, ref, options)
        except QiError as exc:
            skipped.append(f"{ref}: {exc}")
            continue
        if v.has_data:
            views.append(v)
        else:
            why = " in the period asked for" if v.measure_points else " yet"
            skipped.append(f"{ref}: no data{why}")
    return views, skipped


def _same_unit(views: list[MeasureView]) -> bool:
    return len({(v.percent, v.measure.unit) for v in views}) == 1


def project_grid(s: Session, project: str, options: ViewOptions) -> Grid:
    """A project's measures: outcome, process, balancing, then by slug."""
    p = project_service.show(s, project)
    measures = sorted(measure_service.list_all(s, project=p.slug),
                      key=lambda m: (KIND_ORDER[m.kind], m.slug))
    if not measures:
        raise InvalidInput(f"Project '{p.slug}' has no measures yet. Add one with "
                           f"'qi measure add SLUG --project {p.slug} ...'")
    views, skipped = _usable(s, [m.ref for m in measures], options)
    if not views:
        raise InvalidInput(f"None of the measures of '{p.slug}' has data to chart yet")
    team = team_service.show(s, p.team)
    return Grid(title=f"{p.title}: the family of measures",
                subtitle=f"{team.name} · Aim: {' '.join(p.aim.split())}",
                views=views, panel_titles=[f"{v.measure.kind.value.capitalize()}: "
                                           f"{v.measure.name}" for v in views],
                shared_y=False, skipped=skipped)


def across_grid(s: Session, slug: str, teams: list[str], options: ViewOptions) -> Grid:
    """The measure `slug` in every active project (of `teams` if given), by team."""
    wanted = {team_service.show(s, t).slug for t in teams}
    projects = {p.slug: p for p in project_service.list_all(s, status=ProjectStatus.active)
                if not wanted or p.team in wanted}
    measures = [m for m in measure_service.list_all(s)
                if m.slug == slug and m.project in projects]
    if not measures:
        where = f" of team{'s' if len(wanted) > 1 else ''} {', '.join(sorted(wanted))}" \
            if wanted else ""
        raise NotFound(f"No active project{where} has a measure '{slug}'. See the measures "
                       "with 'qi measure list'")
    measures.sort(key=lambda m: (projects[m.project].team, m.project))
    views, skipped = _usable(s, [m.ref for m in measures], options)
    if not views:
        raise InvalidInput(f"No project's '{slug}' has data to chart yet")
    names = {t.slug: t.name for t in team_service.list_all(s)}
    shared = _same_unit(views)
    scale = "one y scale" if shared else "each its own y scale (the units differ)"
    return Grid(title=f"{views[0].measure.name}: across projects",
                subtitle=f"{len(views)} project{'s' if len(views) != 1 else ''}, {scale}",
                views=views,
                panel_titles=[f"{names[projects[v.measure.project].team]} · "
                              f"{projects[v.measure.project].title}" for v in views],
                shared_y=shared, skipped=skipped)
