"""`qi analyze FILE.csv`: run and SPC charts of a CSV file, no database needed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qi.cli._common import JsonOption, console
from qi.domain import CHART_NAMES, RULE_NAMES, ChartType, Direction, Rules

if TYPE_CHECKING:
    from qi.analysis import Analysis
    from qi.ingest.series import FileSeries


_MAX_SIGNALS_SHOWN = 25


def _positions(value: str | None, option: str) -> list[int] | None:
    """'3,12' -> [3, 12]; anything else is a bad option value (exit 2)."""
    if value is None:
        return None
    out = []
    for item in value.split(","):
        item = item.strip()
        if not (item.isascii() and item.isdigit()) or int(item) < 1:
            raise typer.BadParameter(
                f"'{item}' in '{value}' is not a position; give 1-based positions separated "
                "by commas, e.g. 12 or 6,18",
                param_hint=f"'{option}'",
            )
        out.append(int(item))
    return out


def analyze(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV file with a header row (columns x, y and optionally n).", show_default=False
        ),
    ],
    chart: Annotated[
        ChartType | None,
        typer.Option(
            "--chart", help="Chart type. Default: run (i with --rules mdc).", show_default=False
        ),
    ] = None,
    x: Annotated[
        str | None,
        typer.Option(
            "--x",
            metavar="COL",
            help="Column of subgroups: numbers or dates "
            "(YYYY-MM-DD or DD/MM/YYYY). Default: 'x' if present, else row order.",
            show_default=False,
        ),
    ] = None,
    y: Annotated[str, typer.Option("--y", metavar="COL", help="Column of values.")] = "y",
    n: Annotated[
        str | None,
        typer.Option(
            "--n",
            metavar="COL",
            help="Column of denominators. Default: 'n' if present.",
            show_default=False,
        ),
    ] = None,
    freeze: Annotated[
        int | None,
        typer.Option(
            "--freeze",
            metavar="K",
            min=1,
            help="Baseline: the first K points (of each part) set the centre line and limits.",
            show_default=False,
        ),
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(
            "--part",
            metavar="K[,K...]",
            help="Start a new part after these 1-based "
            "positions; each part is analysed on its own.",
            show_default=False,
        ),
    ] = None,
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude",
            metavar="K[,K...]",
            help="Leave these 1-based positions out of the calculations (still shown).",
            show_default=False,
        ),
    ] = None,
    multiply: Annotated[
        float,
        typer.Option(
            "--multiply",
            metavar="M",
            help="Multiply values, centre line and limits, e.g. 100 for percent.",
        ),
    ] = 1.0,
    no_screen_mr: Annotated[
        bool,
        typer.Option(
            "--no-screen-mr",
            help="Do not drop moving ranges over 3.267 x "
            "their average before computing i/t/p'/u'/mdc limits.",
        ),
    ] = False,
    rules: Annotated[
        Rules,
        typer.Option(
            "--rules",
            help="anhoej (any chart), ihi (run charts) or mdc (NHS Making Data Count, i charts).",
        ),
    ] = Rules.anhoej,
    improvement: Annotated[
        Direction | None,
        typer.Option(
            "--improvement",
            help="Which direction is better: for mdc (default up) and for the chart's Making "
            "Data Count icons (default: neither).",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            "--target",
            metavar="T",
            help="The target: for mdc's assurance (pass / fail / inconsistent), and drawn on "
            "the chart (-o) with its assurance icon.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Also draw the chart, as qi chart "
                     "draws it, to FILE (.png, .svg or .pdf).", show_default=False),
    ] = None,
    title: Annotated[
        str | None, typer.Option("--title", help="The chart's title (default: the file name).",
                                 show_default=False)
    ] = None,
    ylabel: Annotated[
        str | None, typer.Option("--ylabel", help="The y axis label (default: the y column).",
                                 show_default=False)
    ] = None,
    mark: Annotated[
        list[str] | None,
        typer.Option("--mark", metavar="DATE=LABEL", help="Mark a change on the chart like a "
                     "PDSA cycle (repeatable).", show_default=False),
    ] = None,
    marks: Annotated[
        Path | None,
        typer.Option("--marks", metavar="FILE.csv", help="Marks from a CSV file with the "
                     "columns date,label[,kind] (kind: cycle or note).", show_default=False),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the -o file.")] = False,
    allow_identifiers: Annotated[
        bool, typer.Option("--allow-identifiers", help="Analyse a file that looks "
                           "patient-identifiable (a deliberate decision).")
    ] = False,
    json_out: JsonOption = False,
) -> None:
    """Analyse a CSV or Excel file as a run or control chart, like qicharts2, with no
    database; with -o, also draw the chart.

    Prints each part's centre line, limits and runs statistics and every signal in words;
    --json prints the documented JSON document (one entry per subgroup).
    """
    fmt = _output_format(output) if output is not None else None
    if output is None and (mark or marks or title or ylabel):
        raise typer.BadParameter("--title, --ylabel, --mark and --marks are for the chart; "
                                 "add -o FILE.png", param_hint="'--output'")
    if output is not None and output.exists() and not force:
        from qi.errors import Conflict

        raise Conflict(f"'{output}' already exists. Add --force to replace it, or choose "
                       "another file with -o")
    # A malformed --mark is a usage error, before any work.
    marks_given = [(*_parse_mark(m), f"--mark {m!r}") for m in mark or []]
    part_list = _positions(part, "--part")
    exclude_list = _positions(exclude, "--exclude")
    chart_name = _chart_name(chart, rules, multiply, target, improvement, drawn=output is not None)

    from qi.analysis import PositionError
    from qi.services.analyze_file import analyze_file, chart_spec

    try:
        series, result = analyze_file(
            file, x=x, y=y, n=n, allow_identifiers=allow_identifiers, chart=chart_name,
            freeze=freeze, part=part_list, exclude=exclude_list, multiply=multiply,
            screen_mr=not no_screen_mr, rules=rules.value,
            improvement=improvement.value if improvement and rules is Rules.mdc else None,
            target=target if rules is Rules.mdc else None)
    except PositionError as exc:
        raise typer.BadParameter(exc.reason, param_hint=f"'--{exc.option}'") from None

    if output is not None:
        from qi import charts

        spec = chart_spec(
            result, series, title=title, ylabel=ylabel, marks=marks_given, marks_file=marks,
            improvement=improvement.value if improvement is not None
            else ("up" if rules is Rules.mdc else "neither"), target=target)
        charts.save(spec, output, fmt, overwrite=force)
    if json_out:
        _print_json(result)
    else:
        _print(result, series)
    if output is not None and not json_out:
        from qi.cli._common import say

        say(f"Wrote {output}")


def _chart_name(chart: ChartType | None, rules: Rules, multiply: float, target: float | None,
                improvement: Direction | None, *, drawn: bool) -> str:
    """The chart to analyse, after refusing option values that cannot go together (exit 2)."""
    if multiply == 0 or multiply != multiply or multiply in (float("inf"), float("-inf")):
        raise typer.BadParameter("must be a finite number other than 0", param_hint="'--multiply'")
    from qi.values import OUT_OF_RANGE, out_of_range

    for given, option in ((multiply, "--multiply"), (target, "--target")):
        if given is not None and out_of_range([given])[0]:
            raise typer.BadParameter(f"{given!r} is {OUT_OF_RANGE}", param_hint=f"'{option}'")
    if rules is not Rules.mdc and not drawn:
        for option, unset in (("--improvement", improvement is None), ("--target", target is None)):
            if not unset:
                raise typer.BadParameter("only applies with --rules mdc, or to a chart (-o)",
                                         param_hint=f"'{option}'")
    from qi.domain import RULE_FACTS, chart_for_rules

    chart_name = (chart or RULE_FACTS[rules].chart or ChartType.run).value
    if chart_for_rules(rules, chart_name) is not None:
        raise typer.BadParameter(
            "the Making Data Count rules are for i (XmR) charts; use --chart i or leave it out"
            if rules is Rules.mdc else
            "the IHI rules are for run charts; use --chart run or --rules anhoej",
            param_hint="'--rules'",
        )  # fmt: skip
    return chart_name


def _print_json(result: Analysis) -> None:
    """The documented JSON document, streamed; a reader that leaves early ends it quietly."""
    from qi.analysis.document import write_json
    from qi.text import json_safe

    try:
        write_json(result, lambda chunk: sys.stdout.write(json_safe(chunk)))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `qi analyze ... --json | head`: the reader left
        _silence_stdout()
        raise typer.Exit(1) from None


def _silence_stdout() -> None:
    """After a broken pipe, point stdout at devnull so Python's final flush stays quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a real file (tests); nothing will be flushed to a closed pipe


