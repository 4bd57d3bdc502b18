"""`qi status`: the terminal dashboard of every active project."""

from __future__ import annotations

from typing import Annotated

import typer

from qi.cli._common import JsonOption, console, open_db, print_json, say
from qi.domain import SPARK_POINTS
from qi.reports import icons, words

# Colours for the verdicts (Rich drops them under NO_COLOR; the words stay).
_STYLES = {"Improvement": "bold blue", "Concern": "bold red", "Change": "magenta",
           "Cannot analyse": "red"}


def status(
    table: Annotated[bool, typer.Option(
        "--table", help="The icon summary table instead: per measure its latest value, "
        "mean, limits, target and the Making Data Count variation and assurance icons.")]
    = False,
    json_out: JsonOption = False,
) -> None:
    """The dashboard: each active project with its team and PDSA stage, each measure with a
    sparkline of its latest 20 points, its latest value, its current signal and its Making
    Data Count icons (charts with limits), and the cycles in progress and overdue."""
    from qi.services import status as status_service

    with open_db(write=False) as db:
        board = status_service.dashboard(db)
    if json_out:
        print_json(board)
        return
    if not board["projects"]:
        say("No active projects yet. Add one with 'qi project add SLUG --title TITLE "
            "--team TEAM --aim AIM'")
        return
    if table:
        _icon_tables(board)
    else:
        _show(board)


def _show(board: dict) -> None:
    from rich.text import Text

    out = console()
    t = board["totals"]
    out.print(Text.assemble(
        ("qi status", "bold"),
        f" on {words.day(board['generated'])}: "
        f"{words.plural(t['projects'], 'active project')}, "
        f"{words.plural(t['measures'], 'measure')}, "
        f"{words.plural(t['in_progress'], 'cycle')} in progress, ",
        (f"{t['overdue']} overdue", "bold red" if t["overdue"] else "")), soft_wrap=True)
    # One width for the names of every project's measures, so the columns line up; the
    # names fold, never the sparklines, values, dates and signals beside them, so those
    # columns are measured from what they will hold (a verdict may say "(provisional)").
    measures = [m for p in board["projects"] for m in p["measures"]]
    names = max((len(m["name"]) for m in measures), default=0)
    cells = [_cells(m) for m in measures]
    fixed = SPARK_POINTS + sum(max((len(c[k]) for c in cells), default=0) for k in range(3))
    fixed += 4 * 2  # the gaps between the five columns (padding of one either side)
    icons_w = 2 + max((len(_icon_text(m)) for m in measures), default=0)
    # The icons get a column when it fits beside names of 12 or more; else a line each.
    icon_column = out.width - fixed - icons_w >= 12
    room = out.width - fixed - (icons_w if icon_column else 0)
    for p in board["projects"]:
        out.print()
        _project(out, p, max(12, min(names, 40, room)), icon_column)


def _cells(m: dict) -> tuple[str, str, str]:
    """A measure's latest value, its date and its verdict, as the table shows them."""
    value, day = "—", ""
    if m["latest"]:
        value = words.value(m["latest"]["value"], percent=m["percent"], unit=m["unit"],
                            decimals=m.get("decimals"))
        day = words.day(m["latest"]["date"])
    return value, day, words.signal(m)


def _project(out, p: dict, name_width: int, icon_column: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    from qi.text import visible

    c = p["cycles"]
    done = (f" · {c['complete']} of {words.plural(c['total'], 'cycle')} complete"
            if c["total"] else "")
    # Lines of text are not wrapped (a terminal wraps them; grep sees them whole).
    out.print(Text.assemble((visible(p["title"]), "bold"), f" ({p['slug']})"), soft_wrap=True)
    out.print(Text.assemble(f"{visible(p['team_name'])} · PDSA: ", (p["stage"]["text"], "bold"),
                            done),
              soft_wrap=True)
    if not p["measures"]:
        out.print(Text("no measures yet", style="dim"))
    else:
        table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="dim")
        table.add_column("measure", overflow="fold", min_width=12, width=name_width)
        table.add_column(f"last {SPARK_POINTS}", no_wrap=True)
        table.add_column("latest", no_wrap=True, justify="right")
        table.add_column("on", no_wrap=True)
        table.add_column("signal", no_wrap=True)
        if icon_column:
            table.add_column("icons", no_wrap=True)
        for m in p["measures"]:
            value, day, verdict = _cells(m)
            cells = [Text(visible(m["name"])), Text(m["sparkline"], style="cyan"), Text(value),
                     Text(day), Text(verdict, style=_STYLES.get(verdict.split(" (")[0], ""))]
            table.add_row(*cells, *([_icon_text(m)] if icon_column else []))
        out.print(table)
        if not icon_column:  # a narrow terminal: the icons under the table
            for m in p["measures"]:
                if m.get("variation"):
                    out.print(Text.assemble(f"{visible(m['name'])}: ", _icon_text(m)),
                              soft_wrap=True)
    for cycle in p["in_progress"]:
        out.print(Text.assemble("in progress: ", (cycle["ref"], "bold"),
                                f" {cycle['title']} ({words.STAGES[cycle['stage']]}, "
                                f"{words.cycle_dates(cycle)})"), soft_wrap=True)
    for cycle in p["overdue"]:
        out.print(Text.assemble(("overdue: ", "bold red"), (cycle["ref"], "bold"),
                                f" {cycle['title']}: {words.day(cycle['reason'])}"), soft_wrap=True)


def _icon_text(m: dict):
    """'improving ↓ · target: pass' in the icons' colours; empty for a run chart."""
    from rich.text import Text

    out = Text()
    if m.get("variation"):
        out.append(icons.variation_text(m["variation"]), style=icons.colour(m["variation"]))
    if m.get("assurance"):
        out.append(" · ")
        out.append(icons.assurance_text(m["assurance"]), style=icons.colour(m["assurance"]))
    return out


def _icon_tables(board: dict) -> None:
    """One icon summary table per project: what a facilitator projects to ask 'what
    changed, and is it real?'."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    out = console()
    for p in board["projects"]:
        # no vertical rules: at 80 columns every character goes to the words
        table = Table(title=f"{p['title']} ({p['slug']}) · {p['team_name']}",
                      title_justify="left", header_style="bold", box=box.SIMPLE_HEAD,
                      pad_edge=False)
        # Words wrap between words only: the measure column is as wide as its longest
        # word (names fold only past 20 characters), and numbers never split.
        longest = max((len(w) for m in p["measures"] for w in m["name"].split()), default=8)
        table.add_column("measure", overflow="fold", min_width=min(longest, 20))
        for name in ("latest", "mean", "limits", "target"):
            table.add_column(name, justify="right")
        table.add_column("variation")
        table.add_column("assurance")
        for m in p["measures"]:
            # the report's own row (the measure's number format, target since when)
            cells = icons.summary_row({**m, "variation_icon": m["variation"],
                                       "assurance_icon": m["assurance"]})
            table.add_row(*cells[:5],
                          Text(cells[5], style=icons.colour(m["variation"])),
                          Text(cells[6], style=icons.colour(m["assurance"])
                               if m["assurance"] else ""))
        if not p["measures"]:
            table.add_row(Text("no measures yet", style="dim"), *[""] * 6)
        out.print(table)
