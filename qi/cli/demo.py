"""`qi demo [DIR]`: build a realistic example programme and show everything qi makes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qi.cli._common import parse_date_option, say
from qi.errors import Conflict


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

    day = parse_date_option(today, "--today") or date.today()
    started = time.perf_counter()
    folder = folder.expanduser().resolve()
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
    written = _write_charts(loc, folder / "charts") if charts else []
    report = _write_report(loc, folder / "programme-report.html") if charts else None
    grids = _write_grids(loc, folder / "charts") if charts else []
    deck = _write_deck(loc, folder / "programme-session.pptx") if charts else None
    typer.echo(f"Database: {database}")
    if written:
        typer.echo(f"Charts:   {folder / 'charts'} ({len(written)} files)")
    if grids:
        typer.echo(f"Grids:    {len(grids)} families of measures, one image per project "
                   f"({grids[0].name}, ...)")
    if report:
        typer.echo(f"Report:   {report} (open it in a browser; it prints on A4)")
    if deck:
        typer.echo(f"Deck:     {deck} (the learning session's slides)")
    say(f"Done in {time.perf_counter() - started:.1f} s. Try it:\n"
        f"  export QI_DB={database}\n"
        "  qi status\n"
        "  qi project list\n"
        "  qi cycle list dna-rate\n"
        "  qi project show dna-rate --drivers\n"
        "  qi cycle show dna-rate#2")


def _write_report(loc, path: Path) -> Path:
    """The facilitator's session pack for the whole programme, as `qi report --programme`."""
    from qi import db
    from qi.cli.report import html_document
    from qi.services import report

    with db.session(loc, write=False) as s:
        built = report.build_programme(s)
    from qi.files import write_file

    write_file(path, html_document(built), overwrite=True, what="report")
    return path


def _write_deck(loc, path: Path) -> Path:
    """The programme's session deck, as `qi report --programme -o FILE.pptx`."""
    from qi import db
    from qi.cli.report import deck_bytes
    from qi.files import write_file
    from qi.services import report

    with db.session(loc, write=False) as s:
        built = report.build_programme(s)
    write_file(path, deck_bytes(built), overwrite=True, what="deck")
    return path


def _write_grids(loc, target: Path) -> list[Path]:
    """Each project's family of measures on one image, as `qi chart --project P --grid`,
    beside the project's charts in TEAM/PROJECT/."""
    import dataclasses

    from qi import charts, db
    from qi.charts.grid import grid_figure
    from qi.services import grid, projects
    from qi.services.measure_view import ViewOptions

    written = []
    with db.session(loc, write=False) as s:
        grids = [(p.team, p.slug, grid.project_grid(s, p.slug, ViewOptions()))
                 for p in projects.list_all(s)]
    for team, slug, g in grids:
        specs = [dataclasses.replace(charts.spec_from_view(v), title=t)
                 for v, t in zip(g.views, g.panel_titles, strict=True)]
        fig = grid_figure(specs, title=g.title, subtitle=g.subtitle, shared_y=g.shared_y)
        written.append(charts.save(fig, target / team / slug / f"{slug}-grid.png"))
    return written


def _write_charts(loc, target: Path) -> list[Path]:
    """One PNG per measure in TEAM/PROJECT/ folders, as `qi chart --programme` writes them
    (one process, one session)."""
    from qi import charts, db
    from qi.services import measure_view, measures

    with db.session(loc, write=False) as s:
        views = [measure_view.view(s, m.ref) for m in measures.list_all(s)]
    written = []
    for v in views:
        path = target / v.project.team / v.project.slug / f"{v.measure.slug}.png"
        written.append(charts.save(charts.spec_from_view(v), path))
    return written
