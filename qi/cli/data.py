"""`qi data import|add|list|export|imports|undo`: measurements in and out."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qi.cli._common import (
    JsonOption,
    MeasureProjectOption,
    ProjectOption,
    YesOption,
    confirm,
    console,
    measure_ref,
    noun_app,
    one_project,
    open_db,
    open_session,
    parse_date_option,
    print_json,
    say,
    show_list,
    show_table,
    write_data,
)
from qi.domain import Period
from qi.errors import Conflict, InvalidInput

if TYPE_CHECKING:
    from qi.domain import ImportSummary, Series

app = noun_app("data")

MeasureArg = Annotated[str, typer.Argument(help="SLUG (if unique) or PROJECT/SLUG.")]
PROGRESS_BYTES = 2_000_000  # files this big show a progress bar on a terminal
SHOWN = 50


@contextmanager
def _reader_may_leave() -> Iterator[None]:
    """`qi data list --csv | head`: when the reader stops early, stop quietly too."""
    try:
        yield
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so Python's final flush stays quiet (not a real file in
        # tests, hence the suppress).
        with suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(1) from None


def _numerator_where(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    column, sep, value = text.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise typer.BadParameter(f"'{text}' is not COLUMN=VALUE (e.g. 'Status=DNA')",
                                 param_hint="'--numerator-where'")
    return column.strip(), value.strip()


@contextmanager
def _progress(path: Path) -> Iterator:
    """A progress bar for a large file when stderr is a terminal; nothing when piped."""
    if not sys.stderr.isatty() or not path.is_file() or path.stat().st_size < PROGRESS_BYTES:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  console=console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"Reading {path.name}", total=None)

        def update(stage: str, done: int, total: int | None) -> None:
            bar.update(task, description=f"{stage} {path.name}", completed=done, total=total)

        yield update


def _rows_text(rows: tuple[int, ...], total: int) -> str:
    distinct = sorted(set(rows))
    return ", ".join(str(r) for r in distinct) + (", ..." if total > len(rows) else "")


def _some(names: tuple[str, ...]) -> str:
    """'a, b, c' or, for many, the first SHOWN 'and 950 more'."""
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more


def _report(r: ImportSummary, replace: bool) -> None:
    from qi.services.data import describe_change

    for sentence in r.partial_periods:
        say(f"Note: {sentence[0].upper()}{sentence[1:]}.")
    if r.blank:
        rows = "row" if len(set(r.blank_rows)) == 1 else "rows"
        say(f"Skipped {r.blank} blank cell{'s' if r.blank != 1 else ''} "
            f"({rows} {_rows_text(r.blank_rows, r.blank)})")
    if r.dry_run:
        show_table(f"{r.file}: what an import would do", ["measure", "add", "change", "same"],
                   [(m.measure, m.added, m.changed, m.unchanged) for m in r.measures[:SHOWN]])
        if len(r.measures) > SHOWN:
            say(f"... and {len(r.measures) - SHOWN} more measures")
        out = console()
        for change in r.changes[:SHOWN]:
            out.print(f"change {describe_change(change)}", markup=False, soft_wrap=True)
        if r.changed > SHOWN:
            out.print(f"... and {r.changed - SHOWN} more changes", markup=False)
        if r.created_measures:
            say(f"Would create {len(r.created_measures)} measure(s): "
                f"{_some(r.created_measures)}")
        need = " (changing stored values needs --replace)" if r.changed and not replace else ""
        say(f"Dry run: {r.added} to add, {r.changed} to change{need}, {r.unchanged} left "
            "alone. Nothing was written")
        return
    if r.import_id is None:
        before = f" (imported before as import {r.previous_import})" if r.previous_import else ""
        say(f"Nothing to do: all {r.unchanged} values in {r.file} are already stored{before}. "
            "Nothing was written")
        return
    if r.created_measures:
        say(f"Created {len(r.created_measures)} run-chart outcome measure(s): "
            f"{_some(r.created_measures)}. Set their names and charts with 'qi measure edit'")
    for change in r.changes[:SHOWN]:
        say(f"Changed {describe_change(change)}")
    if r.changed > SHOWN:
        say(f"... and {r.changed - SHOWN} more changes")
    say(f"Imported {r.file} as import {r.import_id}: {r.added} added, {r.changed} changed, "
        f"{r.unchanged} left alone. Undo it with 'qi data undo {r.import_id}'")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A .csv or .xlsx file.", show_default=False)],
    project: Annotated[str, typer.Option(help="The project whose measures the data are.")],
    measure: Annotated[str | None, typer.Option(
        help="One measure (slug) for the whole file, which then needs no measure column.",
        show_default=False)] = None,
    date_col: Annotated[str | None, typer.Option(
        "--date-col", metavar="COL", help="Column of dates. Default: date.",
        show_default=False)] = None,
    value_col: Annotated[str | None, typer.Option(
        "--value-col", metavar="COL", help="Column of values. Default: value.",
        show_default=False)] = None,
    numerator_col: Annotated[str | None, typer.Option(
        "--numerator-col", metavar="COL", help="Column of numerators. Default: numerator.",
        show_default=False)] = None,
    denominator_col: Annotated[str | None, typer.Option(
        "--denominator-col", metavar="COL", help="Column of denominators. Default: "
        "denominator.", show_default=False)] = None,
    sheet: Annotated[str | None, typer.Option(
        help="Excel: the sheet to read. Default: the first.", show_default=False)] = None,
    period: Annotated[Period | None, typer.Option(
        help="Store each date as the start of its week (Monday) or month.",
        show_default=False)] = None,
    aggregate: Annotated[Period | None, typer.Option(
        help="Event-level file (a row per appointment): count rows per week or month. "
        "Needs --measure.", show_default=False)] = None,
    numerator_where: Annotated[str | None, typer.Option(
        "--numerator-where", metavar="COLUMN=VALUE", help="With --aggregate: rows with this "
        "value are the numerator, all rows the denominator.", show_default=False)] = None,
    create_measures: Annotated[bool, typer.Option(
        "--create-measures", help="Add unknown measures as run-chart outcome measures.")]
    = False,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Allow the file to change values already stored.")] = False,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Show what would be added, changed and left alone; write "
        "nothing.")] = False,
    allow_identifiers: Annotated[bool, typer.Option(
        "--allow-identifiers", help="Import even though the file looks patient-identifiable "
        "(NHS numbers, dates of birth, postcodes).")] = False,
    json_out: JsonOption = False,
) -> None:
    """Import measurements from a CSV or Excel file, all or nothing.

    Long format: columns date, measure, value (or numerator and denominator), optional
    note. Wide format: a date column and a column per measure slug. Dates are YYYY-MM-DD
    or day-first DD/MM/YYYY; blank cells are skipped and reported.
    """
    from qi.ingest.measurements import Layout
    from qi.services import data_import

    where = _numerator_where(numerator_where)
    if where and not aggregate:
        raise typer.BadParameter("only applies with --aggregate week|month",
                                 param_hint="'--numerator-where'")
    if aggregate and not measure:
        raise typer.BadParameter("an event-level file is counted into one measure: add "
                                 "--measure SLUG", param_hint="'--aggregate'")
    if aggregate and period:
        raise typer.BadParameter("--aggregate already sets the period; leave out --period",
                                 param_hint="'--period'")
    layout = Layout(
        date_col=date_col, value_col=value_col, numerator_col=numerator_col,
        denominator_col=denominator_col, measure=measure, sheet=sheet,
        period=period.value if period else None,
        aggregate=aggregate.value if aggregate else None, numerator_where=where,
        allow_identifiers=allow_identifiers,
    )
    with _progress(file) as progress, open_session(write=not dry_run) as s:
        summary = data_import.import_file(s, file, project=project, layout=layout,
                                   create_measures=create_measures, replace=replace,
                                   dry_run=dry_run, progress=progress)
    if json_out:
        print_json(summary.as_json())
        return
    _report(summary, replace)


def _number(text: str | None, what: str) -> float | None:
    from qi.values import parse_number

    if text is None:
        return None
    try:
        return parse_number(text)
    except InvalidInput as exc:
        raise typer.BadParameter(str(exc), param_hint=what) from None


@app.command("add")
def add(
    measure: MeasureArg,
    date: Annotated[str, typer.Argument(
        help="YYYY-MM-DD, DD/MM/YYYY, today or yesterday.", show_default=False)],
    value: Annotated[str | None, typer.Argument(
        help="The value (12, 0.5, 1,234 or 45%); for a negative value write -- first.",
        show_default=False)] = None,
    numerator: Annotated[str | None, typer.Option(
        help="Numerator (measures with a denominator).", show_default=False)] = None,
    denominator: Annotated[str | None, typer.Option(
        help="Denominator (measures with a denominator).", show_default=False)] = None,
    note: Annotated[str | None, typer.Option(help="A note about this point.")] = None,
    period: Annotated[Period | None, typer.Option(
        help="Store the date as the start of its week (Monday) or month.",
        show_default=False)] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Change a value already stored for that date.")] = False,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Add one measurement by hand."""
    from qi.services import data

    measure = measure_ref(measure, project_opt)

    day = parse_date_option(date, "DATE")
    numbers = {"value": _number(value, "'VALUE'"),
               "numerator": _number(numerator, "'--numerator'"),
               "denominator": _number(denominator, "'--denominator'")}
    with open_db() as db:
        point, status = data.add(db, measure, day, note=note, replace=replace, period=period,
                                 **numbers)
    if json_out:
        print_json({"measure": point.measure.ref, "status": status, **point.points()[0]})
        return
    shown = data.describe_point(point.points()[0])
    when = point.dates[0].isoformat()
    if status == "unchanged":
        say(f"Nothing to do: '{point.measure.ref}' already has {shown} for {when}")
    else:
        say(f"{status.capitalize()} '{point.measure.ref}' {when}: {shown}")


