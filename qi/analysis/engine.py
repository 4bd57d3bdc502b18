"""The public entry point: :func:`analyze` a series into an :class:`Analysis`.

Pipeline (qicharts2's ``qic()`` / ``qic.agg()``; NHSRplotthedots for ``rules="mdc"``):

1. validate the values for the chart type (errors name the row and the field);
2. aggregate rows into subgroups, one per distinct x (``aggregate``);
3. number the subgroups 1..N, split them into parts after the ``part`` positions, mark the
   baseline (the first ``freeze`` points *of each part*) and the excluded points;
4. per part: centre line and limits from the baseline, included points (``limits``), then
   the runs analysis on all included points (``runs``), or the MDC rules (``mdc``);
5. multiply, turn non-finite limits into missing ones, flag points outside the limits.

Positions (``freeze``, ``part``, ``exclude`` and every signal's ``start``/``end``) are
1-based subgroup positions, like qicharts2's.

Deliberate difference from qicharts2: with both ``freeze`` and ``part``, qicharts2 ignores
``freeze``; here the first ``freeze`` points of each part are that part's baseline (as
NHSRplotthedots fixes limits within each rebase group, and as qicharts2's users asked).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qi.errors import InvalidInput

from . import explain, rstats
from .aggregate import Subgroups, aggregate
from .limits import CHART_FUNCTIONS, Lines, PartData
from .mdc import MISSING, POINT_TYPES, assurance, mdc_group
from .runs import IHI_MAX, IHI_MIN, anhoej, ihi

__all__ = [
    "CHARTS",
    "RULES",
    "IMPROVEMENTS",
    "Analysis",
    "PartSummary",
    "Signal",
    "InvalidValue",
    "PositionError",
    "analyze",
]

CHARTS = tuple(CHART_FUNCTIONS)
RULES = ("anhoej", "ihi", "mdc")
IMPROVEMENTS = ("up", "down", "neither")
_DIRECTION = {"up": 1, "down": -1, "neither": 0}

# Charts whose values are counts or proportions of a denominator.
_NEEDS_N = ("p", "pp", "u", "up")
_NON_NEGATIVE = ("p", "pp", "c", "u", "up", "g")


class InvalidValue(InvalidInput):
    """One input value is unacceptable for the chart. ``index`` is 0-based into the input.

    ``field`` is "x", "y" or "n"; callers that read a file can turn ``index`` and ``field``
    into a file row and column name (see ``qi.cli.analyze``).
    """

    def __init__(self, index: int, field: str, value: object, reason: str):
        self.index, self.field, self.value, self.reason = index, field, value, reason
        super().__init__(f"row {index + 1}, {field} = {_show(value)}: {reason}")


class PositionError(InvalidInput):
    """A ``freeze``/``part``/``exclude`` position is out of range; ``option`` names which."""

    def __init__(self, option: str, value: object, reason: str):
        self.option, self.value, self.reason = option, value, reason
        super().__init__(f"{option} {value}: {reason}")


def _show(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Signal:
    """One signal: which rule, the points it covers (1-based positions) and a sentence."""

    rule: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"rule": self.rule, "from": self.start, "to": self.end, "text": self.text}


@dataclass(frozen=True)
class PartSummary:
    """One part, like a row of qicharts2's ``summary()`` plus the signals in words.

    ``cl``, ``lcl`` and ``ucl`` are averages over the part's points (after ``multiply``),
    as qicharts2's CL, aLCL and aUCL; NaN when undefined. The runs statistics are None when
    the part has no useful points.
    """

    part: int
    start: int
    end: int
    n_obs: int
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    n_crossings: int | None
    n_crossings_min: int | None
    runs_signal: bool
    cl: float
    lcl: float
    ucl: float
    sigma_signals: int
    signals: tuple[Signal, ...]
    notes: tuple[str, ...] = ()
    ihi: dict | None = None
    variation_type: str | None = None
    assurance_type: str | None = None
    point_type_counts: dict | None = None

    def to_dict(self, rules: str, with_target: bool) -> dict:
        d = {
            "part": self.part,
            "n_obs": self.n_obs,
            "n_useful": self.n_useful,
            "longest_run": self.longest_run,
            "longest_run_max": self.longest_run_max,
            "n_crossings": self.n_crossings,
            "n_crossings_min": self.n_crossings_min,
            "runs_signal": self.runs_signal,
            "cl": _num(self.cl),
            "sigma_signals": self.sigma_signals,
            "signals": [s.to_dict() for s in self.signals],
            "from": self.start,
            "to": self.end,
            "lcl": _num(self.lcl),
            "ucl": _num(self.ucl),
        }
        if self.notes:
            d["note"] = " ".join(self.notes)
        if rules == "ihi" and self.ihi is not None:
            d["ihi"] = dict(self.ihi)
        if rules == "mdc":
            d["variation_type"] = self.variation_type
            if with_target:
                d["assurance_type"] = self.assurance_type
            d.update(self.point_type_counts or {})
        return d


def _num(v: float) -> float | None:
    return None if v is None or math.isnan(v) else float(v)


@dataclass(frozen=True, eq=False)
class Analysis:
    """A whole analysed series: per-point arrays (one element per subgroup) and parts.

    Arrays: ``x`` (numbers or datetime64[D]), ``y``, ``n`` (NaN without a denominator),
    ``cl``, ``lcl``, ``ucl``, ``lcl_95``, ``ucl_95`` (all after ``multiply``; NaN = missing),
    ``part`` (1-based), ``baseline``, ``include``, ``sigma_signal``, ``runs_signal`` and,
    for ``rules="mdc"``, ``point_type`` (object array; None for a missing value). With
    ``mdc`` the limits are the process limits and the ``*_95`` lines the 2-sigma "near"
    lines at two-thirds of the way to them.
    """

    chart: str
    rules: str
    x: np.ndarray
    y: np.ndarray
    n: np.ndarray
    cl: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray
    lcl_95: np.ndarray
    ucl_95: np.ndarray
    part: np.ndarray
    baseline: np.ndarray
    include: np.ndarray
    sigma_signal: np.ndarray
    runs_signal: np.ndarray
    parts: tuple[PartSummary, ...]
    point_type: np.ndarray | None = None
    got_n: bool = False
    target: float | None = None
    improvement: str | None = None
    multiply: float = 1.0
    options: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.y.shape[0])

    @property
    def signals(self) -> tuple[Signal, ...]:
        return tuple(s for p in self.parts for s in p.signals)

    def to_dict(self) -> dict:
        """The documented JSON document (``qi analyze --json``) as Python objects."""
        from .document import to_dict

        return to_dict(self)


# ---------------------------------------------------------------------------- inputs


def _as_float(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        for i, v in enumerate(values):
            try:
                float(v if v is not None else math.nan)
            except (TypeError, ValueError):
                raise InvalidValue(i, name, v, "not a number") from None
        raise
    if arr.ndim != 1:
        raise InvalidInput(f"{name} must be a one-dimensional series of numbers")
    return arr


def _as_x(x, size: int) -> np.ndarray:
    if x is None:
        return np.arange(1, size + 1, dtype=np.int64)
    arr = np.asarray(x)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[D]")
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    if arr.dtype.kind == "f":
        return arr.astype(np.float64)
    raise InvalidInput(
        f"x must be numbers or dates (numpy datetime64); got values of type {arr.dtype}"
    )


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _validate_values(chart: str, y: np.ndarray, n: np.ndarray | None) -> None:
    """Refuse values that make no sense for the chart, naming the first offending row."""
    bad = np.isinf(y)
    if bad.any():
        i = _first(bad)
        raise InvalidValue(i, "y", y[i], "not a finite number")
    if n is not None:
        with np.errstate(invalid="ignore"):
            bad = np.isinf(n) | (n <= 0)
        if bad.any():
            i = _first(bad)
            raise InvalidValue(i, "n", n[i], "a denominator must be a number above 0")
    elif chart in _NEEDS_N:
        raise InvalidInput(f"a {chart} chart needs denominators (n)")
    with np.errstate(invalid="ignore"):
        if chart in _NON_NEGATIVE:
            bad = y < 0
            if bad.any():
                i = _first(bad)
                raise InvalidValue(i, "y", y[i], f"a {chart} chart needs counts of 0 or more")
        if chart in ("p", "pp") and n is not None:
            bad = y > n
            if bad.any():
                i = _first(bad)
                raise InvalidValue(
                    i,
                    "y",
                    y[i],
                    f"the numerator is greater than the denominator ({_show(n[i])}); "
                    f"a {chart} chart needs 0 <= y <= n",
                )
        if chart == "t":
            bad = y <= 0
            if bad.any():
                i = _first(bad)
                raise InvalidValue(
                    i, "y", y[i], "a t chart needs every value (time between events) above 0"
                )


def _positions(values: Iterable[int] | int | None, option: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, int | np.integer):
        values = [values]
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise PositionError(option, v, "positions must be whole numbers")
        out.append(int(v))
    return out


def _part_ids(breaks: Sequence[int], size: int) -> np.ndarray:
    """qicharts2's ``makeparts``: part k covers positions (b_k, b_{k+1}]."""
    cuts = sorted(set(breaks))
    ids = np.ones(size, dtype=np.int64)
    for b in cuts:
        ids[b:] += 1
    return ids


