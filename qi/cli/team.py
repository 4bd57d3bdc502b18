"""`qi team add|list|show|edit|remove`."""

from __future__ import annotations

from typing import Annotated

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

app = noun_app("team")

SlugArg = Annotated[str, typer.Argument(help="The team's slug (see 'qi team list').")]


def _show(team) -> None:
    show_fields(f"{team.name} ({team.slug})", [
        ("area", team.area), ("note", team.note), ("members", team.members),
        ("projects", team.projects),
    ])


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The team's name, e.g. 'North Barnet'.")],
    slug: Annotated[str | None, typer.Option(help="Short id; derived from the name if "
                                             "not given ('north-barnet').")] = None,
    area: Annotated[str | None, typer.Option(help="Area or locality, e.g. 'North'.")] = None,
    note: Annotated[str | None, typer.Option(help="Any note about the team.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a team."""
    from qi.services import teams

    with open_session() as s:
        team = teams.add(s, name, slug=slug, area=area, note=note)
    if json_out:
        print_json(team.as_json())
    else:
        say(f"Added team '{team.slug}' ({team.name})")


@app.command("list")
def list_(
    area: Annotated[str | None, typer.Option(help="Only teams in this area.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List teams."""
    from qi.queries import teams

    with open_db(write=False) as db:
        rows = teams.list_all(db, area=area)
    show_list(rows, json_out, empty="No teams yet. Add one with 'qi team add NAME'",
              title="Teams", columns=["slug", "name", "area", "note"],
              row=lambda t: (t.slug, t.name, t.area, t.note))


@app.command("show")
def show(slug: SlugArg, json_out: JsonOption = False) -> None:
    """Show a team with its members and projects."""
    from qi.queries import teams

    with open_db(write=False) as db:
        team = teams.show(db, slug)
    if json_out:
        print_json(team.as_json())
    else:
        _show(team)


@app.command("edit")
def edit(
    slug: SlugArg,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    new_slug: Annotated[str | None, typer.Option("--slug", help="New slug.")] = None,
    area: Annotated[str | None, typer.Option(help="New area ('' clears it).")] = None,
    note: Annotated[str | None, typer.Option(help="New note ('' clears it).")] = None,
    json_out: JsonOption = False,
) -> None:
    """Change a team's name, slug, area or note."""
    from qi.services import teams

    with open_session() as s:
        team = teams.edit(s, slug, name=name, new_slug=new_slug, area=area, note=note)
    if json_out:
        print_json(team.as_json())
    else:
        say(f"Updated team '{team.slug}'")


@app.command("remove")
def remove(
    slug: SlugArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Also remove the team's projects and their measures.")] = False,
    yes: YesOption = False,
) -> None:
    """Remove a team. A team with projects or members needs --force."""
    from qi.services import teams
    from qi.text import plural

    def question(counts: dict[str, int]) -> str:
        what = " and ".join(plural(n, k) for k, n in counts.items() if n)
        return f"Remove team '{slug}'" + (f" with its {what}?" if what else "?")

    remove_confirmed(
        check=lambda s: teams.check_removable(s, slug, force=force),
        question=question,
        remove=lambda s, _: teams.remove(s, slug, force=force),
        done=lambda _: f"Removed team '{slug}'",
        yes=yes,
    )
