"""Reading a bundle: the whole document checked (shape, values, the rules of `qi data`,
references between records) and turned into a `Bundle`, or refused with every problem."""

from __future__ import annotations

from datetime import date
from typing import Any

from qi.domain import (
    RATIO_CHARTS,
    ChartType,
    Decision,
    Direction,
    MeasureKind,
    ProjectStatus,
    Purpose,
)
from qi.errors import InvalidInput
from qi.services.bundle.fields import Fields, Problems, check_strings, kind_of
from qi.services.bundle.schema import (
    CYCLE_KEYS,
    CYCLE_TEXT,
    FORMAT,
    IDEA_KEYS,
    MAX_PROBLEMS,
    MEASURE_KEYS,
    MEETING_KEYS,
    MEMBER_KEYS,
    NOTE_KEYS,
    PHASE_KEYS,
    POINT_KEYS,
    PROJECT_KEYS,
    TARGET_KEYS,
    TEAM_KEYS,
    TOP_KEYS,
    VERSION,
    Bundle,
)

Json = dict[str, Any]


def read_bundle(document, source: str = "The bundle") -> Bundle:
    """Check a parsed JSON document completely; InvalidInput lists every problem by path."""
    problems = Problems()
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
    check_strings(document, problems)
    problems.raise_any(source)
    top = Fields(problems, "$", document, TOP_KEYS)
    top.text("exported_by", "exported_by")
    bundle = Bundle(
        project=_project(Fields(problems, "project", top.raw("project"), PROJECT_KEYS)),
        team=_team(Fields(problems, "team", top.raw("team"), TEAM_KEYS)),
        members=[_member(Fields(problems, f"members[{k}]", v, MEMBER_KEYS))
                 for k, v in enumerate(top.items("members"))],
        measures=[_measure(problems, Fields(problems, f"measures[{k}]", v, MEASURE_KEYS))
                  for k, v in enumerate(top.items("measures"))],
        ideas=[_idea(Fields(problems, f"ideas[{k}]", v, IDEA_KEYS))
               for k, v in enumerate(top.items("ideas"))],
        cycles=[_cycle(Fields(problems, f"cycles[{k}]", v, CYCLE_KEYS))
                for k, v in enumerate(top.items("cycles"))],
        meetings=[_meeting(Fields(problems, f"meetings[{k}]", v, MEETING_KEYS))
                  for k, v in enumerate(top.items("meetings"))],
    )
    _check_references(bundle, problems)
    problems.raise_any(source)
    return bundle



def _project(o: Fields) -> Json:
    return {"slug": o.slug("slug", "project"), "title": o.text("title", "project title", 300,
                                                               required=True),
            "aim": o.text("aim", "aim", required=True), "start": o.day("start"),
            "status": o.choice("status", ProjectStatus),
            "closing_note": o.text("closing_note", "closing note")}


def _team(o: Fields) -> Json:
    return {"slug": o.slug("slug", "team"), "name": o.text("name", "team name", 200,
                                                            required=True),
            "area": o.text("area", "area", 200), "note": o.text("note", "note")}


def _member(o: Fields) -> Json:
    email = (o.text("email", "email", 320) or "").strip() or None  # as `qi member` stores it
    if email is not None and ("@" not in email or " " in email):
        o.problems.add(o.at("email"), f"'{email}' is not an email address")
    return {"name": o.text("name", "member name", 200, required=True),
            "role": o.text("role", "role", 200, required=True),
            "email": email, "in_team": o.flag("in_team")}


def _measure(problems: Problems, o: Fields) -> Json:
    before = len(problems.found)
    m: Json = {"slug": o.slug("slug", "measure"),
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


def _point(o: Fields) -> Json:
    before = len(o.problems.found)
    point: Json = {"date": o.day("date", null=False), "value": o.number("value"),
             "numerator": o.number("numerator"), "denominator": o.number("denominator"),
             "note": o.text("note", "note")}
    # A number already refused reads as null; checking the point's shape would only repeat it.
    point["_ok"] = len(o.problems.found) == before
    return point


def _objects(problems: Problems, parent: Fields, key: str, keys: tuple[str, ...]
             ) -> list[Fields]:
    return [Fields(problems, f"{parent.at(key)}[{k}]", v, keys)
            for k, v in enumerate(parent.items(key))]


def _unique(problems: Problems, path: str, values: list, key: str, what: str) -> None:
    seen: set = set()
    for k, value in enumerate(values):
        if value is None:
            continue
        if value in seen:
            shown = value.isoformat() if isinstance(value, date) else value
            problems.add(f"{path}[{k}].{key}", f"{what} {shown}")
        seen.add(value)


def _check_points(problems: Problems, path: str, m: Json) -> None:
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


def _idea(o: Fields) -> Json:
    idea: Json = {"title": o.text("title", "idea title", 300, required=True),
            "description": o.text("description", "description"),
            "primary_driver": o.text("primary_driver", "primary driver", 300),
            "secondary_driver": o.text("secondary_driver", "secondary driver", 300)}
    if idea["secondary_driver"] and not idea["primary_driver"]:
        o.problems.add(o.at("secondary_driver"), "a secondary driver sits under a primary "
                       "driver; give primary_driver too")
    return idea


def _cycle(o: Fields) -> Json:
    c: Json = {"number": o.whole("number", null=False),
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
                           f"{kind_of(slug)}")
    c["_path"] = o.path
    return c


def _meeting(o: Fields) -> Json:
    return {"date": o.day("date", null=False),
            "title": o.text("title", "meeting title", 300, required=True),
            "programme_wide": o.flag("programme_wide")}


def _check_references(b: Bundle, problems: Problems) -> None:
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

