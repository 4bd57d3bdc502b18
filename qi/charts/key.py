"""The key under the chart: every PDSA cycle, note and phase in full, in columns.

The key gets the room left once the plot has its share of the figure (see
:mod:`qi.charts.compose`): the largest font at which every entry fits whole, in as many
columns as that allows; else titles cut to fit more columns, at a middle then the smallest
font (never below ``key_min`` points at the default size, which still reads on a
projector); only when even that cannot list them all does the last line say how many more
there are, and where to read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qi.charts.layout import _Ink

_KEY_GAP = 0.3  # inches between key columns
_SPACING = 1.3


@dataclass(frozen=True)
class KeyEntry:
    """One line of the key: '#3  26 Mar 2018  SMS reminders for all nurses'."""

    label: str
    day: str
    text: str
    suffix: str = ""


@dataclass(frozen=True)
class _KeyLayout:
    size: float
    columns: list[list[str]]
    height: float  # inches
    more: int = 0  # entries left out for want of room (said on the last line)
    cut: bool = False  # some titles were shortened to fit


def _heads(entries: list[KeyEntry]) -> list[tuple[str, str, str]]:
    """(label and date, title, suffix). Labels are padded with figure spaces (as wide as a
    digit) so that '#1' and '#10' take the same room and the dates line up; the date
    comes before the title so that cutting a long title never loses it."""
    def family(e: KeyEntry) -> bool:
        return e.label.startswith("Phase")

    longest = {f: max((len(e.label) for e in entries if family(e) == f), default=0)
               for f in (False, True)}  # fmt: skip
    return [(f"{e.label}{chr(0x2007) * (longest[family(e)] - len(e.label))}  {e.day}  ",
             e.text, e.suffix) for e in entries]  # fmt: skip


def layout_key(entries: list[KeyEntry], ink: _Ink, width: float, budget: float) -> _KeyLayout:
    """Font size, columns and lines of the key within ``budget`` inches of height."""
    if not entries:
        return _KeyLayout(0, [], 0.0)
    heads = _heads(entries)
    n = len(heads)
    big, small = ink.size("key"), ink.size("key_min")
    sizes = (big, (big + small) / 2, small)

    def rows_fit(size: float, rows: int) -> bool:
        return rows * ink.line(size, _SPACING) <= budget + 1e-9

    for size in sizes:  # every entry whole
        widest = max(ink.width("".join(h), size) for h in heads)
        ncols = max(1, min(n, int((width + _KEY_GAP) / (widest + _KEY_GAP))))
        if rows_fit(size, math.ceil(n / ncols)):
            return _columns(heads, ink, width, size, ncols, n)
    most = max(1, min(8, int((width + _KEY_GAP) / (3.6 * ink.scale + _KEY_GAP))))
    for size in sizes[1:]:  # titles cut, in columns of ~3.6 in (a title still says something)
        fitting = next((c for c in range(1, most + 1) if rows_fit(size, math.ceil(n / c))),
                       None)
        if fitting is not None:
            return _columns(heads, ink, width, size, fitting, n)
    rows = int((budget + 1e-9) / ink.line(small, _SPACING))
    if rows < 1:
        return _KeyLayout(small, [], 0.0, more=n)
    shown = max(0, rows * most - 1)  # the last line says how many more
    return _columns(heads[:shown], ink, width, small, most, n)


def _columns(heads, ink: _Ink, width: float, size: float, ncols: int, total: int) -> _KeyLayout:
    col_w = (width - _KEY_GAP * (ncols - 1)) / ncols
    lines = []
    cut = False
    for label, title, suffix in heads:
        whole = label + title + suffix
        if ink.width(whole, size) <= col_w:
            lines.append(whole)
            continue
        cut = True
        room = col_w - ink.width(label, size) - ink.width(suffix, size)
        if room >= 0.3:
            lines.append(label + ink.fit(title, room, size) + suffix)
        else:  # a narrow column: the label and date first, cut as one line
            lines.append(ink.fit(label + suffix.strip() + " " + title, col_w, size))
    more = total - len(heads)
    if more:
        lines.append(ink.fit(f"… and {more} more (qi cycle list)", col_w,
                             size))  # fmt: skip
    rows = math.ceil(len(lines) / ncols)
    columns = [lines[c * rows : (c + 1) * rows] for c in range(ncols)]
    return _KeyLayout(size, [c for c in columns if c], rows * ink.line(size, _SPACING), more,
                      cut)
