"""What every command shares: the root options, consoles, errors, JSON and confirmation.

Nothing heavy is imported here at module level: `qi --help` must stay fast, so
SQLAlchemy, pandas and friends are imported inside the functions that use them.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar

import typer
from typer.core import TyperGroup

from qi.errors import InvalidInput, QiError

if TYPE_CHECKING:
    from rich.console import Console

    from qi.config import DatabaseLocation


_PLAIN_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "Path": "PATH",
                "path": "PATH", "file": "FILE", "directory": "FOLDER", "datetime": "DATE"}


def _plain_type(label: str) -> str:
    """'<list[str]>' -> 'TEXT': what a value is, in words a non-programmer can read."""
    label = label.strip("<>")
    if label.startswith("list[") and label.endswith("]"):
        label = label[5:-1]
    return _PLAIN_TYPES.get(label, label)


def _use_plain_types() -> None:
    # Recent Typer prints Python types in help ('--measure <list[str]>'); show 'TEXT', 'PATH'
    # or the choices instead, and nothing after an argument's own name ('TITLE').
    from typer import core

    # Typer's classes are patched on purpose: typed as Any, as mypy refuses assigned methods.
    option_cls: Any = core.TyperOption
    argument_cls: Any = core.TyperArgument
    option_type = getattr(option_cls, "display_type", None)
    if option_type is None or getattr(option_type, "_qi_plain", False):
        return

    def plain_option(self, ctx):
        return _plain_type(option_type(self, ctx))

    def usage_name(self) -> str:
        # 'qi cycle do [OPTIONS] CYCLE', not '{CYCLE}'; a metavar may say it all itself
        if self.metavar is not None:
            return self.metavar
        name = self.name.upper() if self.required else f"[{self.name.upper()}]"
        return name + ("..." if self.nargs != 1 else "")

    def help_name(self) -> str:
        return self.metavar or self.name.upper() + ("..." if self.nargs != 1 else "")

    marked: Any = plain_option
    marked._qi_plain = True
    option_cls.display_type = plain_option
    argument_cls.display_type = lambda self, ctx: ""
    if hasattr(argument_cls, "_usage_display_name"):
        argument_cls._usage_display_name = usage_name
    if hasattr(argument_cls, "_rich_display_name"):
        argument_cls._rich_display_name = help_name


_use_plain_types()


@dataclass
class _State:
    db: str | None = None
    debug: bool = False


STATE = _State()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def debug_enabled() -> bool:
    return STATE.debug or os.environ.get("QI_DEBUG", "") not in ("", "0")


MESSAGE_LINE = 400  # characters of one message line shown (a 10 MB cell is not)


def safe_message(message: str) -> str:
    """A message as it may be shown: no passwords, control characters escaped (line
    breaks kept), each line clipped."""
    from qi.config import redact_url
    from qi.text import clip, visible

    lines = visible(redact_url(message), keep="\n").split("\n")
    return "\n".join(clip(line, MESSAGE_LINE) for line in lines)


def _error_line(message: str) -> str:
    message = safe_message(message.strip())
    return f"Error: {message}" + ("" if message.endswith((".", "?", "!")) else ".")


def _print_traceback() -> None:
    """--debug: the traceback, with passwords hidden and control characters escaped."""
    sys.stderr.write(safe_message_all(traceback.format_exc()))


def safe_message_all(text: str) -> str:
    from qi.config import redact_url
    from qi.text import visible

    return visible(redact_url(text), keep="\n")


# The nouns of `qi NOUN VERB`: module and one-line help. Each noun's commands are built
# only when that noun is used (building every Typer command costs time at each start).
NOUNS: dict[str, tuple[str, str]] = {
    "db": ("qi.cli.db", "Where the data lives, its schema version, upgrades and backups."),
    "team": ("qi.cli.team", "Teams: the groups that run projects (e.g. by area)."),
    "member": ("qi.cli.member", "People: GPs, nurses, practice managers, pharmacists, ..."),
    "project": ("qi.cli.project", "Improvement projects: an aim, a team, dates and a status."),
    "measure": ("qi.cli.measure", "Measures: outcome, process and balancing measures."),
    "data": ("qi.cli.data", "Measurements: import CSV/Excel files, add, list, export, undo."),
    "idea": ("qi.cli.idea", "Change ideas, placed in the project's driver diagram."),
    "cycle": ("qi.cli.cycle", "PDSA cycles: plan, do, study, act."),
    "note": ("qi.cli.note", "Dated notes on measures, drawn on their charts."),
    "meeting": ("qi.cli.meeting", "Learning sessions and team meetings."),
}


# The top-level commands other than `init`: module, function and the first sentence of its
# docstring (what the root help shows of it). Each is imported and built only when used, so
# `qi --help` loads none of them (tests/cli/test_conventions.py checks the sentences).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "analyze": ("qi.cli.analyze", "analyze", "Analyse a CSV or Excel file as a run or control "
                "chart, like qicharts2, with no database; with -o, also draw the chart."),
    "export": ("qi.cli.bundle", "export", "Export a project as one JSON bundle, to move or "
               "share it."),
    "import-bundle": ("qi.cli.bundle", "import_bundle", "Import a project bundle (from 'qi "
                      "export'), all or nothing."),
    "chart": ("qi.cli.chart", "chart", "Draw run and SPC charts of measures, with every PDSA "
              "cycle and note marked."),
    "demo": ("qi.cli.demo", "demo", "Build an example programme (three teams, their projects, "
             "30 weeks of data up to this week, PDSA cycles and learning sessions) in a new "
             "database in DIR, then write its charts and its report."),
    "report": ("qi.cli.report", "report", "Write a progress summary: the aim, the team, each "
               "measure and what its chart says, the PDSA cycles of the period, the cycles "
               "still open and the next steps."),
    "status": ("qi.cli.status", "status", "The dashboard: each active project with its team "
               "and PDSA stage, each measure with a sparkline of its latest 20 points, its "
               "latest value, its current signal and its Making Data Count icons (charts with "
               "limits), and the cycles in progress and overdue."),
}


def noun_app(noun: str) -> typer.Typer:
    """The Typer app of one noun, with its help text from NOUNS."""
    return typer.Typer(name=noun, help=NOUNS[noun][1], no_args_is_help=True,
                       rich_markup_mode=None, add_completion=False)


class QiGroup(TyperGroup):
    """The root group: lazy nouns, and every QiError (or surprise) as one line on stderr.

    `ctx` is typed Any: its class is Click's, or Typer's own copy of Click in Typer 0.2x."""

    def list_commands(self, ctx: Any) -> list[str]:
        eager = super().list_commands(ctx)  # `init` first, then the nouns, then the rest
        return [n for n in eager if n == "init"] + list(NOUNS) + list(COMMANDS) + [
            n for n in eager if n != "init" and n not in NOUNS and n not in COMMANDS
        ]

    def get_command(self, ctx: Any, cmd_name: str):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is None and (cmd_name in NOUNS or cmd_name in COMMANDS):
            cmd = _build_command(cmd_name)
            self.commands[cmd_name] = cmd
        return cmd

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # The root help lists the nouns and commands from NOUNS and COMMANDS without
        # building them (as Click shortens a docstring: its first sentence, 70 characters).
        from typer.core import TyperCommand

        def short_help(name: str) -> str:
            if name in NOUNS:
                return NOUNS[name][1]
            if name in COMMANDS:
                return TyperCommand(name, help=COMMANDS[name][2]).get_short_help_str(70)
            return self.commands[name].get_short_help_str(70)

        rows = [(name, short_help(name)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except QiError as exc:
            if debug_enabled():
                _print_traceback()
            typer.echo(_error_line(str(exc)), err=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("Interrupted; nothing was changed.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:
            # Typer's own exceptions (usage errors, exit, abort) are handled by Typer, with
            # the user's values in them made safe to show.
            if type(exc).__module__.startswith(("typer", "click")):
                _make_safe(exc)
                _hint_quotes(exc)
                raise
            if debug_enabled():
                _print_traceback()
            # A bug: still one line (the first of the exception's text: SQLAlchemy adds the
            # statement and its parameters below), with the way to see more.
            first = str(exc).strip().split("\n", 1)[0]
            typer.echo(
                _error_line(
                    f"qi hit an unexpected problem ({type(exc).__name__}: {first}). "
                    "Nothing was changed. Run again with --debug for details and report it"
                ),
                err=True,
            )
            raise typer.Exit(1) from None

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        _check_arguments(args)
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            if type(exc).__module__.startswith(("typer", "click")):
                _make_safe(exc)
            raise


def _build_command(name: str) -> Any:
    """The Click command of a noun (its group) or of a top-level command, built on use."""
    import importlib

    from typer.main import get_command

    if name in NOUNS:
        return get_command(importlib.import_module(NOUNS[name][0]).app)
    module, function, _ = COMMANDS[name]
    one = typer.Typer(rich_markup_mode=None, add_completion=False)
    one.command(name)(getattr(importlib.import_module(module), function))
    return get_command(one)


def _check_arguments(args: list[str]) -> None:
    """Text that no database can store is refused before anything runs: NUL, and bytes
    that are not UTF-8 (Python hands them over as lone surrogates)."""
    for arg in args:
        bad = next((c for c in arg if c == "\x00" or "\ud800" <= c <= "\udfff"), None)
        if bad is not None:
            from qi.text import quoted

            what = "the NUL character" if bad == "\x00" else "bytes that are not UTF-8 text"
            raise typer.BadParameter(f"The argument {quoted(arg)} holds {what}. Type it again "
                                   "as plain text")


def _make_safe(exc: Any) -> None:
    """Click prints its usage errors itself: escape what the user typed in them."""
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        exc.message = safe_message(message)


def _hint_quotes(exc: Any) -> None:
    """`qi data add dna 1 Jan 2025` splits the date into three arguments: say to quote it."""
    message = getattr(exc, "message", None)
    if isinstance(message, str) and "unexpected extra argument" in message:
        exc.message = (message + ". A date or text with spaces needs quotes around it, e.g. "
                       "\"1 Jan 2025\" or \"SMS for all nurses\"")


_consoles: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """A Rich console for people (stderr for diagnostics). Rich honours NO_COLOR itself."""
    if stderr not in _consoles:
        _consoles[stderr] = _safe_console_class()(stderr=stderr, highlight=False)
    return _consoles[stderr]


def _safe_console_class():
    """A Rich console that shows control characters in the text it prints as escapes.

    Every table, record and message goes through it, so a name, note or file cell holding
    ESC or OSC sequences is shown, never obeyed. Rich's own styling is not text (it is
    rendered from each segment's style), so colours still work."""
    from rich.console import Console
    from rich.segment import Segment

    from qi.config import hide_secrets
    from qi.text import visible

    class SafeConsole(Console):
        def print(self, *objects, **kwargs):
            # Strings are escaped before Rich sees them (Rich silently drops a few control
            # characters, e.g. a bell or a vertical tab: the user should see them).
            super().print(*(visible(o, keep="\n") if isinstance(o, str) else o
                            for o in objects), **kwargs)

        def _render_buffer(self, buffer):
            return super()._render_buffer(
                Segment(text, style, control) if control
                else Segment(hide_secrets(visible(text, keep="\n")), style, control)
                for text, style, control in buffer)

    return SafeConsole


