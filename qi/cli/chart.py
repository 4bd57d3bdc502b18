"""`qi chart`: run and SPC charts of measures as PNG, SVG or PDF, every PDSA cycle marked.

One measure, every measure of a project (`--project P --all`), or every measure of every
active project (`--programme`). A batch reads the database once, then draws each chart in
the same process (matplotlib is imported once), or in QI_CHART_WORKERS forked worker
processes when asked.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qi.cli._common import console, open_session, parse_date_option, print_json, say
from qi.domain import ChartType, Rules
from qi.errors import Conflict, QiError

if TYPE_CHECKING:
    from qi.charts import ChartSpec
    from qi.services.measure_view import MeasureView, ViewOptions


class Format(StrEnum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


_EXTENSIONS = {f".{f.value}" for f in Format}
# Below this many charts, starting worker processes costs more than it saves.
PARALLEL_MIN = 8
_EXISTING_SHOWN = 5


@dataclass(frozen=True)
class _Job:
    """One chart to write: the measure as the services see it, and where it goes."""

    view: MeasureView
    path: Path


def chart(
    measure: Annotated[
        str | None,
        typer.Argument(help="The measure: SLUG (if unique) or PROJECT/SLUG. Leave it out "
                       "with --all or --programme.", show_default=False),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", metavar="PATH",
                     help="File for one chart (default: MEASURE-SLUG.png here); the folder "
                     "for --all and --programme (default: here). Missing folders are "
                     "created.", show_default=False),
    ] = None,
    fmt: Annotated[
        Format | None,
        typer.Option("--format", help="png, svg or pdf. Default: from the file name, else "
                     "png.", show_default=False),
    ] = None,
    project: Annotated[
        str | None,
        typer.Option("--project", metavar="P",
                     help="With --all: chart every measure of project P. With MEASURE: "
                     "the project the measure belongs to.", show_default=False),
    ] = None,
    all_measures: Annotated[
        bool, typer.Option("--all", help="Every measure of --project P, one file each.")
    ] = False,
    programme: Annotated[
        bool,
        typer.Option("--programme", help="Every measure of every active project, in "
                     "folders TEAM/PROJECT/."),
    ] = False,
    freeze: Annotated[
        str | None,
        typer.Option("--freeze", metavar="DATE",
                     help="Baseline until DATE: its centre line (and limits) are extended "
                     "beyond it. Default: the measure's recorded baseline, else the day "
                     "before its first PDSA cycle started.", show_default=False),
    ] = None,
    no_freeze: Annotated[
        bool, typer.Option("--no-freeze", help="No baseline: centre lines from all the data.")
    ] = False,
    rebase_at: Annotated[
        list[str] | None,
        typer.Option("--rebase-at", metavar="DATE",
                     help="Start a new phase on DATE (repeatable), instead of the phases "
                     "recorded with 'qi measure rebase'.", show_default=False),
    ] = None,
    chart_type: Annotated[
        ChartType | None,
        typer.Option("--type", help="Chart type instead of the measure's own.",
                     show_default=False),
    ] = None,
    rules: Annotated[
        Rules | None,
        typer.Option("--rules", help="anhoej (any chart; the default), ihi (run charts) or "
                     "mdc (Making Data Count; i charts).", show_default=False),
    ] = None,
    date_from: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="Show the chart from DATE: a window of "
                     "the analysis of all the data (the same centre line, limits and "
                     "signals).", show_default=False),
    ] = None,
    date_to: Annotated[
        str | None,
        typer.Option("--to", metavar="DATE", help="Show the chart up to DATE (a window, as "
                     "--from).", show_default=False),
    ] = None,
    analyze_window: Annotated[
        bool, typer.Option("--analyse-window", help="Analyse only the data in --from/--to "
                           "(its own baseline, centre line and limits) instead of showing a "
                           "window of the whole analysis.")
    ] = False,
    planned: Annotated[
        bool, typer.Option("--planned", help="Also mark cycles not started yet, at their "
                           "planned start.")
    ] = False,
    no_annotations: Annotated[
        bool, typer.Option("--no-annotations", help="Leave out PDSA cycles and notes.")
    ] = False,
    width: Annotated[
        float, typer.Option("--width", metavar="INCHES", min=2, max=60, show_default="13.33",
                            help="Width in inches (with the height, a 16:9 slide).")
    ] = 40 / 3,
    height: Annotated[
        float, typer.Option("--height", metavar="INCHES", min=2, max=60,
                            help="Height in inches.")
    ] = 7.5,
    dpi: Annotated[
        int, typer.Option("--dpi", min=30, max=1200, help="Resolution of PNG files.")
    ] = 150,
    force: Annotated[
        bool, typer.Option("--force", help="Replace files that already exist.")
    ] = False,
    grid: Annotated[
        bool, typer.Option("--grid", help="With --project P: all its measures (outcome, "
                           "process, balancing) as small multiples on one 16:9 image.")
    ] = False,
    across_projects: Annotated[
        bool, typer.Option("--across-projects", help="With --measure SLUG: that measure in "
                           "every active project (of --team T), one panel each, one y scale "
                           "when the units agree.")
    ] = False,
    measure_opt: Annotated[
        str | None, typer.Option("--measure", metavar="SLUG", help="The measure, for "
                                 "--across-projects.", show_default=False)
    ] = None,
    teams: Annotated[
        list[str] | None, typer.Option("--team", metavar="T", help="With --across-projects: "
                                       "only this team's projects (repeatable).",
                                       show_default=False)
    ] = None,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print what was written as JSON, with each "
                           "chart's layout (the boxes of its texts, in pixels).")
    ] = False,
) -> None:
    """Draw run and SPC charts of measures, with every PDSA cycle and note marked.

    One chart: qi chart MEASURE [-o FILE]. Every measure of a project: qi chart --project P
    --all [-o DIR]. Every active project: qi chart --programme [-o DIR], in folders
    TEAM/PROJECT/. Existing files are kept unless --force; a batch then writes nothing.
    A family of measures on one image: qi chart --project P --grid [-o FILE]; one measure
    across teams: qi chart --measure SLUG --across-projects [--team T]... [-o FILE].
    """
    from qi.cli import chart_grid

    measure = measure if measure_opt is None else measure_opt
    chart_grid.check(measure=measure, project=project, grid=grid, across=across_projects,
                     all_measures=all_measures, programme=programme, teams=teams)
    batch = (grid or across_projects) or _check_selection(measure, project, all_measures,
                                                          programme)
    if freeze is not None and no_freeze:
        raise typer.BadParameter("give --freeze DATE or --no-freeze, not both",
                                 param_hint="'--freeze'")
    start = parse_date_option(date_from, "--from")
    end = parse_date_option(date_to, "--to")
    if start and end and start > end:
        raise typer.BadParameter(f"{start} is after --to {end}", param_hint="'--from'")
    fmt_name = None if grid or across_projects else _format_name(output, fmt, batch)
    if analyze_window and start is None and end is None:
        raise typer.BadParameter("--analyse-window needs --from or --to: it analyses only "
                                 "the data between them", param_hint="'--analyse-window'")

    from qi.domain import chart_for_rules
    from qi.services.measure_view import ViewOptions

    needed = chart_for_rules(rules, chart_type) if rules and chart_type else None
    if needed is not None:
        raise typer.BadParameter(f"the {rules.value} rules are for {needed.value} charts; use "
                                 f"--type {needed.value} or leave --type out",
                                 param_hint="'--rules'")
    options = ViewOptions(
        chart=chart_type, rules=rules, freeze_until=parse_date_option(freeze, "--freeze"),
        no_freeze=no_freeze,
        rebase_at=None if rebase_at is None
        else tuple(parse_date_option(d, "--rebase-at") for d in rebase_at),
        date_from=start, date_to=end, planned=planned, annotations=not no_annotations,
        analyze_window=analyze_window,
    )
    size = {"width": width, "height": height, "dpi": dpi, "generated": _generated()}
    if grid or across_projects:
        chart_grid.draw(measure=measure, project=project, teams=teams, options=options,
                        output=output, fmt=fmt.value if fmt else None, size=size,
                        force=force, json_out=json_out)
        return
    if batch:
        jobs = _batch_jobs(project, programme, options, Path(output or "."), fmt_name)
    else:
        jobs = [_single_job(_ref(measure, project), options, output, fmt_name)]
    layouts: list[dict] | None = [] if json_out else None
    written = _write(jobs, fmt_name, size, force=force, quiet=json_out, layouts=layouts)
    if json_out:
        print_json([{**_record(job, fmt_name), "layout": lay}
                    for job, lay in zip(written, layouts, strict=True)])


# --------------------------------------------------------------------------- what to draw


def _check_selection(measure: str | None, project: str | None, all_measures: bool,
                     programme: bool) -> bool:
    """One measure, or a batch; anything else is a usage error (exit 2). True for a batch."""
    if measure is not None and (all_measures or programme):
        option = "--all" if all_measures else "--programme"
        raise typer.BadParameter(f"give a MEASURE or {option}, not both", param_hint=f"'{option}'")
    if programme and (all_measures or project):
        raise typer.BadParameter("--programme charts every active project; leave out "
                                 "--project and --all", param_hint="'--programme'")
    if all_measures and not project:
        raise typer.BadParameter("say whose measures: --project P --all",
                                 param_hint="'--all'")
    if measure is None and not (all_measures or programme):
        hint = (f"add --all to chart every measure of '{project}', or give a MEASURE"
                if project else "give a MEASURE, or --project P --all, or --programme")
        raise typer.BadParameter(hint, param_hint="'MEASURE'")
    return measure is None


def _ref(measure: str, project: str | None) -> str:
    return f"{project}/{measure}" if project and "/" not in measure else measure


def _format_name(output: str | None, fmt: Format | None, batch: bool) -> str:
    """The format from --format or the file name; a clash or a guess is a usage error."""
    suffix = Path(output).suffix.lower() if output else ""
    if batch:
        if output and (Path(output).is_file() or suffix in _EXTENSIONS):
            raise typer.BadParameter(f"with --all or --programme, -o names a folder, not a "
                                     f"file like '{output}'", param_hint="'--output'")
        return fmt.value if fmt else Format.png.value
    if not output or _is_folder(output):
        return fmt.value if fmt else Format.png.value
    if fmt is not None:
        if suffix in _EXTENSIONS and suffix != f".{fmt.value}":
            raise typer.BadParameter(f"'{output}' ends in {suffix} but --format is {fmt.value}; "
                                     "change one of them", param_hint="'--output'")
        return fmt.value
    if suffix not in _EXTENSIONS:
        raise typer.BadParameter(f"cannot tell the format of '{output}': end it in .png, .svg "
                                 "or .pdf, or give --format", param_hint="'--output'")
    return suffix[1:]


def _is_folder(output: str) -> bool:
    """-o names a folder when one exists there, or when it ends in a slash."""
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def _single_job(ref: str, options: ViewOptions, output: str | None, fmt: str) -> _Job:
    from qi.services.measure_view import view

    with open_session(write=False) as s:
        v = view(s, ref, options)
    if options.freeze_until is not None and v.has_data and v.baseline_points is None:
        say(f"Note: --freeze {options.freeze_until} leaves fewer than 2 points before it, or "
            "none after it in the first phase, so no baseline is frozen")
    if output and not _is_folder(output):
        return _Job(v, Path(output))
    # Path(".") / name is just name: the default file lands in the current folder.
    return _Job(v, Path(output or ".") / f"{v.measure.slug}.{fmt}")


def _batch_jobs(project: str | None, programme: bool, options: ViewOptions, folder: Path,
                fmt: str) -> list[_Job]:
    """Every measure's view, from one session; measures that cannot be drawn are skipped
    with a line on stderr (another measure of the batch may still be drawn)."""
    from qi.services import measures as measure_service
    from qi.services.measure_view import measures_of_programme, view

    jobs = []
    with open_session(write=False) as s:
        if programme:
            pairs = [(m, folder / p.team / p.slug) for p, m in measures_of_programme(s)]
            if not pairs:
                raise QiError("No active project has any measures yet. Add one with "
                              "'qi measure add SLUG --project P ...'")
        else:
            pairs = [(m, folder) for m in measure_service.list_all(s, project=project)]
            if not pairs:
                raise QiError(f"Project '{project}' has no measures yet. Add one with "
                              f"'qi measure add SLUG --project {project} ...'")
        for m, where in pairs:
            try:
                v = view(s, m.ref, options)
            except QiError as exc:
                say(f"Skipped {m.ref}: {exc}")
                continue
            if not v.has_data:
                period = " in the period asked for" if v.measure_points else " yet"
                say(f"Skipped {m.ref}: no data{period}")
                continue
            jobs.append(_Job(v, where / f"{m.slug}.{fmt}"))
    if not jobs:
        raise QiError(f"No chart was written: none of the {len(pairs)} measures has data to "
                      "draw (see above)")
    return jobs


# --------------------------------------------------------------------------- writing


def _generated() -> date:
    """The date in the caption: today, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isascii() and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC).date()
    return date.today()


