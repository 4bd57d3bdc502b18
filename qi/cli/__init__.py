"""The `qi` command: a Typer app with one sub-app per noun (team, member, project, ...)."""

from __future__ import annotations

from typing import Annotated

import typer

from qi import __version__
from qi.cli import _common, db, measure, member, project, team
from qi.cli._common import STATE, QiGroup

app = typer.Typer(
    cls=QiGroup,
    name="qi",
    help="qi: a terminal-first quality-improvement tracker for primary-care teams.\n\n"
    "Teams, projects and their measures; PDSA cycles; run and SPC charts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"qi {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db_option: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            help="Database file or URL (postgresql+psycopg://...). Default: $QI_DB, "
            "./qi.db if present, else your per-user data folder.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the full traceback of an error.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    STATE.db = db_option
    STATE.debug = debug
    _common.reset_consoles()


app.command("init")(db.init)
app.add_typer(db.app, name="db")
app.add_typer(team.app, name="team")
app.add_typer(member.app, name="member")
app.add_typer(project.app, name="project")
app.add_typer(measure.app, name="measure")
# analyze: registered here by qi/cli/analyze.py's author (one line, below).


def main() -> None:
    app(prog_name="qi")
