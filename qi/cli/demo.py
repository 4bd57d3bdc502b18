"""`qi demo [DIR]`: build a realistic example programme and show everything qi makes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qi.cli._common import parse_date_option, say
from qi.errors import Conflict, InvalidInput


def _show(line: str) -> None:
    """A result line on stdout, control characters in paths shown escaped."""
    from qi.text import visible

    typer.echo(visible(line))


def demo(
    folder: Annotated[Path, typer.Argument(
        metavar="DIR", help="Folder for the demo database, charts and report.")]
    = Path("qi-demo"),
    charts: Annotated[bool, typer.Option(
        "--charts/--no-charts", help="Also draw every measure's chart (slower).")] = True,
    today: Annotated[str | None, typer.Option(
        "--today", metavar="DATE", help="Date the programme as if today were DATE (its "
        "latest week of data is DATE's week). Default: today.", show_default=False)] = None,
) -> None:
    """Build an example programme (three teams, their projects, 30 weeks of data up to this
    week, PDSA cycles and learning sessions) in a new database in DIR, then write its
    charts and its report."""
    import time
    from datetime import date

    from qi import db
    from qi import demo as demo_data
    from qi.config import resolve
    from qi.services import render

    render.drawing_process()

    day = parse_date_option(today, "--today") or date.today()
    started = time.perf_counter()
    folder = folder.expanduser()
    if folder.is_symlink() and not folder.exists():  # never create through a link
        raise InvalidInput(f"{folder} is a symbolic link to {folder.resolve()}, which does not "
                           "exist. qi never creates files through a link; remove the link or "
                           "give the real folder")
    folder = folder.resolve()
    database = folder / "qi.db"
    if database.exists():
        raise Conflict(f"{database} already exists. Give another folder, or remove it to "
                       "build the demo again")
    folder.mkdir(parents=True, exist_ok=True)
    loc = resolve(str(database))
    with db.session(loc, create=True) as s:
        counts = demo_data.build(s, today=day)
    say(f"Built the demo programme in {database}: {counts['teams']} teams, "
        f"{counts['members']} members, {counts['projects']} projects, {counts['measures']} "
        f"measures with {counts['measurements']} weekly points, {counts['cycles']} PDSA "
        f"cycles, {counts['meetings']} meetings")
    written, grids, report, deck = _draw(loc, folder) if charts else ([], [], None, None)
    _show(f"Database: {database}")
    if written:
        _show(f"Charts:   {folder / 'charts'} ({len(written)} files)")
    if grids:
        _show(f"Grids:    {len(grids)} families of measures, one image per project "
            f"({grids[0].name}, ...)")
    if report:
        _show(f"Report:   {report} (open it in a browser; it prints on A4)")
    if deck:
        _show(f"Deck:     {deck} (the learning session's slides)")
    say(f"Done in {time.perf_counter() - started:.1f} s. Try it:\n"
        f"  export QI_DB={database}\n"
        "  qi status\n"
        "  qi project list\n"
        "  qi cycle list dna-rate\n"
        "  qi project show dna-rate --drivers\n"
        "  qi cycle show dna-rate#2")


def _draw(loc, folder: Path) -> tuple[list[Path], list[Path], Path, Path]:
    """Every measure's chart, each project's grid, the programme's HTML report and its
    deck: read once (the views through the gateway, the report's content in one session),
    drawn in this process by the render service, as `qi chart --programme`, `qi chart
    --grid` and `qi report --programme` draw them."""
    from qi import db, gateway
    from qi.services import report

    with db.session(loc, write=False) as s:
        built = report.build_programme(s)
    with gateway.connect(loc, write=False) as conn:
        written = _write_charts(conn, folder / "charts")
        grids = _write_grids(conn, folder / "charts")
    html = _write(folder / "programme-report.html", built, "html")
    deck = _write(folder / "programme-session.pptx", built, "pptx")
    return written, grids, html, deck


def _write(path: Path, built, kind: str) -> Path:
    """The report as HTML, or its deck."""
    from qi.cli.report import deck_bytes, html_document
    from qi.files import write_file

    if kind == "html":
        write_file(path, html_document(built), overwrite=True, what="report")
    else:
        write_file(path, deck_bytes(built), overwrite=True, what="deck")
    return path


def _write_grids(conn, target: Path) -> list[Path]:
    """Each project's family of measures on one image, as `qi chart --project P --grid`,
    beside the project's charts in TEAM/PROJECT/."""
    import dataclasses

    from qi import charts
    from qi.charts.grid import grid_figure
    from qi.queries import projects
    from qi.services import grid
    from qi.services.measure_view import ViewOptions

    written = []
    for p in projects.list_all(conn):
        g = grid.project_grid(conn, p.slug, ViewOptions())
        specs = [dataclasses.replace(charts.spec_from_view(v), title=t)
                 for v, t in zip(g.views, g.panel_titles, strict=True)]
        fig = grid_figure(specs, title=g.title, subtitle=g.subtitle, shared_y=g.shared_y)
        written.append(charts.save(fig, target / p.team / p.slug / f"{p.slug}-grid.png"))
    return written


def _write_charts(conn, target: Path) -> list[Path]:
    """One PNG per measure in TEAM/PROJECT/ folders, as `qi chart --programme` writes
    them."""
    from qi import charts
    from qi.queries import measures
    from qi.services import render
    from qi.services.measure_view import ViewOptions

    views, _ = render.usable_views(conn, [m.id for m in measures.list_all(conn)],
                                   ViewOptions())
    paths = [target / v.project.team / v.project.slug / f"{v.measure.slug}.png"
             for v in views]
    specs = [charts.spec_from_view(v) for v in views]
    list(render.save_all(specs, paths, "png", force=False))
    return paths
