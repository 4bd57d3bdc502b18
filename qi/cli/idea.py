"""`qi idea add|list|show|edit|remove`."""

from __future__ import annotations

from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    ProjectOption,
    YesOption,
    noun_app,
    one_project,
    open_db,
    open_session,
    print_json,
    project_and,
    remove_confirmed,
    say,
    show_fields,
    show_list,
)

app = noun_app("idea")

IdeaArg = Annotated[str, typer.Argument(help="The idea's id (see 'qi idea list').")]
PrimaryOption = Annotated[str | None, typer.Option(
    "--primary-driver", help="The primary driver it acts on.")]
SecondaryOption = Annotated[str | None, typer.Option(
    "--secondary-driver", help="The secondary driver (under the primary driver).")]


@app.command("add")
def add(
    args: Annotated[list[str], typer.Argument(
        metavar="[PROJECT] TITLE", help="The project's slug (or give it with --project) and "
        "the change idea, e.g. 'SMS reminders'.", show_default=False)],
    project_opt: ProjectOption = None,
    description: Annotated[str | None, typer.Option(help="More detail.")] = None,
    primary_driver: PrimaryOption = None,
    secondary_driver: SecondaryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add a change idea to a project."""
    project, title = project_and(args, project_opt, "PROJECT TITLE or TITLE --project PROJECT")
    from qi.services import ideas

    with open_session() as s:
        idea = ideas.add(s, project, title, description=description,
                         primary_driver=primary_driver, secondary_driver=secondary_driver)
    if json_out:
        print_json(idea.as_json())
    else:
        say(f"Added idea {idea.id} to '{idea.project}': {idea.title}")


@app.command("list")
def list_(
    project: Annotated[str | None, typer.Argument(help="Only this project's ideas.")] = None,
    project_opt: ProjectOption = None,
    json_out: JsonOption = False,
) -> None:
    """List change ideas with their drivers and the cycles testing them."""
    project = one_project(project, project_opt)
    from qi.queries import ideas

    with open_db(write=False) as db:
        rows = ideas.list_all(db, project=project)
    show_list(rows, json_out, empty="No change ideas yet. Add one with 'qi idea add PROJECT "
              "TITLE'", title="Change ideas", columns=["id", "project", "idea",
                                                       "primary driver", "secondary driver",
                                                       "cycles"],
              row=lambda i: (i.id, i.project, i.title, i.primary_driver, i.secondary_driver,
                             ", ".join(i.cycles)))


@app.command("show")
def show(idea: IdeaArg, json_out: JsonOption = False) -> None:
    """Show a change idea."""
    from qi.services import ideas

    with open_session(write=False) as s:
        record = ideas.show(s, idea)
    if json_out:
        print_json(record.as_json())
        return
    show_fields(f"Idea {record.id}: {record.title}", [
        ("project", record.project), ("description", record.description),
        ("primary driver", record.primary_driver),
        ("secondary driver", record.secondary_driver), ("cycles", record.cycles),
    ])


@app.command("edit")
def edit(
    idea: IdeaArg,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    description: Annotated[str | None, typer.Option(help="New description ('' clears).")] = None,
    primary_driver: PrimaryOption = None,
    secondary_driver: SecondaryOption = None,
    json_out: JsonOption = False,
) -> None:
    """Change a change idea or move it in the driver diagram ('' clears a driver)."""
    from qi.services import ideas

    with open_session() as s:
        record = ideas.edit(s, idea, title=title, description=description,
                            primary_driver=primary_driver, secondary_driver=secondary_driver)
    if json_out:
        print_json(record.as_json())
    else:
        say(f"Updated idea {record.id}: {record.title}")


@app.command("remove")
def remove(
    idea: IdeaArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even though cycles test it (they stay, unlinked).")] = False,
    yes: YesOption = False,
) -> None:
    """Remove a change idea. An idea tested by cycles needs --force."""
    from qi.services import ideas

    remove_confirmed(
        check=lambda s: ideas.check_removable(s, idea, force=force),
        question=lambda i: f"Remove idea {i.id} ('{i.title}')?",
        remove=lambda s, i: ideas.remove(s, str(i.id), force=force),
        done=lambda i: f"Removed idea {i.id}",
        yes=yes,
    )
