"""The annotation lane above the plot: PDSA cycles and notes grouped and placed so that no
label overlaps another and no leader crosses a label, however dense the ramp.

Each *group* of marks gets one label ("#3", "#4, N1", "#4–#11") in one of at most
``MAX_ROWS`` rows, and a bracket just above the plot spanning its dates, with a tick at each
member's date. A label sits over its bracket (its vertical leader drops straight onto the
bracket); a label of an upper row may only be placed where its leader passes between the
labels of the rows below. When no such placement exists, the two neighbouring groups that
together span the least time are merged and placement starts again, so the lane always
fits in its rows: rapid tests a few days apart become one bracket "#4–#11", and the key
lists each of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_ROWS = 2
_NUMBERED = re.compile(r"^(.*?)(\d+)$")


@dataclass(frozen=True)
class Group:
    """Consecutive marks (by date) under one label. ``x0``/``x1``: first and last date
    in inches from the left of the plot; ``kind``: "cycle" if any member is a cycle."""

    marks: tuple
    x0: float
    x1: float

    @property
    def kind(self) -> str:
        return "cycle" if any(m.kind == "cycle" for m in self.marks) else "note"

    @property
    def label(self) -> str:
        return group_label([m.label for m in self.marks if m.kind == "cycle"],
                           [m.label for m in self.marks if m.kind == "note"])  # fmt: skip


@dataclass(frozen=True)
class Placed:
    """A group's label: its row (0 next to the plot), left edge and width (inches from
    the plot's left), and the x of its leader (within the label and the bracket)."""

    group: Group
    row: int
    left: float
    width: float
    leader: float


def _run(labels: list[str]) -> str:
    """'#4–#11' for a contiguous run of numbered labels, '#4, #6' for two, else the first
    and last with a count: '#4…#12 (5)'."""
    if len(labels) <= 2:
        return ", ".join(labels)
    matches = [_NUMBERED.match(x) for x in labels]
    parsed = [m for m in matches if m is not None]
    if len(parsed) == len(matches) and len({p.group(1) for p in parsed}) == 1:
        nums = sorted(int(p.group(2)) for p in parsed)
        prefix = parsed[0].group(1)
        if nums == list(range(nums[0], nums[0] + len(nums))):
            return f"{prefix}{nums[0]}–{prefix}{nums[-1]}"
        return f"{prefix}{nums[0]}…{prefix}{nums[-1]} ({len(nums)})"
    return f"{labels[0]}…{labels[-1]} ({len(labels)})"


def group_label(cycles: list[str], notes: list[str]) -> str:
    return ", ".join(part for part in (_run(cycles), _run(notes)) if part)


def place(marks, to_inches, measure, ax_w: float, gap: float) -> list[Placed]:
    """Group and place the labels of ``marks`` (sorted by x) across a plot ``ax_w`` inches
    wide. ``to_inches(x)``: a mark's x in inches from the plot's left edge;
    ``measure(label)``: a label's width in inches (with its padding)."""
    groups = [Group((m,), to_inches(m.x), to_inches(m.x)) for m in marks]
    while groups:
        placed = _try(groups, measure, ax_w, gap)
        if placed is not None:
            return placed
        groups = _merge_closest(groups)
    return []


def _merge_closest(groups: list[Group]) -> list[Group]:
    """Merge the two neighbours that together span the least time: same-day marks first,
    then the tightest pairs, so that evenly spread cycles form even groups rather than one
    group swallowing its neighbours one by one."""
    spans = [b.x1 - a.x0 for a, b in zip(groups, groups[1:], strict=False)]
    k = min(range(len(spans)), key=lambda i: (round(spans[i], 6), i))
    a, b = groups[k], groups[k + 1]
    return [*groups[:k], Group(a.marks + b.marks, a.x0, b.x1), *groups[k + 2 :]]


def _try(groups: list[Group], measure, ax_w: float, gap: float) -> list[Placed] | None:
    """Greedy left to right; None when some label has no place (or one group is left
    whose label is wider than the plot: it is then placed anyway, cut by the caller)."""
    rows: list[list[Placed]] = [[] for _ in range(MAX_ROWS)]
    out = []
    for g in groups:
        w = min(measure(g.label), ax_w)
        spot = next((p for r in range(MAX_ROWS) if (p := _fit(g, w, r, rows, ax_w, gap))), None)
        if spot is None:
            if len(groups) > 1:
                return None
            centre = min(max((g.x0 + g.x1) / 2, w / 2), ax_w - w / 2)
            spot = Placed(g, 0, centre - w / 2, w, min(max(centre, g.x0), g.x1))
        rows[spot.row].append(spot)
        out.append(spot)
    return out


def _fit(g: Group, w: float, row: int, rows: list[list[Placed]], ax_w: float,
         gap: float) -> Placed | None:  # fmt: skip
    centre = (g.x0 + g.x1) / 2
    left = min(max(centre - w / 2, 0.0), max(ax_w - w, 0.0))
    if rows[row]:
        left = max(left, rows[row][-1].left + rows[row][-1].width + gap)
    if left + w > ax_w + 1e-9:
        return None
    # the leader drops vertically from the label onto the bracket: they must overlap
    # (a little inside the label's ends when they can, at an end when a mark is at the edge)
    margin = min(0.04, w / 4)
    lo, hi = max(left + margin, g.x0), min(left + w - margin, g.x1)
    at_edge = g.x0 < margin or g.x1 > ax_w - margin  # a label cannot reach past the plot
    if lo > hi + 1e-9 and at_edge:
        lo, hi = max(left, g.x0), min(left + w, g.x1)
    if lo > hi + 1e-9:
        return None
    leader = min(max(centre, lo), hi)
    # it must pass between the labels of the rows below ...
    for below in rows[:row]:
        if any(p.left - gap / 2 <= leader <= p.left + p.width + gap / 2 for p in below):
            return None
    # ... and this label must not cover the leader of a label in a row above
    for above in rows[row + 1 :]:
        if any(left - gap / 2 <= p.leader <= left + w + gap / 2 for p in above):
            return None
    return Placed(g, row, left, w, leader)
