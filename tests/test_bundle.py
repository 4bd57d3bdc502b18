"""Project bundles (qi.services.bundle): export -> import -> export is the identity, on
each backend and across them; bad bundles are refused by JSON path; clashes are refused
or resolved as asked; an import is all or nothing."""

from __future__ import annotations

import copy
import json
import os
from datetime import date

import pytest
from sqlalchemy import text

from qi import db
from qi.config import resolve
from qi.domain import ChartType, Decision, Direction, MeasureKind, ProjectStatus
from qi.errors import Conflict, InvalidInput
from qi.services import (
    bundle,
    cycles,
    data,
    ideas,
    measures,
    meetings,
    members,
    notes,
    phases,
    projects,
    targets,
    teams,
)
from qi.services.bundle import ImportOptions
from qi.services.bundle import load as bundle_load

PG_URL = os.environ.get("QI_TEST_POSTGRES_URL")
needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs QI_TEST_POSTGRES_URL")


def build_programme(s) -> None:
    """A project using every kind of record, next to another project that must stay out."""
    teams.add(s, "North Barnet", area="North", note="Practices north of the A406 & <friends>")
    teams.add(s, "West")
    members.add(s, "Dr Aisha Patel", role="GP", teams=["north-barnet"],
                email="aisha@example.org")
    members.add(s, "Sam O'Neil", role="practice manager", teams=["north-barnet", "west"])
    members.add(s, "Chris Lee", role="pharmacist")  # in no team, but logs a cycle
    members.add(s, "Wendy West", role="nurse", teams=["west"])  # not in the bundle
    projects.add(s, "dna-rate", title="Reduce nurse DNAs “now” 🩺", team="north-barnet",
                 aim="From 8% to 5%\nby 30 Sep 2018", start=date(2018, 4, 3))
    projects.add(s, "other", title="Other", team="west", aim="Not exported")
    measures.add(s, "dna", project="dna-rate", name="DNA rate", kind=MeasureKind.outcome,
                 unit="%", direction=Direction.down, target=0.05, chart=ChartType.p,
                 definition="DNAs / booked")
    measures.add(s, "calls", project="dna-rate", name="Calls", kind=MeasureKind.balancing,
                 chart=ChartType.i)
    measures.add(s, "empty", project="dna-rate", name="No data yet",
                 kind=MeasureKind.process)
    measures.add(s, "x", project="other", name="Other measure", kind=MeasureKind.process)
    ideas.add(s, "dna-rate", "SMS reminders", primary_driver="Patients remember",
              secondary_driver="Reminders", description="Text 48 h before")
    ideas.add(s, "dna-rate", "SMS reminders")  # the same title twice: ideas go by position
    ideas.add(s, "dna-rate", "Easy cancellation")
    cycles.new(s, "dna-rate", "One nurse, one week", idea="1", measures=["dna", "calls"],
               predictions="DNAs halve", logged_by="Chris Lee", objective="Does SMS help?")
    cycles.do(s, "dna-rate#1", on=date(2018, 4, 9), notes="Sent 40", problems="6 numbers")
    cycles.study(s, "dna-rate#1", results="2/40 vs 5/40", learning="Works 🎉")
    cycles.act(s, "dna-rate#1", decision=Decision.adapt, next_steps="All nurses",
               completed_on=date(2018, 4, 16))
    cycles.new(s, "dna-rate", "All nurses", idea="3", builds_on=1, measures=["dna"],
               planned_start=date(2018, 4, 23), logged_by="Sam O'Neil")
    cycles.new(s, "dna-rate", "Third", purpose="develop")
    cycles.new(s, "dna-rate", "Fourth")
    cycles.remove(s, "dna-rate#3")  # numbers keep their gap
    cycles.edit(s, "dna-rate#1", builds_on="4")  # a cycle may build on a later one
    for day, n, d in ((date(2018, 4, 2), 12, 150), (date(2018, 4, 9), 10, 140),
                      (date(2018, 4, 16), 3, 151)):
        data.add(s, "dna-rate/dna", day, numerator=n, denominator=d,
                 note="first week" if n == 12 else None)
    data.add(s, "dna-rate/calls", date(2018, 4, 2), value=41.0, note="Phones down «all day»")
    data.add(s, "dna-rate/calls", date(2018, 4, 9), value=-0.25)
    data.add(s, "dna-rate/calls", date(2018, 4, 10), value=0.1 + 0.2)  # exact float survives
    data.add(s, "other/x", date(2018, 4, 2), value=1.0)
    measures.edit(s, "dna-rate/dna", baseline_until=date(2018, 4, 8))
    phases.rebase(s, "dna-rate/dna", at="dna-rate#1", reason="SMS → all", by="Dr Aisha Patel")
    phases.rebase(s, "dna-rate/calls", at=date(2018, 6, 1), reason="New phones")
    notes.add(s, "dna-rate/dna", date(2018, 5, 1), "Closed <2 days>", by="Sam O'Neil")
    notes.add(s, "dna-rate/dna", date(2018, 5, 1), "Same day, second note")
    targets.set_target(s, "dna-rate/dna", starts_on=date(2018, 5, 1), value=0.04)
    targets.set_target(s, "dna-rate/dna", starts_on=date(2018, 7, 1), value=0.035)
    meetings.add(s, date(2018, 3, 1), "Learning session 1")
    meetings.add(s, date(2018, 4, 20), "North huddle", team="north-barnet")
    meetings.add(s, date(2018, 4, 21), "West huddle", team="west")  # not in the bundle
    projects.close(s, "dna-rate", status=ProjectStatus.completed, note="Adopted")


