"""`qi cycle new|do|study|act|show|list|edit|remove`: the PDSA worksheet from the terminal."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    ProjectOption,
    YesOption,
    cell,
    console,
    noun_app,
    one_project,
    open_db,
    open_session,
    parse_date_option,
    print_json,
    project_and,
    remove_confirmed,
    say,
    show_list,
)
from qi.domain import Decision, Purpose, Stage
from qi.errors import InvalidInput, QiError

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


def _how_to_ask(edit: bool | None) -> str | None:
    """'editor', 'prompts' or None (options only) for --edit/--no-edit/neither.

    Without a terminal nothing is ever asked, so a piped or scripted run cannot hang."""
    from qi.cli._prompts import editor_configured

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if edit is False:
        return None
    if edit is True:
        if not interactive and not editor_configured():
            # vi with no terminal would wait for ever for keys nobody can type
            raise InvalidInput("--edit needs a terminal, or $VISUAL/$EDITOR set to an editor "
                               "that runs without one. Give the fields as options instead "
                               "(e.g. --plan '...')")
        return "editor"
    if not interactive:
        return None
    return "editor" if editor_configured() else "prompts"


def _ask_plan(title: str, project: str,
              given: dict[str, str | None]) -> dict[str, str | None]:
    """Ask for each plan field not given as an option."""
    from qi.cli._prompts import ask_fields

    missing = {name: None for name, value in given.items() if value is None}
    answers = ask_fields(f"Planning a new PDSA cycle of {project}: {title}", missing)
    return {name: value if value is not None else answers.get(name)
            for name, value in given.items()}


def _ask_worksheet(ref: str):
    """Ask for each text field of a cycle, showing what it holds (Enter keeps it)."""
    from qi.cli._prompts import ask_fields
    from qi.services import cycles

    with open_session(write=False) as s:
        c = cycles.show(s, ref)
    current = {"title": c.title, **{name: getattr(c, name) for name in cycles.TEXT_FIELDS}}
    answers = {k: v for k, v in ask_fields(f"Editing {c.ref}: {c.title}", current).items()
               if v is not None}
    if not answers:
        raise QiError(f"Nothing was changed in {c.ref}")
    with open_session() as s:
        return cycles.edit(s, c.ref, unchanged_since=c.updated_at, **answers)


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


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        say(f"Note: {warning}.")


def _done(c, json_out: bool, verb: str) -> None:
    if json_out:
        print_json(c.as_json())
    else:
        say(f"{verb} {c.ref}: {c.title} (stage: {c.stage.value})")


@app.command("new")
def new(
    args: Annotated[list[str], typer.Argument(
        metavar="[PROJECT] TITLE", help="The project's slug (or give it with --project) and a "
        "short title for the test of change.", show_default=False)],
    project_opt: ProjectOption = None,
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
        "--edit/--no-edit", help="--edit: write the missing plan fields in $VISUAL/$EDITOR "
        "(else vi). --no-edit: use only the options. Default, on a terminal: your $VISUAL/"
        "$EDITOR if set, else a question per missing field.", show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Plan a new PDSA cycle. On a terminal, the plan fields not given as options are asked
    for one by one (Enter skips one), or written in $VISUAL/$EDITOR when one is set."""
    from qi.services import cycles

    project, title = project_and(args, project_opt, "PROJECT TITLE or TITLE --project PROJECT")
    start = parse_date_option(planned_start, "--planned-start")
    fields = {"objective": objective, "questions": questions, "predictions": predict,
              "plan": plan, "data_plan": data_plan}
    how = _how_to_ask(edit)
    if how and any(v is None for v in fields.values()):
        with open_session(write=False) as s:  # check the names before asking anything
            from qi.services import projects

            projects.show(s, project)
        if how == "editor":
            fields = _edit_plan(title, project, fields, {})
        else:
            fields = _ask_plan(title, project, fields)
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
        warnings = cycles.ramp_warnings(s, c.ref)
    _done(c, json_out, "Started")
    _warn(warnings)


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
        help="Plan the next cycle of the ramp, titled TITLE: it tests the same idea with the "
        "same measures and owner, with --next as its objective; its prediction and plan are "
        "left for its own Plan step.")] = None,
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
        say(f"Planned {following.ref}: {following.title}, building on {c.ref}. Write its "
            f"prediction and plan with 'qi cycle edit {following.ref}'")


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
    project_opt: ProjectOption = None,
    stage: Annotated[Stage | None, typer.Option(help="Only cycles at this stage.")] = None,
    since: Annotated[str | None, typer.Option(
        help=f"Only cycles with activity on or after this date: {DATE_HELP}.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List PDSA cycles."""
    from qi.queries import cycles

    project = one_project(project, project_opt)
    since_date = parse_date_option(since, "--since")
    with open_db(write=False) as db:
        rows = cycles.list_all(db, project=project, stage=stage, since=since_date)
    # The change idea is left to 'cycle show' and 'project show --drivers': on 80 columns
    # the ramp (builds on) and the dates matter more.
    show_list(rows, json_out, empty="No cycles match. Plan one with 'qi cycle new PROJECT "
              "TITLE'", title="PDSA cycles", columns=["cycle", "builds on", "title", "stage",
                                                      "started", "decision"],
              row=lambda c: (c.ref, _short_ref(c.builds_on, c.project), c.title,
                             c.stage.value, c.started_on,
                             c.decision.value if c.decision else None))


def _short_ref(ref: str | None, project: str) -> str | None:
    """'#2' for a cycle of the same project (the ramp), else the full reference."""
    if ref and ref.startswith(f"{project}#"):
        return ref[len(project):]
    return ref


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
        "--edit/--no-edit", help="--edit: edit the worksheet's text in $VISUAL/$EDITOR (else "
        "vi). Default, with no field options on a terminal: your $VISUAL/$EDITOR if set, "
        "else a question per field.", show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Change any field of a cycle, at any stage ('' clears a text field).

    With no field options on a terminal, the worksheet's text opens in $VISUAL/$EDITOR, or,
    with no editor set, each field is asked for in turn (Enter keeps it). If someone else
    changes the cycle meanwhile, your edit is refused (an editor's text is kept in a file).
    """
    from qi.services import cycles

    options = {"title": title, "objective": objective, "questions": questions,
               "predictions": predict, "plan": plan, "data_plan": data_plan, "notes": notes,
               "problems": problems, "results": results, "learning": learning,
               "next_steps": next_steps}
    nothing_given = all(v is None for v in (
        *options.values(), idea, purpose, measure, builds_on, planned_start, started,
        decision, completed, by))
    how = _how_to_ask(editor) if editor or nothing_given else None
    if how:
        c = _edit_worksheet(cycle) if how == "editor" else _ask_worksheet(cycle)
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
        warnings = cycles.ramp_warnings(s, c.ref)
    _done(c, json_out, "Updated")
    _warn(warnings)


@app.command("remove")
def remove(
    cycle: CycleArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even if later cycles build on it.")] = False,
    yes: YesOption = False,
) -> None:
    """Remove a cycle (asks first)."""
    from qi.services import cycles

    remove_confirmed(
        check=lambda s: cycles.check_removable(s, cycle, force=force),
        question=lambda c: f"Remove {c.ref} ('{c.title}', stage {c.stage.value})?",
        remove=lambda s, c: cycles.remove(s, str(c.id), force=force),
        done=lambda c: f"Removed {c.ref}",
        yes=yes,
    )
