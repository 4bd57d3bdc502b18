"""`qi chart`: run and SPC charts of measures as PNG, SVG or PDF, every PDSA cycle marked.

One measure, every measure of a project (`--project P --all`), or every measure of every
active project (`--programme`). The command parses and prints; `qi.services.render` reads
the views through the gateway, checks the files and draws the charts.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qi.cli._common import console, open_db, parse_date_option, print_json, say
from qi.domain import ChartType, Rules

if TYPE_CHECKING:
    from qi.services.measure_view import ViewOptions
    from qi.services.render import Job


class Format(StrEnum):
    png = "png"
    svg = "svg"
    pdf = "pdf"


_EXTENSIONS = {f".{f.value}" for f in Format}


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
    from qi.services import render

    render.drawing_process()
    measure = measure if measure_opt is None else measure_opt
    chart_grid.check(measure=measure, project=project, grid=grid, across=across_projects,
                     all_measures=all_measures, programme=programme, teams=teams)
    batch = (grid or across_projects) or _check_selection(measure, project, all_measures,
                                                          programme)
    options = _view_options(
        chart_type=chart_type, rules=rules, freeze=freeze, no_freeze=no_freeze,
        rebase_at=rebase_at, date_from=date_from, date_to=date_to, planned=planned,
        annotations=not no_annotations, analyze_window=analyze_window)
    fmt_name = "" if grid or across_projects else _format_name(output, fmt, batch)
    size = {"width": width, "height": height, "dpi": dpi, "generated": render.generated()}
    if grid or across_projects:
        chart_grid.draw(measure=measure, project=project, teams=teams, options=options,
                        output=output, fmt=fmt.value if fmt else None, size=size,
                        force=force, json_out=json_out)
        return
    with open_db(write=False) as db:
        if batch:
            plan = render.plan_batch(db, project=project, programme=programme,
                                     options=options, folder=Path(output or "."),
                                     fmt=fmt_name)
        else:
            assert measure is not None  # _check_selection: not a batch, so a MEASURE
            plan = render.Plan([_single_job(db, _ref(measure, project), options, output,
                                            fmt_name)])
    for line in plan.skipped:
        say(f"Skipped {line}")
    plan.check()
    layouts: list[dict] | None = [] if json_out else None
    _write(plan.jobs, fmt_name, size, force=force, quiet=json_out, layouts=layouts)
    if json_out:
        print_json([{**_record(job, fmt_name), "layout": lay}
                    for job, lay in zip(plan.jobs, layouts or [], strict=True)])


def _view_options(*, chart_type: ChartType | None, rules: Rules | None, freeze: str | None,
                  no_freeze: bool, rebase_at: list[str] | None, date_from: str | None,
                  date_to: str | None, planned: bool, annotations: bool,
                  analyze_window: bool) -> ViewOptions:
    """The chart options as one ViewOptions, after refusing values that cannot go
    together (exit 2)."""
    from qi.domain import chart_for_rules
    from qi.services.measure_view import ViewOptions

    if freeze is not None and no_freeze:
        raise typer.BadParameter("give --freeze DATE or --no-freeze, not both",
                                 param_hint="'--freeze'")
    start = parse_date_option(date_from, "--from")
    end = parse_date_option(date_to, "--to")
    if start and end and start > end:
        raise typer.BadParameter(f"{start} is after --to {end}", param_hint="'--from'")
    if analyze_window and start is None and end is None:
        raise typer.BadParameter("--analyse-window needs --from or --to: it analyses only "
                                 "the data between them", param_hint="'--analyse-window'")
    needed = chart_for_rules(rules, chart_type) if rules and chart_type else None
    if rules is not None and needed is not None:
        raise typer.BadParameter(f"the {rules.value} rules are for {needed.value} charts; use "
                                 f"--type {needed.value} or leave --type out",
                                 param_hint="'--rules'")
    return ViewOptions(
        chart=chart_type, rules=rules, freeze_until=parse_date_option(freeze, "--freeze"),
        no_freeze=no_freeze,
        rebase_at=None if rebase_at is None
        else tuple(parse_date_option(d, "--rebase-at") for d in rebase_at),
        date_from=start, date_to=end, planned=planned, annotations=annotations,
        analyze_window=analyze_window,
    )


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


def _single_job(db, ref: str, options: ViewOptions, output: str | None, fmt: str) -> Job:
    from qi.services.render import Job, one_view

    v = one_view(db, ref, options)
    if options.freeze_until is not None and v.has_data and v.baseline_points is None:
        say(f"Note: --freeze {options.freeze_until} leaves fewer than 2 points before it, or "
            "none after it in the first phase, so no baseline is frozen")
    if output and not _is_folder(output):
        return Job(v, Path(output))
    # Path(".") / name is just name: the default file lands in the current folder.
    return Job(v, Path(output or ".") / f"{v.measure.slug}.{fmt}")


# --------------------------------------------------------------------------- writing


def _write(jobs: list[Job], fmt: str, size: dict, *, force: bool, quiet: bool,
           layouts: list[dict] | None = None) -> None:
    """Draw and save every chart; one line each on stderr unless `quiet` (for --json).
    With `layouts` (a list), each chart's layout is appended to it, in order."""
    from qi import charts
    from qi.services import render

    specs = [charts.spec_from_view(j.view, **size) for j in jobs]
    bar = progress_bar if len(jobs) > 1 else None
    for k in render.save_all(specs, [j.path for j in jobs], fmt, force=force,
                             layouts=layouts, progress=bar):
        _written(jobs[k], quiet)
    if len(jobs) > 1 and not quiet:
        say(f"Wrote {len(jobs)} charts in '{os.path.commonpath([j.path.parent for j in jobs])}'")


@contextmanager
def progress_bar(total: int) -> Iterator:
    """A progress bar on a terminal; nothing when stderr is piped."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("Drawing charts"), BarColumn(), MofNCompleteColumn(),
                  console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("charts", total=total)
        yield lambda: bar.advance(task)


def _written(job: Job, quiet: bool) -> None:
    if quiet:
        return
    summary = job.view.summary
    points = summary["points"]
    say(f"Wrote {job.path}: {job.view.measure.name}, {points} point"
        f"{'' if points == 1 else 's'}; {summary['verdict']}")


def _record(job: Job, fmt: str) -> dict:
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
