"""Speed of the chart renderer (qi.charts): one slide-ready chart, and a batch of 50.

    python benchmarks/bench_charts.py [--runs N]

Prints a table. Every figure comes with a ratio to a baseline measured in the same run on
the same machine, so results from different machines can be compared:

* in-process times against the least any matplotlib chart costs: a bare Figure with one
  200-point line, saved as a PNG of the same size (2000 x 1125 px);
* whole-process times against starting Python and importing matplotlib.figure and numpy,
  which every process that draws a chart must pay.

Targets (issue 6): one run chart of 200 points with 10 PDSA cycles, whole process,
<= 1.0 s; `--all` for 50 measures (one process, no per-chart imports) <= 12 s.
Times are medians of --runs runs. No figure here is asserted in the test suite.

The child processes run this file with ``--child``; only stdlib is imported at module
level, so a child pays for exactly what `qi chart` would: numpy, qi.analysis, qi.charts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._util import print_table, time_process  # noqa: E402

TARGET_ONE = 1.0
TARGET_FIFTY = 12.0


def one_spec(seed: int = 1, points: int = 200, cycles: int = 10, chart: str = "run"):
    """A weekly measure with a frozen baseline, a shift half way, and ``cycles`` cycles."""
    import numpy as np

    from qi.analysis import analyze
    from qi.charts import Annotation, ChartSpec

    rng = np.random.default_rng(seed)
    x = np.datetime64("2015-01-05") + np.arange(points) * 7
    level = np.where(np.arange(points) < points // 2, 50.0, 44.0)
    y = np.round(rng.normal(level, 5), 1)
    a = analyze(y, x=x, chart=chart, freeze=min(20, points))
    step = max(1, (points - 20) // max(cycles, 1))
    anns = tuple(
        Annotation(x[min(points - 1, 20 + k * step)] + 2, f"dna-rate#{k + 1}",
                   f"Change idea {k + 1}: SMS reminders for patients of nurse clinic {k + 1}")
        for k in range(cycles)
    )  # fmt: skip
    return ChartSpec(
        a,
        "DNA rate for nurse appointments",
        "Reduce nurse DNAs · North Barnet · Reduce the DNA rate from 8% to 5% by 30 Sep 2018",
        "Source: EMIS search 12; generated 2026-11-27",
        anns,
        period="week",
        y_label="DNAs per 100 booked",
    )


def fifty_specs():
    """50 measures of a programme: run, i and p charts of 24-104 points, 0-9 cycles."""
    import numpy as np

    from qi.analysis import analyze
    from qi.charts import ChartSpec

    specs = []
    for k in range(50):
        if k % 3 == 2:
            rng = np.random.default_rng(k)
            n = 24 + (k * 7) % 60
            den = rng.integers(60, 140, n)
            x = np.datetime64("2017-01-02") + np.arange(n) * 7
            a = analyze(rng.binomial(den, 0.08), n=den, x=x, chart="p", freeze=12,
                        multiply=100)  # fmt: skip
            specs.append(ChartSpec(a, f"Measure {k}", "Project · Team", "Source: x",
                                   percent=True, target=5.0, period="week"))  # fmt: skip
        else:
            chart = "run" if k % 3 == 0 else "i"
            specs.append(one_spec(k, 24 + (k * 13) % 81, k % 10, chart))
    return specs


def child(kind: str, outdir: str) -> None:
    """What one `qi chart` (kind "one") or `qi chart --all` (kind "fifty") process does."""
    from qi.charts import save

    if kind == "baseline":
        import matplotlib.figure  # noqa: F401
        import numpy  # noqa: F401

        return
    specs = [one_spec()] if kind == "one" else fifty_specs()
    for i, spec in enumerate(specs):
        save(spec, Path(outdir) / f"chart-{i}.png", overwrite=True)


def bare_chart(path: Path) -> None:
    """The in-process baseline: the least a 200-point matplotlib PNG of this size costs."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(40 / 3, 7.5), dpi=150)
    FigureCanvasAgg(fig)
    fig.add_subplot().plot(np.arange(200), np.sin(np.arange(200) / 9), marker="o")
    fig.savefig(path, format="png")


def median_time(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "OUTDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return

    from qi.charts import save

    runs = args.runs
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        spec = one_spec()
        specs = fifty_specs()
        save(spec, out / "warm.png", overwrite=True)  # fonts and caches, as a second chart
        base_in, base_in_best = median_time(lambda: bare_chart(out / "bare.png"), runs)
        one_in, one_in_best = median_time(
            lambda: save(spec, out / "one.png", overwrite=True), runs
        )
        svg_in, svg_in_best = median_time(
            lambda: save(spec, out / "one.svg", overwrite=True), runs
        )

        def fifty() -> None:
            for i, s in enumerate(specs):
                save(s, out / f"m{i}.png", overwrite=True)

        fifty_in, fifty_in_best = median_time(fifty, max(1, runs // 3))

        me = [sys.executable, str(Path(__file__).resolve()), "--child"]
        base = time_process(me + ["baseline", tmp], runs=runs)
        one = time_process(me + ["one", tmp], runs=runs)
        many = time_process(me + ["fifty", tmp], runs=max(1, runs // 3))

    print_table(
        "In-process (qi.charts already imported), median of runs",
        [
            ("bare 200-point Figure -> PNG (baseline)", base_in, base_in_best, None, None),
            ("200-point run chart, 10 cycles -> PNG", one_in, one_in_best, base_in, None),
            ("200-point run chart, 10 cycles -> SVG", svg_in, svg_in_best, base_in, None),
            ("50 charts -> PNG", fifty_in, fifty_in_best, base_in, None),
        ],
    )
    print_table(
        "Whole process (python start, imports, analysis, chart, file)",
        [
            ("python + import matplotlib.figure, numpy", base["median"], base["best"], None,
             None),
            ("one 200-point chart, 10 cycles -> PNG", one["median"], one["best"],
             base["median"], TARGET_ONE),
            ("50 charts -> PNG, one process", many["median"], many["best"], base["median"],
             TARGET_FIFTY),
        ],
    )  # fmt: skip
    print(f"\npeak memory: one chart {one['peak_mb']:.0f} MB, 50 charts {many['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
