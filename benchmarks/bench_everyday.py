"""Everyday commands at terminal speed (issue 13), whole processes, SQLite and PostgreSQL.

    python benchmarks/bench_everyday.py [--runs N] [--heavy]

Every figure is printed beside references measured in the same run, because the machine
is shared and noisy: compare ratios between runs, not raw seconds.

* `python -c pass`: starting the interpreter, which no command can avoid;
* `sqlite-utils tables DB --counts` on the same database: a well-known Python CLI over
  SQLite doing a comparable small job (the goal: every everyday command no slower);
* stdlib sqlite3 + json printing the same JSON as `qi project list --json`: the floor.
* On PostgreSQL, the reference of each command is its own SQLite figure (goal: within
  0.2 s of it). Set QI_BENCH_POSTGRES_URL (or QI_TEST_POSTGRES_URL); that database is
  emptied first.

`--heavy` adds one 200-point chart PNG and `qi demo --no-charts` (slow; SQLite only).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import QI, time_process  # noqa: E402
from bench_cli import add_cycles, build_database  # noqa: E402

# The stdlib floor of `qi project list --json`: the same rows, the same JSON bytes.
FLOOR = r"""
import json, sqlite3, sys
from collections import defaultdict
con = sqlite3.connect(sys.argv[1])
ms = defaultdict(list)
for pid, slug in con.execute("SELECT project_id, slug FROM measure ORDER BY slug"):
    ms[pid].append(slug)
def ts(v):
    return v.replace(" ", "T") + "Z"
out = [dict(id=r[0], slug=r[1], title=r[2], aim=r[3], team=r[4], start=r[5], status=r[6],
            closing_note=r[7], measures=ms.get(r[0], []), created_at=ts(r[8]),
            updated_at=ts(r[9])) for r in con.execute(
    "SELECT p.id, p.slug, p.title, p.aim, t.slug, p.start_date, p.status, p.closing_note,"
    " p.created_at, p.updated_at FROM project p JOIN team t ON t.id = p.team_id"
    " ORDER BY p.slug")]
sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
"""

EVERYDAY = [
    ("qi project list --json (200 p, 1,000 m)", ["project", "list", "--json"]),
    ("qi project show project-007 --json", ["project", "show", "project-007", "--json"]),
    ("qi measure list --json (1,000 m)", ["measure", "list", "--json"]),
    ("qi cycle list --json (2,000 cycles)", ["cycle", "list", "project-000", "--json"]),
    ("qi cycle show project-000#7 --json", ["cycle", "show", "project-000#7", "--json"]),
    ("qi cycle new ... --no-edit", ["cycle", "new", "project-001", "Try it", "--predict",
                                    "Better", "--no-edit"]),
    ("qi idea list --json", ["idea", "list", "project-000", "--json"]),
    ("qi team list --json", ["team", "list", "--json"]),
    ("qi data add project-002/m0 2018-04-02 12", ["data", "add", "project-002/m0",
                                                  "2018-04-02", "12"]),
]


def _empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _fresh(value: str) -> None:
    from qi import db
    from qi.config import resolve

    loc = resolve(value)
    if not loc.is_sqlite:
        _empty_postgres(value)
    db.upgrade(loc, backup=False)


def build_programme(value: str) -> None:
    """200 projects, 1,000 measures, 2,000 cycles in project-000 (setup, not timed)."""
    from qi import db

    _fresh(value)
    build_database(value)
    add_cycles(value)
    db.dispose_all()


def build_demo(value: str) -> None:
    """The demo programme (as `qi demo` builds it; setup, not timed)."""
    from qi import db
    from qi import demo as demo_data
    from qi.config import resolve

    _fresh(value)
    with db.session(resolve(value)) as s:
        demo_data.build(s)
    db.dispose_all()


def same_output(argv: list[str], env: dict, floor: list[str]) -> bool:
    run = {**os.environ, **env}
    ours = subprocess.run(QI + argv, env=run, capture_output=True, check=True).stdout
    return ours == subprocess.run(floor, capture_output=True, check=True).stdout


def everyday(backend: str, value: str, runs: int) -> list[tuple]:
    """(backend, what, median s, target s) of each everyday command."""
    return [(backend, what, time_process(QI + argv, env={"QI_DB": value}, runs=runs)["median"],
             0.3) for what, argv in EVERYDAY]


def status(backend: str, value: str, runs: int) -> tuple:
    seconds = time_process(QI + ["status"], env={"QI_DB": value}, runs=runs)["median"]
    return (backend, "qi status (demo)", seconds, 0.5)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--heavy", action="store_true")
    args = parser.parse_args()
    pg = os.environ.get("QI_BENCH_POSTGRES_URL") or os.environ.get("QI_TEST_POSTGRES_URL")
    tmp = Path(tempfile.mkdtemp())
    sqlite_db, sqlite_demo = str(tmp / "bench.db"), str(tmp / "demo.db")
    build_programme(sqlite_db)
    build_demo(sqlite_demo)
    utils = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    floor = [sys.executable, "-c", FLOOR, sqlite_db]
    refs = {
        "python -c pass": time_process([sys.executable, "-c", "pass"], runs=15)["median"],
        "sqlite-utils tables --counts": time_process(
            [utils, "tables", sqlite_db, "--counts"], runs=args.runs)["median"],
        "stdlib sqlite3 + json (same output)": time_process(floor, runs=args.runs)["median"],
    }
    identical = same_output(["project", "list", "--json"], {"QI_DB": sqlite_db}, floor)
    help_s = time_process(QI + ["--help"], runs=15)["median"]
    results = everyday("sqlite", sqlite_db, args.runs) + [
        status("sqlite", sqlite_demo, args.runs)]
    if pg:  # one PostgreSQL database: the programme first, then the demo
        build_programme(pg)
        results += everyday("postgresql", pg, args.runs)
        build_demo(pg)
        results.append(status("postgresql", pg, args.runs))
    heavy = heavy_rows(tmp, args.runs) if args.heavy else []
    report(refs, identical, help_s, results, heavy)


def heavy_rows(tmp: Path, runs: int) -> list[tuple]:
    from bench_chart_cli import build as build_chart_db

    chart_db = tmp / "chart.db"
    build_chart_db(chart_db)
    out = tmp / "one.png"
    chart = time_process(QI + ["chart", "big/waits", "--out", str(out), "--force"],
                         env={"QI_DB": str(chart_db)}, runs=max(3, runs // 2))["median"]
    counter = iter(range(100))

    def demo_argv() -> list[str]:
        return QI + ["demo", str(tmp / f"demo{next(counter)}"), "--no-charts"]

    demo = min(time_process(demo_argv(), runs=1)["median"] for _ in range(2))
    return [("qi chart one 200-point PNG", chart, 1.1), ("qi demo --no-charts", demo, 10.0)]


def report(refs: dict, identical: bool, help_s: float, results: list[tuple],
           heavy: list[tuple]) -> None:
    base, utils = refs["python -c pass"], refs["sqlite-utils tables --counts"]
    print("\nReferences (same run, SQLite database of 200 projects / 1,000 measures)")
    for what, seconds in refs.items():
        print(f"  {what:<40} {seconds:6.3f} s")
    print(f"  qi project list --json == stdlib output: {'yes' if identical else 'NO'}")
    print(f"\n{'backend':<11} {'command':<42} {'median s':>8} {'× utils':>8} "
          f"{'× pass':>7} {'vs sqlite':>9} {'target':>7}  ok")
    print(f"{'':<11} {'qi --help':<42} {help_s:8.3f} {help_s / utils:8.2f} "
          f"{help_s / base:7.2f} {'':>9} {0.15:7.2f}  {'yes' if help_s <= 0.15 else 'NO'}")
    on_sqlite = {what: s for backend, what, s, _ in results if backend == "sqlite"}
    for backend, what, seconds, target in results + [("sqlite", *h) for h in heavy]:
        delta = "" if backend == "sqlite" else f"{seconds - on_sqlite[what]:+9.3f}"
        ok = seconds <= target and (backend == "sqlite" or seconds - on_sqlite[what] <= 0.2)
        print(f"{backend:<11} {what:<42} {seconds:8.3f} {seconds / utils:8.2f} "
              f"{seconds / base:7.2f} {delta:>9} {target:7.2f}  {'yes' if ok else 'NO'}")
    print("\n× utils: ratio to `sqlite-utils tables DB --counts`; × pass: to `python -c pass`;"
          "\nvs sqlite: seconds more than the same command on SQLite (goal: ≤ 0.2 s).")


if __name__ == "__main__":
    main()
