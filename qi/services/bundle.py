"""Project bundles: one project and everything it needs, as a versioned JSON document.

`qi export PROJECT` writes a bundle; `qi import-bundle FILE` loads it into another
database (SQLite or PostgreSQL), so that a team can hand its project to a facilitator's
programme database. The format (version 1) is documented in README.md.

What a bundle leaves out, on purpose: database ids and created/updated timestamps (they
belong to the database that made them, and would make export -> import -> export differ)
and the history of `qi data import` (its undo records refer to rows of the source
database). Everything else is written in a fixed order, so exporting an imported bundle
again gives the same bytes. Records refer to each other by what users see: measures by
slug, cycles by number, ideas by their 1-based position in `ideas`, members by name.

Importing is all or nothing, in the caller's one transaction: the document is checked
completely first (every problem named by its JSON path, e.g. `cycles[3].builds_on`), then
compared with what is stored (clashes refused unless the options say how to resolve
them), and only then written.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, or_, select

from qi import __version__, domain, models
from qi.domain import (
    RATIO_CHARTS,
    ChartType,
    Decision,
    Direction,
    MeasureKind,
    ProjectStatus,
    Purpose,
)
from qi.errors import Conflict, InvalidInput
from qi.services import projects as project_service
from qi.services import targets as target_service
from qi.services import teams as team_service
from qi.services._common import check_slug, counted, optional_text, required_text
from qi.text import clip, json_safe, quoted, visible
from qi.values import OUT_OF_RANGE, out_of_range

FORMAT = "qi-bundle"
VERSION = 1
ON_CLASH = ("refuse", "rename", "merge")
MAX_PROBLEMS = 20  # problems listed when a bundle is refused (all are counted)
INSERT_CHUNK = 20_000  # measurements per executemany: bounded memory on large bundles

# The cycle's free-text worksheet fields, in worksheet order.
CYCLE_TEXT = ("objective", "questions", "predictions", "plan", "data_plan", "notes",
              "problems", "results", "learning", "next_steps")


# --- export --------------------------------------------------------------------------------


def export_bundle(s: Session, project: str) -> dict:
    """The bundle of one project: plain JSON values, keys in the documented order."""
    p = project_service.get_row(s, project)
    team = s.get(models.Team, p.team_id)
    measures = s.exec(select(models.Measure).where(models.Measure.project_id == p.id)
                      .order_by(models.Measure.slug)).all()
    ideas = s.exec(select(models.ChangeIdea).where(models.ChangeIdea.project_id == p.id)
                   .order_by(models.ChangeIdea.id)).all()
    cycles = s.exec(select(models.Cycle).where(models.Cycle.project_id == p.id)
                    .order_by(models.Cycle.number)).all()
    phases, notes = _phases_and_notes(s, [m.id for m in measures])
    targets = target_service.dated_by_measure(s, [m.id for m in measures])
    members, names = _members(s, team, cycles, phases, notes)
    numbers = {c.id: c.number for c in cycles}
    points = _measurements(s, [m.id for m in measures])
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_by": f"qi {__version__}",
        "project": {"slug": p.slug, "title": p.title, "aim": p.aim,
                    "start": _iso(p.start_date), "status": p.status,
                    "closing_note": p.closing_note},
        "team": {"slug": team.slug, "name": team.name, "area": team.area, "note": team.note},
        "members": members,
        "measures": [_measure_json(m, phases[m.id], notes[m.id], points[m.id], numbers, names,
                                   targets[m.id]) for m in measures],
        "ideas": [{"title": i.title, "description": i.description,
                   "primary_driver": i.primary_driver,
                   "secondary_driver": i.secondary_driver} for i in ideas],
        "cycles": _cycles_json(s, cycles, ideas, names),
        "meetings": _meetings_json(s, team.id),
    }


def dumps(bundle: dict) -> str:
    """The bundle as text: UTF-8 as is, indented, ending with a newline."""
    # Control characters as \\u escapes (the same JSON): safe to show, to mail, to diff.
    return json_safe(json.dumps(bundle, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _number(value) -> float | None:
    return None if value is None else float(value)


def _phases_and_notes(s: Session, measure_ids: list[int]) -> tuple[dict, dict]:
    phases: dict[int, list] = defaultdict(list)
    notes: dict[int, list] = defaultdict(list)
    for phase in s.exec(select(models.MeasurePhase)
                        .where(models.MeasurePhase.measure_id.in_(measure_ids))
                        .order_by(models.MeasurePhase.starts_on)):
        phases[phase.measure_id].append(phase)
    for note in s.exec(select(models.MeasureNote)
                       .where(models.MeasureNote.measure_id.in_(measure_ids))
                       .order_by(models.MeasureNote.noted_on, models.MeasureNote.id)):
        notes[note.measure_id].append(note)
    return phases, notes


def _members(s: Session, team: models.Team, cycles, phases, notes) -> tuple[list, dict]:
    """The team's members and anyone else the project's records name, and {id: name}.

    Bundles name members, so two of them with one name (ignoring case) cannot be told
    apart: refuse rather than attach a cycle to the wrong person in the other database."""
    in_team = set(s.exec(select(models.TeamMembership.member_id)
                         .where(models.TeamMembership.team_id == team.id)).all())
    named = {c.logged_by_id for c in cycles}
    named |= {p.created_by_id for rows in phases.values() for p in rows}
    named |= {n.created_by_id for rows in notes.values() for n in rows}
    wanted = (in_team | named) - {None}
    rows = s.exec(select(models.Member).where(models.Member.id.in_(wanted))).all()
    by_name: dict[str, list[models.Member]] = defaultdict(list)
    for m in rows:
        by_name[m.name.lower()].append(m)
    for same in by_name.values():
        if len(same) > 1:
            ids = ", ".join(str(m.id) for m in sorted(same, key=lambda m: m.id))
            raise Conflict(
                f"{len(same)} members of this project's records are called '{same[0].name}' "
                f"(ids {ids}). A bundle names its members, so rename one first ('qi member "
                f"edit {same[-1].id} --name ...') and export again")
    rows = sorted(rows, key=lambda m: (m.name.lower(), m.name))
    members = [{"name": m.name, "role": m.role, "email": m.email, "in_team": m.id in in_team}
               for m in rows]
    return members, {m.id: m.name for m in rows}


def _measurements(s: Session, measure_ids: list[int]) -> dict[int, list[dict]]:
    t = models.Measurement.__table__
    out: dict[int, list[dict]] = defaultdict(list)
    if not measure_ids:
        return out
    rows = s.connection().execute(
        select(t.c.measure_id, t.c.period, t.c.value, t.c.numerator, t.c.denominator, t.c.note)
        .where(t.c.measure_id.in_(measure_ids)).order_by(t.c.measure_id, t.c.period))
    for measure_id, day, value, numerator, denominator, note in rows:
        out[measure_id].append({"date": day.isoformat(), "value": _number(value),
                                "numerator": _number(numerator),
                                "denominator": _number(denominator), "note": note})
    return out


def _measure_json(m: models.Measure, phases, notes, points, numbers: dict[int, int],
                  names: dict[int, str], targets: list[tuple]) -> dict:
    return {
        "slug": m.slug, "name": m.name, "kind": m.kind, "unit": m.unit,
        "direction": m.direction, "target": _number(m.target), "definition": m.definition,
        "chart": m.chart, "denominator": bool(m.has_denominator),
        "baseline_until": _iso(m.baseline_until),
        "phases": [{"starts_on": p.starts_on.isoformat(), "reason": p.reason,
                    "cycle": numbers.get(p.cycle_id), "created_by": names.get(p.created_by_id)}
                   for p in phases],
        "notes": [{"date": n.noted_on.isoformat(), "text": n.text,
                   "created_by": names.get(n.created_by_id)} for n in notes],
        "targets": [{"starts_on": day.isoformat(), "value": float(value)}
                    for day, value in targets],
        "measurements": points,
    }


def _cycles_json(s: Session, cycles, ideas, names: dict[int, str]) -> list[dict]:
    positions = {idea.id: k for k, idea in enumerate(ideas, start=1)}
    numbers = {c.id: c.number for c in cycles}
    slugs: dict[int, list[str]] = defaultdict(list)
    for cycle_id, slug in s.exec(
            select(models.CycleMeasure.cycle_id, models.Measure.slug)
            .join(models.Measure, models.Measure.id == models.CycleMeasure.measure_id)
            .where(models.CycleMeasure.cycle_id.in_(list(numbers)))
            .order_by(models.Measure.slug)):
        slugs[cycle_id].append(slug)
    return [{
        "number": c.number, "title": c.title, "idea": positions.get(c.idea_id),
        "purpose": c.purpose,
        **{name: getattr(c, name) for name in CYCLE_TEXT[:5]},
        "measures": slugs[c.id], "planned_start": _iso(c.planned_start),
        "started_on": _iso(c.started_on),
        **{name: getattr(c, name) for name in CYCLE_TEXT[5:9]},
        "decision": c.decision, "next_steps": c.next_steps,
        "completed_on": _iso(c.completed_on), "builds_on": numbers.get(c.builds_on_id),
        "logged_by": names.get(c.logged_by_id),
    } for c in cycles]


def _meetings_json(s: Session, team_id: int) -> list[dict]:
    rows = s.exec(select(models.Meeting).where(or_(models.Meeting.team_id == team_id,
                                                   models.Meeting.team_id.is_(None)))).all()
    # Ordered by content, not id, so the order survives a database that already had some.
    rows = sorted(rows, key=lambda m: (m.held_on, m.team_id is not None, m.title))
    return [{"date": m.held_on.isoformat(), "title": m.title,
             "programme_wide": m.team_id is None} for m in rows]


# --- reading and checking a bundle -----------------------------------------------------


class _Problems:
    """Every problem of a document, each named by its JSON path."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, path: str, why: str) -> None:
        self.found.append(f"{path}: {why}")

    def raise_any(self, source: str) -> None:
        if not self.found:
            return
        shown = self.found[:MAX_PROBLEMS]
        more = len(self.found) - len(shown)
        raise InvalidInput(
            f"{source} is not a valid qi bundle ({counted(len(self.found), 'problem')}), so "
            "nothing was imported:\n" + "\n".join(shown)
            + (f"\n... and {more} more." if more else ""))


