"""One way of naming things across nouns: --project wherever a project is needed, and a
team or member by name as well as by slug or id."""

import json

import pytest


@pytest.fixture
def programme(qi):
    qi(["team", "add", "Hendon Medical Practice", "--slug", "hendon"], ok=True)
    qi(["team", "add", "North Barnet", "--slug", "north"], ok=True)
    qi(["project", "add", "dna-rate", "--title", "DNAs", "--team", "hendon", "--aim", "A"],
       ok=True)
    qi("measure add dna --project dna-rate --name DNA --kind outcome --chart p", ok=True)


def test_project_option_works_like_the_positional_project(qi, programme):
    qi("idea add --project dna-rate 'SMS reminders'", ok=True)
    qi("idea add dna-rate 'Easy cancellation'", ok=True)
    titles = [i["title"] for i in json.loads(qi("idea list --project dna-rate --json",
                                                 ok=True).stdout)]
    assert titles == ["SMS reminders", "Easy cancellation"]
    qi("cycle new 'One nurse' --project dna-rate --no-edit", ok=True)
    qi("cycle new dna-rate 'All nurses' --no-edit", ok=True)
    refs = [c["ref"] for c in json.loads(qi("cycle list --project dna-rate --json",
                                             ok=True).stdout)]
    assert refs == ["dna-rate#1", "dna-rate#2"]
    assert qi("data export --project dna-rate", ok=True).stdout == \
        qi("data export dna-rate", ok=True).stdout
    assert json.loads(qi("export --project dna-rate", ok=True).stdout)["project"]["slug"] == \
        "dna-rate"
    assert json.loads(qi("report --project dna-rate --format json", ok=True).stdout)[
        "project"]["slug"] == "dna-rate"


def test_project_given_twice_or_not_at_all_is_a_usage_error(qi, programme):
    r = qi("idea add flu 'SMS' --project dna-rate")
    assert r.exit_code == 2 and "expected PROJECT TITLE or TITLE --project PROJECT" in r.stderr
    r = qi("cycle list flu --project dna-rate")
    assert r.exit_code == 2 and "the project is given twice" in r.stderr
    r = qi("idea add 'SMS reminders'")
    assert r.exit_code == 2 and "got 1 argument" in r.stderr
    r = qi("data export")
    assert r.exit_code == 2 and "give the project's slug first, or with --project" in r.stderr
    assert json.loads(qi("idea list --json", ok=True).stdout) == []


@pytest.mark.slow
def test_a_team_is_found_by_its_name_ignoring_case(qi, programme):
    qi(["project", "add", "flu", "--title", "Flu", "--team", "hendon medical practice",
        "--aim", "A"], ok=True)
    qi(["member", "add", "Ann", "--role", "GP", "--team", "Hendon Medical Practice"], ok=True)
    qi(["member", "add", "Bob", "--role", "GP", "--team", "NORTH"], ok=True)
    shown = json.loads(qi(["team", "show", "Hendon medical practice", "--json"],
                          ok=True).stdout)
    assert (shown["slug"], shown["members"], shown["projects"]) == (
        "hendon", ["Ann"], ["dna-rate", "flu"])
    listed = json.loads(qi(["project", "list", "--team", "North Barnet", "--json"],
                           ok=True).stdout)
    assert listed == []


def test_an_ambiguous_team_name_lists_the_candidates(qi, programme):
    qi(["team", "add", "Hendon Medical Practice", "--slug", "hendon-2"], ok=True)
    r = qi(["team", "show", "hendon medical practice"])
    assert r.exit_code == 1
    assert r.stderr == ("Error: 2 teams match 'hendon medical practice': hendon (Hendon "
                        "Medical Practice), hendon-2 (Hendon Medical Practice). Give the "
                        "slug.\n")
    assert json.loads(qi("team show hendon-2 --json", ok=True).stdout)["slug"] == "hendon-2"
    assert json.loads(qi("team show HENDON --json", ok=True).stdout)["slug"] == "hendon"
    r = qi(["team", "show", "Hendon Practice"])
    assert r.exit_code == 1 and r.stderr.startswith("Error: No team 'Hendon Practice'. Teams: ")


def test_an_ambiguous_member_name_lists_the_candidates(qi, programme):
    qi("member add 'Sam Lee' --role GP", ok=True)
    qi("member add 'sam lee' --role 'practice manager'", ok=True)
    r = qi(["cycle", "new", "dna-rate", "X", "--by", "SAM LEE", "--no-edit"])
    assert r.exit_code == 1
    assert r.stderr == ("Error: 2 members are called 'SAM LEE': id 1 (GP), id 2 (practice "
                        "manager). Give the id instead.\n")


def test_a_measure_takes_its_project_as_an_option_too(qi, programme):
    qi(["team", "add", "Flu team", "--slug", "flu-team"], ok=True)
    qi(["project", "add", "flu", "--title", "Flu", "--team", "flu-team", "--aim", "A"], ok=True)
    qi("measure add dna --project flu --name 'Flu DNA' --kind outcome --chart p", ok=True)
    r = qi("measure show dna")  # two projects have a 'dna' measure
    assert r.exit_code == 1
    shown = json.loads(qi("measure show dna --project flu --json", ok=True).stdout)
    assert shown["name"] == "Flu DNA"
    qi("data add dna 2025-01-06 --numerator 3 --denominator 40 --project dna-rate", ok=True)
    qi(["note", "add", "dna", "6 Jan 2025", "Snow", "--project", "dna-rate"], ok=True)
    points = json.loads(qi("data list dna --project dna-rate --json", ok=True).stdout)
    assert [(p["date"], p["numerator"]) for p in points] == [("2025-01-06", 3)]
    assert json.loads(qi("data list flu/dna --json", ok=True).stdout) == []
    qi("measure edit dna --project flu --name 'Flu clinic DNAs'", ok=True)
    assert json.loads(qi("measure show flu/dna --json", ok=True).stdout)["name"] == \
        "Flu clinic DNAs"
    r = qi("measure show flu/dna --project dna-rate")
    assert r.exit_code == 2 and "'flu/dna' belongs to project 'flu', not --project" in r.stderr
