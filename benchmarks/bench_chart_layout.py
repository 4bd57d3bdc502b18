"""Chart render time with dense PDSA annotations: 10 cycles, and a ramp of 40 (issue 11).

    python benchmarks/bench_chart_layout.py [--runs N] [--qi PATH]

In process, CPU time, median of runs: one 200-point weekly run chart with 10 cycles spread over the
series, the same with 40 cycles in a ramp (one every two days over eleven weeks, with
notes on some of the same days), both to PNG, against a bare 200-point matplotlib PNG of
the same size drawn in the same run (the baseline the ratios are taken against).

``--qi PATH`` times the qi found at PATH instead of this checkout (for example an
unpacked copy of an earlier commit, ``git archive COMMIT | tar -x -C PATH``), so that
"before" and "after" can be measured in the same session.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ramp_spec(cycles: int, *, ramp: bool):
    """200 weekly points with a shift; ``cycles`` cycles spread out, or in a ramp."""
    import numpy as np

    from qi.analysis import analyze
    from qi.charts import Annotation, ChartSpec

    points = 200
    rng = np.random.default_rng(7)
    x = np.datetime64("2015-01-05") + np.arange(points) * 7
    level = np.where(np.arange(points) < 120, 50.0, 44.0)
    a = analyze(np.round(rng.normal(level, 5), 1), x=x, chart="run", freeze=20)
    anns = []
    for k in range(cycles):
        day = x[110] + 2 * k if ramp else x[20 + k * 17]
        anns.append(Annotation(day, f"dna-rate#{k + 1}",
                               f"Test {k + 1}: SMS reminder wording for clinic {k % 5 + 1}"))
        if ramp and k % 8 == 0:
            anns.append(Annotation(day, f"N{k // 8 + 1}", "Locum week: reception short-staffed",
                                   "note"))  # fmt: skip
    return ChartSpec(
        a,
        "DNA rate for nurse appointments",
        "Reduce nurse DNAs · North Barnet · Reduce the DNA rate from 8% to 5% by 30 Sep 2018",
        "Source: EMIS search 12; generated 2026-11-27",
        tuple(anns),
        period="week",
        y_label="DNAs per 100 booked",
    )


def bare_chart() -> None:
    """The baseline: the least a 200-point matplotlib PNG of this size costs."""
    import io

    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(40 / 3, 7.5), dpi=150)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot(np.arange(200), np.sin(np.arange(200) / 9), marker="o")
    fig.savefig(io.BytesIO(), format="png")


def median_time(fn, runs: int) -> tuple[float, float]:
    """Median and best CPU time of this process (``time.process_time``): on a machine
    shared with other work, wall time mostly measures the neighbours."""
    times = []
    for _ in range(runs):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--qi", metavar="PATH", help="time the qi package found at PATH")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.qi).resolve() if args.qi else ROOT))
    from benchmarks._util import print_table
    from qi.charts import render

    ten, forty = ramp_spec(10, ramp=False), ramp_spec(40, ramp=True)
    with tempfile.TemporaryDirectory():
        render(ten)  # fonts and caches, as for a second chart of a batch
        base, base_best = median_time(bare_chart, args.runs)
        t10, t10_best = median_time(lambda: render(ten), args.runs)
        t40, t40_best = median_time(lambda: render(forty), args.runs)
    import qi.charts

    print(f"qi.charts from {Path(qi.charts.__file__).parent}")
    print_table(
        "In-process render to PNG bytes, CPU seconds, median of runs",
        [
            ("bare 200-point Figure -> PNG (baseline)", base, base_best, None, None),
            ("200 points, 10 cycles -> PNG", t10, t10_best, base, None),
            ("200 points, 40 cycles in a ramp -> PNG", t40, t40_best, base, None),
        ],
    )


if __name__ == "__main__":
    main()