_MISSING = object()
_TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "an object"}


def _kind_of(value) -> str:
    if value is None:
        return "null"
    for kind, name in _TYPE_NAMES.items():
        if type(value) is kind:
            return name
    return type(value).__name__


class _Object:
    """One JSON object of the bundle: its fields taken one by one, checked on the way.

    A bad field is recorded (by path) and read as None, so that checking carries on and
    every problem of the document is reported at once."""

    def __init__(self, problems: _Problems, path: str, value, keys: tuple[str, ...]) -> None:
        self.problems, self.path = problems, path
        self.value: dict = value if isinstance(value, dict) else {}
        if value is _MISSING:  # its parent has said it is missing
            return
        if not isinstance(value, dict):
            problems.add(path, f"expected an object, found {_kind_of(value)}")
            return
        missing = [k for k in keys if k not in value and k not in OPTIONAL_KEYS]
        unknown = [k for k in value if k not in keys]
        if missing:
            problems.add(path, f"missing {', '.join(repr(k) for k in missing)}")
        if unknown:
            problems.add(path, f"unknown {', '.join(repr(k) for k in unknown)} (this qi "
                         f"reads bundle version {VERSION})")

    def at(self, key: str) -> str:
        return key if self.path == "$" else f"{self.path}.{key}"  # 'cycles', not '$.cycles'

    def raw(self, key: str):
        return self.value.get(key, _MISSING)

    def _typed(self, key: str, kinds: tuple[type, ...], what: str, null: bool):
        value = self.raw(key)
        if value is _MISSING or (value is None and null):
            return None
        # bool is an int to Python, but true is not a number in a bundle.
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            self.problems.add(self.at(key), f"expected {what}, found {_kind_of(value)}"
                              + (f" ({quoted(value, 60)})" if isinstance(value, str | int | float)
                                 and not isinstance(value, bool) else ""))
            return None
        return value

    def text(self, key: str, what: str, max_len: int | None = None, *,
             required: bool = False) -> str | None:
        value = self._typed(key, (str,), "text", null=not required)
        if value is None:
            return None
        return self._rule(key, lambda: required_text(value, what, max_len) if required
                          else optional_text(value, what, max_len))

    def slug(self, key: str, kind: str) -> str | None:
        value = self._typed(key, (str,), "text", null=False)
        return None if value is None else self._rule(key, lambda: check_slug(value, kind))

    def flag(self, key: str) -> bool:
        return bool(self._typed(key, (bool,), "true or false", null=False))

    def whole(self, key: str, *, null: bool = True) -> int | None:
        value = self._typed(key, (int,), "a whole number", null=null)
        if value is not None and not -MAX_WHOLE <= value <= MAX_WHOLE:
            self.problems.add(self.at(key), f"the whole number {clip(str(value), 30)} is out "
                              f"of range (at most {MAX_WHOLE:,})")
            return None
        return value

    def number(self, key: str) -> float | None:
        value = self._typed(key, (int, float), "a number", null=True)
        if value is None:
            return None
        try:
            number = float(value)
        except OverflowError:  # an integer with hundreds of digits
            number = math.inf
        if not math.isfinite(number):
            self.problems.add(self.at(key), f"{clip(str(value), 30)} is not a finite number")
            return None
        if out_of_range([number])[0]:
            self.problems.add(self.at(key), f"{clip(str(value), 30)} is {OUT_OF_RANGE}")
            return None
        return number

    def day(self, key: str, *, null: bool = True) -> date | None:
        value = self._typed(key, (str,), "a date (YYYY-MM-DD)", null=null)
        if value is None:
            return None
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or len(value) != 10:  # fromisoformat also takes 20180403
            self.problems.add(self.at(key), f"'{value}' is not a date; write YYYY-MM-DD")
        return day

    def choice(self, key: str, enum: type[StrEnum], *, null: bool = False) -> str | None:
        value = self._typed(key, (str,), "text", null=null)
        if value is None:
            return None
        if value not in enum.__members__.values():
            allowed = ", ".join(e.value for e in enum)
            self.problems.add(self.at(key), f"'{value}' is not one of {allowed}")
            return None
        return value

    def items(self, key: str) -> list:
        value = self._typed(key, (list,), "a list", null=False)
        return value or []

    def _rule(self, key: str, check: Callable[[], Any]):
        """Apply a service's own rule (text lengths, slugs), keeping its wording."""
        try:
            return check()
        except InvalidInput as exc:
            self.problems.add(self.at(key), str(exc))
            return None


