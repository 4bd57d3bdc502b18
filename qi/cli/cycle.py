"""`qi cycle new|do|study|act|show|list|edit|remove`: the PDSA worksheet from the terminal."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    YesOption,
    cell,
    confirm,
    console,
    noun_app,
    open_db,
    open_session,
    parse_date_option,
    print_json,
    say,
    show_table,
)
from qi.domain import Decision, Purpose, Stage
from qi.errors import QiError

app = noun_app("cycle")

CycleArg = Annotated[str, typer.Argument(help="PROJECT#NUMBER (e.g. dna-rate#3) or the id.")]
DATE_HELP = "YYYY-MM-DD, DD/MM/YYYY, today or yesterday"
Text = Annotated[str | None, typer.Option()]


def _edit_plan(title: str, project: str, given: dict[str, str | None],
               prefill: dict[str, str | None]) -> dict[str, str | None]:
    """Open $EDITOR on the plan fields not given as options; return the completed fields."""
    from qi.cli._editor import EditorFailed, edit_text, parse, template

    missing = {name: prefill.get(name) for name, value in given.items() if value is None}
    if not missing:
        return given
    try:
        edited = edit_text(template(title, project, missing))
    except EditorFailed as exc:
        raise QiError(f"The editor failed ({exc}); nothing was saved. Set $EDITOR, or give "
                      "the plan as options with --no-edit") from None
    if edited is None:
        raise QiError("The plan was left unchanged, so nothing was saved. Run the command "
                      "again and write the plan, or give it as options with --no-edit")
    written = parse(edited)
    return {name: (value if value is not None else written.get(name) or None)
            for name, value in given.items()}


def _edit_worksheet(ref: str):
    """Edit every text field of a cycle in $EDITOR; refuse (keeping the text) if the cycle
    changed meanwhile."""
    import tempfile

    from qi.cli._editor import EditorFailed, edit_text, parse, template
    from qi.errors import Conflict
    from qi.services import cycles

    with open_session(write=False) as s:
        c = cycles.show(s, ref)
    fields = {"title": c.title, **{name: getattr(c, name) for name in cycles.TEXT_FIELDS}}
    try:
        edited = edit_text(template(c.title, c.project, fields,
                                    heading=f"# Editing {c.ref}: {c.title}"))
    except EditorFailed as exc:
        raise QiError(f"The editor failed ({exc}); nothing was saved") from None
    if edited is None:
        raise QiError(f"{c.ref} was left unchanged, so nothing was saved")
    written = parse(edited)
    try:
        with open_session() as s:
            return cycles.edit(s, c.ref, unchanged_since=c.updated_at,
                               title=written.get("title") or c.title,
                               **{name: written.get(name, "") for name in cycles.TEXT_FIELDS})
    except Conflict as exc:
        with tempfile.NamedTemporaryFile("w", prefix=f"qi-{c.project}-{c.number}-",
                                         suffix=".md", delete=False) as fh:
            fh.write(edited)
        raise Conflict(f"{exc}. Your text is kept in {fh.name}; run 'qi cycle show {c.ref}' "
                       "to see the change, then edit again") from None


def _print_cycle(c) -> None:
    from rich.table import Table
    from rich.text import Text

    from qi.text import visible

    out = console()
    out.print(f"{c.ref}  {c.title}", style="bold", markup=False)
    out.print(f"stage: {c.stage.value}   purpose: {c.purpose.value}", markup=False)
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", min_width=16)
    grid.add_column(overflow="fold")

    def section(name: str, rows: list[tuple[str, object]]) -> None:
        grid.add_row("", "")
        grid.add_row(name.upper(), "")
        for label, value in rows:
            if isinstance(value, list | tuple):
                value = ", ".join(value)
            # Text, never markup: '[red]' in a plan is shown as typed.
            grid.add_row(label, Text("-" if value in (None, "") else visible(cell(value),
                                                                              keep="\n")))

    section("cycle", [("change idea", f"{c.idea}: {c.idea_title}" if c.idea else None),
                      ("builds on", c.builds_on), ("logged by", c.logged_by),
                      ("measures", c.measures)])
    section("plan", [("objective", c.objective), ("questions", c.questions),
                     ("predictions", c.predictions), ("plan", c.plan),
                     ("data collection", c.data_plan), ("planned start", c.planned_start)])
    section("do", [("started", c.started_on), ("what happened", c.notes),
                   ("problems", c.problems)])
    section("study", [("results", c.results), ("learning", c.learning)])
    section("act", [("decision", c.decision.value if c.decision else None),
                    ("next steps", c.next_steps), ("completed", c.completed_on)])
    out.print(grid)
    hint = {
        Stage.plan: f"Next: qi cycle do {c.ref} --on DATE --notes ...",
        Stage.do: f"Next: qi cycle study {c.ref} --results ... --learning ...",
        Stage.study: f"Next: qi cycle act {c.ref} --decision adopt|adapt|abandon",
    }.get(c.stage)
    if hint:
        say(hint)


def _done(c, json_out: bool, verb: str) -> None:
    if json_out:
        print_json(c.as_json())
    else:
        say(f"{verb} {c.ref}: {c.title} (stage: {c.stage.value})")


@app.command("new")
def new(
    project: Annotated[str, typer.Argument(help="The project's slug.")],
    title: Annotated[str, typer.Argument(help="A short title for the test of change.")],
    idea: Annotated[str | None, typer.Option(help="The change idea it tests (id or title).")]
    = None,
    purpose: Annotated[Purpose, typer.Option(
        help="Develop, test or implement a change.")] = Purpose.test,
    objective: Annotated[str | None, typer.Option(help="What the cycle is for.")] = None,
    questions: Annotated[str | None, typer.Option(help="Questions it will answer.")] = None,
    predict: Annotated[str | None, typer.Option(
        "--predict", help="Predictions: what you expect to happen.")] = None,
    plan: Annotated[str | None, typer.Option(help="Who, what, when, where.")] = None,
    data_plan: Annotated[str | None, typer.Option(
        "--data-plan", help="What data will be collected.")] = None,
    measure: Annotated[list[str] | None, typer.Option(
        help="A measure it expects to move (repeatable).")] = None,
    builds_on: Annotated[str | None, typer.Option(
        "--builds-on", help="The cycle number this one builds on (a ramp).")] = None,
    planned_start: Annotated[str | None, typer.Option(
        "--planned-start", help=f"When it should start: {DATE_HELP}.")] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="The member logging it (id or name).")] = None,
    edit: Annotated[bool | None, typer.Option(
        "--edit/--no-edit", help="Write missing plan fields in $EDITOR (default: only on a "
        "terminal).", show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Plan a new PDSA cycle (missing plan fields can be written in $EDITOR)."""
    from qi.services import cycles

    start = parse_date_option(planned_start, "--planned-start")
    fields = {"objective": objective, "questions": questions, "predictions": predict,
              "plan": plan, "data_plan": data_plan}
    if edit is None:
        edit = sys.stdin.isatty() and sys.stdout.isatty()
    if edit:
        with open_session(write=False) as s:  # check the names before opening the editor
            from qi.services import projects

            projects.show(s, project)
        fields = _edit_plan(title, project, fields, {})
    with open_session() as s:
        c = cycles.new(s, project, title, idea=idea, purpose=purpose, measures=measure,
                       builds_on=builds_on, planned_start=start, logged_by=by, **fields)
    _done(c, json_out, "Planned")


