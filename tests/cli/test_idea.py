import json

import pytest


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim 'Reduce DNAs from 8% to 5%'",
       ok=True)
    return "dna-rate"


def test_add_list_show(qi, project):
    data = json.loads(qi("idea add dna-rate 'SMS reminders' --description 'Text patients' "
                         "--primary-driver 'Patients remember' --secondary-driver Reminders "
                         "--json", ok=True).stdout)
    assert data == {**data, "id": 1, "project": "dna-rate", "title": "SMS reminders",
                    "description": "Text patients", "primary_driver": "Patients remember",
                    "secondary_driver": "Reminders", "cycles": []}
    listed = json.loads(qi("idea list dna-rate --json", ok=True).stdout)
    assert [i["title"] for i in listed] == ["SMS reminders"]
    assert "SMS reminders" in qi("idea show 1", ok=True).stdout


def test_secondary_driver_needs_a_primary(qi, project):
    r = qi("idea add dna-rate X --secondary-driver Reminders")
    assert r.exit_code == 1 and "--primary-driver" in r.stderr
    assert json.loads(qi("idea list --json").stdout) == []


def test_unknown_idea_and_project(qi, project):
    r = qi("idea show 42")
    assert r.exit_code == 1 and "No idea '42'" in r.stderr
    r = qi("idea add nope X")
    assert r.exit_code == 1 and "No project 'nope'" in r.stderr


def test_edit_moves_idea_in_the_diagram(qi, project):
    qi("idea add dna-rate X --primary-driver A --secondary-driver B", ok=True)
    data = json.loads(qi("idea edit 1 --secondary-driver '' --primary-driver C --json",
                         ok=True).stdout)
    assert (data["primary_driver"], data["secondary_driver"]) == ("C", None)


def test_remove_idea_tested_by_cycles_needs_force(qi, project):
    qi("idea add dna-rate SMS", ok=True)
    qi("cycle new dna-rate 'Try SMS' --idea SMS --no-edit", ok=True)
    r = qi("idea remove 1 --yes")
    assert r.exit_code == 1 and "dna-rate#1" in r.stderr and "--force" in r.stderr
    qi("idea remove 1 --force --yes", ok=True)
    cycle = json.loads(qi("cycle show dna-rate#1 --json", ok=True).stdout)
    assert cycle["idea"] is None


def test_driver_diagram_tree_json_and_mermaid(qi, project):
    qi("idea add dna-rate 'SMS reminders' --primary-driver 'Patients remember' "
       "--secondary-driver Reminders", ok=True)
    qi("idea add dna-rate 'Cancellation line' --primary-driver 'Patients remember'", ok=True)
    qi("idea add dna-rate 'Overbook <10% & \"see\"'", ok=True)
    qi("cycle new dna-rate 'One nurse' --idea 1 --no-edit", ok=True)
    diagram = json.loads(qi("project show dna-rate --drivers --json", ok=True).stdout)
    assert diagram["aim"] == "Reduce DNAs from 8% to 5%"
    [primary] = diagram["primary_drivers"]
    assert primary["driver"] == "Patients remember"
    assert primary["secondary_drivers"][0]["ideas"][0]["cycles"] == [
        {"ref": "dna-rate#1", "title": "One nurse", "stage": "plan"}]
    assert [i["title"] for i in primary["ideas"]] == ["Cancellation line"]
    assert [i["title"] for i in diagram["ideas"]] == ['Overbook <10% & "see"']

    tree = qi("project show dna-rate --drivers", ok=True).stdout
    for text in ("Aim", "Patients remember", "Reminders", "SMS reminders", "dna-rate#1",
                 "Cancellation line", 'Overbook <10% & "see"'):
        assert text in tree

    mermaid = qi("project show dna-rate --drivers --format mermaid", ok=True).stdout
    lines = mermaid.splitlines()
    assert lines[0] == "flowchart LR"
    assert "  aim --> p1" in lines and "  p1 --> p1s1" in lines
    assert "  p1s1 --> idea1" in lines and "  p1 --> idea2" in lines
    assert "  aim --> idea3" in lines
    assert 'idea3(["Overbook #lt;10% #amp; #quot;see#quot;"])' in mermaid
    assert "dna-rate#35;1 (plan)" in mermaid


def test_edit_that_changes_nothing_keeps_the_time_and_bad_edits_change_nothing(qi, project):
    first = json.loads(qi("idea add dna-rate SMS --primary-driver A --json", ok=True).stdout)
    same = json.loads(qi("idea edit 1 --title SMS --primary-driver A --json", ok=True).stdout)
    assert same["updated_at"] == first["updated_at"]
    r = qi("idea edit 1 --title Texts --primary-driver ''")  # then no primary, but...
    assert r.exit_code == 0
    r = qi("idea edit 1 --title Again --secondary-driver B")
    assert r.exit_code == 1 and "--primary-driver" in r.stderr
    shown = json.loads(qi("idea show 1 --json", ok=True).stdout)
    assert (shown["title"], shown["primary_driver"], shown["secondary_driver"]) == (
        "Texts", None, None)
    assert shown["updated_at"] > first["updated_at"]


def test_an_idea_is_found_by_title_only_within_its_project(qi, project):
    qi("project add flu --title Flu --team north --aim A", ok=True)
    qi("idea add flu 'Text reminders'", ok=True)
    qi("idea add dna-rate 'Text reminders'", ok=True)
    c = json.loads(qi("cycle new dna-rate Try --idea 'TEXT reminders' --no-edit --json",
                      ok=True).stdout)
    assert (c["idea"], c["idea_title"]) == (2, "Text reminders")
    r = qi("cycle new dna-rate Try --idea 1 --no-edit")
    assert r.exit_code == 1 and "No idea '1' in project 'dna-rate'. Its ideas: 2 (" in r.stderr