def _fmt(v: float | None) -> str:
    if v is None or v != v:
        return "-"
    return f"{v:.4g}"


def _print(a: Analysis, series: FileSeries) -> None:
    """A readable summary: what was analysed, then each part with its signals."""
    out = console()
    what = series.columns["y"] + (f" / {series.columns['n']}" if "n" in series.columns else "")
    if a.multiply != 1:
        what += f" x {_fmt(a.multiply)}"
    out.print(
        f"{CHART_NAMES[a.chart]} of {what} - {len(a)} points, {RULE_NAMES[a.rules]}",
        style="bold",
        markup=False,
    )
    xlabel = _x_labels(a)
    for p in a.parts:
        title = f"Part {p.part}: points {p.start} to {p.end} ({xlabel(p.start)} to {xlabel(p.end)})"
        if len(a.parts) == 1:
            title = f"Points 1 to {p.end} ({xlabel(1)} to {xlabel(p.end)})"
        out.print()
        out.print(title, style="bold", markup=False)
        out.print(_part_grid(a, p))
        if p.signals:
            out.print("Signals:", markup=False)
            for s in p.signals[:_MAX_SIGNALS_SHOWN]:
                out.print(f"  - {s.text}", markup=False)
            if len(p.signals) > _MAX_SIGNALS_SHOWN:
                more = len(p.signals) - _MAX_SIGNALS_SHOWN
                out.print(f"  ... and {more} more (use --json to see them all)", markup=False)
        else:
            out.print("No signals: the variation looks random (common cause).", markup=False)
        for note in p.notes:
            out.print(f"Note: {note}", markup=False)