@app.command("do")
def do(
    cycle: CycleArg,
    on: Annotated[str, typer.Option(help=f"The date it started: {DATE_HELP}.")] = "today",
    notes: Annotated[str | None, typer.Option(help="What happened.")] = None,
    problems: Annotated[str | None, typer.Option(help="Problems and surprises.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record the Do: when the cycle started and what happened."""
    from qi.services import cycles

    when = parse_date_option(on, "--on")
    with open_session() as s:
        c = cycles.do(s, cycle, on=when, notes=notes, problems=problems)
    _done(c, json_out, "Started")


@app.command("study")
def study(
    cycle: CycleArg,
    results: Annotated[str | None, typer.Option(
        help="Results, compared with the predictions.")] = None,
    learning: Annotated[str | None, typer.Option(help="What was learned.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record the Study: results against predictions, and learning."""
    from qi.services import cycles

    with open_session() as s:
        c = cycles.study(s, cycle, results=results, learning=learning)
    _done(c, json_out, "Studied")


@app.command("act")
def act(
    cycle: CycleArg,
    decision: Annotated[Decision, typer.Option(help="Adopt, adapt or abandon the change.")],
    next_steps: Annotated[str | None, typer.Option(
        "--next", help="What the next cycle will be.")] = None,
    completed: Annotated[str | None, typer.Option(
        help=f"Date completed (default today): {DATE_HELP}.")] = None,
    then_new: Annotated[str | None, typer.Option(
        "--then-new", metavar="TITLE",
        help="Start the next cycle of the ramp, pre-filled from this one.")] = None,
    json_out: JsonOption = False,
) -> None:
    """Record the Act (adopt, adapt or abandon) and complete the cycle."""
    from qi.services import cycles

    completed_on = parse_date_option(completed, "--completed")
    with open_session() as s:
        c = cycles.act(s, cycle, decision=decision, next_steps=next_steps,
                       completed_on=completed_on)
        following = None
        if then_new is not None:
            prefill = cycles.prefill_from(s, c.ref)
            following = cycles.new(s, c.project, then_new, builds_on=c.number, **prefill)
    if json_out:
        print_json(c.as_json() if following is None
                   else {"completed": c.as_json(), "next": following.as_json()})
        return
    _done(c, False, "Completed")
    if following is not None:
        say(f"Planned {following.ref}: {following.title}, building on {c.ref} "
            f"(edit its plan with 'qi cycle edit {following.ref}')")


@app.command("show")
def show(cycle: CycleArg, json_out: JsonOption = False) -> None:
    """Show a cycle's whole PDSA worksheet and its stage."""
    from qi.queries import cycles

    with open_db(write=False) as db:
        c = cycles.show(db, cycle)
    if json_out:
        print_json(c.as_json())
    else:
        _print_cycle(c)


@app.command("list")
def list_(
    project: Annotated[str | None, typer.Argument(help="Only this project's cycles.")] = None,
    stage: Annotated[Stage | None, typer.Option(help="Only cycles at this stage.")] = None,
    since: Annotated[str | None, typer.Option(
        help=f"Only cycles with activity on or after this date: {DATE_HELP}.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List PDSA cycles."""
    from qi.queries import cycles

    since_date = parse_date_option(since, "--since")
    with open_db(write=False) as db:
        rows = cycles.list_all(db, project=project, stage=stage, since=since_date)
    if json_out:
        print_json([c.as_json() for c in rows])
        return
    if not rows:
        say("No cycles match. Plan one with 'qi cycle new PROJECT TITLE'")
        return
    show_table("PDSA cycles", ["cycle", "title", "stage", "idea", "started", "decision"],
               [(c.ref, c.title, c.stage.value, c.idea_title, c.started_on,
                 c.decision.value if c.decision else None) for c in rows])


@app.command("edit")
def edit(
    cycle: CycleArg,
    title: Text = None,
    idea: Annotated[str | None, typer.Option(help="Change idea (id or title; '' unlinks).")]
    = None,
    purpose: Annotated[Purpose | None, typer.Option()] = None,
    objective: Text = None,
    questions: Text = None,
    predict: Annotated[str | None, typer.Option("--predict", help="Predictions.")] = None,
    plan: Text = None,
    data_plan: Annotated[str | None, typer.Option("--data-plan")] = None,
    measure: Annotated[list[str] | None, typer.Option(
        help="Replace the measures it expects to move (repeatable).")] = None,
    builds_on: Annotated[str | None, typer.Option("--builds-on", help="'' unlinks.")] = None,
    planned_start: Annotated[str | None, typer.Option("--planned-start", help=DATE_HELP)]
    = None,
    started: Annotated[str | None, typer.Option(help=f"Do date: {DATE_HELP}.")] = None,
    notes: Text = None,
    problems: Text = None,
    results: Text = None,
    learning: Text = None,
    decision: Annotated[Decision | None, typer.Option()] = None,
    next_steps: Annotated[str | None, typer.Option("--next")] = None,
    completed: Annotated[str | None, typer.Option(help=f"Date completed: {DATE_HELP}.")]
    = None,
    by: Annotated[str | None, typer.Option("--by", help="Logged by (member; '' clears).")]
    = None,
    editor: Annotated[bool | None, typer.Option(
        "--edit/--no-edit", help="Edit the worksheet's text in $EDITOR (default: when no "
        "field is given, on a terminal).", show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Change any field of a cycle, at any stage ('' clears a text field).

    With no field options on a terminal, the worksheet's text opens in $EDITOR; if someone
    else changes the cycle meanwhile, your edit is refused and kept in a file.
    """
    from qi.services import cycles

    options = {"title": title, "objective": objective, "questions": questions,
               "predictions": predict, "plan": plan, "data_plan": data_plan, "notes": notes,
               "problems": problems, "results": results, "learning": learning,
               "next_steps": next_steps}
    if editor is None:
        nothing_given = all(v is None for v in (
            *options.values(), idea, purpose, measure, builds_on, planned_start, started,
            decision, completed, by))
        editor = nothing_given and sys.stdin.isatty() and sys.stdout.isatty()
    if editor:
        c = _edit_worksheet(cycle)
        _done(c, json_out, "Updated")
        return
    dates = {"planned_start": parse_date_option(planned_start, "--planned-start"),
             "started_on": parse_date_option(started, "--started"),
             "completed_on": parse_date_option(completed, "--completed")}
    with open_session() as s:
        c = cycles.edit(s, cycle, title=title, idea=idea, purpose=purpose, measures=measure,
                        builds_on=builds_on, decision=decision, logged_by=by, **dates,
                        objective=objective, questions=questions, predictions=predict,
                        plan=plan, data_plan=data_plan, notes=notes, problems=problems,
                        results=results, learning=learning, next_steps=next_steps)
    _done(c, json_out, "Updated")


@app.command("remove")
def remove(
    cycle: CycleArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even if later cycles build on it.")] = False,
    yes: YesOption = False,
) -> None:
    """Remove a cycle (asks first)."""
    from qi.services import cycles

    with open_session(write=False) as s:
        c = cycles.check_removable(s, cycle, force=force)
    confirm(f"Remove {c.ref} ('{c.title}', stage {c.stage.value})?", yes)
    with open_session() as s:
        cycles.remove(s, str(c.id), force=force)
    say(f"Removed {c.ref}")