@pytest.fixture(scope="module")
def document(tmp_path_factory) -> dict:
    """One exported bundle for the checks that need no database of their own."""
    loc = resolve(str(tmp_path_factory.mktemp("bundle") / "source.db"))
    try:
        with db.session(loc, create=True) as s:
            build_programme(s)
        with db.session(loc, write=False) as s:
            return bundle.export_bundle(s, "dna-rate")
    finally:
        db.dispose_all()


@pytest.fixture
def built(session) -> dict:
    """The programme built on the backend under test, and its project's bundle."""
    with session() as s:
        build_programme(s)
    with session(write=False) as s:
        return bundle.export_bundle(s, "dna-rate")


@pytest.fixture
def stored(session, document) -> dict:
    """The bundle's project already in the database under test."""
    _import(session, document)
    return document


def _empty(session) -> None:
    """Remove every row, keeping the schema (the 'other database' of an import)."""
    from qi.models import metadata

    with session() as s:
        for table in reversed(metadata.sorted_tables):
            s.execute(text(f"DELETE FROM {table.name}"))


def _import(session, document, **options):
    with session() as s:
        return bundle.import_bundle(s, document, ImportOptions(**options))


def _export(session, slug="dna-rate") -> dict:
    with session(write=False) as s:
        return bundle.export_bundle(s, slug)


def _count(session, table: str) -> int:
    with session(write=False) as s:
        return s.execute(text(f"SELECT count(*) FROM {table}")).scalar()


# --- export ---------------------------------------------------------------------------------


def test_export_holds_the_project_and_nothing_else(built):
    b = built
    assert list(b) == ["format", "version", "exported_by", "project", "team", "members",
                       "measures", "ideas", "cycles", "meetings"]
    assert (b["format"], b["version"], b["exported_by"]) == ("qi-bundle", 1, "qi 0.1.0")
    assert b["project"] == {"slug": "dna-rate", "title": "Reduce nurse DNAs “now” 🩺",
                            "aim": "From 8% to 5%\nby 30 Sep 2018", "start": "2018-04-03",
                            "status": "completed", "closing_note": "Adopted"}
    assert b["team"]["slug"] == "north-barnet"
    assert [(m["name"], m["in_team"]) for m in b["members"]] == [
        ("Chris Lee", False), ("Dr Aisha Patel", True), ("Sam O'Neil", True)]
    assert [m["slug"] for m in b["measures"]] == ["calls", "dna", "empty"]
    dna = b["measures"][1]
    assert dna["measurements"][0] == {"date": "2018-04-02", "value": None, "numerator": 12.0,
                                      "denominator": 150.0, "note": "first week"}
    assert dna["phases"] == [{"starts_on": "2018-04-09", "reason": "SMS → all", "cycle": 1,
                              "created_by": "Dr Aisha Patel"}]
    assert [n["text"] for n in dna["notes"]] == ["Closed <2 days>", "Same day, second note"]
    assert dna["targets"] == [{"starts_on": "2018-05-01", "value": 0.04},
                              {"starts_on": "2018-07-01", "value": 0.035}]
    assert b["measures"][0]["targets"] == []
    assert b["measures"][0]["measurements"][2]["value"] == 0.1 + 0.2
    assert [i["title"] for i in b["ideas"]] == ["SMS reminders", "SMS reminders",
                                                "Easy cancellation"]
    assert [(c["number"], c["idea"], c["builds_on"], c["logged_by"], c["measures"])
            for c in b["cycles"]] == [(1, 1, 4, "Chris Lee", ["calls", "dna"]),
                                      (2, 3, 1, "Sam O'Neil", ["dna"]),
                                      (4, None, None, None, [])]
    assert b["meetings"] == [
        {"date": "2018-03-01", "title": "Learning session 1", "programme_wide": True},
        {"date": "2018-04-20", "title": "North huddle", "programme_wide": False}]
    text_ = json.dumps(b)
    assert "Wendy" not in text_ and "West huddle" not in text_ and "created_at" not in text_


