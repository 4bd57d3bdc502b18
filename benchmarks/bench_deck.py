"""Speed of the session deck (`qi report --programme -o F.pptx`) and of one grid of small
multiples (`qi chart --project P --grid`).

    python benchmarks/bench_deck.py [--projects 10] [--measures 5] [--points 100] [--runs 3]

The programme is built as in bench_report.py (the same teams, projects, measures, data and
cycles). A grid is timed on a project of 6 measures of `--points` points. Each figure is a
whole process, timed from start to exit, against a baseline measured in the same run:
starting Python and importing what the command must import before it does anything
(sqlmodel, matplotlib.figure, and pptx for the deck).

Targets (issue 12): the programme deck of 10 projects x 5 measures x 100 points <= 8 s;
one grid of 6 measures <= 1.5 s. Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import QI, print_table, time_process  # noqa: E402
from benchmarks.bench_report import build  # noqa: E402

TARGET_DECK = 8.0
TARGET_GRID = 1.5
DECK_BASELINE = [sys.executable, "-c", "import sqlmodel, matplotlib.figure, pptx"]
GRID_BASELINE = [sys.executable, "-c", "import sqlmodel, matplotlib.figure"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--measures", type=int, default=5)
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "programme").mkdir()
        (folder / "grid").mkdir()
        programme = folder / "programme" / "qi.db"
        build(programme, projects=args.projects, measures=args.measures, points=args.points)
        grid_db = folder / "grid" / "qi.db"
        build(grid_db, projects=1, measures=6, points=args.points)
        deck = folder / "session.pptx"
        grid = folder / "grid.png"
        kinds = {
            "deck_base": (DECK_BASELINE, programme),
            "deck": ([*QI, "report", "--programme", "-o", str(deck), "--force"], programme),
            "grid_base": (GRID_BASELINE, grid_db),
            "grid": ([*QI, "chart", "--project", "project-01", "--grid", "-o", str(grid),
                      "--force"], grid_db),
        }
        # Interleaved, so that a machine busy with other work slows every kind alike.
        times: dict[str, list[float]] = {k: [] for k in kinds}
        for _ in range(args.runs):
            for kind, (argv, db) in kinds.items():
                env = {"QI_DB": str(db), "NO_COLOR": "1"}
                times[kind].append(time_process(argv, env=env, runs=1)["median"])
        size = deck.stat().st_size / 1e6
    med = {k: statistics.median(v) for k, v in times.items()}
    best = {k: min(v) for k, v in times.items()}
    what = f"{args.projects} projects x {args.measures} measures x {args.points} points"
    print_table(f"Whole processes, median of {args.runs} runs ({what}; grid: 6 measures)", [
        ("python + import sqlmodel, mpl.figure, pptx", med["deck_base"], best["deck_base"],
         None, None),
        ("qi report --programme -o F.pptx", med["deck"], best["deck"], med["deck_base"],
         TARGET_DECK),
        ("python + import sqlmodel, matplotlib.figure", med["grid_base"], best["grid_base"],
         None, None),
        ("qi chart --project P --grid (6 measures)", med["grid"], best["grid"],
         med["grid_base"], TARGET_GRID),
    ])
    print(f"\nDeck: {size:.1f} MB")


if __name__ == "__main__":
    main()
