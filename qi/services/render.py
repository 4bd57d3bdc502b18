"""Render many charts: the one way `qi chart` batches, reports, decks, grids and the demo
choose what to draw, refuse to overwrite, and turn chart specs into bytes or files.

Reading goes through the gateway (`qi.queries.views.load`, one query per table for all the
measures of a batch, and `measure_view.build` for each view), so drawing a chart needs
neither SQLAlchemy nor SQLModel. A few charts are drawn in this process, which keeps
matplotlib's font cache and qi's text measurements warm from one chart to the next; a batch
of PARALLEL_MIN or more is drawn by one forked worker per available core (Linux), forked
after the views are built so that they inherit them: on an idle 2-core machine that draws
a programme's report in 3.5 s instead of 5.9 s (benchmarks/charts-results.md).
`QI_CHART_WORKERS=N` sets how many (1: none).

This module never prints: what was skipped, and why, is returned for the command to say.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qi.errors import Conflict, QiError

if TYPE_CHECKING:
    from qi.charts import ChartSpec
    from qi.gateway import Db
    from qi.services.measure_view import MeasureView, ViewOptions

# Below this many charts, starting worker processes costs more than it saves.
PARALLEL_MIN = 8
_EXISTING_SHOWN = 5

Step = Callable[[], None]
Progress = Callable[[int], AbstractContextManager[Step]]


@dataclass(frozen=True)
class Job:
    """One chart to write: the measure as the services see it, and where it goes."""

    view: MeasureView
    path: Path


@dataclass
class Plan:
    """The charts of a batch, and the measures left out with the reason (for stderr)."""

    jobs: list[Job]
    skipped: list[str] = field(default_factory=list)
    measures: int = 1  # how many measures were looked at

    def check(self) -> None:
        """Refuse a batch with nothing to draw (after the skipped ones were said)."""
        if not self.jobs:
            raise QiError(f"No chart was written: none of the {self.measures} measures has "
                          "data to draw (see above)")


def generated() -> date:
    """The date in a chart's caption: today, or SOURCE_DATE_EPOCH for reproducible
    builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isascii() and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def drawing_process() -> None:
    """Tune this process for drawing; called first by every command that draws.

    Importing matplotlib and drawing create a few hundred thousand long-lived objects; at
    Python's default threshold (a collection every 700 new containers) the cyclic garbage
    collector walks them some 190 times for one chart, about a fifth of the process's CPU
    time (benchmarks/charts-results.md). A collection every 50,000 keeps memory bounded
    (a figure is freed with its cycles) at a small fraction of that cost."""
    import gc

    gc.set_threshold(50_000, 50, 50)


# --------------------------------------------------------------------------- what to draw


def one_view(db: Db, ref: str, options: ViewOptions) -> MeasureView:
    """One measure's view (the loader with N = 1)."""
    from qi.services.measure_view import view

    return view(db, ref, options)


def plan_batch(db: Db, *, project: str | None, programme: bool, options: ViewOptions,
               folder: Path, fmt: str) -> Plan:
    """Every measure of `project` (or of every active project, in TEAM/PROJECT/ folders)
    with data to draw, read in one go; the others are skipped with the reason (say them,
    then call `Plan.check`)."""
    from qi.queries import measures as measure_queries
    from qi.services.measure_view import measures_of_programme

    if programme:
        pairs = [(m, folder / p.team / p.slug) for p, m in measures_of_programme(db)]
        if not pairs:
            raise QiError("No active project has any measures yet. Add one with "
                          "'qi measure add SLUG --project P ...'")
    else:
        pairs = [(m, folder) for m in measure_queries.list_all(db, project=project)]
        if not pairs:
            raise QiError(f"Project '{project}' has no measures yet. Add one with "
                          f"'qi measure add SLUG --project {project} ...'")
    views, skipped = usable_views(db, [m.id for m, _ in pairs], options)
    where = {m.ref: w / f"{m.slug}.{fmt}" for m, w in pairs}
    return Plan([Job(v, where[v.measure.ref]) for v in views], skipped, len(pairs))


def usable_views(db: Db, measure_ids: list[int], options: ViewOptions
                 ) -> tuple[list[MeasureView], list[str]]:
    """The views of these measures that have data to draw, in the order given, and
    "REF: why" for each of the others."""
    from qi.queries import views as view_queries
    from qi.services.measure_view import build

    data = view_queries.load(db, measure_ids)
    views, skipped = [], []
    for measure_id in measure_ids:
        ref = data.measures[measure_id].ref
        try:
            v = build(data, measure_id, options)
        except QiError as exc:
            skipped.append(f"{ref}: {exc}")
            continue
        if v.has_data:
            views.append(v)
        else:
            period = " in the period asked for" if v.measure_points else " yet"
            skipped.append(f"{ref}: no data{period}")
    return views, skipped