def test_dumps_is_stable_utf8_json():
    out = bundle.dumps({"b": "Søuth 🩺", "a": [1.5]})
    assert out == '{\n  "b": "Søuth 🩺",\n  "a": [\n    1.5\n  ]\n}\n'


def test_export_refuses_members_it_could_not_tell_apart(session):
    with session() as s:
        teams.add(s, "North")
        members.add(s, "Ann Lee", role="GP", teams=["north"])
        members.add(s, "ann lee", role="nurse", teams=["north"])
        projects.add(s, "p", title="P", team="north", aim="A")
    with pytest.raises(Conflict, match=r"2 members .* are called 'Ann Lee' \(ids 1, 2\).*"
                                       r"qi member edit 2 --name"):
        _export(session, "p")


# --- identity -------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_bundle_from_before_dated_targets_imports(session, document):
    older = copy.deepcopy(document)
    for m in older["measures"]:
        del m["targets"]
    _import(session, older)
    assert _count(session, "measure_target") == 0
    assert _count(session, "measure") == 3


@pytest.mark.slow
def test_export_import_export_is_identical(session, built):
    _empty(session)
    summary = _import(session, built)
    assert bundle.dumps(_export(session)) == bundle.dumps(built)
    assert (summary.project, summary.team, summary.team_created) == ("dna-rate",
                                                                      "north-barnet", True)
    assert summary.members_added == ("Chris Lee", "Dr Aisha Patel", "Sam O'Neil")
    assert (summary.measures, summary.measurements, summary.phases, summary.notes,
            summary.ideas, summary.cycles, summary.meetings_added) == (3, 6, 2, 2, 3, 3, 2)
    # Imported measurements belong to no import record.
    assert _count(session, "data_import") == 0
    assert _count(session, "measurement") == 6
    assert _count(session, "measure_target") == 2


@needs_postgres
@pytest.mark.parametrize("direction", ["sqlite-to-postgresql", "postgresql-to-sqlite"])
def test_identity_across_backends(tmp_path, direction):
    import conftest

    conftest._empty_postgres(PG_URL)
    sqlite = resolve(str(tmp_path / "qi.db"))
    source, target = (sqlite, resolve(PG_URL))
    if direction == "postgresql-to-sqlite":
        source, target = target, sqlite
    with db.session(source) as s:
        build_programme(s)
    with db.session(source, write=False) as s:
        first = bundle.dumps(bundle.export_bundle(s, "dna-rate"))
    with db.session(target) as s:
        bundle.import_bundle(s, json.loads(first))
    with db.session(target, write=False) as s:
        assert bundle.dumps(bundle.export_bundle(s, "dna-rate")) == first


# --- checking the document ------------------------------------------------------------------


def _set(document: dict, path: str, value) -> dict:
    """A copy with the value at a path like 'cycles.1.builds_on' replaced (or removed)."""
    out = copy.deepcopy(document)
    *parents, last = path.split(".")
    node = out
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    key = int(last) if last.isdigit() else last
    if value is _REMOVE:
        del node[key]
    else:
        node[key] = value
    return out


_REMOVE = object()