# ---------------------------------------------------------------------------- analyze


def analyze(
    y,
    *,
    x=None,
    n=None,
    chart: str = "run",
    freeze: int | None = None,
    part: Iterable[int] | int | None = None,
    exclude: Iterable[int] | int | None = None,
    multiply: float = 1.0,
    screen_mr: bool = True,
    rules: str = "anhoej",
    improvement: str | None = None,
    target: float | None = None,
    y_neg: bool = True,
) -> Analysis:
    """Analyse one series, like qicharts2's ``qic()`` (or NHSRplotthedots with ``mdc``).

    y, n: values and optional denominators (NaN or None = missing). x: numbers or
    datetime64 (default: 1..len(y)); rows sharing an x form one subgroup. ``chart``: one of
    :data:`CHARTS`. ``freeze``: the first K points of each part form its baseline.
    ``part``: positions after which a new part starts. ``exclude``: positions left out of
    the calculations (still plotted, still flagged when outside the limits).
    ``multiply``: scale y, centre line and limits (e.g. 100 for percent). ``screen_mr``:
    drop moving ranges >= 3.267 x their mean before the i/t/p'/u' limits (qicharts2 when
    attached; NHSRplotthedots' default). ``rules``: "anhoej" (any chart), "ihi" (run
    charts) or "mdc" (i charts; ``improvement`` "up" (the default, as NHSRplotthedots),
    "down" or "neither"; ``target`` for the assurance). ``y_neg=False`` clips negative lower
    limits to 0 when no value is negative (qicharts2's ``y.neg``).
    """
    if chart not in CHARTS:
        raise InvalidInput(f"unknown chart type {chart!r}; choose one of {', '.join(CHARTS)}")
    if rules not in RULES:
        raise InvalidInput(f"unknown rules {rules!r}; choose one of {', '.join(RULES)}")
    if rules == "ihi" and chart != "run":
        raise InvalidInput("the IHI rules are for run charts; use them with chart 'run'")
    if rules == "mdc" and chart != "i":
        raise InvalidInput("the Making Data Count rules are for i (XmR) charts; use chart 'i'")
    if improvement is not None and improvement not in IMPROVEMENTS:
        raise InvalidInput(
            f"unknown improvement direction {improvement!r}; choose up, down or neither"
        )
    if rules != "mdc" and (improvement is not None or target is not None):
        raise InvalidInput("improvement and target apply to the Making Data Count rules (mdc)")
    if freeze is not None and (isinstance(freeze, bool) or int(freeze) != freeze or freeze < 1):
        raise PositionError("freeze", freeze, "the baseline must be 1 point or more")
    if not math.isfinite(multiply) or multiply == 0:
        raise InvalidInput(f"multiply must be a finite number other than 0, not {multiply}")

    y = _as_float(y, "y")
    nn = None if n is None else _as_float(n, "n")
    if nn is not None and nn.shape != y.shape:
        raise InvalidInput(f"y has {y.shape[0]} values but n has {nn.shape[0]}")
    xx = _as_x(x, y.shape[0])
    if xx.shape != y.shape:
        raise InvalidInput(f"y has {y.shape[0]} values but x has {xx.shape[0]}")
    _validate_values(chart, y, nn)

    sg = aggregate(xx, y, nn)
    size = len(sg)
    if size == 0:
        raise InvalidInput("there are no data points to analyse")
    if chart in ("xbar", "s") and sg.y_length.max() < 2:
        raise InvalidInput(
            f"an {chart} chart needs subgroups: several rows sharing the same x. "
            "Every x appears once here; use an i chart for single values"
        )

    breaks = _positions(part, "part")
    for b in breaks:
        if not 1 <= b < size:
            raise PositionError(
                "part",
                b,
                f"a new part can start after positions 1 to {size - 1} (there are {size} points)"
                if size > 1
                else "there is only 1 point",
            )
    excluded = _positions(exclude, "exclude")
    for e in excluded:
        if not 1 <= e <= size:
            raise PositionError("exclude", e, f"positions run from 1 to {size}")

    positions = np.arange(1, size + 1, dtype=np.int64)
    part_id = _part_ids(breaks, size)
    starts = np.flatnonzero(np.concatenate(([True], part_id[1:] != part_id[:-1])))
    ends = np.concatenate((starts[1:], [size]))
    pos_in_part = positions - np.repeat(starts, ends - starts)  # 1-based within the part
    baseline = pos_in_part <= freeze if freeze is not None else np.ones(size, dtype=bool)
    include = np.ones(size, dtype=bool)
    if excluded:
        include[np.asarray(excluded) - 1] = False

    common = {
        "sg": sg, "positions": positions, "part_id": part_id, "starts": starts, "ends": ends,
        "baseline": baseline, "include": include, "multiply": float(multiply),
        "screen": screen_mr,
    }  # fmt: skip
    options = {
        "freeze": freeze, "part": sorted(set(breaks)), "exclude": sorted(set(excluded)),
        "multiply": float(multiply), "screen_mr": bool(screen_mr),
    }  # fmt: skip
    if rules == "mdc":
        return _analyze_mdc(
            **common, freeze=freeze, improvement=improvement or "up", target=target,
            options=options,
        )  # fmt: skip
    return _analyze_qic(**common, chart=chart, rules=rules, y_neg=y_neg, options=options)


