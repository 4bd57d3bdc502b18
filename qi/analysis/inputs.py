"""The input of :func:`qi.analysis.analyze` checked: options, values for the chart type
(errors name the row and the field), and 1-based positions."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from qi.domain import CHART_FACTS, RULE_FACTS, ChartType, Rules, chart_for_rules
from qi.errors import InvalidInput

from .result import InvalidValue, PositionError, shown

CHARTS = tuple(c.value for c in CHART_FACTS)
RULES = tuple(r.value for r in RULE_FACTS)
IMPROVEMENTS = ("up", "down", "neither")


def check_options(chart: str, rules: str, improvement: str | None, target: float | None,
                  freeze: int | None, multiply: float) -> None:
    """Refuse options that do not go together, before looking at the values."""
    if chart not in CHARTS:
        raise InvalidInput(f"unknown chart type {chart!r}; choose one of {', '.join(CHARTS)}")
    if rules not in RULES:
        raise InvalidInput(f"unknown rules {rules!r}; choose one of {', '.join(RULES)}")
    needed = chart_for_rules(rules, chart)
    if needed is ChartType.run:
        raise InvalidInput("the IHI rules are for run charts; use them with chart 'run'")
    if needed is ChartType.i:
        raise InvalidInput("the Making Data Count rules are for i (XmR) charts; use chart 'i'")
    if improvement is not None and improvement not in IMPROVEMENTS:
        raise InvalidInput(
            f"unknown improvement direction {improvement!r}; choose up, down or neither"
        )
    if rules != Rules.mdc and (improvement is not None or target is not None):
        raise InvalidInput("improvement and target apply to the Making Data Count rules (mdc)")
    if freeze is not None and (isinstance(freeze, bool) or int(freeze) != freeze or freeze < 1):
        raise PositionError("freeze", freeze, "the baseline must be 1 point or more")
    if not math.isfinite(multiply) or multiply == 0:
        raise InvalidInput(f"multiply must be a finite number other than 0, not {multiply}")


def as_float(values, name: str) -> np.ndarray:
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


def as_x(x, size: int) -> np.ndarray:
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


def _refuse_first(bad: np.ndarray, field: str, values: np.ndarray, reason: str) -> None:
    if bad.any():
        i = _first(bad)
        raise InvalidValue(i, field, values[i], reason)


def validate_values(chart: str, y: np.ndarray, n: np.ndarray | None) -> None:
    """Refuse values that make no sense for the chart, naming the first offending row."""
    facts = CHART_FACTS[ChartType(chart)]
    _refuse_first(np.isinf(y), "y", y, "not a finite number")
    if n is not None:
        with np.errstate(invalid="ignore"):
            bad = np.isinf(n) | (n <= 0)
        _refuse_first(bad, "n", n, "a denominator must be a number above 0")
    elif facts.ratio:
        raise InvalidInput(f"a {chart} chart needs denominators (n)")
    with np.errstate(invalid="ignore"):
        if facts.positive:
            _refuse_first(y <= 0, "y", y,
                          f"a {chart} chart needs every value (time between events) above 0")
        elif not facts.negative_ok:
            _refuse_first(y < 0, "y", y, f"a {chart} chart needs counts of 0 or more")
        if facts.proportion and n is not None:
            bad = y > n
            if bad.any():
                i = _first(bad)
                raise InvalidValue(
                    i, "y", y[i],
                    f"the numerator is greater than the denominator ({shown(n[i])}); "
                    f"a {chart} chart needs 0 <= y <= n",
                )  # fmt: skip


def positions(values: Iterable[int] | int | None, option: str) -> list[int]:
    if values is None:
        return []
    if isinstance(values, int | np.integer):
        values = [int(values)]
    out = []
    for v in values:
        if isinstance(v, bool) or not float(v).is_integer():
            raise PositionError(option, v, "positions must be whole numbers")
        out.append(int(v))
    return out


def check_breaks(breaks: list[int], size: int) -> None:
    for b in breaks:
        if not 1 <= b < size:
            raise PositionError(
                "part",
                b,
                f"a new part can start after positions 1 to {size - 1} (there are {size} points)"
                if size > 1
                else "there is only 1 point",
            )


def check_excluded(excluded: list[int], size: int) -> None:
    for e in excluded:
        if not 1 <= e <= size:
            raise PositionError("exclude", e, f"positions run from 1 to {size}")
