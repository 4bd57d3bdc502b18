"""Loading what measure views are built from: for N measures, one query per table.

`load(db, ids)` reads the measures, their projects and teams, the projects' cycles, the
measurements, the files they were imported from, phases, notes and dated targets; then
`qi.services.measure_view.build` makes each view from that, a pure function. One measure's
view (`qi chart`) is the same loader with N = 1; a report or `qi status` loads them all at
once. So a chart, the report beside it and the dashboard cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from qi import domain
from qi.gateway import Db, get_date
from qi.queries import cycles as cycle_queries
from qi.queries import measures as measure_queries
from qi.queries import projects as project_queries


@dataclass
class ViewData:
    """The stored facts behind the views of some measures (by measure id or project slug)."""

    measures: dict[int, domain.Measure]
    projects: dict[str, domain.Project]
    team_names: dict[str, str]  # team slug -> name
    cycles: dict[str, list[domain.Cycle]]  # project slug -> its cycles, by number
    series: dict[int, domain.Series]
    files: dict[int, str] = field(default_factory=dict)  # import id -> file name
    phases: dict[int, list[tuple]] = field(default_factory=dict)  # [(starts_on, reason)]
    notes: dict[int, list[tuple]] = field(default_factory=dict)  # [(noted_on, text)]
    targets: dict[int, list[tuple]] = field(default_factory=dict)  # [(starts_on, value)]


def load(db: Db, measure_ids: list[int], project_ids: Sequence[int] = ()) -> ViewData:
    """The facts behind these measures' views, and the projects (with their teams and
    cycles) of those measures and of `project_ids` (a report also shows projects that
    have no measure yet)."""
    measures = {m.id: m for m in measure_queries.by_ids(db, measure_ids)}
    slugs = sorted({m.project for m in measures.values()})
    marks, params = db.in_list("s", slugs)
    project_ids = sorted(set(project_ids) | {r[0] for r in db.all(
        f"SELECT id FROM project WHERE slug IN ({marks})", params)})
    projects = {p.slug: p for p in project_queries.by_ids(db, project_ids)}
    teams = sorted({p.team for p in projects.values()})
    marks, params = db.in_list("t", teams)
    team_names = dict(db.all(f"SELECT slug, name FROM team WHERE slug IN ({marks})", params))
    cycles: dict[str, list[domain.Cycle]] = defaultdict(list)
    for c in cycle_queries.of_projects(db, project_ids):
        cycles[c.project].append(c)
    data = ViewData(measures, projects, team_names, cycles, _series(db, measures))
    used = sorted({i for s in data.series.values() for i in s.imports if i is not None})
    if used:
        marks, params = db.in_list("i", used)
        data.files = dict(db.all(f"SELECT id, file_name FROM data_import WHERE id IN ({marks})",
                                 params))
    data.phases = _by_measure(db, "measure_phase", "starts_on, reason", measures)
    data.notes = _by_measure(db, "measure_note", "noted_on, text", measures)
    data.targets = _by_measure(db, "measure_target", "starts_on, value", measures)
    return data


def _by_measure(db: Db, table: str, columns: str, measures: dict) -> dict[int, list[tuple]]:
    """(date, ...) rows of a table of qi's own, by measure, in date order."""
    out: dict[int, list[tuple]] = {i: [] for i in measures}
    if not measures:
        return out
    first = columns.split(",")[0]
    marks, params = db.in_list("m", list(measures))
    for row in db.all(f"SELECT measure_id, {columns} FROM {table} WHERE measure_id IN "
                      f"({marks}) ORDER BY {first}, id", params):
        out[row[0]].append((get_date(row[1]), *row[2:]))
    return out


def _series(db: Db, measures: dict[int, domain.Measure]) -> dict[int, domain.Series]:
    columns: dict[int, list[tuple]] = defaultdict(list)
    if measures:
        marks, params = db.in_list("m", list(measures))
        for row in db.all(
                "SELECT measure_id, period, value, numerator, denominator, note, import_id "
                f"FROM measurement WHERE measure_id IN ({marks}) ORDER BY measure_id, period",
                params):
            columns[row[0]].append((get_date(row[1]), *row[2:]))
    out = {}
    for mid, m in measures.items():
        cols = list(zip(*columns[mid], strict=True)) if columns[mid] else [()] * 6
        out[mid] = domain.Series(m, *(tuple(c) for c in cols))
    return out


def series(db: Db, ref: str) -> domain.Series:
    """One measure's measurements in date order (`qi data list`)."""
    measure_id, _ = measure_queries.locate(db, ref)
    return _series(db, {measure_id: measure_queries.by_ids(db, [measure_id])[0]})[measure_id]
