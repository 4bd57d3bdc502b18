"""qicharts2's pipeline (``qic()``): per part, the centre line and limits from the
baseline (``limits``), then the runs analysis on all included points, Anhøj's rules or the
IHI run chart rules (``runs``); points outside the limits flagged."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qi.domain import CHART_FACTS, ChartType

from . import explain, rstats
from .limits import CHART_FUNCTIONS, Lines
from .parts import NO_LIMITS, Layout, part_data, scaled, sigma_blocks
from .result import Analysis, PartSummary, Signal
from .runs import IHI_MAX, IHI_MIN, AnhoejResult, IhiResult, anhoej, ihi


@dataclass(frozen=True)
class _PartRuns:
    """The runs analysis of one part, in words."""

    signal: bool
    signals: list[Signal]
    notes: list[str]
    ihi: dict | None = None


def analyze_qic(lay: Layout, chart: str, rules: str, y_neg: bool, options: dict) -> Analysis:
    sg, size = lay.sg, len(lay.sg)
    cols, run_results = _lines(lay, chart, rules)
    with np.errstate(invalid="ignore", over="ignore"):
        y = cols["y"] * lay.multiply
        cl = cols["cl"] * lay.multiply
    lim = scaled(cols, lay.multiply)
    with np.errstate(invalid="ignore"):
        above = y > lim["ucl"]
        below = y < lim["lcl"]
    sigma = above | below
    side = np.where(above, 1, -1)

    if not y_neg and np.any(~np.isnan(y)) and np.nanmin(y) >= 0:
        with np.errstate(invalid="ignore"):
            for k in ("lcl", "lcl_95"):
                lim[k] = np.where(lim[k] < 0, 0.0, lim[k])

    label = explain.labeller(sg.x)
    parts = []
    runs_point = np.zeros(size, dtype=bool)
    for p, (a, b) in enumerate(lay.spans(), start=1):
        ra, ri = run_results[p - 1]
        if chart == ChartType.mr:
            runs = _PartRuns(False, [], [])  # qicharts2 never tests moving ranges for runs
        elif ri is not None:
            runs = _ihi_runs(ra, ri, a, b, label)
        else:
            runs = _anhoej_runs(ra, a, b, label)
        runs_point[a:b] = runs.signal
        signals = runs.signals
        for s, e, d in sigma_blocks(sigma[a:b], side[a:b], lay.positions[a:b]):
            signals.append(Signal("sigma", s, e, explain.sigma(s, e, d, label)))
        signals.sort(key=lambda sig: (sig.start, sig.end))
        if CHART_FACTS[ChartType(chart)].limits and np.all(np.isnan(lim["ucl"][a:b])):
            runs.notes.append(NO_LIMITS)
        parts.append(PartSummary(
            part=p, start=a + 1, end=b, n_obs=ra.n_obs, n_useful=ra.n_useful,
            longest_run=ra.longest_run, longest_run_max=ra.longest_run_max,
            n_crossings=ra.n_crossings, n_crossings_min=ra.n_crossings_min,
            runs_signal=bool(runs.signal), cl=rstats.mean(cl[a:b]),
            lcl=rstats.mean(lim["lcl"][a:b]), ucl=rstats.mean(lim["ucl"][a:b]),
            sigma_signals=int(np.count_nonzero(sigma[a:b])), signals=tuple(signals),
            notes=tuple(runs.notes), ihi=runs.ihi,
        ))  # fmt: skip

    return Analysis(
        chart=chart, rules=rules, x=sg.x, y=y, n=sg.n if sg.got_n else np.full(size, np.nan),
        cl=cl, lcl=lim["lcl"], ucl=lim["ucl"], lcl_95=lim["lcl_95"], ucl_95=lim["ucl_95"],
        part=lay.part_id, baseline=lay.baseline, include=lay.include, sigma_signal=sigma,
        runs_signal=runs_point, parts=tuple(parts), got_n=sg.got_n, multiply=lay.multiply,
        options=options,
    )  # fmt: skip


def _lines(lay: Layout, chart: str, rules: str
           ) -> tuple[dict[str, np.ndarray], list[tuple[AnhoejResult, IhiResult | None]]]:
    """Each part's centre line and limits (unscaled), and its runs analysis."""
    chart_fn = CHART_FUNCTIONS[chart]
    size = len(lay.sg)
    cols = {k: np.empty(size) for k in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    run_results: list[tuple[AnhoejResult, IhiResult | None]] = []
    for a, b in lay.spans():
        base = lay.baseline[a:b] & lay.include[a:b]
        lines: Lines = chart_fn(part_data(lay.sg, a, b), base, lay.screen)
        for k in cols:
            cols[k][a:b] = getattr(lines, k)
        pos = lay.positions[a:b]
        inc = lay.include[a:b]
        ra = anhoej(lines.y, lines.cl, inc, pos)
        run_results.append((ra, ihi(lines.y, lines.cl, inc, pos) if rules == "ihi" else None))
    return cols, run_results


def _ihi_runs(ra: AnhoejResult, ri: IhiResult, a: int, b: int,
              label: explain.Labeller) -> _PartRuns:
    signals = [Signal("shift", r.start, r.end,
                      explain.ihi_shift(r.length, r.direction, r.start, r.end, label))
               for r in ri.shifts]
    signals += [Signal("trend", r.start, r.end,
                       explain.ihi_trend(r.length, r.direction, r.start, r.end, label))
                for r in ri.trends]
    if ri.too_few_runs and ri.n_runs is not None and ri.runs_lower is not None:
        signals.append(Signal("too_few_runs", a + 1, b,
                              explain.ihi_too_few(ri.n_runs, ra.n_useful, ri.runs_lower)))
    if ri.too_many_runs and ri.n_runs is not None and ri.runs_upper is not None:
        signals.append(Signal("too_many_runs", a + 1, b,
                              explain.ihi_too_many(ri.n_runs, ra.n_useful, ri.runs_upper)))
    notes = []
    if not ri.runs_tested:
        notes.append(explain.ihi_no_runs_test(ra.n_useful, IHI_MIN, IHI_MAX) + ".")
    info = {
        "n_runs": ri.n_runs, "runs_lower": ri.runs_lower, "runs_upper": ri.runs_upper,
        "shifts": len(ri.shifts), "trends": len(ri.trends),
        "too_few_runs": ri.too_few_runs, "too_many_runs": ri.too_many_runs,
        "runs_tested": ri.runs_tested,
    }  # fmt: skip
    return _PartRuns(ri.signal, signals, notes, info)


def _anhoej_runs(ra: AnhoejResult, a: int, b: int, label: explain.Labeller) -> _PartRuns:
    most = ra.longest_run_max  # long runs are longer than this, so it is known with them
    signals = [Signal("longest_run", r.start, r.end, explain.anhoej_long_run(
        r.length, r.direction, r.start, r.end, most, label))
        for r in ra.long_runs if most is not None]
    crossings, least = ra.n_crossings, ra.n_crossings_min
    if crossings is not None and least is not None and crossings < least:
        signals.append(Signal("crossings", a + 1, b,
                              explain.anhoej_crossings(crossings, ra.n_useful, least)))
    return _PartRuns(ra.signal, signals, [])
