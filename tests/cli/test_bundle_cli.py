"""`qi export` and `qi import-bundle`: files, stdout/stderr, exit codes, error paths."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def project(qi):
    qi("team add North --area N", ok=True)
    qi("member add Ann --role GP --team north", ok=True)
    qi("project add dna --title DNAs --team north --aim Fewer", ok=True)
    qi("measure add calls --project dna --name Calls --kind balancing --chart i", ok=True)
    qi("data add calls 2018-04-02 41 --note Søuth", ok=True)
    qi("idea add dna SMS", ok=True)
    qi("cycle new dna First --idea 1 --measure calls --by Ann --no-edit", ok=True)
    qi("meeting add 2018-03-01 'Learning session 1'", ok=True)
    return "dna"


def _wipe(qi):
    """Leave an empty database of the same backend, as the 'other' database."""
    qi("team remove north --force --yes", ok=True)
    qi("member remove Ann --yes", ok=True)
    qi("meeting remove 1 --yes", ok=True)


@pytest.mark.slow
def test_export_to_stdout_and_to_a_file_agree(qi, project, tmp_path):
    r = qi("export dna", ok=True)
    assert r.stderr == ""
    document = json.loads(r.stdout)
    assert document["format"] == "qi-bundle" and document["project"]["slug"] == "dna"
    assert "Søuth" in r.stdout  # UTF-8 as is
    target = tmp_path / "dna.qi.json"
    r = qi(["export", "dna", "-o", str(target)], ok=True)
    assert r.stdout == ""
    assert r.stderr == (f"Exported project 'dna' to {target}: 1 measure, 1 measurement, "
                        "1 idea, 1 cycle, 1 meeting\n")
    assert target.read_text(encoding="utf-8") == qi("export dna").stdout


def test_export_refuses_to_overwrite_without_force(qi, project, tmp_path):
    target = tmp_path / "dna.qi.json"
    target.write_text("precious")
    r = qi(["export", "dna", "-o", str(target)])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (f"Error: {target} already exists. Add --force to overwrite it, or "
                        "choose another file.\n")
    assert target.read_text() == "precious"
    qi(["export", "dna", "-o", str(target), "--force"], ok=True)
    assert json.loads(target.read_text())["project"]["slug"] == "dna"
    assert not (tmp_path / "dna.qi.json.partial").exists()


def test_export_of_an_unknown_project(qi, project):
    r = qi("export nope")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith("Error: No project 'nope'. Projects: dna.")


@pytest.mark.slow
def test_round_trip_through_the_cli(qi, project, tmp_path):
    target = tmp_path / "dna.qi.json"
    qi(["export", "dna", "-o", str(target)], ok=True)
    _wipe(qi)
    r = qi(["import-bundle", str(target)], ok=True)
    assert r.stdout == ""
    assert r.stderr == ("Imported project 'dna' into new team 'north': 1 measure, "
                        "1 measurement, 0 phases, 0 notes, 1 idea, 1 cycle; 1 member added, "
                        "0 already here; 1 meeting added\n")
    assert qi("export dna").stdout == target.read_text(encoding="utf-8")


def test_import_clash_is_refused_with_the_options(qi, project, tmp_path):
    target = tmp_path / "dna.qi.json"
    qi(["export", "dna", "-o", str(target)], ok=True)
    r = qi(["import-bundle", str(target)])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (
        f"Error: {target} clashes with what is stored (1 clash), so nothing was imported:\n"
        "- a project 'dna' already exists\n"
        "Resolve them with these options of 'qi import-bundle' (add --dry-run to check "
        "first): the project: --project-as NEW-SLUG, or --on-clash rename (imports it as "
        "'dna-2').\n")


@pytest.mark.slow
def test_import_json_summary_and_dry_run(qi, project, tmp_path):
    target = tmp_path / "dna.qi.json"
    qi(["export", "dna", "-o", str(target)], ok=True)
    r = qi(["import-bundle", str(target), "--project-as", "dna-copy", "--dry-run", "--json"],
           ok=True)
    summary = json.loads(r.stdout)
    assert r.stderr == ""
    assert summary == {
        "project": "dna-copy", "team": "north", "team_created": False, "members_added": [],
        "members_reused": ["Ann"], "measures": 1, "measurements": 1, "phases": 0, "notes": 0,
        "ideas": 1, "cycles": 1, "meetings_added": 0, "meetings_existing": 1, "resolved": [],
        "dry_run": True}
    assert json.loads(qi("project list --json").stdout)[0]["slug"] == "dna"
    assert len(json.loads(qi("project list --json").stdout)) == 1
    r = qi(["import-bundle", str(target), "--on-clash", "rename"], ok=True)
    assert r.stderr.splitlines()[0] == ("Resolved: project 'dna' exists, so the bundle's "
                                        "project was imported as 'dna-2'")
    assert "Imported project 'dna-2' into team 'north'" in r.stderr


@pytest.mark.slow
def test_import_from_standard_input(qi, project):
    text = qi("export dna").stdout
    _wipe(qi)
    r = qi(["import-bundle", "-"], input=text, ok=True)
    assert r.stderr.startswith("Imported project 'dna'")


@pytest.mark.parametrize(("content", "message"), [
    (b'{"format": "qi-bundle",', "is not a qi bundle: it is not valid JSON (line 1, column "
                                "24: Expecting property name enclosed in double quotes)"),
    (b"\xff\xfe{}", "is not a qi bundle: byte 1 is not UTF-8 text"),
    (b'{"format": "csv"}', "is not a qi bundle (it has no \"format\": \"qi-bundle\"). Make "
                           "one with 'qi export PROJECT -o FILE'"),
    (b'{"format": "qi-bundle", "version": 1, "exported_by": "me"}',
     "is not a valid qi bundle (1 problem), so nothing was imported:\n$: missing 'project', "
     "'team', 'members', 'measures', 'ideas', 'cycles', 'meetings'.\n"),
])
def test_import_of_what_is_not_a_bundle(qi_sqlite, tmp_path, content, message):
    path = tmp_path / "x.qi.json"
    path.write_bytes(content)
    r = qi_sqlite(["import-bundle", str(path)])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith(f"Error: {path} ")
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_import_of_a_missing_file(qi_sqlite, tmp_path):
    r = qi_sqlite(["import-bundle", str(tmp_path / "none.json")])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (f"Error: There is no file {tmp_path / 'none.json'}. Give the path of a "
                        "bundle made with 'qi export PROJECT -o FILE'.\n")


@pytest.mark.parametrize("args", [
    ["--on-clash", "sometimes"],
    ["--project-as", "Not A Slug"],
    ["--team-as", "UPPER"],
])
def test_bad_option_values_exit_2(qi_sqlite, tmp_path, args):
    path = tmp_path / "x.qi.json"
    path.write_text("{}")
    r = qi_sqlite(["import-bundle", str(path), *args])
    assert (r.exit_code, r.stdout) == (2, "")
    assert args[0] in r.stderr and "Traceback" not in r.stderr


def test_commands_have_help(qi_sqlite):
    r = qi_sqlite("export --help", ok=True)
    assert "Export a project as one JSON bundle" in r.stdout and "--force" in r.stdout
    r = qi_sqlite("import-bundle --help", ok=True)
    for option in ("--project-as", "--team-as", "--on-clash", "--dry-run", "--json"):
        assert option in r.stdout
