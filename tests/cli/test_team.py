import json


def test_add_derives_slug_and_lists(qi):
    r = qi('team add "North Barnet" --area North --note "Practices north of the A406"', ok=True)
    assert r.stdout == ""
    assert "Added team 'north-barnet'" in r.stderr
    listed = json.loads(qi("team list --json", ok=True).stdout)
    assert [(t["slug"], t["name"], t["area"]) for t in listed] == [
        ("north-barnet", "North Barnet", "North")
    ]
    assert listed[0]["note"] == "Practices north of the A406"


def test_add_json_has_option_field_names(qi):
    data = json.loads(qi("team add West --slug west-team --json", ok=True).stdout)
    assert {"id", "slug", "name", "area", "note", "members", "projects"} <= data.keys()
    assert data["slug"] == "west-team"


def test_duplicate_slug_is_refused_and_nothing_changes(qi):
    qi("team add North", ok=True)
    r = qi('team add "north"')
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr.startswith("Error: A team with the slug 'north' already exists.")
    assert "Traceback" not in r.stderr
    assert len(json.loads(qi("team list --json").stdout)) == 1


def test_bad_slug_is_refused(qi):
    r = qi("team add North --slug 'Not A Slug'")
    assert r.exit_code == 1
    assert "not a valid team slug" in r.stderr


def test_empty_name_is_refused(qi):
    r = qi(["team", "add", "   "])
    assert r.exit_code == 1
    assert "cannot be empty" in r.stderr


def test_show_lists_members_and_projects(qi):
    qi("team add North", ok=True)
    qi("member add 'Dr Ann Lee' --role GP --team north", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim 'Fewer DNAs'", ok=True)
    data = json.loads(qi("team show north --json", ok=True).stdout)
    assert data["members"] == ["Dr Ann Lee"]
    assert data["projects"] == ["dna-rate"]
    text = qi("team show north", ok=True).stdout
    assert "Dr Ann Lee" in text and "dna-rate" in text


def test_unknown_team_says_what_exists(qi):
    qi("team add North", ok=True)
    qi("team add South", ok=True)
    r = qi("team show west")
    assert r.exit_code == 1
    assert r.stderr.strip() == (
        "Error: No team 'west'. Teams: north, south. Run 'qi team list'."
    )


def test_edit_changes_fields_and_clears_with_empty_string(qi):
    qi("team add North --area N", ok=True)
    qi("team edit north --name 'North Cluster' --slug north-cluster --area ''", ok=True)
    data = json.loads(qi("team show north-cluster --json", ok=True).stdout)
    assert data["name"] == "North Cluster"
    assert data["area"] is None


def test_list_filters_by_area(qi):
    qi("team add North --area North", ok=True)
    qi("team add South --area South", ok=True)
    listed = json.loads(qi("team list --area north --json", ok=True).stdout)
    assert [t["slug"] for t in listed] == ["north"]


def test_remove_with_children_needs_force(qi):
    qi("team add North", ok=True)
    qi("project add p1 --title P --team north --aim A", ok=True)
    qi("measure add m1 --project p1 --name M --kind outcome", ok=True)
    r = qi("team remove north --yes")
    assert r.exit_code == 1
    assert "has 1 project" in r.stderr and "--force" in r.stderr
    assert json.loads(qi("project list --json").stdout)[0]["slug"] == "p1"
    qi("team remove north --force --yes", ok=True)
    assert json.loads(qi("team list --json").stdout) == []
    assert json.loads(qi("project list --json").stdout) == []
    assert json.loads(qi("measure list --json").stdout) == []


def test_remove_asks_and_a_no_changes_nothing(qi):
    qi("team add North", ok=True)
    r = qi("team remove north", input="n\n")
    assert r.exit_code == 1
    assert "nothing was changed" in r.stderr
    assert len(json.loads(qi("team list --json").stdout)) == 1
    qi("team remove north", input="y\n", ok=True)
    assert json.loads(qi("team list --json").stdout) == []


def test_remove_keeps_members(qi):
    qi("team add North", ok=True)
    qi("member add Ann --role nurse --team north", ok=True)
    qi("team remove north --force --yes", ok=True)
    members = json.loads(qi("member list --json").stdout)
    assert [(m["name"], m["teams"]) for m in members] == [("Ann", [])]


def test_empty_list_says_how_to_start(qi):
    r = qi("team list", ok=True)
    assert r.stdout == ""
    assert "qi team add" in r.stderr
