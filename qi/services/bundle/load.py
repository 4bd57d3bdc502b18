"""Importing a checked bundle: where each record goes (new rows, or stored ones when the
options say how to resolve a clash), decided completely before anything is written, then
written in the caller's one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, or_, select

from qi import domain, models
from qi.errors import Conflict, InvalidInput
from qi.services import teams as team_service
from qi.services._common import Stored, check_slug, row_id
from qi.services.bundle.read import read_bundle
from qi.services.bundle.schema import CYCLE_TEXT, ON_CLASH, Bundle

INSERT_CHUNK = 20_000  # measurements per executemany: bounded memory on large bundles

Json = dict[str, Any]


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
        given = team_service.get_row(s, options.team_as)
        plan.team_id, plan.team = given.id, {"slug": given.slug}
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
    for row in s.exec(select(models.Member)).all():
        stored[row.name.lower()].append(row)
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
    team = col(models.Meeting.team_id)
    query = select(col(models.Meeting.held_on), col(models.Meeting.title), team)
    query = query.where(or_(team.is_(None), team == team_id) if team_id else team.is_(None))
    return {(day, title, team is None) for day, title, team in s.exec(query).all()}


# --- writing -------------------------------------------------------------------------------


def _write(s: Session, b: Bundle, plan: _Plan, meetings: list[dict]) -> None:
    team_id = plan.team_id or _insert(s, models.Team(**plan.team))
    member_ids = _write_members(s, plan, team_id)
    p = b.project
    project_id = _insert(s, models.Project(
        slug=plan.project_slug, title=p["title"], aim=p["aim"], team_id=team_id,
        start_date=p["start"], status=p["status"], closing_note=p["closing_note"]))
    measure_ids = {}
    for m in b.measures:
        row = models.Measure(project_id=project_id, has_denominator=m["denominator"],
                             **{k: m[k] for k in ("slug", "name", "kind", "unit", "direction",
                                                  "target", "definition", "chart",
                                                  "baseline_until")})
        measure_ids[m["slug"]] = _insert(s, row)
    idea_ids = [_insert(s, models.ChangeIdea(project_id=project_id, **idea))
                for idea in b.ideas]
    cycle_ids = _write_cycles(s, b.cycles, project_id, idea_ids, measure_ids, member_ids)
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


def _insert(s: Session, row: Stored) -> int:
    """Add a row and return the id the database gave it."""
    s.add(row)
    s.flush()
    return row_id(row)


def _write_members(s: Session, plan: _Plan, team_id: int) -> dict[str, int]:
    """Create or reuse each member; return {bundle name, lowercased: member id}."""
    ids = {}
    joined = set(s.exec(select(models.TeamMembership.member_id)
                        .where(models.TeamMembership.team_id == team_id)).all())
    for m, member_id, name in plan.members:
        if member_id is None:
            member_id = _insert(s, models.Member(name=name, role=m["role"], email=m["email"]))
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
            row.builds_on_id = row_id(rows[c["builds_on"]])
            s.add(row)
        s.add_all([models.CycleMeasure(cycle_id=row_id(row), measure_id=measure_ids[slug])
                   for slug in dict.fromkeys(c["measures"])])
    s.flush()
    return {number: row_id(row) for number, row in rows.items()}


def _write_measurements(s: Session, measures: list[dict], measure_ids: dict[str, int]) -> None:
    """All measurements with core executemany in chunks (a bundle may hold hundreds of
    thousands). They belong to no import: the bundle is not a file that `qi data undo`
    could take back on its own."""
    rows = ({"measure_id": measure_ids[m["slug"]], "period": p["date"], "value": p["value"],
             "numerator": p["numerator"], "denominator": p["denominator"], "note": p["note"],
             "import_id": None}
            for m in measures for p in m["measurements"])
    conn = s.connection()
    statement = insert(models.metadata.tables["measurement"])
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == INSERT_CHUNK:
            conn.execute(statement, chunk)
            chunk = []
    if chunk:
        conn.execute(statement, chunk)
