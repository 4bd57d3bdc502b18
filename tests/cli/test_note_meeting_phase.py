"""Dated notes, meetings, rebase phases and baselines."""

import json

import pytest


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("team add West", ok=True)
    qi("member add 'Ann Lee' --role nurse --team north", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add dna --project dna-rate --name DNA --kind outcome --chart p", ok=True)
    return "dna-rate"


def test_notes_add_list_remove(qi, project):
    r = qi("note add dna 01/05/2018 'Practice closed for refurbishment' --by 'Ann Lee' --json",
           ok=True)
    note = json.loads(r.stdout)
    assert note == {**note, "measure": "dna-rate/dna", "date": "2018-05-01",
                    "text": "Practice closed for refurbishment", "created_by": "Ann Lee"}
    qi("note add dna-rate/dna 2018-04-01 'Easter'", ok=True)
    listed = json.loads(qi("note list dna --json", ok=True).stdout)
    assert [n["date"] for n in listed] == ["2018-04-01", "2018-05-01"]
    assert json.loads(qi("note list --project dna-rate --json").stdout) == listed
    r = qi(f"note remove {note['id']}")  # no answer: refused
    assert r.exit_code == 1
    qi(f"note remove {note['id']} --yes", ok=True)
    assert [n["text"] for n in json.loads(qi("note list --json").stdout)] == ["Easter"]


def test_note_errors(qi, project):
    assert "No measure 'nope'" in qi("note add nope today x").stderr
    r = qi("note add dna 30/02/2018 x")
    assert r.exit_code == 2 and "not a real date" in r.stderr
    r = qi(["note", "add", "dna", "today", "  "])
    assert r.exit_code == 1 and "cannot be empty" in r.stderr
    r = qi("note remove 99 --yes")
    assert r.exit_code == 1 and "No note 99" in r.stderr


def test_meetings(qi, project):
    qi("meeting add 2018-03-01 'Learning session 1' --programme-wide", ok=True)
    qi("meeting add 2018-04-20 'North huddle' --team north", ok=True)
    qi("meeting add 2018-04-25 'West huddle' --team west", ok=True)
    all_ = json.loads(qi("meeting list --json", ok=True).stdout)
    assert [(m["date"], m["team"]) for m in all_] == [
        ("2018-03-01", None), ("2018-04-20", "north"), ("2018-04-25", "west")]
    north = json.loads(qi("meeting list --team north --json", ok=True).stdout)
    assert [m["title"] for m in north] == ["Learning session 1", "North huddle"]
    r = qi("meeting add 2018-05-01 X --programme-wide --team north")
    assert r.exit_code == 2
    qi("meeting remove 1 --yes", ok=True)
    assert len(json.loads(qi("meeting list --json").stdout)) == 2


def test_last_meeting_before(session, qi, project):
    from datetime import date

    from qi.services import meetings

    qi("meeting add 2018-03-01 'Session 1'", ok=True)
    qi("meeting add 2018-04-20 'North huddle' --team north", ok=True)
    with session(write=False) as s:
        assert meetings.last_before(s, date(2018, 4, 19), team="north").title == "Session 1"
        assert meetings.last_before(s, date(2018, 4, 20), team="north").title == "North huddle"
        assert meetings.last_before(s, date(2018, 4, 30), team="west").title == "Session 1"
        assert meetings.last_before(s, date(2018, 1, 1)) is None


def test_team_with_meetings_needs_force(qi, project):
    qi("meeting add 2018-04-25 'West huddle' --team west", ok=True)
    r = qi("team remove west --yes")
    assert r.exit_code == 1 and "1 meeting" in r.stderr
    qi("team remove west --force --yes", ok=True)
    assert json.loads(qi("meeting list --json").stdout) == []


def test_rebase_at_date_and_cycle(qi, project):
    qi("cycle new dna-rate 'SMS' --no-edit", ok=True)
    r = qi("measure rebase dna --at dna-rate#1 --reason 'SMS adopted'")
    assert r.exit_code == 1 and "has not started yet" in r.stderr
    qi("cycle do dna-rate#1 --on 2018-04-09", ok=True)
    phase = json.loads(qi("measure rebase dna --at '#1' --reason 'SMS adopted' --by 'Ann Lee' "
                          "--json", ok=True).stdout)
    assert (phase["starts_on"], phase["cycle"], phase["reason"], phase["created_by"]) == (
        "2018-04-09", "dna-rate#1", "SMS adopted", "Ann Lee")
    qi("measure rebase dna --at 01/07/2018 --reason 'New system'", ok=True)
    r = qi("measure rebase dna --at 2018-07-01 --reason again")
    assert r.exit_code == 1 and "already has a phase starting on 2018-07-01" in r.stderr
    listed = json.loads(qi("measure phases dna --json", ok=True).stdout)
    assert [p["starts_on"] for p in listed] == ["2018-04-09", "2018-07-01"]
    qi("measure unrebase dna --at 2018-07-01 --yes", ok=True)
    assert len(json.loads(qi("measure phases dna --json").stdout)) == 1
    r = qi("measure unrebase dna --at 2018-07-01 --yes")
    assert r.exit_code == 1 and "no phase starting on 2018-07-01" in r.stderr


def test_baseline_until(qi, project):
    m = json.loads(qi("measure edit dna --baseline-until 08/04/2018 --json", ok=True).stdout)
    assert m["baseline_until"] == "2018-04-08"
    m = json.loads(qi("measure edit dna --no-baseline --json", ok=True).stdout)
    assert m["baseline_until"] is None
    assert qi("measure edit dna --no-baseline --baseline-until 2018-01-01").exit_code == 2


def test_measure_with_notes_or_phases_needs_force(qi, project):
    qi("note add dna 2018-05-01 'Closed'", ok=True)
    r = qi("measure remove dna --yes")
    assert r.exit_code == 1 and "1 note" in r.stderr
    qi("measure remove dna --force --yes", ok=True)
    assert json.loads(qi("note list --json").stdout) == []


def test_note_by_someone_unknown_or_ambiguous_adds_nothing(qi, project):
    r = qi("note add dna today 'Closed' --by Bob")
    assert r.exit_code == 1 and "No member 'Bob'. Members: Ann Lee" in r.stderr
    qi("member add 'Ann Lee' --role GP --team west", ok=True)
    r = qi("note add dna today 'Closed' --by 'ann lee'")
    assert r.exit_code == 1 and "2 members are called 'ann lee': id 1 (nurse), id 2 (GP)" \
        in r.stderr
    assert json.loads(qi("note list --json").stdout) == []
    note = json.loads(qi("note add dna 2018-05-01 'Closed' --by 2 --json", ok=True).stdout)
    assert note["created_by"] == "Ann Lee" and note["created_at"].endswith("Z")