@dataclass
class Bundle:
    """A checked bundle: Python values, references resolved to positions in the lists."""

    project: dict
    team: dict
    members: list[dict]
    measures: list[dict]
    ideas: list[dict]
    cycles: list[dict]
    meetings: list[dict]

    def counts(self) -> dict[str, int]:
        return {
            "measures": len(self.measures),
            "measurements": sum(len(m["measurements"]) for m in self.measures),
            "phases": sum(len(m["phases"]) for m in self.measures),
            "notes": sum(len(m["notes"]) for m in self.measures),
            "ideas": len(self.ideas), "cycles": len(self.cycles),
        }


TOP_KEYS = ("format", "version", "exported_by", "project", "team", "members", "measures",
            "ideas", "cycles", "meetings")
PROJECT_KEYS = ("slug", "title", "aim", "start", "status", "closing_note")
TEAM_KEYS = ("slug", "name", "area", "note")
MEMBER_KEYS = ("name", "role", "email", "in_team")
MEASURE_KEYS = ("slug", "name", "kind", "unit", "direction", "target", "definition", "chart",
                "denominator", "baseline_until", "phases", "notes", "targets", "measurements")
# Keys a bundle may leave out: written by a qi from before they existed.
OPTIONAL_KEYS = frozenset({"targets"})
TARGET_KEYS = ("starts_on", "value")
PHASE_KEYS = ("starts_on", "reason", "cycle", "created_by")
NOTE_KEYS = ("date", "text", "created_by")
POINT_KEYS = ("date", "value", "numerator", "denominator", "note")
IDEA_KEYS = ("title", "description", "primary_driver", "secondary_driver")
CYCLE_KEYS = ("number", "title", "idea", "purpose", *CYCLE_TEXT[:5], "measures",
              "planned_start", "started_on", *CYCLE_TEXT[5:9], "decision", "next_steps",
              "completed_on", "builds_on", "logged_by")
