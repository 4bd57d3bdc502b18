"""The charts of a report: one per measure with data, drawn in a few processes at once.

A chart costs a few tenths of a second (matplotlib lays out and draws its text glyph by
glyph), so a programme of fifty measures is drawn by one worker process per core, forked
after the database has been read: the workers inherit the charts to draw rather than having
them pickled, and return only the bytes.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from typing import Any

# A4 is 8.27 in wide; with the report's 15 mm margins 7.1 in are printable. Drawn at that
# size the chart's text prints at its natural size (ticks 10 pt, the key and caption about
# 8 pt: the chart's text never scales below 0.72 of the slide's). Taller than a slide's
# 16:9, so the key of the cycles has room beside a plot that keeps its share.
REPORT_WIDTH = 7.0
REPORT_HEIGHT = 5.6
PNG_DPI = 150
# Below this many charts, starting worker processes costs more than it saves.
PARALLEL_MIN = 3

Step = Callable[[], None]


def specs(views: dict, *, generated: date, width: float = REPORT_WIDTH,
          height: float = REPORT_HEIGHT, subtitle: bool = False,
          dpi: float = PNG_DPI) -> dict[str, Any]:
    """The chart of each view with data, by measure ref. The subtitle (project, team and
    aim) is left out unless asked for: a report says all that just above the chart."""
    from qi import charts

    out = {}
    for ref, v in views.items():
        if v.analysis is None:
            continue
        spec = charts.spec_from_view(v, width=width, height=height, dpi=dpi,
                                     generated=generated)
        out[ref] = spec if subtitle else dataclasses.replace(spec, subtitle=None)
    return out


def render_all(chart_specs: dict[str, Any], fmt: str, *,
               progress: Callable[[int], AbstractContextManager[Step]] | None = None,
               workers: int | None = None) -> dict[str, bytes]:
    """Every chart as `fmt` ("svg" or "png") bytes, by ref, in the order given.
    `progress(total)`: a context giving a function to call after each chart (a progress
    bar); it is entered after the workers are forked, so no thread of it is forked."""
    refs = list(chart_specs)
    workers = _workers(len(refs)) if workers is None else workers
    out: dict[str, bytes] = {}
    with _rendered(list(chart_specs.values()), fmt, workers) as results, \
            (progress or _silent)(len(refs)) as step:
        for k, data in enumerate(results):
            out[refs[k]] = data
            step()
    return out


@contextmanager
def _silent(total: int) -> Iterator[Step]:
    yield lambda: None


def _workers(count: int) -> int:
    """One worker per available core, on Linux (where forking is cheap and safe), or
    QI_CHART_WORKERS of them (as `qi chart` takes it; 1 draws in this process). On by
    default, unlike `qi chart`: a programme's fifty charts are the whole cost of its
    report, and with free cores they are drawn that much sooner."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    asked = os.environ.get("QI_CHART_WORKERS", "").strip()
    wanted = int(asked) if asked.isascii() and asked.isdigit() else cores
    if count < PARALLEL_MIN or not sys.platform.startswith("linux"):
        return 1
    return max(1, min(wanted, cores, count))


@contextmanager
def _rendered(chart_specs: list, fmt: str, workers: int) -> Iterator[Iterator[bytes]]:
    from qi import charts

    if workers < 2:
        yield (charts.render(spec, fmt) for spec in chart_specs)
        return
    import multiprocessing

    from qi import db

    # Forked children must not share the parent's database connections.
    db.dispose_all()
    _BATCH.update(specs=chart_specs, fmt=fmt)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # imap keeps the order; chunks of one share the work evenly.
            yield pool.imap(_render_one, range(len(chart_specs)), chunksize=1)
    finally:
        _BATCH.clear()


# Set just before forking, so that the workers inherit the charts to draw.
_BATCH: dict[str, Any] = {}


def _render_one(k: int) -> bytes:
    from qi import charts

    return charts.render(_BATCH["specs"][k], _BATCH["fmt"])
