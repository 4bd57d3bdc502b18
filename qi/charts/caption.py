"""The caption under a chart: one paragraph of plain English about the points, the centre
line and limits, and what the rules found."""

from __future__ import annotations

import math

import numpy as np

from qi.analysis import Analysis
from qi.charts.spec import ChartSpec, _day, _is_dates, _value, shown
from qi.charts.style import _CL_NAMES, _FEW, _RULE_NAMES, _SIGNAL_NAMES, _THRESHOLD
from qi.text import plural


def _cl_name(a: Analysis) -> str:
    return _CL_NAMES.get(a.chart, "Mean")


def _span(a: Analysis, start: int, end: int) -> str:
    """1-based positions as dates when x are dates: '2018-01-01 to 2018-03-19'."""
    if _is_dates(a):
        return f"{_day(a.x[start - 1])} to {_day(a.x[end - 1])}"
    return f"points {start} to {end}"


def _shorten(text: str) -> str:
    return _THRESHOLD.sub("", text).rstrip(".")


def _points_sentence(spec: ChartSpec, missing_periods: int) -> str:
    """'60 points from 6 Jan 2018 to 23 Feb 2019 (3 missing).' A zoomed chart says which
    part of the whole it shows, and that its lines are those of the whole."""
    a = spec.analysis
    mask = shown(spec)
    idx = np.flatnonzero(mask)
    present = int(np.count_nonzero(~np.isnan(a.y[mask])))
    missing = int(idx.size) - present + missing_periods
    s = plural(present, "point")
    if _is_dates(a) and idx.size:
        first, last = a.x[idx[0]], a.x[idx[-1]]
        s += f" from {_day(first)} to {_day(last)}" if idx.size > 1 else f" on {_day(first)}"
    if missing:
        s += f" ({missing} missing)"
    if idx.size < len(a):
        total = int(np.count_nonzero(~np.isnan(a.y)))
        s += (f", a window of all {total}: the centre line, limits and signals are those of "
              f"the whole series ({_day(a.x[0])} to {_day(a.x[-1])})")
    return s + "."


def _limits_clause(spec: ChartSpec, part) -> str:
    """', control limits 4.8 to 10.9' (averaged, and said so, when they vary by point)."""
    a = spec.analysis
    sl = slice(part.start - 1, part.end)
    lcl, ucl = a.lcl[sl], a.ucl[sl]
    if a.chart == "run" or not (np.isfinite(lcl).any() or np.isfinite(ucl).any()):
        return ""
    u = ucl[np.isfinite(ucl)]
    # p and u charts have limits that move with the denominator: give their average
    varies = u.size > 1 and float(u.max() - u.min()) > 1e-9 * max(1.0, float(np.abs(u).max()))
    lo = _value(part.lcl, spec) if math.isfinite(part.lcl) else "none"
    hi = _value(part.ucl, spec) if math.isfinite(part.ucl) else "none"
    kind = "process" if a.rules == "mdc" else "control"
    return f", {kind} limits {'on average ' if varies else ''}{lo} to {hi}"


def _centre_sentence(spec: ChartSpec) -> str:
    """'Median 8.1% from the first 12 points, extended.' With phases, one value per phase:
    'Mean 8.2% in phase 1 (2017-01-01 to 2017-12-01), 6.7% in phase 2 (...)'. Limits are
    given for a chart of one phase only, where they add to rather than bury the message."""
    a = spec.analysis
    name = _cl_name(a)
    values = [_value(p.cl, spec) if math.isfinite(p.cl) else "not computed" for p in a.parts]
    frozen = [int(np.count_nonzero(a.baseline[p.start - 1 : p.end])) for p in a.parts]
    frozen_any = any(k < p.end - p.start + 1 for k, p in zip(frozen, a.parts, strict=True))
    if len(a.parts) == 1:
        p = a.parts[0]
        s = f"{name} {values[0]}"
        if frozen_any:
            s += f" from the first {plural(frozen[0], 'point')}, extended"
        return s + _limits_clause(spec, p) + "."
    clauses = [
        f"{v} in phase {p.part} ({_span(a, p.start, p.end)})"
        for v, p in zip(values, a.parts, strict=True)
    ]
    s = f"{name} {', '.join(clauses)}"
    if frozen_any:
        if len(set(frozen)) == 1:
            s += f", each from the first {plural(frozen[0], 'point')} of its phase, extended"
        else:
            s += ", each from the baseline of its phase, extended"
    return s + "."