def _check_targets(jobs: list[_Job], force: bool) -> None:
    """Refuse before writing anything: a batch replaces all its files or none."""
    folders = [j.path for j in jobs if j.path.is_dir()]
    if folders:
        raise Conflict(f"'{folders[0]}' is a folder, so no chart can be written there. Give "
                       "another -o")
    if force:
        return
    existing = [str(j.path) for j in jobs if j.path.exists()]
    if not existing:
        return
    if len(existing) == 1:
        raise Conflict(f"'{existing[0]}' already exists. Use --force to replace it, or -o to "
                       "write elsewhere")
    shown = ", ".join(f"'{p}'" for p in existing[:_EXISTING_SHOWN])
    more = len(existing) - _EXISTING_SHOWN
    raise Conflict(f"{len(existing)} of the {len(jobs)} files already exist: {shown}"
                   + (f" and {more} more" if more > 0 else "")
                   + ". Nothing was written. Use --force to replace them, or -o to write "
                   "elsewhere")


def _write(jobs: list[_Job], fmt: str, size: dict, *, force: bool, quiet: bool,
           layouts: list[dict] | None = None) -> list[_Job]:
    """Draw and save every chart; one line each on stderr unless `quiet` (for --json).
    With `layouts` (a list), each chart's layout is appended to it, in order."""
    from qi import charts

    _check_targets(jobs, force)
    specs = [charts.spec_from_view(j.view, **size) for j in jobs]
    if len(jobs) == 1:
        _save(specs[0], jobs[0].path, fmt, force, layouts)
        _written(jobs[0], quiet)
        return jobs
    # The workers are forked before the progress bar starts its refresh thread.
    with _renderer(specs, [j.path for j in jobs], fmt, force, layouts) as results, \
            _progress(len(jobs)) as step:
        for k in results:
            _written(jobs[k], quiet)
            step()
    if not quiet:
        say(f"Wrote {len(jobs)} charts in '{os.path.commonpath([j.path.parent for j in jobs])}'")
    return jobs


