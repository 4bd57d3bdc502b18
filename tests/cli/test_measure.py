import json

import pytest


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    return "dna-rate"


def test_add_with_every_field(qi, project):
    r = qi("measure add dna --project dna-rate --name 'DNA rate' --kind outcome --unit % "
           "--direction down --target 5 --definition 'DNAs / booked nurse appointments per "
           "week, from EMIS' --chart p --json", ok=True)
    data = json.loads(r.stdout)
    assert data == {**data, "slug": "dna", "project": "dna-rate", "name": "DNA rate",
                    "kind": "outcome", "unit": "%", "direction": "down", "target": 5.0,
                    "chart": "p", "denominator": True}
    assert data["definition"].startswith("DNAs / booked")


def test_defaults(qi, project):
    data = json.loads(qi("measure add calls --project dna-rate --name Calls --kind balancing "
                         "--json", ok=True).stdout)
    assert (data["chart"], data["direction"], data["denominator"], data["target"]) == (
        "run", "neither", False, None)


def test_p_chart_without_denominator_is_refused(qi, project):
    r = qi("measure add x --project dna-rate --name X --kind outcome --chart p "
           "--no-denominator")
    assert r.exit_code == 1
    assert "has no denominator" in r.stderr


def test_bad_kind_is_a_usage_error(qi, project):
    r = qi("measure add x --project dna-rate --name X --kind result")
    assert r.exit_code == 2
    assert "--kind" in r.stderr


def test_addressing_by_slug_and_project_slug(qi, project):
    qi("project add flu --title Flu --team north --aim A", ok=True)
    qi("measure add uptake --project dna-rate --name U1 --kind outcome", ok=True)
    qi("measure add uptake --project flu --name U2 --kind outcome", ok=True)
    qi("measure add calls --project flu --name Calls --kind balancing", ok=True)
    r = qi("measure show uptake")
    assert r.exit_code == 1
    assert "dna-rate/uptake, flu/uptake" in r.stderr and "PROJECT/SLUG" in r.stderr
    assert json.loads(qi("measure show flu/uptake --json", ok=True).stdout)["name"] == "U2"
    assert json.loads(qi("measure show calls --json", ok=True).stdout)["project"] == "flu"
    r = qi("measure show flu/nope")
    assert r.exit_code == 1 and "No measure 'flu/nope'" in r.stderr


def test_duplicate_in_project_refused(qi, project):
    qi("measure add m --project dna-rate --name M --kind outcome", ok=True)
    r = qi("measure add m --project dna-rate --name M --kind outcome")
    assert r.exit_code == 1 and "already has a measure 'm'" in r.stderr


def test_edit_and_clear_target(qi, project):
    qi("measure add m --project dna-rate --name M --kind outcome --target 3", ok=True)
    data = json.loads(qi("measure edit m --name 'New name' --direction up --chart i --json",
                         ok=True).stdout)
    assert (data["name"], data["direction"], data["chart"], data["target"]) == (
        "New name", "up", "i", 3.0)
    data = json.loads(qi("measure edit m --no-target --json", ok=True).stdout)
    assert data["target"] is None
    r = qi("measure edit m --target 4 --no-target")
    assert r.exit_code == 2


def test_non_finite_target_refused(qi, project):
    r = qi("measure add m --project dna-rate --name M --kind outcome --target nan")
    assert r.exit_code == 1 and "finite" in r.stderr


def test_list_and_remove(qi, project):
    qi("measure add a --project dna-rate --name A --kind outcome", ok=True)
    qi("measure add b --project dna-rate --name B --kind process", ok=True)
    listed = json.loads(qi("measure list --project dna-rate --json", ok=True).stdout)
    assert [m["slug"] for m in listed] == ["a", "b"]
    qi("measure remove a --yes", ok=True)
    listed = json.loads(qi("measure list --json", ok=True).stdout)
    assert [m["slug"] for m in listed] == ["b"]


@pytest.mark.parametrize("chart", ["xbar", "s"])
def test_subgroup_charts_are_refused_with_the_reason(qi, project, chart):
    r = qi(f"measure add wait --project dna-rate --name Wait --kind process --chart {chart}")
    assert r.exit_code == 1 and r.stdout == ""
    assert f"qi cannot keep an {chart} chart measure" in r.stderr
    assert "patient-level" in r.stderr and f"qi analyze FILE --chart {chart}" in r.stderr
    assert "Traceback" not in r.stderr
    assert json.loads(qi("measure list --json", ok=True).stdout) == []
    qi("measure add wait --project dna-rate --name Wait --kind process --chart i", ok=True)
    r = qi(f"measure edit wait --chart {chart}")
    assert r.exit_code == 1 and "patient-level" in r.stderr
    assert json.loads(qi("measure show wait --json", ok=True).stdout)["chart"] == "i"
