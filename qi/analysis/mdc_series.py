"""NHSRplotthedots' pipeline (``rules="mdc"``, i charts): per part, the process limits
and the Making Data Count rules (``mdc``), each point's variation type, and the part's
assurance against the target."""

from __future__ import annotations

import numpy as np

from qi.text import plural

from . import explain, rstats
from .mdc import MISSING, POINT_TYPES, MdcGroup, assurance, mdc_group
from .parts import NO_LIMITS, Layout, scaled, sigma_blocks
from .result import Analysis, PartSummary, Signal
from .runs import Run, anhoej

_DIRECTION = {"up": 1, "down": -1, "neither": 0}
# Fewer points than this in a group: NHSRplotthedots warns that limits are unreliable.
_MDC_SHORT_GROUP = 12


def analyze_mdc(lay: Layout, freeze: int | None, improvement: str, target: float | None,
                options: dict) -> Analysis:
    direction = _DIRECTION[improvement]
    sg, size = lay.sg, len(lay.sg)
    cols = {k: np.empty(size) for k in ("cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    outside = np.zeros(size, dtype=bool)
    high = np.zeros(size, dtype=np.int64)
    codes = np.zeros(size, dtype=np.int8)
    groups = []
    for a, b in lay.spans():
        g = mdc_group(sg.y[a:b], lay.include[a:b], lay.positions[a:b], freeze, lay.screen,
                      direction)
        groups.append(g)
        for k, v in (("cl", g.mean), ("lcl", g.lpl), ("ucl", g.upl), ("lcl_95", g.nlpl),
                     ("ucl_95", g.nupl)):
            cols[k][a:b] = v
        outside[a:b] = g.outside
        high[a:b] = g.high
        codes[a:b] = g.point_type

    with np.errstate(invalid="ignore", over="ignore"):
        y = sg.y * lay.multiply
        cl = cols["cl"] * lay.multiply
    lim = scaled(cols, lay.multiply)
    runs_point = np.zeros(size, dtype=bool)
    label = explain.labeller(sg.x)
    parts = []
    for p, (a, b) in enumerate(lay.spans(), start=1):
        g = groups[p - 1]
        ra = anhoej(sg.y[a:b], cols["cl"][a:b], lay.include[a:b], lay.positions[a:b])
        kinds = codes[a:b]
        signals = _signals(g, kinds, outside[a:b], high[a:b], lay.positions[a:b], a, label)
        runs_signal = bool(g.shifts or g.trends)
        runs_point[a:b] = runs_signal
        present = kinds[kinds != MISSING]
        parts.append(PartSummary(
            part=p, start=a + 1, end=b, n_obs=ra.n_obs, n_useful=ra.n_useful,
            longest_run=ra.longest_run, longest_run_max=ra.longest_run_max,
            n_crossings=ra.n_crossings, n_crossings_min=ra.n_crossings_min,
            runs_signal=runs_signal, cl=rstats.mean(cl[a:b]),
            lcl=rstats.mean(lim["lcl"][a:b]), ucl=rstats.mean(lim["ucl"][a:b]),
            sigma_signals=int(np.count_nonzero(outside[a:b])), signals=tuple(signals),
            notes=tuple(_notes(b - a, freeze, bool(np.isnan(lim["ucl"][b - 1])))),
            variation_type=POINT_TYPES[int(present[-1])] if present.size else None,
            assurance_type=assurance(
                target, direction, float(lim["lcl"][b - 1]), float(lim["ucl"][b - 1])
            ),
            point_type_counts=_counts(present),
        ))  # fmt: skip

    return Analysis(
        chart="i", rules="mdc", x=sg.x, y=y, n=sg.n if sg.got_n else np.full(size, np.nan),
        cl=cl, lcl=lim["lcl"], ucl=lim["ucl"], lcl_95=lim["lcl_95"], ucl_95=lim["ucl_95"],
        part=lay.part_id, baseline=lay.baseline, include=lay.include, sigma_signal=outside,
        runs_signal=runs_point, parts=tuple(parts),
        point_type=np.array(POINT_TYPES + (None,), dtype=object)[codes], got_n=sg.got_n,
        target=target, improvement=improvement, multiply=lay.multiply, options=options,
    )  # fmt: skip


def _signals(g: MdcGroup, kinds: np.ndarray, outside: np.ndarray, high: np.ndarray,
             positions: np.ndarray, a: int, label: explain.Labeller) -> list[Signal]:
    """One part's signals in words, in the order of their points."""

    def kind_at(pos: int) -> str:
        return explain.kind_words(POINT_TYPES[max(int(kinds[pos - 1 - a]), 0)])

    signals = [Signal("outside_limits", s, e, explain.mdc_outside(s, e, d, label, kind_at(s)))
               for s, e, d in sigma_blocks(outside, np.where(high > 0, 1, -1), positions)]
    for rule, runs, words in (("trend", g.trends, explain.mdc_trend),
                              ("two_of_three", g.two_in_three, explain.mdc_two_in_three),
                              ("shift", g.shifts, explain.mdc_shift)):
        signals += [Signal(rule, r.start, r.end, words(r.length, r.direction, r.start, r.end,
                                                       label, _dominant_kind(kinds, r, a)))
                    for r in runs]
    signals.sort(key=lambda sig: (sig.start, sig.end))
    return signals


def _notes(points: int, freeze: int | None, no_limits: bool) -> list[str]:
    notes = []
    if points < _MDC_SHORT_GROUP:
        notes.append(
            f"Only {plural(points, 'point')} in this part: Making Data Count "
            f"recommends at least {_MDC_SHORT_GROUP} before trusting the limits."
        )
    if freeze is not None and freeze < _MDC_SHORT_GROUP:
        notes.append(
            f"Limits fixed after {plural(freeze, 'point')}; NHSRplotthedots "
            f"requires at least {_MDC_SHORT_GROUP}."
        )
    if no_limits:
        notes.append(NO_LIMITS)
    return notes


def _counts(present: np.ndarray) -> dict[str, int]:
    tally = np.bincount(present.astype(np.int64), minlength=len(POINT_TYPES))
    return {
        "common_cause": int(tally[0]),
        "special_cause_improvement": int(tally[1]),
        "special_cause_concern": int(tally[2]),
        "special_cause_neutral": int(tally[3] + tally[4]),
    }


def _dominant_kind(kinds: np.ndarray, r: Run, a: int) -> str:
    """The special-cause type most points of a signal share (a higher-priority rule may
    relabel a few of them), in words."""
    seg = kinds[r.start - 1 - a : r.end - a]
    tally = np.bincount(seg[seg > 0].astype(np.int64), minlength=len(POINT_TYPES))
    if not tally.any():
        return "special cause"
    return explain.kind_words(POINT_TYPES[int(tally.argmax())])
