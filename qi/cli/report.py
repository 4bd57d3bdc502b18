"""`qi report`: a project's progress summary, or the programme's session pack, as Markdown,
HTML or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer

from qi.cli._common import (
    ProjectOption,
    one_project,
    open_db,
    parse_date_option,
    say,
    write_data,
)
from qi.cli.chart import progress_bar
from qi.errors import Conflict, InvalidInput


class Format(StrEnum):
    md = "md"
    html = "html"
    json = "json"
    pptx = "pptx"


def report(
    project: Annotated[str | None, typer.Argument(
        metavar="PROJECT", help="The project's slug. Leave it out with --programme.",
        show_default=False)] = None,
    project_opt: ProjectOption = None,
    programme: Annotated[bool, typer.Option(
        "--programme", help="Every active project, by team, with a contents list: the "
        "facilitator's session pack.")] = False,
    since: Annotated[str | None, typer.Option(
        metavar="DATE", help="Cycles with activity on or after DATE (YYYY-MM-DD, "
        "DD/MM/YYYY, today, yesterday), and the data since.", show_default=False)] = None,
    since_last_meeting: Annotated[bool, typer.Option(
        "--since-last-meeting", help="Since the last meeting before today (the team's or "
        "the programme's; see 'qi meeting list').")] = False,
    meeting: Annotated[int | None, typer.Option(
        metavar="N", help="For meeting N (its id in 'qi meeting list'): from the meeting "
        "before it up to its date, titled after it.", show_default=False)] = None,
    fmt: Annotated[Format | None, typer.Option(
        "--format", help="md (Markdown), html (one self-contained file that prints on A4), "
        "json, or pptx (a PowerPoint deck: a title slide, the icon summary, per project a "
        "summary slide and one slide per chart; needs -o). Default: from the -o file name "
        "(.md, .html, .json, .pptx), else md.",
        show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE (missing folders are created) "
        "instead of standard output. Markdown also gets a PNG of each chart in "
        "FILE-charts/.", show_default=False)] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace FILE (and its charts) if they exist.")] = False,
) -> None:
    """Write a progress summary: the aim, the team, each measure and what its chart says,
    the PDSA cycles of the period, the cycles still open and the next steps."""
    from qi.services import render
    from qi.services import report as report_service

    render.drawing_process()
    project = one_project(project, project_opt)
    if (project is None) == (not programme):
        raise typer.BadParameter("give a PROJECT or --programme (one of them)",
                                 param_hint="'PROJECT'")
    fmt = _format(fmt, output)
    if fmt == Format.pptx and output is None:
        raise typer.BadParameter("a deck is a file: give its name with -o FILE.pptx",
                                 param_hint="'--format'")
    since_day = parse_date_option(since, "--since")
    if output is not None:
        _check_free(output, force)
    period = {"since": since_day, "since_last_meeting": since_last_meeting, "meeting": meeting}
    with open_db(write=False) as db:
        if project is None:  # --programme
            built = report_service.build_programme(db, **period)
        else:
            built = report_service.build_project(db, project, **period)
    if output is None:  # Markdown, HTML or JSON on standard output (a deck needs -o)
        write_data(_render(built, fmt, None, force)[0])
        return
    charts: dict[Path, bytes] = {}
    if fmt == Format.pptx:
        data = deck_bytes(built)
    else:
        text, charts = _render(built, fmt, output, force)
        data = text.encode("utf-8")
    _write(output, data, charts, force)
    drawn = f", {len(charts)} chart{'s' if len(charts) != 1 else ''} in {_charts_dir(output)}" \
        if charts else ""
    say(f"Wrote {output}{drawn}")


_SUFFIXES = {".md": Format.md, ".markdown": Format.md, ".html": Format.html,
             ".htm": Format.html, ".json": Format.json, ".pptx": Format.pptx}


def _format(fmt: Format | None, output: Path | None) -> Format:
    """--format, else the file name's; both given and different is a mistake (exit 2)."""
    implied = _SUFFIXES.get(output.suffix.lower()) if output is not None else None
    if output is not None and fmt is not None and implied is not None and fmt != implied:
        raise typer.BadParameter(f"the file name '{output.name}' ends in {output.suffix} but "
                                 f"--format is {fmt.value}; change one of them",
                                 param_hint="'--format'")
    return fmt or implied or Format.md


