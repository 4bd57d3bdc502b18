"""A series laid out for analysis: its subgroups numbered 1..N and split into parts, each
part's baseline and excluded points, and the helpers both pipelines (``qic`` and
``mdc_series``) use per part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .aggregate import Subgroups
from .limits import PartData

NO_LIMITS = (
    "No limits could be computed for this part: it needs at least two baseline points, "
    "and points that vary (with screening, a series whose moving ranges are all equal has "
    "none left, as in qicharts2)."
)
LIMIT_KEYS = ("lcl", "ucl", "lcl_95", "ucl_95")


@dataclass(frozen=True, eq=False)
class Layout:
    """The subgroups and where each part starts and ends (0-based, end exclusive)."""

    sg: Subgroups
    positions: np.ndarray  # 1..N
    part_id: np.ndarray  # 1-based part of each point
    starts: np.ndarray
    ends: np.ndarray
    baseline: np.ndarray
    include: np.ndarray
    multiply: float
    screen: bool

    def spans(self) -> list[tuple[int, int]]:
        return list(zip(self.starts.tolist(), self.ends.tolist(), strict=True))


def layout(sg: Subgroups, breaks: list[int], excluded: list[int], freeze: int | None,
           multiply: float, screen: bool) -> Layout:
    size = len(sg)
    positions = np.arange(1, size + 1, dtype=np.int64)
    part_id = _part_ids(breaks, size)
    starts = np.flatnonzero(np.concatenate(([True], part_id[1:] != part_id[:-1])))
    ends = np.concatenate((starts[1:], [size]))
    pos_in_part = positions - np.repeat(starts, ends - starts)  # 1-based within the part
    baseline = pos_in_part <= freeze if freeze is not None else np.ones(size, dtype=bool)
    include = np.ones(size, dtype=bool)
    if excluded:
        include[np.asarray(excluded) - 1] = False
    return Layout(sg, positions, part_id, starts, ends, baseline, include, multiply, screen)


def _part_ids(breaks: Sequence[int], size: int) -> np.ndarray:
    """qicharts2's ``makeparts``: part k covers positions (b_k, b_{k+1}]."""
    cuts = sorted(set(breaks))
    ids = np.ones(size, dtype=np.int64)
    for b in cuts:
        ids[b:] += 1
    return ids


def part_data(sg: Subgroups, a: int, b: int) -> PartData:
    return PartData(
        y=sg.y[a:b], y_sum=sg.y_sum[a:b], y_length=sg.y_length[a:b],
        y_mean=sg.y_mean[a:b], y_sd=sg.y_sd[a:b], n=sg.n[a:b],
    )  # fmt: skip


def scaled(cols: dict[str, np.ndarray], multiply: float) -> dict[str, np.ndarray]:
    """The limits multiplied, non-finite ones missing (NaN)."""
    with np.errstate(invalid="ignore", over="ignore"):
        return {k: _finite_or_nan(cols[k] * multiply) for k in LIMIT_KEYS}


def _finite_or_nan(arr: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(arr), arr, np.nan)


def sigma_blocks(sigma: np.ndarray, side: np.ndarray,
                 positions: np.ndarray) -> list[tuple[int, int, int]]:
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
