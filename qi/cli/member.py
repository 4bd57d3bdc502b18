"""`qi member add|list|show|edit|remove`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from qi.cli._common import (
    JsonOption,
    YesOption,
    noun_app,
    open_db,
    open_session,
    print_json,
    remove_confirmed,
    say,
    show_fields,
    show_list,
)

if TYPE_CHECKING:
    from qi.domain import Member

app = noun_app("member")

MemberArg = Annotated[str, typer.Argument(help="The member's id or name.")]


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Full name.")],
    role: Annotated[str, typer.Option(help="Profession or role: GP, nurse, practice "
                                      "manager, pharmacist, or any other text.")],
    team: Annotated[list[str] | None, typer.Option(
        help="A team the member belongs to (repeat for several).")] = None,
    email: Annotated[str | None, typer.Option(help="Email address.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a member, optionally in one or more teams."""
    from qi.services import members

    with open_session() as s:
        member = members.add(s, name, role=role, teams=team, email=email)
    if json_out:
        print_json(member.as_json())
    else:
        say(f"Added member {member.id}: {member.name} ({member.role})")


@app.command("list")
def list_(
    team: Annotated[str | None, typer.Option(help="Only members of this team.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List members and their teams."""
    from qi.queries import members, teams

    with open_db(write=False) as db:
        rows = members.list_all(db, team_id=teams.id_of(db, team) if team else None)
    show_list(rows, json_out, empty="No members yet. Add one with 'qi member add NAME --role "
              "ROLE'", title="Members", columns=["id", "name", "role", "email", "teams"],
              row=lambda m: (m.id, m.name, m.role, m.email, ", ".join(m.teams)))


@app.command("show")
def show(member: MemberArg, json_out: JsonOption = False) -> None:
    """Show one member."""
    from qi.services import members

    with open_session(write=False) as s:
        record = members.show(s, member)
    if json_out:
        print_json(record.as_json())
        return
    show_fields(f"{record.name} (member {record.id})",
                [("role", record.role), ("email", record.email), ("teams", record.teams)])


@app.command("edit")
def edit(
    member: MemberArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    role: Annotated[str | None, typer.Option(help="New role.")] = None,
    email: Annotated[str | None, typer.Option(help="New email ('' clears it).")] = None,
    add_team: Annotated[list[str] | None, typer.Option(
        "--add-team", help="Join this team (repeatable).")] = None,
    remove_team: Annotated[list[str] | None, typer.Option(
        "--remove-team", help="Leave this team (repeatable).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Change a member's details or teams."""
    from qi.services import members

    with open_session() as s:
        record = members.edit(s, member, name=name, role=role, email=email,
                              add_teams=add_team, remove_teams=remove_team)
    if json_out:
        print_json(record.as_json())
    else:
        say(f"Updated member {record.id}: {record.name}")


@app.command("remove")
def remove(member: MemberArg, yes: YesOption = False) -> None:
    """Remove a member (their teams and projects stay)."""
    from qi.services import members

    def question(record: Member) -> str:
        teams = f" (in {', '.join(record.teams)})" if record.teams else ""
        return f"Remove member {record.id}, {record.name}{teams}?"

    remove_confirmed(
        check=lambda s: members.show(s, member),
        question=question,
        remove=lambda s, record: members.remove(s, str(record.id)),
        done=lambda record: f"Removed member {record.id}: {record.name}",
        yes=yes,
    )