def _charts_dir(output: Path) -> Path:
    return output.with_name(f"{output.stem}-charts")


def _chart_paths(output: Path, refs: list[str]) -> dict[str, Path]:
    folder = _charts_dir(output)
    return {ref: folder / f"{ref.replace('/', '-')}.png" for ref in refs}


def _check_free(output: Path, force: bool) -> None:
    """Refuse before any work: nothing is overwritten without --force."""
    if output.is_dir():
        raise InvalidInput(f"'{output}' is a folder. Give a file name for the report, e.g. "
                           f"'{output / 'report.html'}'")
    if output.exists() and not force:
        raise Conflict(f"'{output}' already exists. Add --force to replace it, or choose "
                       "another file with -o")


def _render(built, fmt: Format, output: Path | None, force: bool
            ) -> tuple[str, dict[Path, bytes]]:
    """The document, and the chart files to write beside it (Markdown in a file only)."""
    if fmt == Format.json:
        import json

        from qi.text import json_safe

        return json_safe(json.dumps(built.content, indent=2, ensure_ascii=False)) + "\n", {}
    if fmt == Format.html:
        return html_document(built), {}
    return _markdown(built, output, force)


def _generated(built):
    from datetime import date

    return date.fromisoformat(built.content["generated"])


def html_document(built) -> str:
    """The report as one self-contained HTML file, charts inline (also used by qi demo)."""
    from qi.reports import figures, html
    from qi.services.render import render_all

    svgs = render_all(figures.specs(built.views, generated=_generated(built)), "svg",
                      text="text", progress=progress_bar)
    render = html.programme if "contents" in built.content else html.project
    return render(built.content, svgs, "svg")


def deck_bytes(built) -> bytes:
    """The report as a PowerPoint deck, charts at slide size (also used by qi demo)."""
    from qi.reports import deck, figures
    from qi.services.render import render_all

    specs = figures.specs(built.views, generated=_generated(built), width=deck.WIDTH,
                          height=deck.HEIGHT, subtitle=True, dpi=deck.CHART_DPI)
    pngs = render_all(specs, "png", progress=progress_bar)
    from qi.charts import caption_text

    notes = {ref: caption_text(spec) for ref, spec in specs.items()}
    return deck.deck(built.content, pngs, notes)


def _markdown(built, output: Path | None, force: bool) -> tuple[str, dict[Path, bytes]]:
    from qi.reports import figures, markdown
    from qi.services.render import render_all

    render = markdown.programme if "contents" in built.content else markdown.project
    if output is None:
        return render(built.content, None), {}
    paths = _chart_paths(output, list(built.views))
    taken = [p for p in paths.values() if p.exists()]
    if taken and not force:
        more = f" (and {len(taken) - 1} more of its charts)" if len(taken) > 1 else ""
        raise Conflict(f"'{taken[0]}' already exists{more}. Add --force to replace the "
                       "report's charts, or choose another file with -o")
    pngs = render_all(figures.specs(built.views, generated=_generated(built)), "png",
                      progress=progress_bar) if paths else {}
    links = {ref: quote(f"{p.parent.name}/{p.name}") for ref, p in paths.items()}
    return render(built.content, links), {paths[ref]: data for ref, data in pngs.items()}


def _write(output: Path, data: bytes, charts: dict[Path, bytes], force: bool) -> None:
    """Charts first, then the report, each under a temporary name renamed into place, so
    an interrupted run never leaves half a file under a real name."""
    from qi.files import describe_os_error, write_file

    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        for path in charts:
            path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(describe_os_error(exc, Path(exc.filename or output), "report")
                           ) from None
    for path, chart in charts.items():
        write_file(path, chart, overwrite=force, what="chart")
    write_file(output, data, overwrite=force, what="report")