MEETING_KEYS = ("date", "title", "programme_wide")


def read_bundle(document, source: str = "The bundle") -> Bundle:
    """Check a parsed JSON document completely; InvalidInput lists every problem by path."""
    problems = _Problems()
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f"{source} is not a qi bundle (it has no \"format\": \"{FORMAT}\"). "
                           "Make one with 'qi export PROJECT -o FILE'")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        newer = type(version) is int and version > VERSION
        raise InvalidInput(
            f"{source} is a qi bundle of version {version!r}, written by "
            f"{document.get('exported_by', 'an unknown program')!s}; this qi reads version "
            f"{VERSION}" + (". Upgrade qi (pip install -U qi-tracker)" if newer else ""))
    _check_strings(document, problems)
    problems.raise_any(source)
    top = _Object(problems, "$", document, TOP_KEYS)
    top.text("exported_by", "exported_by")
    bundle = Bundle(
        project=_project(_Object(problems, "project", top.raw("project"), PROJECT_KEYS)),
        team=_team(_Object(problems, "team", top.raw("team"), TEAM_KEYS)),
        members=[_member(_Object(problems, f"members[{k}]", v, MEMBER_KEYS))
                 for k, v in enumerate(top.items("members"))],
        measures=[_measure(problems, _Object(problems, f"measures[{k}]", v, MEASURE_KEYS))
                  for k, v in enumerate(top.items("measures"))],
        ideas=[_idea(_Object(problems, f"ideas[{k}]", v, IDEA_KEYS))
               for k, v in enumerate(top.items("ideas"))],
        cycles=[_cycle(_Object(problems, f"cycles[{k}]", v, CYCLE_KEYS))
                for k, v in enumerate(top.items("cycles"))],
        meetings=[_meeting(_Object(problems, f"meetings[{k}]", v, MEETING_KEYS))
                  for k, v in enumerate(top.items("meetings"))],
    )
    _check_references(bundle, problems)
    problems.raise_any(source)
    return bundle


MAX_WHOLE = 2**31 - 1  # what an INTEGER column holds on every backend


def _check_strings(document, problems: _Problems) -> None:
    """Text no database can store (NUL; lone surrogates, from \\ud800-style escapes) is
    refused wherever it is, keys included. Iterative: nesting depth costs no stack."""
    stack: list[tuple[str, object]] = [("$", document)]
    while stack and len(problems.found) < MAX_PROBLEMS:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if _unstorable(key):
                    problems.add(f"{path}: key {quoted(key, 40)}", _UNSTORABLE)
                stack.append((f"{path}.{clip(visible(key), 40)}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{k}]", item) for k, item in enumerate(value))
        elif isinstance(value, str) and _unstorable(value):
            problems.add(path, _UNSTORABLE)


_UNSTORABLE = ("the text holds the NUL character or an unpaired surrogate (\\ud800-\\udfff), "
               "which cannot be stored")


_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")


def _unstorable(text: str) -> bool:
    return _UNSTORABLE_CHAR.search(text) is not None


def _project(o: _Object) -> dict:
    return {"slug": o.slug("slug", "project"), "title": o.text("title", "project title", 300,
                                                               required=True),
            "aim": o.text("aim", "aim", required=True), "start": o.day("start"),
            "status": o.choice("status", ProjectStatus),
            "closing_note": o.text("closing_note", "closing note")}


def _team(o: _Object) -> dict:
    return {"slug": o.slug("slug", "team"), "name": o.text("name", "team name", 200,
                                                            required=True),
            "area": o.text("area", "area", 200), "note": o.text("note", "note")}


def _member(o: _Object) -> dict:
    email = (o.text("email", "email", 320) or "").strip() or None  # as `qi member` stores it
    if email is not None and ("@" not in email or " " in email):
        o.problems.add(o.at("email"), f"'{email}' is not an email address")
    return {"name": o.text("name", "member name", 200, required=True),
            "role": o.text("role", "role", 200, required=True),
            "email": email, "in_team": o.flag("in_team")}


def _measure(problems: _Problems, o: _Object) -> dict:
    before = len(problems.found)
    m = {"slug": o.slug("slug", "measure"),
         "name": o.text("name", "measure name", 300, required=True),
         "kind": o.choice("kind", MeasureKind), "unit": o.text("unit", "unit", 100),
         "direction": o.choice("direction", Direction), "target": o.number("target"),
         "definition": o.text("definition", "definition"), "chart": o.choice("chart", ChartType),
         "denominator": o.flag("denominator"), "baseline_until": o.day("baseline_until")}
    if m["chart"] in RATIO_CHARTS and not m["denominator"]:
        problems.add(o.at("denominator"), f"a {m['chart']} chart plots a numerator over a "
                     "denominator, so this must be true")
    header_ok = len(problems.found) == before
    m["phases"] = [{"starts_on": p.day("starts_on", null=False),
                    "reason": p.text("reason", "reason", required=True),
                    "cycle": p.whole("cycle"), "created_by": p.text("created_by", "name")}
                   for p in _objects(problems, o, "phases", PHASE_KEYS)]
    m["notes"] = [{"date": n.day("date", null=False),
                   "text": n.text("text", "note", required=True),
                   "created_by": n.text("created_by", "name")}
                  for n in _objects(problems, o, "notes", NOTE_KEYS)]
    m["targets"] = []
    for t in _objects(problems, o, "targets", TARGET_KEYS):
        if t.raw("value") is None:
            problems.add(t.at("value"), "a target needs a value")
        m["targets"].append({"starts_on": t.day("starts_on", null=False),
                             "value": t.number("value")})
    m["measurements"] = [_point(p) for p in _objects(problems, o, "measurements", POINT_KEYS)]
    if header_ok:  # the rules depend on the measure's chart and denominator
        _check_points(problems, o.at("measurements"), m)
    for point in m["measurements"]:
        del point["_ok"]
    _unique(problems, o.at("phases"), [p["starts_on"] for p in m["phases"]], "starts_on",
            "a second phase starting on")
    _unique(problems, o.at("targets"), [t["starts_on"] for t in m["targets"]], "starts_on",
            "a second target from")
    _unique(problems, o.at("measurements"), [p["date"] for p in m["measurements"]], "date",
            "a second measurement for")
    return m


