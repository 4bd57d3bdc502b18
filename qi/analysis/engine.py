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

The modules: ``inputs`` (checks), ``parts`` (the layout into parts), ``qic`` and
``mdc_series`` (the two pipelines), ``result`` (what comes out); ``limits``, ``runs`` and
``mdc`` hold the statistics.
"""

from __future__ import annotations

from collections.abc import Iterable

from qi.domain import CHART_FACTS, ChartType
from qi.errors import InvalidInput

from .aggregate import aggregate
from .inputs import (
    CHARTS,
    IMPROVEMENTS,
    RULES,
    as_float,
    as_x,
    check_breaks,
    check_excluded,
    check_options,
    positions,
    validate_values,
)
from .mdc_series import analyze_mdc
from .parts import layout
from .qic import analyze_qic
from .result import Analysis, InvalidValue, PartSummary, PositionError, Signal

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
    check_options(chart, rules, improvement, target, freeze, multiply)
    yy = as_float(y, "y")
    nn = None if n is None else as_float(n, "n")
    if nn is not None and nn.shape != yy.shape:
        raise InvalidInput(f"y has {yy.shape[0]} values but n has {nn.shape[0]}")
    xx = as_x(x, yy.shape[0])
    if xx.shape != yy.shape:
        raise InvalidInput(f"y has {yy.shape[0]} values but x has {xx.shape[0]}")
    validate_values(chart, yy, nn)

    sg = aggregate(xx, yy, nn)
    size = len(sg)
    if size == 0:
        raise InvalidInput("there are no data points to analyse")
    if CHART_FACTS[ChartType(chart)].subgroups and sg.y_length.max() < 2:
        raise InvalidInput(
            f"an {chart} chart needs subgroups: several rows sharing the same x. "
            "Every x appears once here; use an i chart for single values"
        )
    breaks = positions(part, "part")
    check_breaks(breaks, size)
    excluded = positions(exclude, "exclude")
    check_excluded(excluded, size)

    lay = layout(sg, breaks, excluded, freeze, float(multiply), screen_mr)
    options = {
        "freeze": freeze, "part": sorted(set(breaks)), "exclude": sorted(set(excluded)),
        "multiply": float(multiply), "screen_mr": bool(screen_mr),
    }  # fmt: skip
    if rules == "mdc":
        return analyze_mdc(lay, freeze, improvement or "up", target, options)
    return analyze_qic(lay, chart, rules, y_neg, options)