BAD = [
    ("cycles.1.builds_on", 7, "cycles[1].builds_on: no cycle 7 in this bundle"),
    ("cycles.1.builds_on", 2, "cycles[1].builds_on: a cycle cannot build on itself"),
    ("cycles.0.idea", 9, "cycles[0].idea: no idea 9 in this bundle (ideas are numbered by "
                         "position, 1 to 3)"),
    ("cycles.0.measures", ["dna", "nope"], "cycles[0].measures[1]: no measure 'nope' in this "
                                           "bundle"),
    ("cycles.0.logged_by", "Nobody", "cycles[0].logged_by: no member 'Nobody' in this "
                                     "bundle's members"),
    ("cycles.0.completed_on", "2018-04-01", "cycles[0].completed_on: 2018-04-01 is before the "
                                            "cycle started (2018-04-09)"),
    ("cycles.2.number", 1, "cycles[2].number: a second cycle 1"),
    ("cycles.0.decision", "maybe", "cycles[0].decision: 'maybe' is not one of adopt, adapt, "
                                   "abandon"),
    ("cycles.0.title", "x" * 301, "cycles[0].title: The cycle title is 301 characters long; "
                                  "at most 300 fit. Shorten it"),
    ("cycles.0.title", "  ", "cycles[0].title: The cycle title cannot be empty"),
    ("cycles.0.number", True, "cycles[0].number: expected a whole number, found true or false"),
    ("measures.1.measurements.0.date", "02/04/2018",
     "measures[1].measurements[0].date: '02/04/2018' is not a date; write YYYY-MM-DD"),
    ("measures.1.measurements.1.date", "2018-04-02",
     "measures[1].measurements[1].date: a second measurement for 2018-04-02"),
    ("measures.1.measurements.0.denominator", 0,
     "measures[1].measurements[0].denominator: a denominator must be a number above 0"),
    ("measures.1.measurements.0.numerator", 200,
     "measures[1].measurements[0].numerator: the numerator is greater than the denominator"),
    ("measures.1.measurements.0.value", 3, "measures[1].measurements[0]: this measure has a "
                                           "denominator: give numerator and denominator"),
    ("measures.0.measurements.0.value", "41", "measures[0].measurements[0].value: expected a "
                                              "number, found text ('41')"),
    ("measures.0.target", float("nan"), "measures[0].target: nan is not a finite number"),
    ("measures.1.targets.0.value", None, "measures[1].targets[0].value: a target needs a value"),
    ("measures.1.targets.1.starts_on", "2018-05-01",
     "measures[1].targets[1].starts_on: a second target from 2018-05-01"),
    ("measures.1.targets.0.value", "4%", "measures[1].targets[0].value: expected a number, "
                                         "found text ('4%')"),
    ("measures.1.denominator", False, "measures[1].denominator: a p chart plots a numerator "
                                      "over a denominator, so this must be true"),
    ("measures.2.slug", "calls", "measures[2].slug: a second measure calls"),
    ("measures.0.slug", "Calls!", "measures[0].slug: 'Calls!' is not a valid measure slug"),
    ("measures.0.chart", "pie", "measures[0].chart: 'pie' is not one of run, i, mr"),
    ("measures.1.phases.0.cycle", 3, "measures[1].phases[0].cycle: no cycle 3 in this bundle"),
    ("measures.1.notes.0.created_by", "Nobody",
     "measures[1].notes[0].created_by: no member 'Nobody'"),
    ("members.1.name", "chris lee", "members[1].name: a second member called 'chris lee'"),
    ("members.0.email", "not-an-address", "members[0].email: 'not-an-address' is not an email"),
    ("ideas.2.secondary_driver", "Orphan", "ideas[2].secondary_driver: a secondary driver "
                                           "sits under a primary driver"),
    ("project.status", "paused", "project.status: 'paused' is not one of active, completed, "
                                 "abandoned"),
    ("project.title", _REMOVE, "project: missing 'title'"),
    ("team.colour", "red", "team: unknown 'colour' (this qi reads bundle version 1)"),
    ("meetings.0", [], "meetings[0]: expected an object, found a list"),
    ("meetings", {}, "meetings: expected a list, found an object"),
]