def _point(o: _Object) -> dict:
    before = len(o.problems.found)
    point = {"date": o.day("date", null=False), "value": o.number("value"),
             "numerator": o.number("numerator"), "denominator": o.number("denominator"),
             "note": o.text("note", "note")}
    # A number already refused reads as null; checking the point's shape would only repeat it.
    point["_ok"] = len(o.problems.found) == before
    return point


def _objects(problems: _Problems, parent: _Object, key: str, keys: tuple[str, ...]
             ) -> list[_Object]:
    return [_Object(problems, f"{parent.at(key)}[{k}]", v, keys)
            for k, v in enumerate(parent.items(key))]


def _unique(problems: _Problems, path: str, values: list, key: str, what: str) -> None:
    seen: set = set()
    for k, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            shown = value.isoformat() if isinstance(value, date) else value
            problems.add(f"{path}[{k}].{key}", f"{what} {shown}")
        seen.add(value)


def _check_points(problems: _Problems, path: str, m: dict) -> None:
    """The rules of `qi data add` and `qi data import`, on a measure's whole series."""
    import numpy as np

    from qi.values import NUMBER_ROLES, ValueRules, check_values

    points = m["measurements"]
    if not points or m["chart"] is None:
        return
    ratio = m["denominator"]
    for k, p in enumerate(points):
        given = [r for r in NUMBER_ROLES if p[r] is not None]
        if not p["_ok"]:
            continue
        if ratio and given != ["numerator", "denominator"]:
            problems.add(f"{path}[{k}]", "this measure has a denominator: give numerator and "
                         "denominator (and a null value)")
        elif not ratio and given != ["value"]:
            problems.add(f"{path}[{k}]", "this measure takes a single value: give value (and "
                         "null numerator and denominator)")

    def column(role: str):
        return np.array([np.nan if p[role] is None else p[role] for p in points], dtype=float)

    n = len(points)
    one = ValueRules.of_measure(m["chart"], ratio)
    rules = ValueRules(*(np.full(n, flag) for flag in (ratio, one.proportion, one.negative_ok)))
    with np.errstate(invalid="ignore"):
        found = check_values(column("value"), column("numerator"), column("denominator"), rules)
    for role, mask, why in found:
        for k in np.flatnonzero(mask)[:MAX_PROBLEMS]:
            problems.add(f"{path}[{k}].{role}", why)


def _idea(o: _Object) -> dict:
    idea = {"title": o.text("title", "idea title", 300, required=True),
            "description": o.text("description", "description"),
            "primary_driver": o.text("primary_driver", "primary driver", 300),
            "secondary_driver": o.text("secondary_driver", "secondary driver", 300)}
    if idea["secondary_driver"] and not idea["primary_driver"]:
        o.problems.add(o.at("secondary_driver"), "a secondary driver sits under a primary "
                       "driver; give primary_driver too")
    return idea


def _cycle(o: _Object) -> dict:
    c = {"number": o.whole("number", null=False),
         "title": o.text("title", "cycle title", 300, required=True),
         "idea": o.whole("idea"), "purpose": o.choice("purpose", Purpose),
         **{name: o.text(name, name.replace("_", " ")) for name in CYCLE_TEXT},
         "measures": o.items("measures"), "planned_start": o.day("planned_start"),
         "started_on": o.day("started_on"), "decision": o.choice("decision", Decision,
                                                                 null=True),
         "completed_on": o.day("completed_on"), "builds_on": o.whole("builds_on"),
         "logged_by": o.text("logged_by", "name")}
    if c["number"] is not None and c["number"] < 1:
        o.problems.add(o.at("number"), f"{c['number']} is not a cycle number (1, 2, ...)")
    if c["started_on"] and c["completed_on"] and c["completed_on"] < c["started_on"]:
        o.problems.add(o.at("completed_on"), f"{c['completed_on']} is before the cycle "
                       f"started ({c['started_on']})")
    for k, slug in enumerate(c["measures"]):
        if not isinstance(slug, str):
            o.problems.add(f"{o.at('measures')}[{k}]", f"expected a measure slug, found "
                           f"{_kind_of(slug)}")
    c["_path"] = o.path
    return c


def _meeting(o: _Object) -> dict:
    return {"date": o.day("date", null=False),
            "title": o.text("title", "meeting title", 300, required=True),
            "programme_wide": o.flag("programme_wide")}


