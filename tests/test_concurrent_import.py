"""Concurrent imports: several processes import into one project at the same moment.

Real processes, released together once each has loaded qi: two files for different
measures, two files that both create the same new measure (for different dates), and one
file imported twice at once. On both backends every row must arrive, no process may fail,
and the import records must account for every row exactly once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from qi import db
from qi.config import resolve
from qi.services import projects, teams

pytestmark = pytest.mark.slow  # concurrent importing processes

# Loads everything first, then waits for the go signal, so the imports really overlap.
IMPORTER = """
import sys, time
from pathlib import Path
import pandas, sqlalchemy, typer.main
from qi.cli import app
command = typer.main.get_command(app)
go = Path(sys.argv[1])
while not go.exists():
    time.sleep(0.005)
try:
    command.main(["data", "import", sys.argv[2], "--project", "shared", "--create-measures"],
                 prog_name="qi")
except SystemExit as exc:
    if exc.code:
        raise
"""
DAYS = 200


def _file(folder: Path, name: str, measures: list[str], first_day: int) -> tuple[Path, int]:
    path = folder / name
    start = date(2018, 1, 1) + timedelta(days=first_day)
    lines = ["date,measure,value"]
    for m, slug in enumerate(measures):
        lines += [f"{start + timedelta(days=d)},{slug},{(m + d) % 50}" for d in range(DAYS)]
    path.write_text("\n".join(lines) + "\n")
    return path, len(lines) - 1


def test_concurrent_imports_lose_nothing(backend, tmp_path):
    with db.session(resolve(backend)) as s:
        teams.add(s, "North")
        projects.add(s, "shared", title="Shared", team="north", aim="Everything arrives")
    db.dispose_all()
    files = [
        _file(tmp_path, "north.csv", [f"north-{k}" for k in range(10)], 0),
        _file(tmp_path, "south.csv", [f"south-{k}" for k in range(10)], 0),
        # Two practices' exports of one new measure: both create it, for different dates.
        _file(tmp_path, "common-2018.csv", ["common"], 0),
        _file(tmp_path, "common-2019.csv", ["common"], DAYS),
    ]
    runs = [path for path, _ in files] + [files[0][0]]  # north.csv twice at once
    go = tmp_path / "go"
    env = {**os.environ, "QI_DB": backend, "NO_COLOR": "1"}
    procs = [subprocess.Popen([sys.executable, "-c", IMPORTER, str(go), str(path)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for path in runs]
    time.sleep(3)  # let every process load qi before the go
    go.touch()
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), errors
    assert not any("Error" in e or "locked" in e for e in errors), errors
    # The second import of north.csv found it all stored already.
    assert sum("Nothing to do" in e for e in errors) == 1, errors

    expected = sum(n for _, n in files)
    with db.session(resolve(backend), write=False) as s:
        stored = s.execute(text("SELECT count(*) FROM measurement")).scalar()
        measures = s.execute(text("SELECT count(*) FROM measure")).scalar()
        imports = s.execute(text(
            "SELECT file_name, rows_added, rows_changed, "
            "(SELECT count(*) FROM measurement m WHERE m.import_id = i.id) "
            "FROM data_import i ORDER BY file_name")).all()
    db.dispose_all()
    assert (stored, measures) == (expected, 21)
    # One record per file, each owning exactly the rows it added.
    assert [tuple(r) for r in imports] == sorted(
        (path.name, n, 0, n) for path, n in files)
