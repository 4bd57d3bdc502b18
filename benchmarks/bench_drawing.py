"""Drawing, whole process: one chart, a grid, the programme's HTML report and deck, qi demo.

    python benchmarks/bench_drawing.py [--runs 3] [--postgres URL]

Each figure is a real `qi` process, timed from start to exit (median of --runs, the kinds
interleaved run by run so that a busy machine slows them alike), printed beside a reference
measured in the same run, and the ratio:

* one 200-point weekly chart with 10 PDSA cycles (`qi chart big/dna -o x.png`, 2000 x 1125
  PNG) against **R's ggplot2 drawing the same data and saving it with ggsave** (Rscript:
  points and line, median line, a dashed line per cycle, title, subtitle and caption, the
  same size and resolution). qicharts2's `qic()` + `ggsave` (2.2 s in issue 13) is that
  plus its analysis; qicharts2 is on CRAN only and not installable here, so plain ggplot2
  (Debian's r-cran-ggplot2) stands in for it, a slightly cheaper reference. Without Rscript
  and ggplot2 the row says "reference not available";
* every figure also against the floor of any drawing process: starting Python and
  importing matplotlib.figure and numpy. What is above it is qi's own work.

The databases are built first (not timed): bench_chart_cli.py's `big` project, a 6-measure
project for the grid, and bench_report.py's programme of 10 projects x 5 measures x 100
points. With --postgres URL (a database this may empty) the same is timed on PostgreSQL.
`qi demo` builds its own SQLite file, so it is timed once.

Targets (issues 12 and 13): chart <= 1.1 s and <= half the R reference; grid of 6 <= 1.5 s;
report --programme --format html <= 5 s; deck <= 8 s; qi demo <= 10 s; PostgreSQL within
0.2 s of SQLite. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import QI  # noqa: E402

FLOOR = [sys.executable, "-c", "import matplotlib.figure, numpy"]
TARGETS = {"chart": 1.1, "grid": 1.5, "report": 5.0, "deck": 8.0, "demo": 10.0}
LABELS = {
    "chart": "qi chart big/dna -o x.png (200 points)",
    "grid": "qi chart --project P --grid (6 measures)",
    "report": "qi report --programme --format html",
    "deck": "qi report --programme -o deck.pptx",
    "demo": "qi demo DIR",
}
# which database each command reads
PHASES = (("chart", ("chart",)), ("grid", ("grid",)), ("report", ("report", "deck")))

R_SCRIPT = r"""
suppressMessages(library(ggplot2))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); d$date <- as.Date(d$date)
cycles <- as.Date(readLines(args[2]))
p <- ggplot(d, aes(date, value)) +
  geom_line(colour = "grey40") + geom_point(colour = "grey20", size = 1.5) +
  geom_hline(yintercept = median(d$value), colour = "#009E73") +
  geom_vline(xintercept = cycles, linetype = "dashed", colour = "#56B4E9") +
  labs(title = "DNA rate for nurse appointments",
       subtitle = "Reduce nurse DNAs - North Barnet - Aim: reduce the DNA rate from 8% to 5%",
       caption = paste("200 points. Median", round(median(d$value), 1),
                       "Runs analysis: a shift of 8 or more points; source: qi")) +
  theme_minimal(base_size = 14)
ggsave(args[3], p, width = 40 / 3, height = 7.5, dpi = 150)
"""


def r_reference(tmp: Path, chart_db: Path) -> list[str] | None:
    """The Rscript command drawing the same data, or None without R and ggplot2."""
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(ggplot2)"],
                                         capture_output=True).returncode != 0:
        return None
    import sqlite3

    with sqlite3.connect(chart_db) as conn:
        rows = conn.execute(
            "SELECT period, value FROM measurement WHERE measure_id = (SELECT m.id FROM "
            "measure m JOIN project p ON p.id = m.project_id WHERE p.slug = 'big') "
            "ORDER BY 1").fetchall()
        starts = [r[0] for r in conn.execute(
            "SELECT started_on FROM cycle WHERE started_on IS NOT NULL AND project_id = "
            "(SELECT id FROM project WHERE slug = 'big') ORDER BY 1")]
    (tmp / "r.csv").write_text("date,value\n" + "".join(f"{d},{v}\n" for d, v in rows))
    (tmp / "cycles.txt").write_text("".join(f"{d}\n" for d in starts))
    (tmp / "chart.R").write_text(R_SCRIPT)
    return [rscript, str(tmp / "chart.R"), str(tmp / "r.csv"), str(tmp / "cycles.txt"),
            str(tmp / "r.png")]


def build(name: str, target: str, folder: Path) -> None:
    from benchmarks.bench_chart_cli import build as build_chart
    from benchmarks.bench_everyday import _fresh
    from benchmarks.bench_report import build as build_programme
    from qi import db

    if not target.endswith(".db"):
        _fresh(target)  # PostgreSQL: emptied and brought to the current schema
    if name == "chart":
        build_chart(target)
    else:
        sizes = (1, 6) if name == "grid" else (10, 5)
        build_programme(target, projects=sizes[0], measures=sizes[1], points=100,
                        folder=folder)
    db.dispose_all()


def _once(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one whole process."""
    import os
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    start, cpu_start = time.perf_counter(), cpu()
    subprocess.run(argv, env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, cpu() - cpu_start


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return (statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples))


