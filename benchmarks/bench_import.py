"""Speed and memory of `qi data import` on a 1,000,000-row long CSV.

    python benchmarks/bench_import.py [--measures 1000] [--days 1000] [--repeat 3]

The file has one row per measure and day (1,000 measures x 1,000 daily dates by default),
with values to one decimal place. Each run is a whole process, timed from start to exit,
and the runs of each kind are interleaved so that a busy machine slows all of them alike:

* baseline: start Python, pandas `read_csv` of the file, then one sqlite3 `executemany`
  into a plain table (no indexes, no checks) in one transaction;
* `qi data import FILE --project P --create-measures` into a new database;
* the same import again, which must find nothing to do (it reads and compares every
  stored value rather than trusting the file's SHA-256).

Targets (issue 5): each qi run <= 2 x the baseline's median, peak memory <= 800 MB.
Nothing here is asserted by the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
_SCRIPT = Path(sys.executable).parent / "qi"
QI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qi"]

BASELINE = """
import sqlite3, sys
import pandas as pd
frame = pd.read_csv(sys.argv[1])
con = sqlite3.connect(sys.argv[2])
con.execute("CREATE TABLE measurement (date TEXT, measure TEXT, value REAL)")
with con:
    con.executemany("INSERT INTO measurement VALUES (?, ?, ?)",
                    frame.itertuples(index=False, name=None))
con.close()
"""


def child(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, **(env or {})}, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {err}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def make_file(path: Path, measures: int, days: int) -> None:
    rng = np.random.default_rng(2024)
    dates = pd.date_range("2015-01-01", periods=days, freq="D").strftime("%Y-%m-%d")
    pd.DataFrame({
        "date": np.tile(dates, measures),
        "measure": np.repeat([f"m{i:04d}" for i in range(measures)], days),
        "value": np.round(rng.normal(50, 8, measures * days), 1),
    }).to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=1000)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = work / "long.csv"
        make_file(data, args.measures, args.days)
        rows = args.measures * args.days
        runs: dict[str, list[tuple[float, float]]] = {"baseline": [], "import": [],
                                                      "re-import": []}
        for k in range(args.repeat):
            base_db = work / f"baseline-{k}.db"
            runs["baseline"].append(child([sys.executable, "-c", BASELINE, str(data),
                                           str(base_db)]))
            base_db.unlink()
            env = {"QI_DB": str(work / f"qi-{k}.db")}
            for setup in (["init", env["QI_DB"]], ["team", "add", "North"],
                          ["project", "add", "p", "--title", "T", "--team", "north",
                           "--aim", "A"]):
                child(QI + setup, env)
            runs["import"].append(child(QI + ["data", "import", str(data), "--project", "p",
                                              "--create-measures"], env))
            runs["re-import"].append(child(QI + ["data", "import", str(data), "--project",
                                                 "p"], env))
            for leftover in work.glob(f"qi-{k}.db*"):
                leftover.unlink()

    base = statistics.median(t for t, _ in runs["baseline"])
    print(f"{rows:,} rows ({args.measures:,} measures x {args.days:,} days), "
          f"{args.repeat} interleaved runs each; Python {sys.version.split()[0]}, "
          f"pandas {pd.__version__}")
    header = (f"{'what':<44} {'median s':>9} {'best s':>7} {'x base':>7} {'peak MB':>8}"
              f"  target")
    print(header)
    print("-" * len(header))
    labels = {"baseline": "baseline: read_csv + sqlite3 executemany",
              "import": "qi data import --create-measures (new db)",
              "re-import": "qi data import again (nothing to do)"}
    for name, results in runs.items():
        median = statistics.median(t for t, _ in results)
        best = min(t for t, _ in results)
        peak = max(m for _, m in results)
        ok = "" if name == "baseline" else (
            "ok" if median <= 2 * base and peak <= 800 else "MISSED")
        print(f"{labels[name]:<44} {median:>9.2f} {best:>7.2f} {median / base:>7.2f} "
              f"{peak:>8.0f}  {ok}")


if __name__ == "__main__":
    main()
