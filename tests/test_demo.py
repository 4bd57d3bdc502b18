"""`qi demo` and examples/demo/: the same programme, built two ways."""

import json
import subprocess
from pathlib import Path

import pytest

from qi import demo

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


def test_example_csv_files_hold_the_demo_data():
    for slug, *_ in demo.PROJECTS:
        assert (EXAMPLES / f"{slug}.csv").read_text() == demo.project_csv(slug), slug


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
    for slug, *_ in demo.PROJECTS:
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

    qi_sqlite(["demo", str(tmp_path / "demo"), "--no-charts"], ok=True)
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
    grids = sorted({f"charts/{m.project}/{m.project}-grid.png" for m in demo.MEASURES})
    assert charts == sorted([f"charts/{m.project}/{m.slug}.png" for m in demo.MEASURES]
                            + grids)
    assert all((target / c).read_bytes().startswith(b"\x89PNG") for c in charts)
    html = (target / "programme-report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") + html.count("<img") >= 7
    assert all(p[1] in html for p in demo.PROJECTS)  # every project's title
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
    assert {c["project"] for c in cycles} == {p[0] for p in demo.PROJECTS}