def _save(spec: ChartSpec, path: Path, fmt: str, force: bool,
          layouts: list[dict] | None) -> None:
    from qi import charts

    if layouts is None:
        charts.save(spec, path, fmt, overwrite=force)
        return
    fig = charts.figure(spec)
    layouts.append(charts.layout_of(fig))
    charts.save(fig, path, fmt, overwrite=force)


@contextmanager
def _renderer(specs: list[ChartSpec], paths: list[Path], fmt: str, force: bool,
              layouts: list[dict] | None = None) -> Iterator[Iterator[int]]:
    """Save each chart, giving its index as it is written (in order): in this process, or
    in worker processes for a large batch (not with --json, whose layouts are measured
    here)."""
    workers = _workers(len(specs))
    if workers < 2 or layouts is not None:
        yield _render_here(specs, paths, fmt, force, layouts)
        return
    with _pool(specs, paths, fmt, force, workers) as pool:
        # imap keeps the order (and so the order of the lines on stderr); chunks of one
        # share the work evenly whatever each chart costs.
        yield pool.imap(_render_one, range(len(specs)), chunksize=1)


def _render_here(specs, paths, fmt: str, force: bool,
                 layouts: list[dict] | None = None) -> Iterator[int]:
    for k, (spec, path) in enumerate(zip(specs, paths, strict=True)):
        _save(spec, path, fmt, force, layouts)
        yield k