def _part_data(sg: Subgroups, a: int, b: int) -> PartData:
    return PartData(
        y=sg.y[a:b], y_sum=sg.y_sum[a:b], y_length=sg.y_length[a:b],
        y_mean=sg.y_mean[a:b], y_sd=sg.y_sd[a:b], n=sg.n[a:b],
    )  # fmt: skip


def _finite_or_nan(arr: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(arr), arr, np.nan)


def _sigma_blocks(sigma: np.ndarray, side: np.ndarray, positions: np.ndarray):
    """Contiguous blocks of flagged points on the same side: (start, end, side)."""
    idx = np.flatnonzero(sigma)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero((np.diff(idx) != 1) | (side[idx][1:] != side[idx][:-1])) + 1
    bstarts = np.concatenate(([0], breaks))
    bends = np.concatenate((breaks, [idx.size]))
    return [
        (int(positions[idx[s]]), int(positions[idx[e - 1]]), int(side[idx[s]]))
        for s, e in zip(bstarts, bends, strict=True)
    ]


_NO_LIMITS = (
    "No limits could be computed for this part: it needs at least two baseline points, "
    "and points that vary (with screening, a series whose moving ranges are all equal has "
    "none left, as in qicharts2)."
)


def _analyze_qic(
    *,
    sg,
    positions,
    part_id,
    starts,
    ends,
    baseline,
    include,
    multiply,
    screen,
    chart,
    rules,
    y_neg,
    options,
) -> Analysis:
    chart_fn = CHART_FUNCTIONS[chart]
    size = len(sg)
    cols = {k: np.empty(size) for k in ("y", "cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    run_results = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        base = baseline[a:b] & include[a:b]
        lines: Lines = chart_fn(_part_data(sg, a, b), base, screen)
        for k in cols:
            cols[k][a:b] = getattr(lines, k)
        pos = positions[a:b]
        inc = include[a:b]
        if rules == "ihi":
            run_results.append(
                (anhoej(lines.y, lines.cl, inc, pos), ihi(lines.y, lines.cl, inc, pos))
            )
        else:
            run_results.append((anhoej(lines.y, lines.cl, inc, pos), None))

    with np.errstate(invalid="ignore", over="ignore"):
        y = cols["y"] * multiply
        cl = cols["cl"] * multiply
        lim = {k: _finite_or_nan(cols[k] * multiply) for k in ("lcl", "ucl", "lcl_95", "ucl_95")}
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
    for p, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True), start=1):
        ra, ri = run_results[p - 1]
        signals: list[Signal] = []
        notes: list[str] = []
        ihi_info = None
        if chart == "mr":
            runs_signal = False  # qicharts2 never tests moving ranges for runs
        elif rules == "ihi":
            assert ri is not None
            runs_signal = ri.signal
            for r in ri.shifts:
                signals.append(
                    Signal(
                        "shift",
                        r.start,
                        r.end,
                        explain.ihi_shift(r.length, r.direction, r.start, r.end, label),
                    )
                )
            for r in ri.trends:
                signals.append(
                    Signal(
                        "trend",
                        r.start,
                        r.end,
                        explain.ihi_trend(r.length, r.direction, r.start, r.end, label),
                    )
                )
            if ri.too_few_runs:
                signals.append(
                    Signal(
                        "too_few_runs",
                        a + 1,
                        b,
                        explain.ihi_too_few(ri.n_runs, ra.n_useful, ri.runs_lower),
                    )
                )
            if ri.too_many_runs:
                signals.append(
                    Signal(
                        "too_many_runs",
                        a + 1,
                        b,
                        explain.ihi_too_many(ri.n_runs, ra.n_useful, ri.runs_upper),
                    )
                )
            if not ri.runs_tested:
                notes.append(explain.ihi_no_runs_test(ra.n_useful, IHI_MIN, IHI_MAX) + ".")
            ihi_info = {
                "n_runs": ri.n_runs, "runs_lower": ri.runs_lower, "runs_upper": ri.runs_upper,
                "shifts": len(ri.shifts), "trends": len(ri.trends),
                "too_few_runs": ri.too_few_runs, "too_many_runs": ri.too_many_runs,
                "runs_tested": ri.runs_tested,
            }  # fmt: skip
        else:
            runs_signal = ra.signal
            for r in ra.long_runs:
                signals.append(
                    Signal(
                        "longest_run",
                        r.start,
                        r.end,
                        explain.anhoej_long_run(
                            r.length, r.direction, r.start, r.end, ra.longest_run_max, label
                        ),
                    )
                )
            if ra.n_crossings is not None and ra.n_crossings < ra.n_crossings_min:
                signals.append(
                    Signal(
                        "crossings",
                        a + 1,
                        b,
                        explain.anhoej_crossings(ra.n_crossings, ra.n_useful, ra.n_crossings_min),
                    )
                )
        runs_point[a:b] = runs_signal
        for s, e, d in _sigma_blocks(sigma[a:b], side[a:b], positions[a:b]):
            signals.append(Signal("sigma", s, e, explain.sigma(s, e, d, label)))
        signals.sort(key=lambda sig: (sig.start, sig.end))
        if chart != "run" and np.all(np.isnan(lim["ucl"][a:b])):
            notes.append(_NO_LIMITS)
        parts.append(PartSummary(
            part=p, start=a + 1, end=b, n_obs=ra.n_obs, n_useful=ra.n_useful,
            longest_run=ra.longest_run, longest_run_max=ra.longest_run_max,
            n_crossings=ra.n_crossings, n_crossings_min=ra.n_crossings_min,
            runs_signal=bool(runs_signal), cl=rstats.mean(cl[a:b]),
            lcl=rstats.mean(lim["lcl"][a:b]), ucl=rstats.mean(lim["ucl"][a:b]),
            sigma_signals=int(np.count_nonzero(sigma[a:b])), signals=tuple(signals),
            notes=tuple(notes), ihi=ihi_info,
        ))  # fmt: skip

    return Analysis(
        chart=chart, rules=rules, x=sg.x, y=y, n=sg.n if sg.got_n else np.full(size, np.nan),
        cl=cl, lcl=lim["lcl"], ucl=lim["ucl"], lcl_95=lim["lcl_95"], ucl_95=lim["ucl_95"],
        part=part_id, baseline=baseline, include=include, sigma_signal=sigma,
        runs_signal=runs_point, parts=tuple(parts), got_n=sg.got_n, multiply=multiply,
        options=options,
    )  # fmt: skip