def _ratio(n: float | None, d: float | None, percent: bool) -> str:
    if n is None or not d:
        return ""
    return f"{100 * n / d:.1f}%" if percent else f"{n / d:.4g}"


def _show_series(s: Series) -> None:
    m = s.measure
    if not s.dates:
        say(f"No measurements for '{m.ref}' yet. Add them with 'qi data add {m.ref} DATE ...' "
            f"or 'qi data import FILE --project {m.project}'")
        return
    points = s.points()
    rows: list[tuple]
    if m.denominator:
        from qi.domain import percent_axis

        percent = percent_axis(m, m.chart)  # as its chart and report show it: 76.5%
        columns = ["date", "numerator", "denominator", "percent" if percent else "ratio",
                   "note", "import"]
        rows = [(p["date"], _plain(p["numerator"]), _plain(p["denominator"]),
                 _ratio(p["numerator"], p["denominator"], percent), p["note"], p["import"])
                for p in points]
    else:
        columns = ["date", "value", "note", "import"]
        rows = [(p["date"], _plain(p["value"]), p["note"], p["import"]) for p in points]
    show_table(f"{m.name} ({m.ref}): {len(points)} points", columns, rows)


def _plain(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else repr(v)


def _write_csv(points: list[dict]) -> None:
    """`data list --csv`: text cells guarded against formulas, numbers left numbers."""
    from qi.text import csv_row, csv_text

    fields = ["date", "value", "numerator", "denominator", "note", "import"]
    write_data(csv_row(fields))
    for p in points:
        write_data(csv_row([str(p["date"]), _plain(p["value"]), _plain(p["numerator"]),
                            _plain(p["denominator"]), csv_text(p["note"] or ""),
                            "" if p["import"] is None else str(p["import"])]))


@app.command("list")
def list_(
    measure: MeasureArg,
    json_out: JsonOption = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
    = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """List a measure's measurements in date order."""
    from qi.queries import views

    measure = measure_ref(measure, project_opt)

    if json_out and csv_out:
        raise typer.BadParameter("give --json or --csv, not both", param_hint="'--csv'")
    with open_db(write=False) as db:
        series = views.series(db, measure)
    with _reader_may_leave():
        if json_out:
            print_json(series.points())
        elif csv_out:
            _write_csv(series.points())
        else:
            _show_series(series)


@app.command("export")
def export(
    project: Annotated[str | None, typer.Argument(
        help="The project's slug (or give it with --project).", show_default=False)] = None,
    project_opt: ProjectOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of standard output.",
        show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
    = False,
) -> None:
    """Export a project's measurements as a long CSV (date,measure,value,numerator,
    denominator,note), which `qi data import` reads back."""
    from qi.services import data_export

    project = one_project(project, project_opt, required=True)
    if output is not None and output.exists() and not force:
        raise Conflict(f"{output} already exists. Add --force to overwrite it, or choose "
                       "another file")
    with open_session(write=False) as s:
        text, count = data_export.export_csv(s, project or "")  # required: never None
    if output is None:
        with _reader_may_leave():
            write_data(text)
        return
    from qi.files import write_file

    write_file(output, text, overwrite=force, what="export")
    say(f"Exported {count} measurement{'s' if count != 1 else ''} of '{project}' to {output}")


@app.command("imports")
def imports(
    project: Annotated[str | None, typer.Option(help="Only this project's imports.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List recorded imports: file, SHA-256, rows added and changed, when, undone."""
    from qi.services import data_imports

    with open_session(write=False) as s:
        rows = data_imports.imports(s, project=project)
    show_list(rows, json_out, empty="No imports yet. Import a file with 'qi data import FILE "
              "--project P'", title="Imports",
              columns=["import", "project", "file", "sha256", "added", "changed",
                       "imported (UTC)", "undone (UTC)"],
              row=lambda r: (r.id, r.project, r.file, r.sha256[:12], r.added, r.changed,
                             f"{r.imported_at:%Y-%m-%d %H:%M}",
                             f"{r.undone_at:%Y-%m-%d %H:%M}" if r.undone_at else None))


@app.command("undo")
def undo(
    import_id: Annotated[str, typer.Argument(
        metavar="IMPORT", help="The import's number (see 'qi data imports').")],
    yes: YesOption = False,
    json_out: JsonOption = False,
) -> None:
    """Reverse an import exactly: remove what it added, restore what it replaced."""
    from qi.services import data_imports

    with open_session(write=False) as s:
        record = data_imports.check_undoable(s, import_id)
    confirm(f"Undo import {record.id} ({record.file}: {record.added} added, {record.changed} "
            "changed)?", yes)
    with open_session() as s:
        record = data_imports.undo(s, str(record.id))
    if json_out:
        print_json(record.as_json())
        return
    say(f"Undid import {record.id} ({record.file}): removed {record.added} added "
        f"value{'s' if record.added != 1 else ''}, restored {record.changed} earlier "
        f"value{'s' if record.changed != 1 else ''}")
