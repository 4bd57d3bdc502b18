import json
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from qi.cli._editor import parse, template


@pytest.fixture
def project(qi):
    qi("team add North", ok=True)
    qi("member add 'Ann Lee' --role nurse --team north", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add dna --project dna-rate --name DNA --kind outcome --chart p", ok=True)
    qi("measure add calls --project dna-rate --name Calls --kind balancing", ok=True)
    qi("idea add dna-rate 'SMS reminders'", ok=True)
    return "dna-rate"


def cycle(qi, ref):
    return json.loads(qi(f"cycle show {ref} --json", ok=True).stdout)


def test_the_whole_lifecycle(qi, project):
    r = qi("cycle new dna-rate 'SMS for one nurse' --idea 'sms reminders' --purpose test "
           "--objective 'Do SMS reduce DNAs?' --questions 'Will patients reply?' "
           "--predict 'DNAs halve' --plan 'Ann, w/c 9 April, nurse clinic' "
           "--data-plan 'Weekly DNA count' --measure dna --measure calls "
           "--planned-start 09/04/2018 --by 'Ann Lee' --no-edit --json", ok=True)
    c = json.loads(r.stdout)
    assert (c["ref"], c["number"], c["project"], c["stage"]) == ("dna-rate#1", 1, "dna-rate",
                                                                 "plan")
    assert (c["idea"], c["idea_title"]) == (1, "SMS reminders")
    assert c["measures"] == ["calls", "dna"]
    assert c["planned_start"] == "2018-04-09"
    assert c["predictions"] == "DNAs halve" and c["logged_by"] == "Ann Lee"

    qi("cycle do dna-rate#1 --on 2018-04-09 --notes 'Sent 40' --problems 'Old numbers'",
       ok=True)
    assert cycle(qi, "dna-rate#1")["stage"] == "do"
    qi("cycle study dna-rate#1 --results '2/40 vs 5/40' --learning 'It works'", ok=True)
    assert cycle(qi, "dna-rate#1")["stage"] == "study"
    qi("cycle act dna-rate#1 --decision adapt --next 'All nurses' --completed 16/04/2018",
       ok=True)
    c = cycle(qi, "dna-rate#1")
    assert (c["stage"], c["decision"], c["completed_on"], c["started_on"]) == (
        "complete", "adapt", "2018-04-16", "2018-04-09")
    assert (c["notes"], c["problems"], c["results"], c["learning"], c["next_steps"]) == (
        "Sent 40", "Old numbers", "2/40 vs 5/40", "It works", "All nurses")


def test_steps_out_of_order_say_what_is_missing(qi, project):
    qi("cycle new dna-rate First --no-edit", ok=True)
    r = qi("cycle study dna-rate#1 --results x")
    assert r.exit_code == 1
    assert r.stderr.strip() == ("Error: dna-rate#1 has not been started: run 'qi cycle do "
                                "dna-rate#1 --on DATE' first.")
    r = qi("cycle act dna-rate#1 --decision adopt")
    assert r.exit_code == 1 and "has not been started" in r.stderr
    qi("cycle do dna-rate#1 --on 2018-04-09", ok=True)
    r = qi("cycle act dna-rate#1 --decision adopt")
    assert r.exit_code == 1 and "has not been studied" in r.stderr
    r = qi("cycle study dna-rate#1")
    assert r.exit_code == 1 and "--results" in r.stderr
    assert cycle(qi, "dna-rate#1")["stage"] == "do"


def test_completion_before_start_is_refused(qi, project):
    qi("cycle new dna-rate First --no-edit", ok=True)
    qi("cycle do dna-rate#1 --on 2018-04-09", ok=True)
    qi("cycle study dna-rate#1 --learning L", ok=True)
    r = qi("cycle act dna-rate#1 --decision adopt --completed 2018-04-01")
    assert r.exit_code == 1 and "before it started" in r.stderr
    assert cycle(qi, "dna-rate#1")["decision"] is None


def test_do_defaults_to_today_and_accepts_yesterday(qi, project):
    qi("cycle new dna-rate First --no-edit", ok=True)
    qi("cycle do dna-rate#1", ok=True)
    assert cycle(qi, "dna-rate#1")["started_on"] == date.today().isoformat()
    qi("cycle do dna-rate#1 --on yesterday", ok=True)  # earlier stages stay editable
    assert cycle(qi, "dna-rate#1")["started_on"] < date.today().isoformat()


def test_act_then_new_starts_the_ramp(qi, project):
    qi("cycle new dna-rate 'One nurse' --idea 1 --predict 'Halve' --plan P --measure dna "
       "--objective O --questions Q --data-plan D --purpose develop --by 'Ann Lee' --no-edit",
       ok=True)
    qi("cycle do dna-rate#1 --on 2018-04-09", ok=True)
    qi("cycle study dna-rate#1 --learning L", ok=True)
    r = qi("cycle act dna-rate#1 --decision adapt --next 'Try it with every nurse' "
           "--then-new 'All nurses' --json", ok=True)
    data = json.loads(r.stdout)
    assert data["completed"]["stage"] == "complete"
    nxt = data["next"]
    assert (nxt["ref"], nxt["title"], nxt["builds_on"], nxt["stage"]) == (
        "dna-rate#2", "All nurses", "dna-rate#1", "plan")
    # The idea, measures, purpose and owner carry over; the decision is its objective ...
    assert (nxt["idea"], nxt["measures"], nxt["purpose"], nxt["logged_by"],
            nxt["objective"]) == (1, ["dna"], "develop", "Ann Lee", "Try it with every nurse")
    # ... and no prediction or plan is put in the next cycle's mouth.
    assert (nxt["predictions"], nxt["plan"], nxt["questions"], nxt["data_plan"]) == (
        None, None, None, None)
    report = qi("report dna-rate --format json", ok=True).stdout
    [second] = [c for c in json.loads(report)["open_cycles"] if c["ref"] == "dna-rate#2"]
    assert second["predictions"] is None


def test_numbers_are_per_project_and_builds_on(qi, project):
    qi("project add flu --title Flu --team north --aim A", ok=True)
    qi("cycle new dna-rate A --no-edit", ok=True)
    qi("cycle new dna-rate B --builds-on 1 --no-edit", ok=True)
    qi("cycle new flu C --no-edit", ok=True)
    refs = [c["ref"] for c in json.loads(qi("cycle list --json").stdout)]
    assert refs == ["dna-rate#1", "dna-rate#2", "flu#1"]
    assert cycle(qi, "dna-rate#2")["builds_on"] == "dna-rate#1"
    r = qi("cycle new dna-rate D --builds-on 9 --no-edit")
    assert r.exit_code == 1 and "no cycle #9" in r.stderr


def test_bad_references(qi, project):
    qi("cycle new dna-rate A --no-edit", ok=True)
    for ref, message in [("dna-rate#7", "Project 'dna-rate' has no cycle #7. Its cycles: #1"),
                         ("nope#1", "No project 'nope'"), ("dna-rate#x", "PROJECT#NUMBER"),
                         ("banana", "No cycle 'banana'")]:
        r = qi(["cycle", "show", ref])
        assert r.exit_code == 1 and message in r.stderr, (ref, r.stderr)
    for options, message in [("--idea 99", "No idea '99'"), ("--measure nope", "No measure"),
                             ("--by Nobody", "No member 'Nobody'")]:
        r = qi(f"cycle new dna-rate X --no-edit {options}")
        assert r.exit_code == 1 and message in r.stderr, (options, r.stderr)
    r = qi(["cycle", "new", "dna-rate", "  ", "--no-edit"])
    assert r.exit_code == 1 and "cannot be empty" in r.stderr
    assert len(json.loads(qi("cycle list --json").stdout)) == 1


def test_measure_of_another_project_is_refused(qi, project):
    qi("project add flu --title Flu --team north --aim A", ok=True)
    qi("measure add uptake --project flu --name U --kind outcome", ok=True)
    r = qi("cycle new dna-rate X --measure flu/uptake --no-edit")
    assert r.exit_code == 1 and "belongs to project 'flu'" in r.stderr


def test_list_filters(qi, project):
    qi("cycle new dna-rate A --no-edit", ok=True)
    qi("cycle new dna-rate B --no-edit --planned-start 2030-01-01", ok=True)
    qi("cycle do dna-rate#1 --on 2018-01-01", ok=True)
    assert [c["ref"] for c in json.loads(qi("cycle list dna-rate --stage do --json").stdout)] \
        == ["dna-rate#1"]
    since = json.loads(qi("cycle list --since 2029-12-01 --json", ok=True).stdout)
    assert [c["ref"] for c in since] == ["dna-rate#2"]
    assert qi("cycle list --stage nonsense").exit_code == 2
    assert "dna-rate#1" in qi("cycle list", ok=True).stdout


def test_edit_any_field_at_any_stage(qi, project):
    qi("cycle new dna-rate A --predict P --no-edit", ok=True)
    c = json.loads(qi("cycle edit dna-rate#1 --title B --predict '' --results R "
                      "--measure calls --purpose implement --json", ok=True).stdout)
    assert (c["title"], c["predictions"], c["results"], c["measures"], c["purpose"]) == (
        "B", None, "R", ["calls"], "implement")
    r = qi("cycle edit dna-rate#1 --builds-on 1")
    assert r.exit_code == 1 and "cannot build on itself" in r.stderr


def test_show_prints_the_worksheet(qi, project):
    qi("cycle new dna-rate 'One nurse' --predict 'Halve DNAs' --no-edit", ok=True)
    r = qi("cycle show dna-rate#1", ok=True)
    for text in ("dna-rate#1", "One nurse", "stage: plan", "PLAN", "DO", "STUDY", "ACT",
                 "Halve DNAs"):
        assert text in r.stdout
    assert "qi cycle do dna-rate#1" in r.stderr


def test_remove_confirms_and_needs_force_when_built_on(qi, project):
    qi("cycle new dna-rate A --no-edit", ok=True)
    qi("cycle new dna-rate B --builds-on 1 --no-edit", ok=True)
    r = qi("cycle remove dna-rate#1 --yes")
    assert r.exit_code == 1 and "dna-rate#2" in r.stderr
    r = qi("cycle remove dna-rate#2", input="n\n")
    assert r.exit_code == 1
    qi("cycle remove dna-rate#1 --force --yes", ok=True)
    assert cycle(qi, "dna-rate#2")["builds_on"] is None


def test_team_remove_force_takes_cycles_and_ideas(qi, project):
    qi("cycle new dna-rate A --idea 1 --measure dna --no-edit", ok=True)
    qi("team remove north --force --yes", ok=True)
    assert json.loads(qi("cycle list --json").stdout) == []
    assert json.loads(qi("idea list --json").stdout) == []


# --- writing the plan in $EDITOR -------------------------------------------------------


def test_template_round_trip():
    text = template("T", "dna-rate", {"objective": None, "predictions": "Halve"})
    assert "[objective]" in text and "[predictions]" in text and "[plan]" not in text
    filled = text.replace("[objective]\n", "[objective]\nFind out\n\nmore\n")
    assert parse(filled) == {"objective": "Find out\n\nmore", "predictions": "Halve"}


def _editor(tmp_path, body: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_editor_fills_missing_plan_fields(qi, project, tmp_path, monkeypatch):
    editor = _editor(tmp_path, 'python3 - "$1" <<\'EOF\'\nimport sys\np=sys.argv[1]\n'
                     't=open(p).read().replace("[plan]\\n", "[plan]\\nAnn, Monday clinic\\n")\n'
                     'open(p,"w").write(t)\nEOF\n')
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.setenv("VISUAL", editor)
    qi("cycle new dna-rate A --predict 'Halve' --edit", ok=True)
    c = cycle(qi, "dna-rate#1")
    assert (c["plan"], c["predictions"], c["objective"]) == ("Ann, Monday clinic", "Halve",
                                                             None)


def test_editor_left_unchanged_saves_nothing(qi, project, tmp_path, monkeypatch):
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "exit 0\n"))
    monkeypatch.setenv("VISUAL", _editor(tmp_path, "exit 0\n"))
    r = qi("cycle new dna-rate A --edit")
    assert r.exit_code == 1 and "left unchanged, so nothing was saved" in r.stderr
    assert json.loads(qi("cycle list --json").stdout) == []


