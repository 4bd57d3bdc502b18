"""Plain-English sentences for every signal, for clinicians rather than statisticians.

Points are named by date when the x values are dates ("from 2018-03-05 to 2018-04-16"),
otherwise by their position in the chart ("from point 5 to point 13").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from qi.text import plural

__all__ = ["Labeller", "labeller"]

Labeller = Callable[[int], str | None]


def labeller(x: np.ndarray) -> Labeller:
    """A function from 1-based position to an ISO date, or to None when x are not dates."""
    if np.issubdtype(x.dtype, np.datetime64):
        days = x.astype("datetime64[D]")
        return lambda pos: str(days[pos - 1])
    return lambda pos: None


def span(start: int, end: int, label: Labeller) -> str:
    """'from 2018-03-05 to 2018-04-16' / 'from point 5 to point 13' / 'on 2018-03-05'."""
    a, b = label(start), label(end)
    if start == end:
        return f"on {a}" if a else f"at point {start}"
    if a and b:
        return f"from {a} to {b}"
    return f"from point {start} to point {end}"


def points_subject(start: int, end: int, label: Labeller) -> str:
    """'Point 17 (2018-06-11) is' / 'Points 17 to 19 (2018-06-11 to 2018-06-25) are'."""
    a, b = label(start), label(end)
    if start == end:
        return f"Point {start} ({a}) is" if a else f"Point {start} is"
    dates = f" ({a} to {b})" if a and b else ""
    return f"Points {start} to {end}{dates} are"


def side_word(direction: int) -> str:
    return "above" if direction > 0 else "below"


# ---- Anhøj --------------------------------------------------------------------------


def anhoej_long_run(
    length: int, direction: int, start: int, end: int, maximum: int, label: Labeller
) -> str:
    return (
        f"{length} points in a row {side_word(direction)} the centre line "
        f"{span(start, end, label)} (more than {maximum} suggests a shift)"
    )


def anhoej_crossings(n_crossings: int, n_useful: int, minimum: int) -> str:
    return (
        f"Only {plural(n_crossings, 'crossing')} of the centre line in "
        f"{plural(n_useful, 'useful point')} (fewer than {minimum} suggests a shift)"
    )


def sigma(start: int, end: int, direction: int, label: Labeller, limit: str = "control") -> str:
    which = "upper" if direction > 0 else "lower"
    return f"{points_subject(start, end, label)} {side_word(direction)} the {which} {limit} limit"


# ---- IHI ----------------------------------------------------------------------------


def ihi_shift(length: int, direction: int, start: int, end: int, label: Labeller) -> str:
    return (
        f"{length} points in a row {side_word(direction)} the median {span(start, end, label)} "
        f"(6 or more is a shift)"
    )


def ihi_trend(length: int, direction: int, start: int, end: int, label: Labeller) -> str:
    way = "going up" if direction > 0 else "going down"
    return (
        f"{length} points in a row all {way} {span(start, end, label)} "
        f"(5 or more is a trend; equal values count once)"
    )


def ihi_too_few(n_runs: int, n_useful: int, lower: int) -> str:
    return (
        f"Only {plural(n_runs, 'run')} in {plural(n_useful, 'useful point')} "
        f"(fewer than {lower} is too few: a sign of a shift)"
    )


def ihi_too_many(n_runs: int, n_useful: int, upper: int) -> str:
    return (
        f"{plural(n_runs, 'run')} in {plural(n_useful, 'useful point')} "
        f"(more than {upper} is too many: the data alternate more than chance would explain)"
    )


def ihi_no_runs_test(n_useful: int, low: int, high: int) -> str:
    return (
        f"No test for too few or too many runs: {plural(n_useful, 'useful point')} is outside "
        f"the IHI table's {low}..{high}"
    )


# ---- Making Data Count ---------------------------------------------------------------


def mdc_outside(start: int, end: int, direction: int, label: Labeller, kind: str) -> str:
    return f"{sigma(start, end, direction, label, limit='process')} ({kind})"


def mdc_trend(length: int, direction: int, start: int, end: int, label: Labeller, kind: str) -> str:
    way = "increasing" if direction > 0 else "decreasing"
    return f"{length} points in a row {way} {span(start, end, label)} ({kind})"


def mdc_shift(length: int, direction: int, start: int, end: int, label: Labeller, kind: str) -> str:
    return f"{length} points {side_word(direction)} the mean {span(start, end, label)} ({kind})"


def mdc_two_in_three(
    count: int, direction: int, start: int, end: int, label: Labeller, kind: str
) -> str:
    which = "upper" if direction > 0 else "lower"
    return (
        f"{count} points close to the {which} process limit {span(start, end, label)}, "
        f"at least 2 of 3 in a row on the same side ({kind})"
    )


def kind_words(point_type: str) -> str:
    """'special_cause_improvement' -> 'special cause improvement'."""
    return point_type.replace("_", " ")
