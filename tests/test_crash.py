"""Crash safety: `qi data import` killed with SIGKILL at random moments leaves the database
consistent, with the import wholly present or wholly absent.

A real `python -m qi data import` process imports a large long-format file (creating its
measures) and is killed after a seeded random delay, spread over the import's duration
(measured once first). After every kill the database must open, SQLite must pass
`PRAGMA integrity_check` and `foreign_key_check`, and the project must hold either none
of the file (no measures, no measurements, no import record) or all of it. Finally the
import runs to completion. About 30-60 s in all, most of it the imports themselves.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
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

pytestmark = pytest.mark.slow  # real processes killed mid-import

KILLS = 6
SEED = 20180403
# (measures, days): 200,000 rows on SQLite. PostgreSQL imports several times slower (each
# row is sent to the server), so it gets fewer rows, to keep the test near a minute.
SIZES = {"sqlite": (200, 1000), "postgresql": (100, 300)}


def _write_file(path: Path, measures: int, days: int) -> float:
    """A long-format file (date,measure,value); returns the sum of its values."""
    first = date(2018, 1, 1)
    dates = [(first + timedelta(days=d)).isoformat() for d in range(days)]
    total = 0.0
    with path.open("w", encoding="utf-8") as out:
        out.write("date,measure,value\n")
        for m in range(measures):
            for d, day in enumerate(dates):
                value = (m * 7 + d) % 97
                total += value
                out.write(f"{day},m{m:03d},{value}\n")
    return total


def _start(backend: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "QI_DB": backend, "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "qi", "data", "import", str(path), "--project", "crash",
         "--create-measures"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)


def _wait_for_killed_sessions(loc) -> None:
    """PostgreSQL rolls back a killed client's transaction when it notices the closed
    connection; wait until no other session is still busy before looking."""
    deadline = time.monotonic() + 60
    while True:
        with db.session(loc, write=False) as s:
            busy = s.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'")).scalar()
        if not busy:
            return
        assert time.monotonic() < deadline, "a killed import's session never ended"
        time.sleep(0.2)


def _state(backend: str) -> tuple[int, int, int, float]:
    """(measures, measurements, live import records, sum of values), after checking that
    the database is sound."""
    loc = resolve(backend)
    db.dispose_all()
    if loc.is_sqlite:
        con = sqlite3.connect(loc.path)  # opening recovers from the WAL, as qi would
        try:
            assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            con.close()
    else:
        _wait_for_killed_sessions(loc)
    with db.session(loc, write=False) as s:
        row = s.execute(text(
            "SELECT (SELECT count(*) FROM measure), (SELECT count(*) FROM measurement), "
            "(SELECT count(*) FROM data_import WHERE undone_at IS NULL), "
            "(SELECT coalesce(sum(value), 0) FROM measurement)")).one()
    db.dispose_all()
    return row[0], row[1], row[2], float(row[3])


def _reset(backend: str) -> None:
    """Back to a project with no measures, as before the first import."""
    with db.session(resolve(backend)) as s:
        for table in ("data_import_change", "measurement", "data_import", "measure"):
            s.execute(text(f"DELETE FROM {table}"))
    db.dispose_all()


def _run_to_completion(backend: str, path: Path) -> float:
    started = time.monotonic()
    proc = _start(backend, path)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "Imported " in err
    return time.monotonic() - started


def test_killed_imports_leave_all_or_nothing(backend, tmp_path):
    name = "sqlite" if resolve(backend).is_sqlite else "postgresql"
    measures, days = SIZES[name]
    rows = measures * days
    path = tmp_path / "large.csv"
    total = _write_file(path, measures, days)
    with db.session(resolve(backend)) as s:
        teams.add(s, "Crash")
        projects.add(s, "crash", title="Crash", team="crash", aim="Survive")
    db.dispose_all()
    whole, nothing = (measures, rows, 1, total), (0, 0, 0, 0.0)

    duration = _run_to_completion(backend, path)
    assert _state(backend) == whole
    _reset(backend)

    rng = random.Random(SEED)
    interrupted, outcomes = 0, []
    for k in range(KILLS):
        # One kill in each sixth of the import, at a random point within it.
        delay = duration * (k + rng.random()) / KILLS
        proc = _start(backend, path)
        time.sleep(delay)
        interrupted += proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        state = _state(backend)
        assert state in (nothing, whole), (k, round(delay, 2), state)
        outcomes.append(f"{delay:.2f}s:{'whole' if state == whole else 'nothing'}")
        if state == whole:  # it finished just before the kill: start again from nothing
            _reset(backend)
    # Most kills must land while the import runs, or this test would prove little.
    assert interrupted >= KILLS // 2, interrupted
    print(f"{name}: {rows} rows, import {duration:.1f}s, {interrupted}/{KILLS} kills during "
          f"the import: {' '.join(outcomes)}")  # shown with pytest -s

    _run_to_completion(backend, path)
    assert _state(backend) == whole


@pytest.mark.parametrize("measures_days", [(3, 5)])
def test_the_generated_file_is_what_the_counts_assume(tmp_path, measures_days):
    path = tmp_path / "small.csv"
    total = _write_file(path, *measures_days)
    lines = path.read_text().splitlines()
    assert lines[:3] == ["date,measure,value", "2018-01-01,m000,0", "2018-01-02,m000,1"]
    assert len(lines) == 1 + 15
    assert total == sum(float(line.rsplit(",", 1)[1]) for line in lines[1:])
