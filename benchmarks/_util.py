"""Shared helpers for the benchmark scripts: timing whole processes and printing tables."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The installed console script when there is one (that is what users run), else -m.
_SCRIPT = Path(sys.executable).parent / "qi"
QI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "qi"]


def time_process(argv: list[str], *, env: dict | None = None, runs: int = 7) -> dict:
    """Median and best wall time of a whole process, and its peak memory (MB)."""
    times = []
    peak_kb = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(argv, env={**os.environ, **(env or {})}, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return {"median": statistics.median(times), "best": min(times), "peak_mb": peak_kb / 1024}


def print_table(title: str, rows: list[tuple]) -> None:
    """rows: (what, median s, best s, baseline median s, target s or None)."""
    print(f"\n{title}")
    header = f"{'what':<44} {'median s':>9} {'best s':>8} {'× baseline':>10} {'target s':>9}  ok"
    print(header)
    print("-" * len(header))
    for what, median, best, baseline, target in rows:
        ratio = f"{median / baseline:.2f}" if baseline else "-"
        ok = "-" if target is None else ("yes" if median <= target else "NO")
        tgt = f"{target:.2f}" if target is not None else "-"
        print(f"{what:<44} {median:>9.3f} {best:>8.3f} {ratio:>10} {tgt:>9}  {ok}")
