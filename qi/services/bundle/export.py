"""A project as a bundle document: plain JSON values, keys in the documented order.

What a bundle leaves out, on purpose: database ids and created/updated timestamps, and the
history of `qi data import` (see the package's docstring). Everything is written in a
fixed order, so exporting an imported bundle again gives the same bytes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, or_, select

from qi import __version__, models
from qi.errors import Conflict
from qi.services import projects as project_service
from qi.services import targets as target_service
from qi.services._common import row_id
from qi.services.bundle.schema import CYCLE_TEXT, FORMAT, VERSION
from qi.text import json_safe

Json = dict[str, Any]


def export_bundle(s: Session, project: str) -> Json:
    """The bundle of one project: plain JSON values, keys in the documented order."""
    p = project_service.get_row(s, project)
    team = s.get(models.Team, p.team_id)
    assert team is not None  # a foreign key: the project's team exists
    measures = s.exec(select(models.Measure).where(models.Measure.project_id == p.id)
                      .order_by(col(models.Measure.slug))).all()
    ideas = s.exec(select(models.ChangeIdea).where(models.ChangeIdea.project_id == p.id)
                   .order_by(col(models.ChangeIdea.id))).all()
    cycles = s.exec(select(models.Cycle).where(models.Cycle.project_id == p.id)
                    .order_by(col(models.Cycle.number))).all()
    measure_ids = [row_id(m) for m in measures]
    phases, notes = _phases_and_notes(s, measure_ids)
    targets = target_service.dated_by_measure(s, measure_ids)
    members, names = _members(s, team, cycles, phases, notes)
    numbers = {row_id(c): c.number for c in cycles}
    points = _measurements(s, measure_ids)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_by": f"qi {__version__}",
        "project": {"slug": p.slug, "title": p.title, "aim": p.aim,
                    "start": _iso(p.start_date), "status": p.status,
                    "closing_note": p.closing_note},
        "team": {"slug": team.slug, "name": team.name, "area": team.area, "note": team.note},
        "members": members,
        "measures": [_measure_json(m, phases[mid], notes[mid], points[mid], numbers, names,
                                   targets[mid])
                     for m, mid in zip(measures, measure_ids, strict=True)],
        "ideas": [{"title": i.title, "description": i.description,
                   "primary_driver": i.primary_driver,
                   "secondary_driver": i.secondary_driver} for i in ideas],
        "cycles": _cycles_json(s, cycles, ideas, names),
        "meetings": _meetings_json(s, row_id(team)),
    }


def dumps(bundle: Json) -> str:
    """The bundle as text: UTF-8 as is, indented, ending with a newline."""
    # Control characters as \\u escapes (the same JSON): safe to show, to mail, to diff.
    return json_safe(json.dumps(bundle, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def count_of(bundle: Json) -> dict[str, int]:
    """Counts of an exported bundle, for the message after `qi export`."""
    measures = bundle["measures"]
    return {"measures": len(measures),
            "measurements": sum(len(m["measurements"]) for m in measures),
            "ideas": len(bundle["ideas"]), "cycles": len(bundle["cycles"]),
            "meetings": len(bundle["meetings"])}


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


Phases = dict[int, list[models.MeasurePhase]]
Notes = dict[int, list[models.MeasureNote]]


def _phases_and_notes(s: Session, measure_ids: list[int]) -> tuple[Phases, Notes]:
    phases: Phases = defaultdict(list)
    notes: Notes = defaultdict(list)
    for phase in s.exec(select(models.MeasurePhase)
                        .where(col(models.MeasurePhase.measure_id).in_(measure_ids))
                        .order_by(col(models.MeasurePhase.starts_on))):
        phases[phase.measure_id].append(phase)
    for note in s.exec(select(models.MeasureNote)
                       .where(col(models.MeasureNote.measure_id).in_(measure_ids))
                       .order_by(col(models.MeasureNote.noted_on), col(models.MeasureNote.id))):
        notes[note.measure_id].append(note)
    return phases, notes


def _members(s: Session, team: models.Team, cycles: Sequence[models.Cycle], phases: Phases,
             notes: Notes) -> tuple[list[Json], dict[int, str]]:
    """The team's members and anyone else the project's records name, and {id: name}.

    Bundles name members, so two of them with one name (ignoring case) cannot be told
    apart: refuse rather than attach a cycle to the wrong person in the other database."""
    in_team = set(s.exec(select(models.TeamMembership.member_id)
                         .where(models.TeamMembership.team_id == team.id)).all())
    named = {c.logged_by_id for c in cycles}
    named |= {p.created_by_id for rows in phases.values() for p in rows}
    named |= {n.created_by_id for rows in notes.values() for n in rows}
    wanted = (in_team | named) - {None}
    rows = s.exec(select(models.Member).where(col(models.Member.id).in_(wanted))).all()
    by_name: dict[str, list[models.Member]] = defaultdict(list)
    for m in rows:
        by_name[m.name.lower()].append(m)
    for same in by_name.values():
        if len(same) > 1:
            ids = ", ".join(str(i) for i in sorted(row_id(m) for m in same))
            raise Conflict(
                f"{len(same)} members of this project's records are called '{same[0].name}' "
                f"(ids {ids}). A bundle names its members, so rename one first ('qi member "
                f"edit {same[-1].id} --name ...') and export again")
    rows = sorted(rows, key=lambda m: (m.name.lower(), m.name))
    members = [{"name": m.name, "role": m.role, "email": m.email, "in_team": m.id in in_team}
               for m in rows]
    return members, {row_id(m): m.name for m in rows}


def _measurements(s: Session, measure_ids: list[int]) -> dict[int, list[Json]]:
    t = models.metadata.tables["measurement"]
    out: dict[int, list[Json]] = defaultdict(list)
    if not measure_ids:
        return out
    rows = s.connection().execute(
        sa_select(t.c.measure_id, t.c.period, t.c.value, t.c.numerator, t.c.denominator, t.c.note)
        .where(t.c.measure_id.in_(measure_ids)).order_by(t.c.measure_id, t.c.period))
    for measure_id, day, value, numerator, denominator, note in rows:
        out[measure_id].append({"date": day.isoformat(), "value": _number(value),
                                "numerator": _number(numerator),
                                "denominator": _number(denominator), "note": note})
    return out


def _measure_json(m: models.Measure, phases: list[models.MeasurePhase],
                  notes: list[models.MeasureNote], points: list[Json], numbers: dict[int, int],
                  names: dict[int, str], targets: list[tuple]) -> Json:
    return {
        "slug": m.slug, "name": m.name, "kind": m.kind, "unit": m.unit,
        "direction": m.direction, "target": _number(m.target), "definition": m.definition,
        "chart": m.chart, "denominator": bool(m.has_denominator),
        "baseline_until": _iso(m.baseline_until),
        "phases": [{"starts_on": p.starts_on.isoformat(), "reason": p.reason,
                    "cycle": _get(numbers, p.cycle_id), "created_by": _get(names, p.created_by_id)}
                   for p in phases],
        "notes": [{"date": n.noted_on.isoformat(), "text": n.text,
                   "created_by": _get(names, n.created_by_id)} for n in notes],
        "targets": [{"starts_on": day.isoformat(), "value": float(value)}
                    for day, value in targets],
        "measurements": points,
    }


T = TypeVar("T")


def _get(by_id: dict[int, T], key: int | None) -> T | None:
    """What an optional reference names (None: no reference)."""
    return None if key is None else by_id.get(key)


def _cycles_json(s: Session, cycles: Sequence[models.Cycle],
                 ideas: Sequence[models.ChangeIdea], names: dict[int, str]) -> list[Json]:
    positions = {row_id(idea): k for k, idea in enumerate(ideas, start=1)}
    numbers = {row_id(c): c.number for c in cycles}
    slugs: dict[int, list[str]] = defaultdict(list)
    for cycle_id, slug in s.exec(
            select(models.CycleMeasure.cycle_id, models.Measure.slug)
            .join(models.Measure, col(models.Measure.id) == models.CycleMeasure.measure_id)
            .where(col(models.CycleMeasure.cycle_id).in_(list(numbers)))
            .order_by(col(models.Measure.slug))):
        slugs[cycle_id].append(slug)
    return [{
        "number": c.number, "title": c.title, "idea": _get(positions, c.idea_id),
        "purpose": c.purpose,
        **{name: getattr(c, name) for name in CYCLE_TEXT[:5]},
        "measures": slugs[row_id(c)], "planned_start": _iso(c.planned_start),
        "started_on": _iso(c.started_on),
        **{name: getattr(c, name) for name in CYCLE_TEXT[5:9]},
        "decision": c.decision, "next_steps": c.next_steps,
        "completed_on": _iso(c.completed_on), "builds_on": _get(numbers, c.builds_on_id),
        "logged_by": _get(names, c.logged_by_id),
    } for c in cycles]


def _meetings_json(s: Session, team_id: int) -> list[Json]:
    rows = s.exec(select(models.Meeting).where(or_(col(models.Meeting.team_id) == team_id,
                                                   col(models.Meeting.team_id).is_(None)))).all()
    # Ordered by content, not id, so the order survives a database that already had some.
    rows = sorted(rows, key=lambda m: (m.held_on, m.team_id is not None, m.title))
    return [{"date": m.held_on.isoformat(), "title": m.title,
             "programme_wide": m.team_id is None} for m in rows]