def _check_references(b: Bundle, problems: _Problems) -> None:
    """Everything a record names must be in the bundle (and be there once)."""
    names = [m["name"].lower() if m["name"] else None for m in b.members]
    # Members are matched by name ignoring case, as `qi member` finds them.
    for k, name in enumerate(names):
        if name is not None and name in names[:k]:
            problems.add(f"members[{k}].name", f"a second member called '{b.members[k]['name']}'"
                         " (names are compared ignoring case)")
    slugs = [m["slug"] for m in b.measures]
    _unique(problems, "measures", slugs, "slug", "a second measure")
    numbers = [c["number"] for c in b.cycles]
    _unique(problems, "cycles", numbers, "number", "a second cycle")

    def member(path: str, name: str | None) -> None:
        if name is not None and name.lower() not in names:
            problems.add(path, f"no member '{name}' in this bundle's members")

    def cycle(path: str, number: int | None) -> None:
        if number is not None and number not in numbers:
            problems.add(path, f"no cycle {number} in this bundle")

    for k, m in enumerate(b.measures):
        for j, phase in enumerate(m["phases"]):
            cycle(f"measures[{k}].phases[{j}].cycle", phase["cycle"])
            member(f"measures[{k}].phases[{j}].created_by", phase["created_by"])
        for j, note in enumerate(m["notes"]):
            member(f"measures[{k}].notes[{j}].created_by", note["created_by"])
    for c in b.cycles:
        path = c.pop("_path")
        cycle(f"{path}.builds_on", c["builds_on"])
        if c["builds_on"] is not None and c["builds_on"] == c["number"]:
            problems.add(f"{path}.builds_on", "a cycle cannot build on itself")
        if c["idea"] is not None and not 1 <= c["idea"] <= len(b.ideas):
            problems.add(f"{path}.idea", f"no idea {c['idea']} in this bundle (ideas are "
                         f"numbered by position, 1 to {len(b.ideas)})")
        for j, slug in enumerate(c["measures"]):
            if isinstance(slug, str) and slug not in slugs:
                problems.add(f"{path}.measures[{j}]", f"no measure '{slug}' in this bundle")
        member(f"{path}.logged_by", c["logged_by"])


# --- importing -------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOptions:
    """How to resolve clashes with what is stored (see README, "Moving projects").

    `project_as` imports the project under another slug; `team_as` puts it in an existing
    team. `on_clash`: "refuse" (default) any clash; "rename" creates new records under free
    names (project `slug-2`, team `slug-2`, member `Name (2)`); "merge" uses the stored
    team and members as they are. Projects are never merged."""

    project_as: str | None = None
    team_as: str | None = None
    on_clash: str = "refuse"
    dry_run: bool = False


@dataclass(frozen=True)
class BundleSummary(domain.Record):
    """What an import did (or, with `dry_run`, would do)."""

    project: str
    team: str
    team_created: bool
    members_added: tuple[str, ...]
    members_reused: tuple[str, ...]
    measures: int
    measurements: int
    phases: int
    notes: int
    ideas: int
    cycles: int
    meetings_added: int
    meetings_existing: int
    resolved: tuple[str, ...]
    dry_run: bool


@dataclass
class _Plan:
    """Where each bundle record goes: new or existing rows, decided before any write."""

    project_slug: str
    team_id: int | None  # None: create the team
    team: dict
    members: list[tuple[dict, int | None, str]] = field(default_factory=list)  # (m, id, name)
    resolved: list[str] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    advice: dict[str, str] = field(default_factory=dict)


def import_bundle(s: Session, document, options: ImportOptions | None = None, *,
                  source: str = "The bundle") -> BundleSummary:
    """Check a bundle, plan where it goes, and (unless a dry run) write it, all or nothing."""
    options = options or ImportOptions()
    if options.on_clash not in ON_CLASH:
        raise InvalidInput(f"'{options.on_clash}' is not a way to resolve clashes; use one of "
                           f"{', '.join(ON_CLASH)}")
    bundle = read_bundle(document, source)
    plan = _plan(s, bundle, options)
    if plan.clashes:
        raise Conflict(_clash_message(source, plan))
    existing = _existing_meetings(s, plan.team_id)
    meetings = [m for m in bundle.meetings
                if (m["date"], m["title"], m["programme_wide"]) not in existing]
    if not options.dry_run:
        _write(s, bundle, plan, meetings)
    counts = bundle.counts()
    return BundleSummary(
        project=plan.project_slug,
        team=plan.team["slug"], team_created=plan.team_id is None,
        members_added=tuple(name for _, mid, name in plan.members if mid is None),
        members_reused=tuple(name for _, mid, name in plan.members if mid is not None),
        meetings_added=len(meetings),
        meetings_existing=len(bundle.meetings) - len(meetings),
        resolved=tuple(plan.resolved), dry_run=options.dry_run, **counts)


def _plan(s: Session, bundle: Bundle, options: ImportOptions) -> _Plan:
    plan = _Plan(project_slug=bundle.project["slug"], team_id=None, team=dict(bundle.team))
    _plan_project(s, bundle, options, plan)
    _plan_team(s, bundle, options, plan)
    _plan_members(s, bundle, options, plan)
    return plan


def _free(taken: Callable[[str], bool], base: str, make: Callable[[str, int], str]) -> str:
    """The first of make(base, 2), make(base, 3), ... that is not taken."""
    k = 2
    while taken(make(base, k)):
        k += 1
    return make(base, k)


def _numbered_slug(base: str, k: int) -> str:
    suffix = f"-{k}"
    return base[:60 - len(suffix)].rstrip("-") + suffix


