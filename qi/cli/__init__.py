"""The `qi` command: a Typer app with one sub-app per noun (team, member, project, ...)."""

from __future__ import annotations

from typing import Annotated

import typer

from qi import __version__
from qi.cli import _common, _typer_checks
from qi.cli._common import STATE, QiGroup

_typer_checks.install()

app = typer.Typer(
    cls=QiGroup,
    name="qi",
    help="qi: a terminal-first quality-improvement tracker for primary-care teams.\n\n"
    "Teams, projects and their measures; PDSA cycles; run and SPC charts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain Click help: importing rich.markdown would slow every start
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




@app.command("init")
def init(
    path: Annotated[
        str | None,
        typer.Argument(help="Database file or URL to create (default: --db, QI_DB, ./qi.db).",
                       show_default=False),
    ] = None,
) -> None:
    """Create a new, empty qi database."""
    from qi.cli.db import init_database

    init_database(path)


# The nouns (team, project, ...) and the other top-level commands (chart, report, ...) are
# added lazily by QiGroup from _common.NOUNS and _common.COMMANDS.


def _install_signal_handlers() -> None:
    """SIGTERM (a closing terminal, `kill`) ends qi like Ctrl-C: the transaction is rolled
    back and a file being written is removed, instead of stopping mid-way."""
    import signal

    def stop(signum, _frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> None:
    _install_signal_handlers()
    try:
        app(prog_name="qi")
    except SystemExit as exc:
        _leave(exc.code)
    _leave(0)


def _leave(code) -> None:
    """End the process as soon as the command's work is safely out: output flushed, exit
    handlers run, the database closed. Tearing down the interpreter's modules (SQLAlchemy,
    matplotlib, ...) would take a few tenths of a second more and does nothing a finished
    command needs (the command's transaction has already committed or rolled back)."""
    import atexit
    import os
    import sys

    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message")
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # `qi ... | head`: the reader has all it wanted
            pass
        except OSError as exc:  # e.g. a full disk behind `> file`: never a silent loss
            os.write(2, f"Error: the output could not be written ({exc}).\n".encode())
            code = code or 1
    atexit._run_exitfuncs()
    if "qi.db" in sys.modules:
        sys.modules["qi.db"].dispose_all()
    os._exit(code)
