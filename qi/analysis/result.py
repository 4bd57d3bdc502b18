"""What an analysis gives: :class:`Analysis` (per-point arrays and parts), its
:class:`PartSummary` rows and :class:`Signal` sentences, and the two errors about the
input (:class:`InvalidValue`, :class:`PositionError`). The JSON document of an analysis is
``qi.analysis.document.to_dict``."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from qi.errors import InvalidInput

from .runs import RunsStats


class InvalidValue(InvalidInput):
    """One input value is unacceptable for the chart. ``index`` is 0-based into the input.

    ``field`` is "x", "y" or "n"; callers that read a file can turn ``index`` and ``field``
    into a file row and column name (see ``qi.cli.analyze``).
    """

    def __init__(self, index: int, field: str, value: object, reason: str):
        self.index, self.field, self.value, self.reason = index, field, value, reason
        super().__init__(f"row {index + 1}, {field} = {shown(value)}: {reason}")


class PositionError(InvalidInput):
    """A ``freeze``/``part``/``exclude`` position is out of range; ``option`` names which."""

    def __init__(self, option: str, value: object, reason: str):
        self.option, self.value, self.reason = option, value, reason
        super().__init__(f"{option} {value}: {reason}")


def shown(value: object) -> str:
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
class PartSummary(RunsStats):
    """One part, like a row of qicharts2's ``summary()`` plus the signals in words.

    ``cl``, ``lcl`` and ``ucl`` are averages over the part's points (after ``multiply``),
    as qicharts2's CL, aLCL and aUCL; NaN when undefined. The runs statistics are None when
    the part has no useful points.
    """

    part: int
    start: int
    end: int
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
        d: dict[str, object] = {
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