def _slug_taken(s: Session, model, slug: str) -> bool:
    return s.exec(select(model.id).where(model.slug == slug)).first() is not None


def _plan_project(s: Session, bundle: Bundle, options: ImportOptions, plan: _Plan) -> None:
    slug = options.project_as or bundle.project["slug"]
    if options.project_as:
        check_slug(slug, "project")
    plan.project_slug = slug
    if not _slug_taken(s, models.Project, slug):
        return
    free = _free(lambda x: _slug_taken(s, models.Project, x), slug, _numbered_slug)
    if options.project_as:
        plan.clashes.append(f"a project '{slug}' already exists (given with --project-as)")
        plan.advice["project"] = "another --project-as SLUG"
    elif options.on_clash == "rename":
        plan.project_slug = free
        plan.resolved.append(f"project '{slug}' exists, so the bundle's project was imported "
                             f"as '{free}'")
    else:
        plan.clashes.append(f"a project '{slug}' already exists")
        plan.advice["project"] = (f"--project-as NEW-SLUG, or --on-clash rename (imports it "
                                  f"as '{free}')")


def _plan_team(s: Session, bundle: Bundle, options: ImportOptions, plan: _Plan) -> None:
    if options.team_as:
        team = team_service.get_row(s, options.team_as)
        plan.team_id, plan.team = team.id, {"slug": team.slug}
        return
    slug = bundle.team["slug"]
    team = s.exec(select(models.Team).where(models.Team.slug == slug)).first()
    if team is None:
        return
    if team.name == bundle.team["name"] or options.on_clash == "merge":
        plan.team_id, plan.team = team.id, {"slug": team.slug}
        if team.name != bundle.team["name"]:
            plan.resolved.append(f"team '{slug}' is called '{team.name}' here and "
                                 f"'{bundle.team['name']}' in the bundle; the stored team "
                                 "was used")
        return
    if options.on_clash == "rename":
        new = _free(lambda x: _slug_taken(s, models.Team, x), slug, _numbered_slug)
        plan.team["slug"] = new
        plan.resolved.append(f"team '{slug}' is another team here ('{team.name}'), so the "
                             f"bundle's team was added as '{new}'")
        return
    plan.clashes.append(f"team '{slug}' is called '{team.name}' here but "
                        f"'{bundle.team['name']}' in the bundle")
    plan.advice["team"] = ("--team-as SLUG (an existing team), --on-clash merge (use team "
                           f"'{slug}' as it is) or --on-clash rename (add the bundle's team "
                           "under a new slug)")


def _plan_members(s: Session, bundle: Bundle, options: ImportOptions, plan: _Plan) -> None:
    stored: dict[str, list[models.Member]] = defaultdict(list)
    for m in s.exec(select(models.Member)).all():
        stored[m.name.lower()].append(m)
    # New names must not collide with stored members nor with the bundle's own.
    taken = set(stored) | {m["name"].lower() for m in bundle.members}
    for m in bundle.members:
        same = stored.get(m["name"].lower(), [])
        why = _member_clash(m, same)
        if not same:
            plan.members.append((m, None, m["name"]))
        elif why is None:
            plan.members.append((m, same[0].id, same[0].name))
        elif options.on_clash == "merge" and len(same) == 1:
            plan.members.append((m, same[0].id, same[0].name))
            plan.resolved.append(f"member '{m['name']}': {why}; the stored member was used")
        elif options.on_clash == "rename":
            new = _free(lambda x: x.lower() in taken, m["name"],
                        lambda base, k: f"{base[:200 - len(f' ({k})')]} ({k})")
            taken.add(new.lower())
            plan.members.append((m, None, new))
            plan.resolved.append(f"member '{m['name']}': {why}; the bundle's member was "
                                 f"added as '{new}'")
        else:
            plan.members.append((m, None, m["name"]))
            plan.clashes.append(f"member '{m['name']}': {why}")
            plan.advice["members"] = (
                "--on-clash merge (use the stored member) or --on-clash rename (add the "
                "bundle's member under a new name)" if len(same) == 1 else
                "--on-clash rename (add the bundle's member under a new name), or give the "
                "stored members distinct names with 'qi member edit'")


def _member_clash(m: dict, same: list[models.Member]) -> str | None:
    """Why the stored members of that name are not the bundle's member, or None."""
    if not same:
        return None
    if len(same) > 1:
        return (f"{len(same)} members here have that name (ids "
                f"{', '.join(str(x.id) for x in same)}), so it is not clear which is meant")
    x = same[0]
    if x.role != m["role"]:
        return f"the role is '{x.role}' here but '{m['role']}' in the bundle"
    if x.email and m["email"] and x.email.lower() != m["email"].lower():
        return f"the email is {x.email} here but {m['email']} in the bundle"
    return None


def _clash_message(source: str, plan: _Plan) -> str:
    lines = [f"- {c}" for c in plan.clashes]
    options = [f"the {what}: {advice}" for what, advice in plan.advice.items()]
    n = len(plan.clashes)
    return (f"{source} clashes with what is stored ({n} clash{'es' if n > 1 else ''}), "
            "so nothing was imported:\n" + "\n".join(lines)
            + "\nResolve them with these options of 'qi import-bundle' (add --dry-run to "
            "check first): " + "; ".join(options))


def _existing_meetings(s: Session, team_id: int | None) -> set[tuple]:
    """The meetings already stored that a bundle's meeting would duplicate: programme-wide
    ones, and the team's own when the team already exists."""
    query = select(models.Meeting.held_on, models.Meeting.title, models.Meeting.team_id)
    query = query.where(or_(models.Meeting.team_id.is_(None), models.Meeting.team_id ==
                            team_id) if team_id else models.Meeting.team_id.is_(None))
    return {(day, title, team is None) for day, title, team in s.exec(query).all()}


