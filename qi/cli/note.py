"""`qi note add|list|remove`: dated notes on measures, drawn on their charts."""

from __future__ import annotations

from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    MeasureProjectOption,
    YesOption,
    cell,
    measure_ref,
    noun_app,
    open_session,
    parse_date_option,
    print_json,
    remove_confirmed,
    say,
    show_list,
)

app = noun_app("note")


@app.command("add")
def add(
    measure: Annotated[str, typer.Argument(help="SLUG (if unique) or PROJECT/SLUG.")],
    on: Annotated[str, typer.Argument(metavar="DATE",
                                      help="YYYY-MM-DD, DD/MM/YYYY, today or yesterday.")],
    text: Annotated[str, typer.Argument(help="e.g. 'Practice closed for refurbishment'.")],
    by: Annotated[str | None, typer.Option("--by", help="Member adding it (id or name).")]
    = None,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Add a dated note to a measure; charts draw it like a PDSA cycle."""
    from qi.services import notes

    measure = measure_ref(measure, project_opt)

    day = parse_date_option(on, "DATE")
    with open_session() as s:
        note = notes.add(s, measure, day, text, by=by)
    if json_out:
        print_json(note.as_json())
    else:
        say(f"Added note {note.id} to {note.measure} on {cell(note.date)}")


@app.command("list")
def list_(
    measure: Annotated[str | None, typer.Argument(help="Only this measure's notes.")] = None,
    project: Annotated[str | None, typer.Option(help="Only this project's notes.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List notes on measures."""
    from qi.services import notes

    with open_session(write=False) as s:
        rows = notes.list_all(s, measure=measure, project=project)
    show_list(rows, json_out, empty="No notes yet. Add one with 'qi note add MEASURE DATE TEXT'",
              title="Notes", columns=["id", "measure", "date", "note", "by"],
              row=lambda n: (n.id, n.measure, n.date, n.text, n.created_by))


@app.command("remove")
def remove(
    note_id: Annotated[int, typer.Argument(metavar="ID", help="The note's id.")],
    yes: YesOption = False,
) -> None:
    """Remove a note (asks first)."""
    from qi.services import notes

    remove_confirmed(
        check=lambda s: notes.show(s, note_id),
        question=lambda n: f"Remove note {n.id} on {n.measure} ({cell(n.date)}: {n.text})?",
        remove=lambda s, _: notes.remove(s, note_id),
        done=lambda n: f"Removed note {n.id}",
        yes=yes,
    )