def test_editor_failing_saves_nothing(qi, project, tmp_path, monkeypatch):
    editor = _editor(tmp_path, "echo broken >> \"$1\"; exit 3\n")
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.setenv("VISUAL", editor)
    r = qi("cycle new dna-rate A --edit")
    assert r.exit_code == 1 and "The editor failed" in r.stderr
    assert json.loads(qi("cycle list --json").stdout) == []


WRITER = (
    "import sys\nfrom qi.cli import app\n"
    "for i in range(int(sys.argv[1])):\n"
    "    try:\n"
    "        app(['cycle', 'new', 'dna-rate', f'w{i}', '--no-edit'], prog_name='qi')\n"
    "    except SystemExit as exc:\n"
    "        if exc.code: raise\n"
)


@pytest.mark.slow
def test_concurrent_cycle_numbers_are_unique(qi, project, backend):
    env = {**os.environ, "QI_DB": backend}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, "8"], env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    numbers = [c["number"] for c in json.loads(qi("cycle list dna-rate --json").stdout)]
    assert numbers == list(range(1, 33))


def test_edit_in_editor_changes_the_worksheet(qi, project, tmp_path, monkeypatch):
    qi("cycle new dna-rate A --predict 'Halve' --no-edit", ok=True)
    editor = _editor(tmp_path, 'python3 - "$1" <<\'EOF\'\nimport sys\np=sys.argv[1]\n'
                     't=open(p).read().replace("[results]\\n", "[results]\\n2 in 40\\n")\n'
                     't=t.replace("Halve", "Halve DNAs")\n'
                     'open(p,"w").write(t)\nEOF\n')
    monkeypatch.setenv("VISUAL", editor)
    qi("cycle edit dna-rate#1 --edit", ok=True)
    c = cycle(qi, "dna-rate#1")
    assert (c["title"], c["predictions"], c["results"]) == ("A", "Halve DNAs", "2 in 40")


@pytest.mark.slow
def test_edit_in_editor_refuses_when_someone_else_changed_it(qi, project, tmp_path,
                                                              monkeypatch):
    qi("cycle new dna-rate A --no-edit", ok=True)
    # While "you" are in the editor, a colleague records the Do from another terminal.
    editor = _editor(tmp_path, f'{sys.executable} -m qi cycle do dna-rate#1 --on 2018-04-09 '
                     '--notes "Colleague" >/dev/null 2>&1\n'
                     'echo "[learning]" >> "$1"; echo "Mine" >> "$1"\n')
    monkeypatch.setenv("VISUAL", editor)
    r = qi("cycle edit dna-rate#1 --edit")
    assert r.exit_code == 1
    assert "was changed by someone else while you were editing it" in r.stderr
    kept = r.stderr.split("Your text is kept in ")[1].split(";")[0]
    assert "Mine" in Path(kept).read_text()
    os.unlink(kept)
    c = cycle(qi, "dna-rate#1")
    assert (c["notes"], c["learning"]) == ("Colleague", None)