@pytest.mark.parametrize(("path", "value", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_bundles_are_refused_by_path(document, path, value, message):
    with pytest.raises(InvalidInput) as info:
        bundle.read_bundle(_set(document, path, value))
    # One mistake may leave others behind it (a cycle renumbered is then missing too).
    assert str(info.value).startswith("The bundle is not a valid qi bundle (")
    assert "), so nothing was imported:\n" in str(info.value)
    assert message in str(info.value)


def test_a_bad_bundle_writes_nothing(session, document):
    bad = _set(document, "cycles.1.builds_on", 7)  # found only after the team and members
    with pytest.raises(InvalidInput, match="cycles\\[1\\].builds_on: no cycle 7"):
        _import(session, bad)
    assert _count(session, "project") == 0 and _count(session, "member") == 0


def test_every_problem_is_listed_at_once(document):
    bad = _set(_set(document, "cycles.1.builds_on", 7), "ideas.0.title", "")
    with pytest.raises(InvalidInput, match=r"\(2 problems\)") as info:
        bundle.read_bundle(bad, "x.qi.json")
    assert str(info.value).startswith("x.qi.json is not a valid qi bundle")


def test_many_problems_are_counted_and_the_first_listed(document):
    bad = copy.deepcopy(document)
    for p in bad["measures"][0]["measurements"]:
        p["value"] = "oops"
    bad["measures"][0]["measurements"] *= 10  # 30 bad points (and repeated dates)
    with pytest.raises(InvalidInput) as info:
        bundle.read_bundle(bad)
    message = str(info.value)
    assert message.count("\n") == bundle.MAX_PROBLEMS + 1
    assert message.endswith("more.")


@pytest.mark.parametrize(("document", "message"), [
    ([], "is not a qi bundle (it has no \"format\": \"qi-bundle\")"),
    ({"format": "other"}, "is not a qi bundle"),
    ({"format": "qi-bundle", "version": 2, "exported_by": "qi 9.0"},
     "is a qi bundle of version 2, written by qi 9.0; this qi reads version 1. Upgrade qi"),
    ({"format": "qi-bundle", "version": "1"}, "of version '1'"),
])
def test_what_is_not_a_bundle_of_this_version(document, message):
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        bundle.read_bundle(document)


# --- clashes --------------------------------------------------------------------------------


def test_a_second_import_clashes_on_the_project_and_names_the_options(session, stored):
    with pytest.raises(Conflict) as info:
        _import(session, stored)
    message = str(info.value)
    assert message.startswith("The bundle clashes with what is stored (1 clash), so nothing "
                              "was imported:\n- a project 'dna-rate' already exists\n")
    assert "--project-as NEW-SLUG, or --on-clash rename (imports it as 'dna-rate-2')" in message
    assert _count(session, "project") == 1


def test_project_as_and_rename_import_a_copy_reusing_team_members_and_meetings(
        session, stored):
    first = _import(session, stored, project_as="dna-copy")
    second = _import(session, stored, on_clash="rename")
    assert (first.project, second.project) == ("dna-copy", "dna-rate-2")
    assert second.resolved == ("project 'dna-rate' exists, so the bundle's project was "
                               "imported as 'dna-rate-2'",)
    assert (second.team, second.team_created) == ("north-barnet", False)
    assert second.members_added == ()
    assert second.members_reused == ("Chris Lee", "Dr Aisha Patel", "Sam O'Neil")
    assert (second.meetings_added, second.meetings_existing) == (0, 2)
    assert _count(session, "member") == 3 and _count(session, "meeting") == 2
    # The copy is the same project under another slug.
    copy_ = _export(session, "dna-rate-2")
    copy_["project"]["slug"] = "dna-rate"
    assert copy_ == stored


def test_project_as_a_taken_slug_is_a_clash(session, stored):
    with pytest.raises(Conflict, match="(?s)a project 'dna-rate' already exists \\(given "
                                       "with --project-as\\).*another --project-as SLUG"):
        _import(session, stored, project_as="dna-rate", on_clash="rename")


def _clashing(session):
    """A database whose team 'north-barnet' and member 'Sam O'Neil' are someone else."""
    with session() as s:
        teams.add(s, "Barnet North", slug="north-barnet")
        members.add(s, "sam o'neil", role="receptionist")


def test_team_and_member_clashes_are_all_listed(session, document):
    _clashing(session)
    with pytest.raises(Conflict) as info:
        _import(session, document)
    lines = str(info.value).splitlines()
    assert lines[0] == "The bundle clashes with what is stored (2 clashes), so nothing was " \
                       "imported:"
    assert lines[1] == "- team 'north-barnet' is called 'Barnet North' here but " \
                       "'North Barnet' in the bundle"
    assert lines[2] == "- member 'Sam O'Neil': the role is 'receptionist' here but " \
                       "'practice manager' in the bundle"
    assert "the team: --team-as SLUG" in lines[3] and "the members: --on-clash merge" in lines[3]
    assert _count(session, "project") == 0 and _count(session, "member") == 1


def test_merge_uses_the_stored_team_and_members(session, document):
    _clashing(session)
    summary = _import(session, document, on_clash="merge")
    assert (summary.team, summary.team_created) == ("north-barnet", False)
    assert summary.members_reused == ("sam o'neil",)
    assert len(summary.resolved) == 2
    with session(write=False) as s:
        assert teams.show(s, "north-barnet").name == "Barnet North"
        sam = members.show(s, "Sam O'Neil")
        assert (sam.role, sam.teams) == ("receptionist", ("north-barnet",))
        assert cycles.show(s, "dna-rate#2").logged_by == "sam o'neil"


def test_rename_adds_the_bundles_team_and_members_under_new_names(session, document):
    _clashing(session)
    summary = _import(session, document, on_clash="rename")
    assert (summary.team, summary.team_created) == ("north-barnet-2", True)
    assert "Sam O'Neil (2)" in summary.members_added
    with session(write=False) as s:
        assert projects.show(s, "dna-rate").team == "north-barnet-2"
        assert teams.show(s, "north-barnet-2").name == "North Barnet"
        assert members.show(s, "Sam O'Neil (2)").role == "practice manager"
        assert cycles.show(s, "dna-rate#2").logged_by == "Sam O'Neil (2)"


def test_team_as_puts_the_project_in_an_existing_team(session, document):
    _clashing(session)
    with session() as s:
        teams.add(s, "Facilitators")
    summary = _import(session, document, team_as="facilitators", on_clash="merge")
    assert (summary.team, summary.team_created) == ("facilitators", False)
    with session(write=False) as s:
        assert projects.show(s, "dna-rate").team == "facilitators"
        assert [m.team for m in meetings.list_all(s)] == [None, "facilitators"]
        assert "Dr Aisha Patel" in teams.show(s, "facilitators").members


def test_team_as_an_unknown_team(session, document):
    with pytest.raises(Exception, match="No team 'nowhere'"):
        _import(session, document, team_as="nowhere")


def test_two_stored_members_of_one_name_cannot_be_merged(session, document):
    with session() as s:
        members.add(s, "Chris Lee", role="pharmacist")
        members.add(s, "Chris Lee", role="pharmacist")
    with pytest.raises(Conflict, match=r"(?s)member 'Chris Lee': 2 members here have that name "
                                       r"\(ids \d+, \d+\).*give the stored members distinct"):
        _import(session, document, on_clash="merge")


def test_same_member_without_an_email_here_is_no_clash(session, document):
    with session() as s:
        members.add(s, "Dr Aisha Patel", role="GP")
    summary = _import(session, document)
    assert "Dr Aisha Patel" in summary.members_reused


# --- dry run and atomicity ------------------------------------------------------------------


def test_dry_run_reports_and_writes_nothing(session, document):
    summary = _import(session, document, dry_run=True)
    assert summary.dry_run and summary.team_created and summary.measurements == 6
    assert _count(session, "project") == 0 and _count(session, "team") == 0


def test_a_failure_while_writing_leaves_nothing(session, document, monkeypatch):

    def broken(*args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bundle_load, "_write_measurements", broken)
    with pytest.raises(RuntimeError):
        _import(session, document)
    for table in ("team", "member", "project", "measure", "cycle", "meeting"):
        assert _count(session, table) == 0, table


def test_unknown_on_clash_value(session, document):
    with pytest.raises(InvalidInput, match="'sometimes' is not a way to resolve clashes"):
        _import(session, document, on_clash="sometimes")


def test_measurements_of_a_large_bundle_arrive_whole(session, document, monkeypatch):
    """More points than one insert chunk: every one arrives, in order."""
    monkeypatch.setattr(bundle_load, "INSERT_CHUNK", 7)
    document = copy.deepcopy(document)
    calls = document["measures"][0]
    calls["measurements"] = [{"date": date.fromordinal(736000 + k).isoformat(),
                              "value": k / 3, "numerator": None, "denominator": None,
                              "note": None} for k in range(50)]
    _import(session, document)
    assert _export(session) == document


def test_a_refused_number_is_reported_once(document):
    bad = _set(document, "measures.0.measurements.0.value", "41")
    with pytest.raises(InvalidInput) as info:
        bundle.read_bundle(bad)
    assert str(info.value) == ("The bundle is not a valid qi bundle (1 problem), so nothing "
                               "was imported:\nmeasures[0].measurements[0].value: expected "
                               "a number, found text ('41')")
