import json

import pytest


@pytest.fixture
def team(qi):
    qi("team add North", ok=True)
    return "north"


def test_add_and_show(qi, team):
    qi("project add dna-rate --title 'Reduce DNAs' --team north --aim 'From 8% to 5% by "
       "30 Sep 2018' --start 03/04/2018", ok=True)
    data = json.loads(qi("project show dna-rate --json", ok=True).stdout)
    assert data["slug"] == "dna-rate"
    assert data["title"] == "Reduce DNAs"
    assert data["team"] == "north"
    assert data["aim"] == "From 8% to 5% by 30 Sep 2018"
    assert data["start"] == "2018-04-03"  # UK day-first
    assert data["status"] == "active"
    assert data["closing_note"] is None


def test_unknown_project_lists_projects(qi, team):
    qi("project add dna-rate --title T --team north --aim A", ok=True)
    qi("project add flu-uptake --title T --team north --aim A", ok=True)
    r = qi("project show dna")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "Error: No project 'dna'. Projects: dna-rate, flu-uptake. Run 'qi project list'."
    )


def test_duplicate_and_unknown_team(qi, team):
    qi("project add p --title T --team north --aim A", ok=True)
    r = qi("project add p --title T --team north --aim A")
    assert r.exit_code == 1 and "already exists" in r.stderr
    r = qi("project add q --title T --team south --aim A")
    assert r.exit_code == 1 and "No team 'south'" in r.stderr
    assert [p["slug"] for p in json.loads(qi("project list --json").stdout)] == ["p"]


def test_bad_start_date_is_a_usage_error(qi, team):
    r = qi("project add p --title T --team north --aim A --start 31/02/2018")
    assert r.exit_code == 2
    assert "not a real date" in r.stderr
    r = qi("project add p --title T --team north --aim A --start soon")
    assert r.exit_code == 2
    assert "YYYY-MM-DD" in r.stderr


def test_edit_refines_aim_and_moves_team(qi, team):
    qi("team add South", ok=True)
    qi("project add p --title T --team north --aim 'Reduce DNAs'", ok=True)
    data = json.loads(qi("project edit p --aim 'Reduce DNAs to 5% by March' --team south "
                         "--slug dna --json", ok=True).stdout)
    assert (data["slug"], data["aim"], data["team"]) == ("dna", "Reduce DNAs to 5% by March",
                                                         "south")


def test_close_and_filter_by_status(qi, team):
    qi("project add a --title T --team north --aim A", ok=True)
    qi("project add b --title T --team north --aim A", ok=True)
    qi("project close a --status abandoned --note 'Practice merger'", ok=True)
    data = json.loads(qi("project show a --json").stdout)
    assert (data["status"], data["closing_note"]) == ("abandoned", "Practice merger")
    active = json.loads(qi("project list --status active --json", ok=True).stdout)
    assert [p["slug"] for p in active] == ["b"]


def test_close_as_active_is_refused(qi, team):
    qi("project add a --title T --team north --aim A", ok=True)
    r = qi("project close a --status active")
    assert r.exit_code == 1 and "qi project edit a --status active" in r.stderr


def test_bad_status_is_a_usage_error(qi, team):
    r = qi("project list --status finished")
    assert r.exit_code == 2


def test_list_shows_measure_counts(qi, team):
    qi("project add a --title 'Asthma reviews' --team north --aim A", ok=True)
    qi("measure add m1 --project a --name M1 --kind outcome", ok=True)
    qi("measure add m2 --project a --name M2 --kind process", ok=True)
    assert json.loads(qi("project list --json").stdout)[0]["measures"] == ["m1", "m2"]
    out = qi("project list", ok=True).stdout
    assert "Asthma reviews" in out
