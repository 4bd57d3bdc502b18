"""Speed and memory of the analysis engine and `qi analyze --json` on 1,000,000 points.

    python benchmarks/bench_analysis.py [--points N] [--repeat R]

Prints a table. Each figure comes with a ratio to a baseline measured in the same run on
the same machine, so results from different machines can be compared:

* analysis times against numpy's own median of the same points (``np.median``);
* whole-process times against starting Python and importing numpy and pandas, the least
  any process reading a CSV with pandas must pay;
* peak memory (max RSS of the child process) against that same minimal process.

Targets (issue 3): analysis <= 1 s, whole `qi analyze --json` <= 3 s, memory <= 500 MB.
Times are the best of --repeat runs. No figure here is asserted in the test suite.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The installed console script when there is one (what users run), else python -m qi.
_SCRIPT = Path(sys.executable).parent / "qi"
QI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qi"]

from qi.analysis import analyze  # noqa: E402


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def child(argv: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MB) of one child process, stdout discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {err}")
    return elapsed, usage.ru_maxrss / 1024  # Linux reports KiB


def best_child(repeat: int, argv: list[str]) -> tuple[float, float]:
    runs = [child(argv) for _ in range(repeat)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    n, repeat = args.points, args.repeat

    rng = np.random.default_rng(2024)
    # realistic values: one decimal place, as measurements are recorded
    y = np.round(rng.normal(50, 8, n), 1)

    rows = []
    baseline = best_of(repeat, lambda: np.median(y))
    rows.append(("numpy median (baseline)", baseline, 1.0, None))
    for chart in ("run", "i"):
        t = best_of(repeat, lambda chart=chart: analyze(y, chart=chart))
        rows.append((f"analyze(): {chart} chart", t, t / baseline, None))

    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "series.csv"
        with csv.open("w") as f:
            f.write("x,y\n")
            f.write("\n".join(f"{i},{v}" for i, v in enumerate(y.tolist(), start=1)))
            f.write("\n")
        python = sys.executable
        base_t, base_m = best_child(repeat, [python, "-c", "import numpy, pandas"])
        rows.append(("python + import numpy, pandas (baseline)", base_t, 1.0, (base_m, 1.0)))
        for chart in ("run", "i"):
            argv = [*QI, "analyze", str(csv), "--chart", chart, "--json"]
            t, m = best_child(repeat, argv)
            rows.append((f"qi analyze --json: {chart} chart", t, t / base_t, (m, m / base_m)))

    print(f"{n:,} points, best of {repeat}; Python {sys.version.split()[0]}, numpy "
          f"{np.__version__}")  # fmt: skip
    print(f"{'measure':44} {'time (s)':>9} {'x base':>7} {'peak MB':>8} {'x base':>7}")
    for name, t, ratio, mem in rows:
        mem_text = f"{mem[0]:8.0f} {mem[1]:7.1f}" if mem else f"{'':8} {'':7}"
        print(f"{name:44} {t:9.3f} {ratio:7.1f} {mem_text}")


if __name__ == "__main__":
    main()
