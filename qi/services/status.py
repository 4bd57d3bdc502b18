"""The dashboard behind `qi status`: every active project at a glance.

Per project: its team, where its PDSA cycles stand, and per measure a sparkline of the
latest points, the latest value and what the analysis says now; then the cycles in
progress and those overdue. Built from the measure views of the one view builder (a few
queries in all, no charts), so the dashboard and the reports say the same about every
measure. It reads through the gateway: no SQLAlchemy is loaded for `qi status`.

Overdue (the rule, in one place): a cycle planned to start on a date now past and still
not started; or a cycle started more than OVERDUE_DAYS days ago whose Study is still not
recorded (four weeks is long enough for a small test of change to give results).
"""

from __future__ import annotations

from datetime import date

import numpy as np

from qi import domain
from qi.domain import SPARK_POINTS, ProjectStatus, Stage
from qi.gateway import as_db
from qi.queries import measures as measure_queries
from qi.queries import projects as project_queries
from qi.queries import views as view_queries
from qi.queries.views import ViewData
from qi.services.measure_view import MeasureView, views_of

OVERDUE_DAYS = 28
BLOCKS = "▁▂▃▄▅▆▇█"
IN_PROGRESS = (Stage.do, Stage.study, Stage.act)


def dashboard(s, *, today: date | None = None) -> dict:
    """The dashboard's content, JSON-able (`qi status --json` prints it as it is).

    `s` is a gateway connection (`qi status`) or an ORM session: the projects and their
    measures' views come from the queries and the one view builder either way."""
    today = today or date.today()
    db = as_db(s)
    projects = project_queries.list_all(db, status=ProjectStatus.active)
    ids = [p.id for p in projects]
    data = view_queries.load(db, measure_queries.ids_of_projects(db, ids), ids)
    problems: dict[str, str] = {}
    views = views_of(data, problems=problems)
    projects.sort(key=lambda p: (p.team, p.slug))
    rows = [_project(data, views, problems, p, today) for p in projects]
    return {
        "generated": today.isoformat(),
        "overdue_rule": (f"planned start passed and not started, or started more than "
                         f"{OVERDUE_DAYS} days ago and not studied"),
        "projects": rows,
        "totals": {
            "projects": len(rows),
            "measures": sum(len(p["measures"]) for p in rows),
            "in_progress": sum(len(p["in_progress"]) for p in rows),
            "overdue": sum(len(p["overdue"]) for p in rows),
        },
    }


def _project(data: ViewData, views: dict[str, MeasureView], problems: dict[str, str],
             p: domain.Project, today: date) -> dict:
    cycles = data.cycles.get(p.slug, [])
    still_open = [c for c in cycles if c.stage != Stage.complete]
    measures = [m for m in data.measures.values() if m.project == p.slug]
    return {
        "slug": p.slug, "title": p.title, "team": p.team, "team_name": data.team_names[p.team],
        "stage": _stage(cycles, still_open),
        "cycles": {"total": len(cycles), "open": len(still_open),
                   "complete": len(cycles) - len(still_open)},
        "measures": [_measure(views[m.ref], problems.get(m.ref)) for m in measures],
        "in_progress": [_brief(c) for c in cycles if c.stage in IN_PROGRESS],
        "overdue": [o for c in still_open if (o := overdue(c, today))],
    }


def _stage(cycles: list[domain.Cycle], still_open: list[domain.Cycle]) -> dict:
    """Where the project's PDSA work stands: its most recent open cycle's stage."""
    if not cycles:
        return {"stage": None, "cycle": None, "text": "no cycles yet"}
    if not still_open:
        return {"stage": Stage.complete.value, "cycle": cycles[-1].ref,
                "text": "all cycles complete"}
    latest = still_open[-1]
    return {"stage": latest.stage.value, "cycle": latest.ref,
            "text": f"{latest.stage.value} ({latest.ref})"}


def _brief(c: domain.Cycle) -> dict:
    return {"ref": c.ref, "title": c.title, "stage": c.stage.value,
            "planned_start": c.planned_start.isoformat() if c.planned_start else None,
            "started_on": c.started_on.isoformat() if c.started_on else None}


def overdue(c: domain.Cycle, today: date) -> dict | None:
    """Why the cycle is overdue (see the module docstring), or None."""
    if c.stage == Stage.plan and c.planned_start is not None and c.planned_start < today:
        days = (today - c.planned_start).days
        reason = (f"planned to start on {c.planned_start.isoformat()} ({_days(days)} ago) "
                  "and not started")
    elif (c.stage == Stage.do and c.started_on is not None
          and (today - c.started_on).days > OVERDUE_DAYS):
        days = (today - c.started_on).days
        reason = f"started on {c.started_on.isoformat()} ({_days(days)} ago) and not studied"
    else:
        return None
    return {**_brief(c), "days": days, "reason": reason}


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _measure(v: MeasureView, problem: str | None) -> dict:
    m, summary = v.measure, v.summary
    values = _recent(v)
    return {
        "ref": m.ref, "slug": m.slug, "name": m.name, "kind": m.kind.value,
        "unit": m.unit, "percent": v.percent,
        "recent": values, "sparkline": sparkline(values),
        "latest": None if summary["latest_date"] is None else {
            "date": summary["latest_date"], "value": summary["latest"]},
        "signal": summary["verdict"], "direction_of_change": summary["direction"],
        # Making Data Count icons (None for a run chart) and the lines behind them
        "variation": summary["variation"], "assurance": summary["assurance"],
        "centre": summary["centre"], "lcl": summary["lcl"], "ucl": summary["ucl"],
        "target": None if v.target is None else round(float(v.target), 6),
        "target_from": v.target_since.isoformat() if v.target_since else None,
        "chart": v.chart.value,
        "provisional": summary["provisional"], "decimals": summary["decimals"],
        "problem": problem,
    }


def _recent(v: MeasureView) -> list[float | None]:
    """The last SPARK_POINTS periods' values (None where a value or a whole period is
    missing), oldest first; for irregular dates, the last SPARK_POINTS points."""
    a = v.analysis
    if a is None:
        return []
    values = [None if y != y else round(float(y), 6) for y in a.y]
    steps = _steps(a.x, v.period)
    if steps is None:
        return values[-SPARK_POINTS:]
    slots: list[float | None] = [None] * SPARK_POINTS
    last = steps[-1]
    for step, value in zip(steps, values, strict=True):
        back = last - step
        if back < SPARK_POINTS:
            slots[SPARK_POINTS - 1 - back] = value
    return slots[-min(SPARK_POINTS, last - steps[0] + 1):]


def _steps(x: np.ndarray, period: str | None) -> list[int] | None:
    """Each point's period number (days, weeks or months since the epoch)."""
    if period is None or x.dtype.kind != "M":
        return None
    days = x.astype("datetime64[D]").astype(np.int64)
    if period == "day":
        return [int(d) for d in days]
    if period == "week":
        return [int(d) // 7 for d in days]
    months = x.astype("datetime64[M]").astype(np.int64)
    return [int(m) for m in months]


def sparkline(values: list[float | None]) -> str:
    """'▁▃▅█ ▆': one block per value scaled between their least and greatest, a space for
    a missing value; a flat series is drawn at mid height."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo, hi = min(known), max(known)
    top = len(BLOCKS) - 1
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif hi == lo:
            out.append(BLOCKS[top // 2])
        else:
            out.append(BLOCKS[round((v - lo) / (hi - lo) * top)])
    return "".join(out)