def interleaved(cmds: dict[str, list[str]], env: dict, runs: int
                ) -> dict[str, tuple[float, float]]:
    """(wall, CPU) medians of each command, the commands taking turns run by run."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in cmds}
    for _ in range(runs):
        for kind, argv in cmds.items():
            times[kind].append(_once(argv, env))
    return {k: _medians(v) for k, v in times.items()}


def backend(tmp: Path, target: str | None, runs: int) -> dict:
    """Medians of every command and of its same-run references, on one backend."""
    out = tmp / "out"
    out.mkdir(exist_ok=True)
    cmds = {
        "chart": [*QI, "chart", "big/dna", "-o", str(out / "x.png"), "--force"],
        "grid": [*QI, "chart", "--project", "project-01", "--grid", "-o",
                 str(out / "grid.png"), "--force"],
        "report": [*QI, "report", "--programme", "--format", "html", "-o",
                   str(out / "pack.html"), "--force"],
        "deck": [*QI, "report", "--programme", "-o", str(out / "deck.pptx"), "--force"],
    }
    medians: dict = {}
    for name, kinds in PHASES:
        folder = tmp / name
        folder.mkdir(exist_ok=True)
        value = target or str(folder / "qi.db")
        build(name, value, folder)
        timed = {k: cmds[k] for k in kinds} | {"floor": FLOOR}
        r_cmd = r_reference(tmp, folder / "qi.db") if name == "chart" and not target \
            else None
        if r_cmd is not None:
            timed["r"] = r_cmd
        got = interleaved(timed, {"QI_DB": value, "NO_COLOR": "1"}, runs)
        for k in kinds:
            medians[k] = (got[k], got["floor"])
        if "r" in got:
            medians["r"] = got["r"]
    return medians


def demo(tmp: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    times, floors = [], []
    for k in range(runs):
        times.append(_once([*QI, "demo", str(tmp / f"demo-{k}")], {"NO_COLOR": "1"}))
        floors.append(_once(FLOOR, {}))
    return _medians(times), _medians(floors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also time PostgreSQL (emptied)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "sqlite").mkdir()
        sqlite = backend(tmp / "sqlite", None, args.runs)
        pg = {}
        if args.postgres:
            (tmp / "pg").mkdir()
            pg = backend(tmp / "pg", args.postgres, args.runs)
        demo_s = demo(tmp, args.runs)
    report(sqlite, pg, demo_s, args.runs)


def report(sqlite: dict, pg: dict, demo_s: tuple, runs: int) -> None:
    print(f"\nWhole processes, median of {runs} runs, interleaved. floor = python + import "
          "matplotlib.figure, numpy in the same run. Wall seconds; CPU seconds (user + "
          "system) in brackets, steadier on a shared machine")
    head = (f"{'what':<42} {'SQLite s':>13} {'floor s':>12} {'×floor':>6} {'PG s':>13} "
            f"{'PG-SQLite':>9} {'target':>6}  ok")
    print(head)
    print("-" * len(head))
    rows = [(k, sqlite[k][0], sqlite[k][1], pg.get(k, (None,))[0])
            for k in ("chart", "grid", "report", "deck")]
    rows.append(("demo", demo_s[0], demo_s[1], None))
    for kind, (s, s_cpu), (floor, floor_cpu), p in rows:
        pg_txt = (f"{p[0]:>6.2f} ({p[1]:>4.2f}) {p[0] - s:>+9.2f}" if p is not None
                  else f"{'-':>13} {'-':>9}")
        ok = "yes" if s <= TARGETS[kind] else "NO"
        print(f"{LABELS[kind]:<42} {s:>6.2f} ({s_cpu:>4.2f}) {floor:>5.2f} ({floor_cpu:>4.2f})"
              f" {s / floor:>6.2f} {pg_txt} {TARGETS[kind]:>6.1f}  {ok}")
    r = sqlite.get("r")
    chart = sqlite["chart"][0]
    if r is None:
        print("\nR reference (ggplot2 + ggsave of the same chart): reference not available "
              "(no Rscript with ggplot2)")
    else:
        print(f"\nR reference, same run: ggplot2 run chart + ggsave, 2000 x 1125 PNG: "
              f"{r[0]:.2f} s ({r[1]:.2f} CPU); qi chart {chart[0]:.2f} s ({chart[1]:.2f} CPU)"
              f" = {chart[0] / r[0]:.2f} × the reference (target <= 0.50)")


if __name__ == "__main__":
    main()
