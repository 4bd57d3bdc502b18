"""`qi demo` and examples/demo/: the same programme, built two ways."""

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from qi import demo

pytestmark = pytest.mark.slow  # builds the whole demo programme

EXAMPLES = Path(__file__).parent.parent / "examples" / "demo"

# Stands in for `qi`: appends its arguments, each ended by a unit separator, one call a line.
RECORDER = """#!/bin/sh
log="$1"; shift
printf '%s\\037' "$@" >> "$log"
printf '\\n' >> "$log"
"""


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory) -> Path:
    """One `qi demo` run (with charts) shared by the tests that only look at its results."""
    from conftest import Runner

    target = tmp_path_factory.mktemp("demo") / "programme"
    result = Runner()(["demo", str(target)], ok=True)
    (target / "stdout.txt").write_text(result.stdout)
    (target / "stderr.txt").write_text(result.stderr)
    return target


def _examples_date() -> date:
    """The 'today' examples/demo was written for, from build.sh's header."""
    found = re.search(r"--today (\d{4}-\d{2}-\d{2})", (EXAMPLES / "build.sh").read_text())
    assert found, "build.sh says which date it was written for"
    return date.fromisoformat(found.group(1))


def test_examples_are_what_the_demo_writes_for_their_date(tmp_path):
    # The CSV files and build.sh are generated: regenerating them changes nothing.
    written = demo.write_examples(tmp_path, _examples_date())
    assert sorted(p.name for p in written) == sorted(
        p.name for p in EXAMPLES.iterdir() if p.suffix in (".sh", ".csv"))
    for path in written:
        assert (EXAMPLES / path.name).read_text() == path.read_text(), path.name
    monday = _examples_date() - timedelta(days=_examples_date().weekday())
    last_dates = {line.split(",")[0] for line in
                  (EXAMPLES / "dna-rate.csv").read_text().splitlines()[1:]}
    assert max(last_dates) == monday.isoformat()


def test_the_demo_is_dated_so_its_latest_week_is_this_week():
    for today in (date(2026, 12, 1), date(2030, 6, 9), date(2027, 1, 3)):
        start = demo.start_for(today)
        assert start.weekday() == 0
        last = start + timedelta(weeks=demo.WEEKS - 1)
        assert last <= today < last + timedelta(days=7)
    # the numbers are the same whatever the date
    a = demo.weekly_rows(demo.MEASURES[0], date(2018, 1, 1))
    b = demo.weekly_rows(demo.MEASURES[0], date(2026, 6, 1))
    assert [r[1:] for r in a] == [r[1:] for r in b]


def _snapshot(qi) -> dict:
    """The whole record as the commands show it, without ids and timestamps."""
    def clean(rows):
        for row in rows:
            for key in ("id", "created_at", "updated_at", "idea"):
                row.pop(key, None)
        return rows

    snap = {}
    for cmd in ("team list", "member list", "project list", "measure list", "idea list",
                "cycle list", "meeting list", "note list"):
        snap[cmd] = clean(json.loads(qi(f"{cmd} --json", ok=True).stdout))
    for slug in demo.PROJECT_SLUGS:
        snap[f"data {slug}"] = qi(f"data export {slug}", ok=True).stdout
    return snap


def test_the_shell_script_builds_what_qi_demo_builds(qi_sqlite, tmp_path, monkeypatch):
    # Run the script with a recorder in place of qi (each qi process would take a second),
    # then replay exactly the arguments bash passed, in-process, from the script's folder.
    log = tmp_path / "commands.log"
    recorder = tmp_path / "record.sh"
    recorder.write_text(RECORDER)
    recorder.chmod(0o755)
    subprocess.run(["bash", str(EXAMPLES / "build.sh")], check=True,
                   env={"PATH": "/usr/bin:/bin", "QI": f"{recorder} {log}"})
    commands = [line.split("\x1f")[:-1] for line in log.read_text().splitlines()]
    assert len(commands) > 50
    monkeypatch.chdir(EXAMPLES)
    for argv in commands:
        qi_sqlite(argv, ok=True)
    from_script = _snapshot(qi_sqlite)

    qi_sqlite(["demo", str(tmp_path / "demo"), "--no-charts", "--today",
               _examples_date().isoformat()], ok=True)
    monkeypatch.setenv("QI_DB", str(tmp_path / "demo" / "qi.db"))
    from qi import db as qi_db

    qi_db.dispose_all()
    from_demo = _snapshot(qi_sqlite)
    assert from_demo == from_script


def test_qi_demo_writes_database_and_charts(qi_sqlite, built_demo):
    target = built_demo
    assert f"Database: {target / 'qi.db'}" in (target / "stdout.txt").read_text()
    assert "export QI_DB=" in (target / "stderr.txt").read_text()
    charts = sorted(p.relative_to(target).as_posix() for p in (target / "charts").rglob("*.png"))
    teams = {slug: team for slug, _, team, *_ in demo.projects(date.today())}
    # TEAM/PROJECT/MEASURE.png and the project's grid beside them, as `qi chart
    # --programme` and `qi chart --project P --grid` write them
    grids = sorted({f"charts/{teams[m.project]}/{m.project}/{m.project}-grid.png"
                    for m in demo.MEASURES})
    assert charts == sorted([f"charts/{teams[m.project]}/{m.project}/{m.slug}.png"
                             for m in demo.MEASURES] + grids)
    assert all((target / c).read_bytes().startswith(b"\x89PNG") for c in charts)
    html = (target / "programme-report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") + html.count("<img") >= 7
    assert all(p[1] in html for p in demo.projects(date.today()))  # every project's title
    import pptx  # the programme's session deck: a title, the icon table, then per project

    slides = list(pptx.Presentation(str(target / "programme-session.pptx")).slides)
    pictures = [s for s in slides if any(sh.shape_type == 13 for sh in s.shapes)]
    assert len(pictures) == len(demo.MEASURES)
    before = (target / "qi.db").read_bytes()
    r = qi_sqlite(["demo", str(target)])
    assert r.exit_code == 1 and "already exists" in r.stderr
    assert (target / "qi.db").read_bytes() == before


def test_demo_cycles_form_ramps_and_reach_every_stage(qi_sqlite, built_demo, monkeypatch):
    monkeypatch.setenv("QI_DB", str(built_demo / "qi.db"))
    cycles = json.loads(qi_sqlite("cycle list --json", ok=True).stdout)
    assert {c["stage"] for c in cycles} >= {"complete", "do"}
    assert any(c["builds_on"] for c in cycles)
    assert {c["project"] for c in cycles} == set(demo.PROJECT_SLUGS)


def test_the_demo_dashboard_reads_as_a_programme_running_now(qi_sqlite, built_demo,
                                                               monkeypatch):
    monkeypatch.setenv("QI_DB", str(built_demo / "qi.db"))
    status = json.loads(qi_sqlite("status --json", ok=True).stdout)
    this_monday = (date.today() - timedelta(days=date.today().weekday())).isoformat()
    latest = {m["latest"]["date"] for p in status["projects"] for m in p["measures"]}
    assert latest == {this_monday}
    # three cycles in progress, started in the last five weeks; one not studied in time
    assert status["totals"]["in_progress"] == 3
    overdue = [c for p in status["projects"] for c in p["overdue"]]
    assert [(c["ref"], c["days"]) for c in overdue] == [
        ("asthma-reviews#2", (date.today() - demo.start_for(date.today())
                              - timedelta(weeks=24)).days)]
    assert all(c["days"] < 60 for c in overdue)