# Fewer points than this in a group: NHSRplotthedots warns that limits are unreliable.
_MDC_SHORT_GROUP = 12


def _analyze_mdc(
    *,
    sg,
    positions,
    part_id,
    starts,
    ends,
    baseline,
    include,
    multiply,
    screen,
    freeze,
    improvement,
    target,
    options,
) -> Analysis:
    direction = _DIRECTION[improvement]
    size = len(sg)
    y_raw = sg.y
    cols = {k: np.empty(size) for k in ("cl", "lcl", "ucl", "lcl_95", "ucl_95")}
    outside = np.zeros(size, dtype=bool)
    high = np.zeros(size, dtype=np.int64)
    codes = np.zeros(size, dtype=np.int8)
    label = explain.labeller(sg.x)
    groups = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        g = mdc_group(y_raw[a:b], include[a:b], positions[a:b], freeze, screen, direction)
        groups.append(g)
        for k, v in (
            ("cl", g.mean),
            ("lcl", g.lpl),
            ("ucl", g.upl),
            ("lcl_95", g.nlpl),
            ("ucl_95", g.nupl),
        ):
            cols[k][a:b] = v
        outside[a:b] = g.outside
        high[a:b] = g.high
        codes[a:b] = g.point_type

    with np.errstate(invalid="ignore", over="ignore"):
        y = y_raw * multiply
        cl = cols["cl"] * multiply
        lim = {k: _finite_or_nan(cols[k] * multiply) for k in ("lcl", "ucl", "lcl_95", "ucl_95")}
    runs_point = np.zeros(size, dtype=bool)
    parts = []
    for p, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True), start=1):
        g = groups[p - 1]
        ra = anhoej(y_raw[a:b], cols["cl"][a:b], include[a:b], positions[a:b])
        kinds = codes[a:b]

        def kind_at(pos: int, _kinds=kinds, _a=a) -> str:
            return explain.kind_words(POINT_TYPES[max(int(_kinds[pos - 1 - _a]), 0)])

        signals: list[Signal] = []
        for s, e, d in _sigma_blocks(outside[a:b], np.where(high[a:b] > 0, 1, -1), positions[a:b]):
            signals.append(
                Signal("outside_limits", s, e, explain.mdc_outside(s, e, d, label, kind_at(s)))
            )
        for r in g.trends:
            signals.append(
                Signal(
                    "trend",
                    r.start,
                    r.end,
                    explain.mdc_trend(
                        r.length, r.direction, r.start, r.end, label, _dominant_kind(kinds, r, a)
                    ),
                )
            )
        for r in g.two_in_three:
            signals.append(
                Signal(
                    "two_of_three",
                    r.start,
                    r.end,
                    explain.mdc_two_in_three(
                        r.length, r.direction, r.start, r.end, label, _dominant_kind(kinds, r, a)
                    ),
                )
            )
        for r in g.shifts:
            signals.append(
                Signal(
                    "shift",
                    r.start,
                    r.end,
                    explain.mdc_shift(
                        r.length, r.direction, r.start, r.end, label, _dominant_kind(kinds, r, a)
                    ),
                )
            )
        signals.sort(key=lambda sig: (sig.start, sig.end))
        runs_signal = bool(g.shifts or g.trends)
        runs_point[a:b] = runs_signal

        present = kinds[kinds != MISSING]
        variation = POINT_TYPES[int(present[-1])] if present.size else None
        notes = []
        if b - a < _MDC_SHORT_GROUP:
            notes.append(
                f"Only {explain.plural(b - a, 'point')} in this part: Making Data Count "
                f"recommends at least {_MDC_SHORT_GROUP} before trusting the limits."
            )
        if freeze is not None and freeze < _MDC_SHORT_GROUP:
            notes.append(
                f"Limits fixed after {explain.plural(freeze, 'point')}; NHSRplotthedots "
                f"requires at least {_MDC_SHORT_GROUP}."
            )
        if np.isnan(lim["ucl"][b - 1]):
            notes.append(_NO_LIMITS)
        tally = np.bincount(present.astype(np.int64), minlength=len(POINT_TYPES))
        counts = {
            "common_cause": int(tally[0]),
            "special_cause_improvement": int(tally[1]),
            "special_cause_concern": int(tally[2]),
            "special_cause_neutral": int(tally[3] + tally[4]),
        }
        parts.append(PartSummary(
            part=p, start=a + 1, end=b, n_obs=ra.n_obs, n_useful=ra.n_useful,
            longest_run=ra.longest_run, longest_run_max=ra.longest_run_max,
            n_crossings=ra.n_crossings, n_crossings_min=ra.n_crossings_min,
            runs_signal=runs_signal, cl=rstats.mean(cl[a:b]),
            lcl=rstats.mean(lim["lcl"][a:b]), ucl=rstats.mean(lim["ucl"][a:b]),
            sigma_signals=int(np.count_nonzero(outside[a:b])), signals=tuple(signals),
            notes=tuple(notes), variation_type=variation,
            assurance_type=assurance(
                target, direction, float(lim["lcl"][b - 1]), float(lim["ucl"][b - 1])
            ),
            point_type_counts=counts,
        ))  # fmt: skip

    return Analysis(
        chart="i", rules="mdc", x=sg.x, y=y, n=sg.n if sg.got_n else np.full(size, np.nan),
        cl=cl, lcl=lim["lcl"], ucl=lim["ucl"], lcl_95=lim["lcl_95"], ucl_95=lim["ucl_95"],
        part=part_id, baseline=baseline, include=include, sigma_signal=outside,
        runs_signal=runs_point, parts=tuple(parts),
        point_type=np.array(POINT_TYPES + (None,), dtype=object)[codes], got_n=sg.got_n,
        target=target, improvement=improvement, multiply=multiply, options=options,
    )  # fmt: skip


def _dominant_kind(kinds: np.ndarray, r, a: int) -> str:
    """The special-cause type most points of a signal share (a higher-priority rule may
    relabel a few of them), in words."""
    seg = kinds[r.start - 1 - a : r.end - a]
    tally = np.bincount(seg[seg > 0].astype(np.int64), minlength=len(POINT_TYPES))
    if not tally.any():
        return "special cause"
    return explain.kind_words(POINT_TYPES[int(tally.argmax())])
