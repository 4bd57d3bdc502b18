"""`qi --help` as a whole process (issue 13's goal: at most 0.15 s), beside its references.

    python benchmarks/bench_help.py [--runs N] [--compare DIR]

The processes are run in turn, round after round, so a busy moment of the shared machine
falls on all of them; the table gives each one's median and its ratio to `python -c pass`.
References: `python -c pass` (the interpreter, which nothing avoids) and `import typer.main`
(the CLI framework alone: the floor of any Typer help). `--compare DIR` adds `qi --help`
run from another checkout of qi (e.g. `git archive` of an older commit unpacked in DIR).
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


def run_once(argv: list[str], env: dict[str, str], cwd: str) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--compare", type=Path, help="another checkout of qi")
    args = parser.parse_args()
    env = {**os.environ, "COLUMNS": "80"}
    cases: dict[str, tuple[list[str], dict[str, str]]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "python -c 'import typer.main'": ([sys.executable, "-c", "import typer.main"], env),
        "qi --help": ([sys.executable, "-m", "qi", "--help"], env),
    }
    if args.compare:
        other = {**env, "PYTHONPATH": str(args.compare.resolve())}
        cases[f"qi --help ({args.compare.name})"] = ([sys.executable, "-m", "qi", "--help"],
                                                      other)
    times: dict[str, list[float]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory() as cwd:  # not a checkout: `python -m qi` finds the
        for _ in range(args.runs):               # installed qi (or --compare's)
            for name, (argv, case_env) in cases.items():
                times[name].append(run_once(argv, case_env, cwd))
    base = statistics.median(times["python -c pass"])
    print(f"{'process':<36} {'median s':>9} {'best s':>8} {'× pass':>7}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<36} {median:9.3f} {min(values):8.3f} {median / base:7.2f}")
    print(f"\nmedians of {args.runs}; goal: qi --help ≤ 0.15 s")


if __name__ == "__main__":
    main()
