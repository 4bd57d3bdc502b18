"""`qi meeting add|list|remove`: the programme's learning sessions and team meetings."""

from __future__ import annotations

from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    YesOption,
    cell,
    noun_app,
    open_session,
    parse_date_option,
    print_json,
    remove_confirmed,
    say,
    show_list,
)

app = noun_app("meeting")


@app.command("add")
def add(
    on: Annotated[str, typer.Argument(metavar="DATE",
                                      help="YYYY-MM-DD, DD/MM/YYYY, today or yesterday.")],
    title: Annotated[str, typer.Argument(help="e.g. 'Learning session 3'.")],
    programme_wide: Annotated[bool, typer.Option(
        "--programme-wide", help="A session for the whole programme (the default).")] = False,
    team: Annotated[str | None, typer.Option(help="A meeting of this team only.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a learning session (programme-wide) or a team's meeting."""
    from qi.services import meetings

    if programme_wide and team:
        raise typer.BadParameter("a meeting is either programme-wide or for one team",
                                 param_hint="'--team'")
    day = parse_date_option(on, "DATE")
    with open_session() as s:
        meeting = meetings.add(s, day, title, team=team)
    if json_out:
        print_json(meeting.as_json())
    else:
        who = f"team '{meeting.team}'" if meeting.team else "the programme"
        say(f"Added meeting {meeting.id} for {who} on {cell(meeting.date)}: {meeting.title}")


@app.command("list")
def list_(
    team: Annotated[str | None, typer.Option(
        help="This team's meetings and the programme's.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List meetings in date order."""
    from qi.services import meetings

    with open_session(write=False) as s:
        rows = meetings.list_all(s, team=team)
    show_list(rows, json_out, empty="No meetings yet. Add one with 'qi meeting add DATE TITLE'",
              title="Meetings", columns=["id", "date", "title", "for"],
              row=lambda m: (m.id, m.date, m.title, m.team or "programme"))


@app.command("remove")
def remove(
    meeting_id: Annotated[int, typer.Argument(metavar="ID", help="The meeting's id.")],
    yes: YesOption = False,
) -> None:
    """Remove a meeting (asks first)."""
    from qi.services import meetings

    remove_confirmed(
        check=lambda s: meetings.get(s, meeting_id),
        question=lambda m: f"Remove meeting {m.id} ({cell(m.date)}: {m.title})?",
        remove=lambda s, _: meetings.remove(s, meeting_id),
        done=lambda m: f"Removed meeting {m.id}",
        yes=yes,
    )