def _part_grid(a: Analysis, p):
    """One part's centre line, limits and runs statistics as a two-column grid."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    cl_name = "median" if a.chart == "run" else ("mean" if a.rules == "mdc" else "centre line")
    grid.add_row(cl_name.capitalize(), _fmt(p.cl))
    if a.chart != "run":
        limit = "process limits" if a.rules == "mdc" else "control limits"
        grid.add_row(
            limit.capitalize(),
            f"{_fmt(p.lcl)} to {_fmt(p.ucl)}" + (" (average)" if _varies(a, p) else ""),
        )
    grid.add_row("Useful points", f"{p.n_useful} of {p.n_obs}")
    if p.longest_run is not None and a.rules != "mdc":  # mdc has its own run rules
        grid.add_row(
            "Longest run", f"{p.longest_run} (more than {p.longest_run_max} suggests a shift)"
        )
        grid.add_row(
            "Crossings", f"{p.n_crossings} (fewer than {p.n_crossings_min} suggests a shift)"
        )
    if a.rules == "ihi" and p.ihi and p.ihi["n_runs"] is not None:
        grid.add_row(
            "Runs",
            str(p.ihi["n_runs"])
            + (
                f" (expected {p.ihi['runs_lower']} to {p.ihi['runs_upper']})"
                if p.ihi["runs_tested"]
                else ""
            ),
        )
    if a.chart != "run":
        grid.add_row("Outside the limits", str(p.sigma_signals))
    if a.rules == "mdc":
        grid.add_row("Variation", (p.variation_type or "-").replace("_", " "))
        if a.target is not None:
            grid.add_row("Assurance", (p.assurance_type or "-").replace("_", " "))
    else:
        grid.add_row("Runs signal", "yes" if p.runs_signal else "no")
    return grid


def _varies(a: Analysis, p) -> bool:
    import numpy as np

    lcl = a.lcl[p.start - 1 : p.end]
    lcl = lcl[~np.isnan(lcl)]
    return bool(lcl.size and np.any(lcl != lcl[0]))


def _x_labels(a: Analysis):
    import numpy as np

    if np.issubdtype(a.x.dtype, np.datetime64):
        return lambda pos: str(a.x[pos - 1])
    return lambda pos: f"x = {a.x[pos - 1]}"


def _parse_mark(text: str) -> tuple[str, str]:
    """'2018-03-05=SMS reminders' -> ('2018-03-05', 'SMS reminders'); exit 2 otherwise."""
    where, sep, label = text.partition("=")
    if not sep or not where.strip() or not label.strip():
        raise typer.BadParameter(f"'{text}' is not DATE=LABEL (e.g. 2018-03-05=SMS reminders)",
                                 param_hint="'--mark'")
    return where.strip(), label.strip()


def _output_format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter(f"cannot tell the format of '{output}': end it in .png, .svg "
                                 "or .pdf", param_hint="'--output'")
    return suffix[1:]