def _sentence_case(text: str) -> str:
    """'Only 5 crossings' -> 'only 5 crossings' (but 'IHI' stays 'IHI')."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _signal_sentence(spec: ChartSpec, max_per_part: int) -> str:
    """'Anhøj rules - long run: 17 points in a row below the centre line from ... to ...'."""
    a = spec.analysis
    rules = spec.rules or _RULE_NAMES.get(a.rules, a.rules)
    if a.chart != "run" and a.rules != "mdc":
        rules += " and 3-sigma limits"
    found = []
    for p in a.parts:
        items = [
            f"{_SIGNAL_NAMES.get(sig.rule, sig.rule).lower()}: {_sentence_case(_shorten(sig.text))}"
            for sig in p.signals
        ]
        if len(items) > max_per_part:
            rest = len(items) - max_per_part
            items = items[:max_per_part] + [f"{plural(rest, 'more signal')}"]
        if items:
            prefix = f"in phase {p.part}, " if len(a.parts) > 1 else ""
            found.append(prefix + "; ".join(items))
    if not found:
        present = int(np.count_nonzero(~np.isnan(a.y)))
        if present < _FEW:
            # saying "only chance" about 3 points would claim more than the rules can tell
            return (
                f"{rules}: no signals, but with only {plural(present, 'point')} few "
                "patterns could show yet."
            )
        return f"{rules}: no signals, only the variation expected by chance."
    return f"{rules} — {'; '.join(found)}."


_ASSURANCE = {
    "consistent_pass": "the process limits are on the right side of the target, so it will "
    "be met consistently if nothing changes",
    "consistent_fail": "the process limits are on the wrong side of the target, so it will "
    "be missed consistently unless the process changes",
    "inconsistent": "the target lies between the process limits, so it will be met some of "
    "the time but not reliably",
}


def _assurance_sentence(a: Analysis) -> str:
    """Making Data Count's target assurance for the latest phase, in words."""
    kind = a.parts[-1].assurance_type if a.rules == "mdc" else None
    if kind not in _ASSURANCE:
        return ""
    return f"Target assurance: {_ASSURANCE[kind]}."


def _notes_sentence(a: Analysis) -> str:
    notes: list[str] = []
    for p in a.parts:
        for note in p.notes:
            if note not in notes:
                notes.append(note)
    return " ".join(n if n.endswith(".") else n + "." for n in notes)


def caption_text(spec: ChartSpec, *, max_signals: int = 4, missing_periods: int = 0,
                 lead: str = "") -> str:
    """The caption under the chart, as one paragraph of plain English.

    Number of points (and how many are missing), the centre line per part (with the
    limits for SPC charts), the rules used and what they found (the analysis' signal
    sentences without their threshold explanations, at most ``max_signals`` per part,
    then a count), Making Data Count's target assurance, the analysis' notes, and
    ``spec.caption_source``.
    ``missing_periods``: periods with no row at all (found by :func:`figure` from the dates).
    ``lead``: a first sentence (the measure's full name, when the title had to be cut).
    """
    a = spec.analysis
    parts = [
        lead,
        _points_sentence(spec, missing_periods),
        f"{spec.provisional.rstrip('.')}." if spec.provisional else "",
        _centre_sentence(spec),
        _signal_sentence(spec, max_signals),
        _assurance_sentence(a),
        _notes_sentence(a),
        (spec.caption_source or "").strip(),
    ]
    from qi.dates import humanise

    return humanise(" ".join(s for s in parts if s))
