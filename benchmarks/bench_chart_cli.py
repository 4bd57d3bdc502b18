"""Speed of the `qi chart` command, whole process: one chart, and `--all` for 50 measures.

    python benchmarks/bench_chart_cli.py [--runs N]

Builds a SQLite database through the services first (not timed): project `big` with one
200-point weekly run chart and 10 PDSA cycles; project `many` with 50 measures (run, i and
p charts of 24-104 points) and 8 cycles. Then times real `qi` processes. Every figure comes
with a ratio to a baseline measured in the same run on the same machine:

* one chart against starting Python and importing matplotlib.figure and sqlmodel, which
  any process that reads the database and draws a chart must pay;
* `--all` against drawing the same 50 charts one after another in this (warm) process,
  which a batch cannot do with less on one core. `--all` is timed as it runs by default
  (one process) and with QI_CHART_WORKERS=2 (two forked worker processes).

Targets (issue 6): one run chart of 200 points with 10 cycles, whole process, <= 1.0 s;
`--all` for 50 measures <= 12 s. Times are medians of --runs runs; nothing here is
asserted in the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import QI, print_table, time_process  # noqa: E402

TARGET_ONE = 1.0
TARGET_FIFTY = 12.0
START = date(2015, 1, 5)


def build(path: Path | str) -> None:
    """The two projects, through the services (as `qi data add` and `qi cycle` would)."""
    import numpy as np

    from qi import db
    from qi.config import resolve
    from qi.domain import Direction, MeasureKind
    from qi.services import cycles, measures, projects, teams
    from qi.services import data as data_service

    loc = resolve(str(path))
    db.upgrade(loc, backup=False)
    rng = np.random.default_rng(6)
    with db.session(loc) as s:
        teams.add(s, "North Barnet", slug="north")
        projects.add(s, "big", title="Reduce nurse DNAs", team="north",
                     aim="Reduce the DNA rate for nurse appointments from 8% to 5%")
        projects.add(s, "many", title="Practice dashboard", team="north",
                     aim="Track every measure of the practice")
        measures.add(s, "dna", project="big", name="DNA rate for nurse appointments",
                     kind=MeasureKind.outcome, direction=Direction.down)
        for k, v in enumerate(np.round(rng.normal(np.where(np.arange(200) < 100, 50, 44), 5),
                                       1)):
            data_service.add(s, "big/dna", START + timedelta(weeks=k), value=float(v))
        for k in range(10):
            c = cycles.new(s, "big", f"Change idea {k + 1}: SMS reminders for clinic {k + 1}")
            cycles.do(s, c.ref, on=START + timedelta(weeks=20 + 18 * k, days=2))
        for k in range(50):
            _measure(s, k, rng)
        for k in range(8):
            c = cycles.new(s, "many", f"Test of change {k + 1}")
            cycles.do(s, c.ref, on=START + timedelta(weeks=10 + 9 * k))
    db.dispose_all()


def _measure(s, k: int, rng) -> None:
    from qi.domain import ChartType, MeasureKind
    from qi.services import data as data_service
    from qi.services import measures

    chart = (ChartType.run, ChartType.i, ChartType.p)[k % 3]
    slug = f"m{k:02d}"
    measures.add(s, slug, project="many", name=f"Measure {k}", kind=MeasureKind.process,
                 chart=chart, target=5.0 if chart == ChartType.p else None)
    n = 24 + (k * 13) % 81
    for j in range(n):
        day = START + timedelta(weeks=j)
        if chart == ChartType.p:
            den = int(rng.integers(60, 140))
            data_service.add(s, f"many/{slug}", day, numerator=int(rng.binomial(den, 0.08)),
                             denominator=den)
        else:
            data_service.add(s, f"many/{slug}", day, value=float(round(rng.normal(50, 5), 1)))


def in_process_fifty(db_path: Path, out: Path, runs: int) -> tuple[float, float]:
    """Drawing the 50 charts one after another in a warm process: views, specs, PNGs."""
    from qi import charts, db
    from qi.config import resolve
    from qi.services import measures
    from qi.services.measure_view import view

    with db.session(resolve(str(db_path)), write=False) as s:
        views = [view(s, m.ref) for m in measures.list_all(s, project="many")]
    specs = [charts.spec_from_view(v) for v in views]
    charts.save(specs[0], out / "warm.png", overwrite=True)  # fonts and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for k, spec in enumerate(specs):
            charts.save(spec, out / f"in-{k}.png", overwrite=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db_path = tmp_path / "qi.db"
        build(db_path)
        env = {"QI_DB": str(db_path)}
        out = tmp_path / "out"
        out.mkdir()
        base = time_process([sys.executable, "-c", "import matplotlib.figure, sqlmodel"],
                            runs=runs)
        one = time_process(QI + ["chart", "big/dna", "-o", str(out / "one.png"), "--force"],
                           env=env, runs=runs)
        one_svg = time_process(QI + ["chart", "big/dna", "-o", str(out / "one.svg"),
                                     "--force"], env=env, runs=runs)
        batch = QI + ["chart", "--project", "many", "--all", "-o", str(out / "all"), "--force"]
        few = max(1, runs // 2)
        serial = time_process(batch, env=env, runs=few)
        parallel = time_process(batch, env={**env, "QI_CHART_WORKERS": "2"}, runs=few)
        fifty_in, fifty_in_best = in_process_fifty(db_path, out, few)

    print(f"qi chart, whole process; {os.cpu_count()} CPUs; SQLite; PNG 2000 x 1125 unless "
          "said")
    print_table("One chart: project 'big', 200 weekly points, 10 PDSA cycles", [
        ("python + import matplotlib.figure, sqlmodel", base["median"], base["best"], None,
         None),
        ("qi chart big/dna -> PNG", one["median"], one["best"], base["median"], TARGET_ONE),
        ("qi chart big/dna -> SVG", one_svg["median"], one_svg["best"], base["median"],
         TARGET_ONE),
    ])  # fmt: skip
    print_table("50 measures: qi chart --project many --all", [
        ("50 charts drawn in a warm process (baseline)", fifty_in, fifty_in_best, None, None),
        ("--all (default: one process)", serial["median"], serial["best"], fifty_in,
         TARGET_FIFTY),
        ("--all, QI_CHART_WORKERS=2", parallel["median"], parallel["best"], fifty_in,
         TARGET_FIFTY),
    ])  # fmt: skip
    print(f"\npeak memory (largest process): {max(one['peak_mb'], serial['peak_mb']):.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
