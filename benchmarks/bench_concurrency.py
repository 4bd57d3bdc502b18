"""Concurrent writers (issue: shared PostgreSQL database, nothing lost).

8 writer processes x 200 PDSA cycles each into one project, on SQLite and (when
QI_TEST_POSTGRES_URL or QI_BENCH_POSTGRES_URL is set; that database is emptied) PostgreSQL.
Checks that all 1,600 cycles are present with numbers 1..1600 and that no writer saw an
error, and reports throughput (cycles per second) with, as the baseline from the same run,
one writer adding 200 cycles alone.

    python benchmarks/bench_concurrency.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# One long-lived process per writer, running the real command 200 times (the command tree is
# built once, as in one `qi` process).
WRITER = """
import sys
import typer.main
from qi.cli import app
command = typer.main.get_command(app)
for i in range(int(sys.argv[1])):
    try:
        command.main(["cycle", "new", "bench", f"cycle {i}", "--predict", "better",
                      "--no-edit"], prog_name="qi")
    except SystemExit as exc:
        if exc.code:
            raise
"""


def prepare(url: str) -> None:
    from sqlalchemy import create_engine, text

    from qi import db
    from qi.config import resolve
    from qi.services import projects, teams

    loc = resolve(url)
    if not loc.is_sqlite:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        db.upgrade(loc, backup=False)
    with db.session(loc, create=True) as s:
        teams.add(s, "Bench")
        projects.add(s, "bench", title="Bench", team="bench", aim="Fast")
    db.dispose_all()


def run(url: str, writers: int, each: int) -> tuple[float, int, list[str]]:
    env = {**os.environ, "QI_DB": url}
    start = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(each)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for _ in range(writers)]
    errors = [p.communicate()[1] for p in procs]
    elapsed = time.perf_counter() - start
    failed = [e for p, e in zip(procs, errors, strict=True)
              if p.returncode or "Error" in e or "Traceback" in e]
    return elapsed, writers * each, failed


def count(url: str) -> tuple[int, bool]:
    from qi import db
    from qi.config import resolve
    from qi.services import cycles

    with db.session(resolve(url), write=False) as s:
        numbers = [c.number for c in cycles.list_all(s, project="bench")]
    db.dispose_all()
    return len(numbers), numbers == list(range(1, len(numbers) + 1))


def bench(name: str, url_factory) -> list[tuple]:
    rows = []
    for writers, each in ((1, 200), (8, 200)):
        url = url_factory()
        prepare(url)
        elapsed, wanted, failed = run(url, writers, each)
        present, consecutive = count(url)
        rows.append((name, writers, wanted, present, consecutive, len(failed),
                     wanted / elapsed, elapsed))
    return rows


def main() -> None:
    tmp = tempfile.mkdtemp()
    counter = iter(range(100))
    rows = bench("sqlite", lambda: str(Path(tmp) / f"bench{next(counter)}.db"))
    pg = os.environ.get("QI_BENCH_POSTGRES_URL") or os.environ.get("QI_TEST_POSTGRES_URL")
    if pg:
        rows += bench("postgresql", lambda: pg)
    print(f"\n{'backend':<11} {'writers':>7} {'cycles':>7} {'present':>8} {'1..N':>5} "
          f"{'errors':>6} {'cycles/s':>9} {'seconds':>8}")
    for name, writers, wanted, present, consecutive, errors, rate, elapsed in rows:
        ok = "yes" if consecutive else "NO"
        print(f"{name:<11} {writers:>7} {wanted:>7} {present:>8} {ok:>5} "
              f"{errors:>6} {rate:>9.1f} {elapsed:>8.2f}")
    print("\nBaseline: the 1-writer row of the same backend (same run).")


if __name__ == "__main__":
    main()
