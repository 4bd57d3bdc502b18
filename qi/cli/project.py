"""`qi project add|list|show|edit|close`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    console,
    noun_app,
    open_db,
    open_session,
    parse_date_option,
    print_json,
    say,
    show_fields,
    show_list,
    write_data,
)
from qi.domain import ProjectStatus

app = noun_app("project")



class DiagramFormat(StrEnum):
    tree = "tree"
    mermaid = "mermaid"


SlugArg = Annotated[str, typer.Argument(help="The project's slug (see 'qi project list').")]
StartOption = Annotated[str | None, typer.Option(
    "--start", help="Start date: YYYY-MM-DD, DD/MM/YYYY, today or yesterday.")]


def _show(p) -> None:
    show_fields(f"{p.title} ({p.slug})", [
        ("aim", p.aim), ("team", p.team), ("start", p.start), ("status", p.status.value),
        ("closing note", p.closing_note), ("measures", p.measures),
    ])


@app.command("add")
def add(
    slug: Annotated[str, typer.Argument(help="Short id, e.g. 'dna-rate'.")],
    title: Annotated[str, typer.Option(help="The project's title.")],
    team: Annotated[str, typer.Option(help="Slug of the team running it.")],
    aim: Annotated[str, typer.Option(help="The aim: what, how much, by when, for whom.")],
    start: StartOption = None,
    json_out: JsonOption = False,
) -> None:
    """Add an improvement project."""
    from qi.services import projects

    start_date = parse_date_option(start, "--start")
    with open_session() as s:
        project = projects.add(s, slug, title=title, team=team, aim=aim, start=start_date)
    if json_out:
        print_json(project.as_json())
    else:
        say(f"Added project '{project.slug}' for team '{project.team}'")


@app.command("list")
def list_(
    team: Annotated[str | None, typer.Option(help="Only this team's projects.")] = None,
    status: Annotated[ProjectStatus | None, typer.Option(help="Only projects with this "
                                                         "status.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List projects."""
    from qi.queries import projects, teams

    with open_db(write=False) as db:
        team_id = teams.id_of(db, team) if team else None
        rows = projects.list_all(db, team_id=team_id, status=status)
    show_list(rows, json_out, empty="No projects yet. Add one with 'qi project add SLUG "
              "--title T --team TEAM --aim A'", title="Projects",
              columns=["slug", "title", "team", "status", "start", "measures"],
              row=lambda p: (p.slug, p.title, p.team, p.status.value, p.start,
                             len(p.measures)))


def _print_tree(diagram: dict) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    def add_ideas(node, ideas: list[dict]) -> None:
        for idea in ideas:
            cycles = ", ".join(f"{c['ref']} ({c['stage']})" for c in idea["cycles"])
            node.add(f"[bold]idea {idea['id']}[/]: {escape(idea['title'])}"
                     + (f"  [dim]{escape(cycles)}[/]" if cycles else ""))

    tree = Tree(f"[bold]Aim[/]: {escape(diagram['aim'])}")
    for primary in diagram["primary_drivers"]:
        p = tree.add(f"[bold]primary driver[/]: {escape(primary['driver'])}")
        for secondary in primary["secondary_drivers"]:
            add_ideas(p.add(f"[bold]secondary driver[/]: {escape(secondary['driver'])}"),
                      secondary["ideas"])
        add_ideas(p, primary["ideas"])
    add_ideas(tree, diagram["ideas"])
    console().print(tree)


@app.command("show")
def show(
    slug: SlugArg,
    drivers: Annotated[bool, typer.Option(
        "--drivers", help="Show the driver diagram: aim, drivers, change ideas, cycles.")]
    = False,
    fmt: Annotated[DiagramFormat, typer.Option(
        "--format", help="With --drivers: a tree, or a Mermaid flowchart for slides.")]
    = DiagramFormat.tree,
    json_out: JsonOption = False,
) -> None:
    """Show a project: its aim, team, status and measures (or its driver diagram)."""

    if drivers:
        from qi.services import ideas

        with open_session(write=False) as s:
            diagram = ideas.driver_diagram(s, slug)
        if json_out:
            print_json(diagram)
        elif fmt == DiagramFormat.mermaid:
            from qi.reports.drivers import to_mermaid

            write_data(to_mermaid(diagram))
        else:
            _print_tree(diagram)
        return
    from qi.queries import projects as project_queries

    with open_db(write=False) as db:
        project = project_queries.show(db, slug)
    if json_out:
        print_json(project.as_json())
    else:
        _show(project)


@app.command("edit")
def edit(
    slug: SlugArg,
    new_slug: Annotated[str | None, typer.Option("--slug", help="New slug.")] = None,
    title: Annotated[str | None, typer.Option(help="New title.")] = None,
    aim: Annotated[str | None, typer.Option(help="Refined aim statement.")] = None,
    team: Annotated[str | None, typer.Option(help="Move to this team.")] = None,
    start: StartOption = None,
    status: Annotated[ProjectStatus | None, typer.Option(help="New status.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Change a project's slug, title, aim, team, start date or status."""
    from qi.services import projects

    start_date = parse_date_option(start, "--start")
    with open_session() as s:
        project = projects.edit(s, slug, new_slug=new_slug, title=title, aim=aim, team=team,
                                start=start_date, status=status)
    if json_out:
        print_json(project.as_json())
    else:
        say(f"Updated project '{project.slug}'")


@app.command("close")
def close(
    slug: SlugArg,
    status: Annotated[ProjectStatus, typer.Option(
        help="completed or abandoned.")] = ProjectStatus.completed,
    note: Annotated[str | None, typer.Option(
        "--note", "--closing-note", help="What was achieved, or why it stopped.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Close a project as completed or abandoned, with a closing note."""
    from qi.services import projects

    with open_session() as s:
        project = projects.close(s, slug, status=status, note=note)
    if json_out:
        print_json(project.as_json())
    else:
        say(f"Closed project '{project.slug}' as {project.status.value}")