def _workers(count: int) -> int:
    """Worker processes for a batch: QI_CHART_WORKERS=N (Linux only, where forking is
    cheap and safe; at most one per core), else none. Off by default: on the 2-core
    machine it was measured on, busy with other work, it made batches no faster (see
    benchmarks/charts-results.md); with idle cores it can help."""
    asked = os.environ.get("QI_CHART_WORKERS", "").strip()
    if (not (asked.isascii() and asked.isdigit()) or count < PARALLEL_MIN
            or not sys.platform.startswith("linux")):
        return 1
    return max(1, min(int(asked), os.cpu_count() or 1, count))


# Set just before forking, so that workers inherit the charts to draw instead of having
# them pickled (an Analysis holds numpy arrays and the specs are large).
_BATCH: dict[str, Any] = {}


def _render_one(k: int) -> int:
    from qi import charts

    b = _BATCH
    charts.save(b["specs"][k], b["paths"][k], b["fmt"], overwrite=b["force"])
    return k


@contextmanager
def _pool(specs, paths, fmt: str, force: bool, workers: int) -> Iterator:
    import multiprocessing

    from qi import db

    # Forked children must not share the parent's database connections.
    db.dispose_all()
    _BATCH.update(specs=specs, paths=paths, fmt=fmt, force=force)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        _BATCH.clear()


@contextmanager
def _progress(total: int) -> Iterator:
    """A progress bar on a terminal; nothing when stderr is piped."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Drawing charts"), BarColumn(), MofNCompleteColumn(),
                  console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("charts", total=total)
        yield lambda: bar.advance(task)


def _written(job: _Job, quiet: bool) -> None:
    if quiet:
        return
    summary = job.view.summary
    points = summary["points"]
    say(f"Wrote {job.path}: {job.view.measure.name}, {points} point"
        f"{'' if points == 1 else 's'}; {summary['verdict']}")


def _record(job: _Job, fmt: str) -> dict:
    """One written chart in --json output (documented in the README)."""
    v = job.view
    return {
        "measure": v.measure.ref,
        "name": v.measure.name,
        "file": str(job.path),
        "format": fmt,
        "chart": v.chart.value,
        "rules": v.rules.value,
        "points": v.summary["points"],
        "signals": v.summary["signals"],
        "verdict": v.summary["verdict"],
        "direction": v.summary["direction"],
    }