def reset_consoles() -> None:
    """Forget cached consoles (CliRunner swaps sys.stdout between invocations)."""
    _consoles.clear()


def print_json(data: Any) -> None:
    """Stable JSON on stdout: keys in their given order, UTF-8 as is, ending with a newline."""
    import json

    from qi.text import json_safe

    sys.stdout.write(json_safe(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")


def write_data(text: str) -> None:
    """Data (CSV, Markdown) on stdout: exact when piped; on a terminal, control characters
    are shown as escapes so that no name or note can steer the terminal."""
    if sys.stdout.isatty():
        from qi.text import visible

        text = visible(text, keep="\n")
    sys.stdout.write(text)


def say(message: str) -> None:
    """A confirmation for people ("Added team ...") on stderr, leaving stdout for data."""
    console(stderr=True).print(message, markup=False, soft_wrap=True)


def location() -> DatabaseLocation:
    from qi.config import resolve

    return resolve(STATE.db)


@contextmanager
def open_session(write: bool = True) -> Iterator:
    """The command's one transaction on the chosen database."""
    from qi import db

    with db.session(location(), write=write) as s:
        yield s


@contextmanager
def open_db(write: bool = True) -> Iterator:
    """The command's one transaction through the gateway (plain SQL, no SQLAlchemy): for
    the everyday commands whose queries live in `qi.queries`."""
    from qi import gateway

    with gateway.connect(location(), write=write) as db:
        yield db


def confirm(question: str, yes: bool) -> None:
    """Ask before something destructive; refuse clearly when nobody can answer."""
    if yes:
        return
    question = safe_message(question)  # names in it may hold control characters
    if not sys.stdin or not sys.stdin.isatty():
        # Still allow an answer piped in (and CliRunner's input), but never hang or guess.
        sys.stderr.write(f"{question} [y/N]: ")
        line = sys.stdin.readline() if sys.stdin else ""
        sys.stderr.write("\n")
        if line.strip().lower() in ("y", "yes"):
            return
        raise QiError(f"{question} Not confirmed, so nothing was changed. Add --yes to confirm")
    if not typer.confirm(question, default=False, err=True):
        raise QiError("Not confirmed, so nothing was changed")


class _Record(Protocol):
    def as_json(self) -> Any: ...


R = TypeVar("R", bound=_Record)
T = TypeVar("T")


def show_list(rows: Sequence[R], json_out: bool, *, empty: str, title: str,
              columns: Sequence[str], row: Callable[[R], Sequence[Any]]) -> None:
    """What every `list` command prints: the records as JSON with --json; else, when there
    are none, the `empty` hint on stderr (what to do next); else a table of `row(record)`."""
    if json_out:
        print_json([r.as_json() for r in rows])
        return
    if not rows:
        say(empty)
        return
    show_table(title, columns, [row(r) for r in rows])


def remove_confirmed(check: Callable[[Any], T], question: Callable[[T], str],
                     remove: Callable[[Any, T], object], done: Callable[[T], str], *,
                     yes: bool) -> None:
    """What every `remove` command does: `check(session)` finds the record and refuses
    what needs --force; the user confirms `question(record)` (or gave --yes); then
    `remove(session, record)` in its own transaction, and `done(record)` on stderr.

    The question is asked outside any write transaction, so nobody else waits while we
    wait for an answer."""
    with open_session(write=False) as s:
        record = check(s)
    confirm(question(record), yes)
    with open_session() as s:
        remove(s, record)
    say(done(record))


_SHORT = 11  # the longest word kept whole in a table column ('26 Mar 2018' fits)


def show_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from datetime import date

    from rich.table import Table
    from rich.text import Text

    from qi.text import visible

    # Cells are Text, never markup: '[bold]' in a name is shown as typed.
    table = Table(title=None if title is None else Text(visible(title)), title_justify="left",
                  header_style="bold")
    cells = [[visible(cell(v)) for v in row] for row in rows]
    # On a narrow terminal the first column, which names the row (dna-rate#3, a slug), is
    # never broken; others wrap between words and, when the table still fits, keep words
    # of up to _SHORT characters (and dates: '26 Mar 2018') whole, folding only longer ones.
    def words(k: int) -> list[int]:
        return [len(text) if isinstance(value, date) else max(map(len, text.split()), default=0)
                for value, text in ((row[k], shown[k]) for row, shown in zip(rows, cells,
                                                                              strict=True))]

    widths = [min(max(words(k) + [len(column.split()[0])]), _SHORT)
              for k, column in enumerate(columns)]
    first = max([len(row[0]) for row in cells] + [len(columns[0])]) if columns else 0
    fits = first + sum(widths[1:]) + 3 * len(columns) + 1 <= console().width
    for k, column in enumerate(columns):
        table.add_column(column, overflow="fold", no_wrap=k == 0,
                         min_width=widths[k] if fits and k else None)
    for row in cells:
        table.add_row(*(Text(text) for text in row))
    console().print(table)


def cell(value: Any) -> str:
    """A value in a table for people: dates in the QI_DATE_STYLE ('26 Mar 2018')."""
    from datetime import date

    if value is None:
        return ""
    if isinstance(value, date):
        from qi.dates import human_date

        return human_date(value)
    return str(value)


def show_fields(title: str, fields: Sequence[tuple[str, Any]]) -> None:
    """A record as 'label  value' lines under a bold title."""
    from rich.table import Table
    from rich.text import Text

    from qi.text import visible

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in fields:
        if isinstance(value, list | tuple):
            value = ", ".join(cell(v) for v in value) or "-"
        shown = "-" if value is None or value == "" else visible(cell(value), keep="\n")
        grid.add_row(Text(label), Text(shown))
    out = console()
    out.print(title, style="bold", markup=False)
    out.print(grid)


def parse_date_option(value: str | None, option: str):
    """Parse a date option; a bad date is a bad option value (exit 2)."""
    if value is None:
        return None
    from qi.dates import parse_date

    try:
        return parse_date(value, what=option)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


# Every command that needs a project takes it as --project too, so that one way of writing
# it works across nouns (`qi idea add --project dna-rate TITLE` as `qi measure add`).
ProjectOption = Annotated[str | None, typer.Option(
    "--project", metavar="PROJECT", help="The project's slug (the same as giving PROJECT "
    "first).", show_default=False)]


def one_project(positional: str | None, option: str | None, *,
                required: bool = False) -> str | None:
    """The project given first or with --project (both: they must agree)."""
    if positional is not None and option is not None and positional != option:
        raise typer.BadParameter(f"the project is given twice, as '{positional}' and as "
                                 f"--project '{option}'. Give it once", param_hint="'PROJECT'")
    if required and positional is None and option is None:
        raise typer.BadParameter("give the project's slug first, or with --project",
                                 param_hint="'PROJECT'")
    return positional if positional is not None else option


def project_and(args: Sequence[str], option: str | None, usage: str) -> tuple[str, str]:
    """(project, the other argument) from `PROJECT ARG` or `ARG --project PROJECT`."""
    args = list(args)
    if option is not None and len(args) == 2 and args[0] == option:
        args = args[1:]
    if option is not None and len(args) == 1:
        return option, args[0]
    if option is None and len(args) == 2:
        return args[0], args[1]
    raise typer.BadParameter(
        f"expected {usage}, got {len(args)} argument{'s' if len(args) != 1 else ''}"
        + (" and --project" if option is not None else "")
        + " (put text with spaces in quotes)", param_hint="'[PROJECT] ...'")


MeasureProjectOption = Annotated[str | None, typer.Option(
    "--project", metavar="PROJECT", help="The project the measure belongs to (the same as "
    "writing PROJECT/SLUG).", show_default=False)]


def measure_ref(measure: str, project: str | None) -> str:
    """MEASURE with --project PROJECT as PROJECT/SLUG (both given: they must agree)."""
    if project is None:
        return measure
    owner, slash, slug = measure.partition("/")
    if slash and owner != project:
        raise typer.BadParameter(f"'{measure}' belongs to project '{owner}', not --project "
                                 f"'{project}'. Give the project once", param_hint="'MEASURE'")
    return measure if slash else f"{project}/{measure}"