def check_targets(paths: list[Path], force: bool) -> None:
    """Refuse before writing anything: a batch replaces all its files or none."""
    folders = [p for p in paths if p.is_dir()]
    if folders:
        raise Conflict(f"'{folders[0]}' is a folder, so no chart can be written there. Give "
                       "another -o")
    if force:
        return
    existing = [str(p) for p in paths if p.exists()]
    if not existing:
        return
    if len(existing) == 1:
        raise Conflict(f"'{existing[0]}' already exists. Use --force to replace it, or -o to "
                       "write elsewhere")
    shown = ", ".join(f"'{p}'" for p in existing[:_EXISTING_SHOWN])
    more = len(existing) - _EXISTING_SHOWN
    raise Conflict(f"{len(existing)} of the {len(paths)} files already exist: {shown}"
                   + (f" and {more} more" if more > 0 else "")
                   + ". Nothing was written. Use --force to replace them, or -o to write "
                   "elsewhere")


# --------------------------------------------------------------------------- drawing


def save_all(specs: list[ChartSpec], paths: list[Path], fmt: str, *, force: bool,
             layouts: list[dict] | None = None,
             progress: Progress | None = None) -> Iterator[int]:
    """Write every chart (the targets checked first), giving each one's index as it is
    written, in order. With `layouts` (a list), each chart's layout (its texts' boxes) is
    appended to it; those are measured here, never in workers."""
    check_targets(paths, force)
    workers = 1 if layouts is not None else _workers(len(specs))
    with _drawn(specs, ("save", paths, fmt, force, layouts is not None), workers) as results, \
            (progress or _silent)(len(specs)) as step:
        for k, _ in enumerate(results):
            if layouts is not None:
                layouts.append(_LAST_LAYOUT.pop())
            step()
            yield k


def render_all(specs: dict[str, ChartSpec], fmt: str, *, text: str = "path",
               progress: Progress | None = None) -> dict[str, bytes]:
    """Every chart as `fmt` bytes, by ref, in the order given. `text="text"` writes an
    SVG's words as <text> elements (for HTML reports) rather than as glyph outlines."""
    refs = list(specs)
    out: dict[str, bytes] = {}
    with _drawn(list(specs.values()), ("bytes", fmt, text), _workers(len(refs))) as results, \
            (progress or _silent)(len(refs)) as step:
        for k, data in enumerate(results):
            assert data is not None  # drawn as bytes
            out[refs[k]] = data
            step()
    return out


@contextmanager
def _silent(total: int) -> Iterator[Step]:
    yield lambda: None


def _workers(count: int) -> int:
    """Worker processes for a batch of PARALLEL_MIN charts or more: one per available core
    (Linux only, where forking is cheap and safe), or QI_CHART_WORKERS=N of them (at most
    one per core; 1 draws in this process). On an idle 2-core machine two workers draw a
    programme's report in 3.5 s instead of 5.9 s; on a busy one they cost nothing."""
    if count < PARALLEL_MIN or not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    asked = os.environ.get("QI_CHART_WORKERS", "").strip()
    wanted = int(asked) if asked.isascii() and asked.isdigit() else cores
    return max(1, min(wanted, cores, count))


# Set just before forking, so that workers inherit the charts to draw instead of having
# them pickled (an Analysis holds numpy arrays and the specs are large).
_BATCH: dict[str, Any] = {}
_LAST_LAYOUT: list[dict] = []


def _draw_one(k: int) -> bytes | None:
    """Chart k of the batch: its bytes, or None once its file is written."""
    from qi import charts

    spec, how = _BATCH["specs"][k], _BATCH["how"]
    if how[0] == "bytes":
        return charts.render(spec, how[1], text=how[2])
    _, paths, fmt, force, measure = how
    if measure:
        fig = charts.figure(spec)
        _LAST_LAYOUT.append(charts.layout_of(fig))
        charts.save(fig, paths[k], fmt, overwrite=force)
    else:
        charts.save(spec, paths[k], fmt, overwrite=force)
    return None


@contextmanager
def _drawn(specs: list, how: tuple, workers: int) -> Iterator[Iterator[bytes | None]]:
    """Each chart drawn, in order: here, or by `workers` forked processes."""
    _BATCH.update(specs=specs, how=how)
    try:
        if workers < 2:
            yield (_draw_one(k) for k in range(len(specs)))
            return
        import multiprocessing

        if "qi.db" in sys.modules:  # forked children must not share its connections
            sys.modules["qi.db"].dispose_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            # imap keeps the order; chunks of one share the work evenly.
            yield pool.imap(_draw_one, range(len(specs)), chunksize=1)
    finally:
        _BATCH.clear()
        _LAST_LAYOUT.clear()