# --- writing -------------------------------------------------------------------------------


def _write(s: Session, b: Bundle, plan: _Plan, meetings: list[dict]) -> None:
    team_id = plan.team_id or _add(s, models.Team(**plan.team)).id
    member_ids = _write_members(s, plan, team_id)
    p = b.project
    project = _add(s, models.Project(
        slug=plan.project_slug, title=p["title"], aim=p["aim"], team_id=team_id,
        start_date=p["start"], status=p["status"], closing_note=p["closing_note"]))
    measure_ids = {}
    for m in b.measures:
        row = models.Measure(project_id=project.id, has_denominator=m["denominator"],
                             **{k: m[k] for k in ("slug", "name", "kind", "unit", "direction",
                                                  "target", "definition", "chart",
                                                  "baseline_until")})
        measure_ids[m["slug"]] = _add(s, row).id
    idea_ids = [_add(s, models.ChangeIdea(project_id=project.id, **idea)).id
                for idea in b.ideas]
    cycle_ids = _write_cycles(s, b.cycles, project.id, idea_ids, measure_ids, member_ids)
    for m in b.measures:
        mid = measure_ids[m["slug"]]
        s.add_all([models.MeasurePhase(
            measure_id=mid, starts_on=ph["starts_on"], reason=ph["reason"],
            cycle_id=cycle_ids.get(ph["cycle"]),
            created_by_id=member_ids.get((ph["created_by"] or "").lower())) for ph in m["phases"]])
        s.add_all([models.MeasureNote(
            measure_id=mid, noted_on=n["date"], text=n["text"],
            created_by_id=member_ids.get((n["created_by"] or "").lower())) for n in m["notes"]])
        s.add_all([models.MeasureTarget(measure_id=mid, starts_on=t["starts_on"],
                                        value=t["value"]) for t in m["targets"]])
    s.add_all([models.Meeting(held_on=m["date"], title=m["title"],
                              team_id=None if m["programme_wide"] else team_id)
               for m in meetings])
    s.flush()
    _write_measurements(s, b.measures, measure_ids)


def _add(s: Session, row):
    s.add(row)
    s.flush()
    return row


def _write_members(s: Session, plan: _Plan, team_id: int) -> dict[str, int]:
    """Create or reuse each member; return {bundle name, lowercased: member id}."""
    ids = {}
    joined = set(s.exec(select(models.TeamMembership.member_id)
                        .where(models.TeamMembership.team_id == team_id)).all())
    for m, member_id, name in plan.members:
        if member_id is None:
            member_id = _add(s, models.Member(name=name, role=m["role"], email=m["email"])).id
        if m["in_team"] and member_id not in joined:
            s.add(models.TeamMembership(team_id=team_id, member_id=member_id))
            joined.add(member_id)
        ids[m["name"].lower()] = member_id
    return ids


def _write_cycles(s: Session, cycles: list[dict], project_id: int, idea_ids: list[int],
                  measure_ids: dict[str, int], member_ids: dict[str, int]) -> dict[int, int]:
    """Create the cycles with their numbers kept; return {number: id}. A cycle may build
    on a later one (`qi cycle edit --builds-on`), so those links are set once all exist."""
    rows = {}
    for c in cycles:
        rows[c["number"]] = models.Cycle(
            project_id=project_id, number=c["number"], title=c["title"],
            idea_id=idea_ids[c["idea"] - 1] if c["idea"] else None,
            logged_by_id=member_ids.get((c["logged_by"] or "").lower()),
            purpose=c["purpose"], planned_start=c["planned_start"],
            started_on=c["started_on"], decision=c["decision"],
            completed_on=c["completed_on"], **{name: c[name] for name in CYCLE_TEXT})
    s.add_all(rows.values())
    s.flush()
    for c in cycles:
        row = rows[c["number"]]
        if c["builds_on"] is not None:
            row.builds_on_id = rows[c["builds_on"]].id
            s.add(row)
        s.add_all([models.CycleMeasure(cycle_id=row.id, measure_id=measure_ids[slug])
                   for slug in dict.fromkeys(c["measures"])])
    s.flush()
    return {number: row.id for number, row in rows.items()}


def _write_measurements(s: Session, measures: list[dict], measure_ids: dict[str, int]) -> None:
    """All measurements with core executemany in chunks (a bundle may hold hundreds of
    thousands). They belong to no import: the bundle is not a file that `qi data undo`
    could take back on its own."""
    rows = ({"measure_id": measure_ids[m["slug"]], "period": p["date"], "value": p["value"],
             "numerator": p["numerator"], "denominator": p["denominator"], "note": p["note"],
             "import_id": None}
            for m in measures for p in m["measurements"])
    conn = s.connection()
    statement = insert(models.Measurement.__table__)
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == INSERT_CHUNK:
            conn.execute(statement, chunk)
            chunk = []
    if chunk:
        conn.execute(statement, chunk)


def count_of(bundle: dict) -> dict[str, int]:
    """Counts of an exported bundle, for the message after `qi export`."""
    measures = bundle["measures"]
    return {"measures": len(measures),
            "measurements": sum(len(m["measurements"]) for m in measures),
            "ideas": len(bundle["ideas"]), "cycles": len(bundle["cycles"]),
            "meetings": len(bundle["meetings"])}

