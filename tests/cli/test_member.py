import json


def test_member_in_several_teams(qi):
    qi("team add North", ok=True)
    qi("team add West", ok=True)
    r = qi("member add 'Sam Jones' --role 'practice manager' --team north --team west "
           "--email sam@example.org --json", ok=True)
    data = json.loads(r.stdout)
    assert data["name"] == "Sam Jones"
    assert data["role"] == "practice manager"
    assert data["teams"] == ["north", "west"]
    assert data["email"] == "sam@example.org"


def test_list_by_team_and_show_by_name(qi):
    qi("team add North", ok=True)
    qi("member add Ann --role GP --team north", ok=True)
    qi("member add Bob --role pharmacist", ok=True)
    listed = json.loads(qi("member list --team north --json", ok=True).stdout)
    assert [m["name"] for m in listed] == ["Ann"]
    assert json.loads(qi("member show bob --json", ok=True).stdout)["role"] == "pharmacist"


def test_edit_joins_and_leaves_teams(qi):
    qi("team add North", ok=True)
    qi("team add West", ok=True)
    qi("member add Ann --role nurse --team north", ok=True)
    data = json.loads(qi("member edit Ann --add-team west --remove-team north --role "
                         "'nurse practitioner' --json", ok=True).stdout)
    assert data["teams"] == ["west"]
    assert data["role"] == "nurse practitioner"


def test_leaving_a_team_not_joined_is_an_error(qi):
    qi("team add North", ok=True)
    qi("member add Ann --role nurse", ok=True)
    r = qi("member edit Ann --remove-team north")
    assert r.exit_code == 1
    assert "Ann is not in team 'north'" in r.stderr


def test_unknown_team_changes_nothing(qi):
    r = qi("member add Ann --role GP --team nowhere")
    assert r.exit_code == 1
    assert "No team 'nowhere'" in r.stderr
    assert json.loads(qi("member list --json").stdout) == []


def test_same_name_twice_needs_an_id(qi):
    qi("member add Ann --role GP", ok=True)
    qi("member add Ann --role nurse", ok=True)
    r = qi("member show Ann")
    assert r.exit_code == 1
    assert "2 members are called 'Ann'" in r.stderr
    assert json.loads(qi("member show 2 --json", ok=True).stdout)["role"] == "nurse"


def test_bad_email_and_missing_role(qi):
    r = qi("member add Ann --role GP --email not-an-email")
    assert r.exit_code == 1 and "not an email address" in r.stderr
    r = qi("member add Ann")
    assert r.exit_code == 2
    assert "--role" in r.stderr


def test_remove_confirms(qi):
    qi("member add Ann --role GP", ok=True)
    r = qi("member remove Ann")  # no answer on stdin
    assert r.exit_code == 1 and "--yes" in r.stderr
    qi("member remove Ann --yes", ok=True)
    assert json.loads(qi("member list --json").stdout) == []
