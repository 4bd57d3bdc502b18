"""`qi measure add|list|show|edit|remove`."""

from __future__ import annotations

from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    MeasureProjectOption,
    YesOption,
    cell,
    confirm,
    measure_ref,
    noun_app,
    open_db,
    open_session,
    parse_date_option,
    print_json,
    remove_confirmed,
    say,
    show_fields,
    show_list,
)
from qi.domain import ChartType, Direction, MeasureKind

app = noun_app("measure")

MeasureArg = Annotated[str, typer.Argument(help="SLUG (if unique) or PROJECT/SLUG.")]


@app.command("add")
def add(
    slug: Annotated[str, typer.Argument(help="Short id, e.g. 'dna-rate'.")],
    project: Annotated[str, typer.Option(help="The project's slug.")],
    name: Annotated[str, typer.Option(help="Full name, e.g. 'DNA rate, nurse clinics'.")],
    kind: Annotated[MeasureKind, typer.Option(help="outcome, process or balancing.")],
    unit: Annotated[str | None, typer.Option(help="Unit, e.g. '%' or 'calls/day'.")] = None,
    direction: Annotated[Direction, typer.Option(
        help="Which way is better.")] = Direction.neither,
    target: Annotated[float | None, typer.Option(help="Target or goal value.")] = None,
    definition: Annotated[str | None, typer.Option(
        help="Operational definition: what is counted, from where, how often.")] = None,
    chart: Annotated[ChartType, typer.Option(
        help="Default chart type (not xbar or s: those need patient-level observations; "
        "use 'qi analyze' for them).")] = ChartType.run,
    denominator: Annotated[bool | None, typer.Option(
        "--denominator/--no-denominator",
        help="Values are a numerator over a denominator (proportion or rate). "
        "Implied by p, pp, u and up charts.", show_default=False)] = None,
    json_out: JsonOption = False,
) -> None:
    """Add a measure to a project."""
    from qi.services import measures

    with open_session() as s:
        m = measures.add(s, slug, project=project, name=name, kind=kind, unit=unit,
                         direction=direction, target=target, definition=definition,
                         chart=chart, denominator=denominator)
    if json_out:
        print_json(m.as_json())
    else:
        say(f"Added {m.kind.value} measure '{m.ref}' ({m.chart.value} chart)")


@app.command("list")
def list_(
    project: Annotated[str | None, typer.Option(help="Only this project's measures.")] = None,
    json_out: JsonOption = False,
) -> None:
    """List measures."""
    from qi.queries import measures

    with open_db(write=False) as db:
        rows = measures.list_all(db, project=project)
    show_list(rows, json_out, empty="No measures yet. Add one with 'qi measure add SLUG "
              "--project P --name N --kind K'", title="Measures",
              columns=["measure", "name", "kind", "unit", "direction", "target", "chart"],
              row=lambda m: (m.ref, m.name, m.kind.value, m.unit, m.direction.value,
                             m.target, m.chart.value))


@app.command("show")
def show(
    measure: MeasureArg,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Show a measure and its operational definition."""
    from qi.queries import measures

    measure = measure_ref(measure, project_opt)

    with open_db(write=False) as db:
        m = measures.show(db, measure)
    if json_out:
        print_json(m.as_json())
        return
    show_fields(f"{m.name} ({m.ref})", [
        ("kind", m.kind.value), ("unit", m.unit), ("direction", m.direction.value),
        ("target", m.target), ("definition", m.definition), ("chart", m.chart.value),
        ("denominator", "yes" if m.denominator else "no"),
        ("baseline until", m.baseline_until or "the first PDSA cycle's start"),
    ])


@app.command("edit")
def edit(
    measure: MeasureArg,
    new_slug: Annotated[str | None, typer.Option("--slug", help="New slug.")] = None,
    name: Annotated[str | None, typer.Option(help="New name.")] = None,
    kind: Annotated[MeasureKind | None, typer.Option(help="New kind.")] = None,
    unit: Annotated[str | None, typer.Option(help="New unit ('' clears it).")] = None,
    direction: Annotated[Direction | None, typer.Option(help="New direction.")] = None,
    target: Annotated[float | None, typer.Option(help="New target.")] = None,
    no_target: Annotated[bool, typer.Option("--no-target", help="Remove the target.")] = False,
    definition: Annotated[str | None, typer.Option(
        help="New operational definition ('' clears it).")] = None,
    chart: Annotated[ChartType | None, typer.Option(help="New default chart type.")] = None,
    denominator: Annotated[bool | None, typer.Option(
        "--denominator/--no-denominator", help="Has a denominator.", show_default=False)] = None,
    baseline_until: Annotated[str | None, typer.Option(
        "--baseline-until", help="Last date of the baseline: its centre line is frozen and "
        "extended after it. Default: until the first PDSA cycle starts.")] = None,
    no_baseline: Annotated[bool, typer.Option(
        "--no-baseline", help="Forget --baseline-until (back to the first cycle's start).")]
    = False,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Change any field of a measure."""
    from qi.services import measures

    measure = measure_ref(measure, project_opt)

    until = parse_date_option(baseline_until, "--baseline-until")
    if no_baseline and until is not None:
        raise typer.BadParameter("give --baseline-until or --no-baseline, not both",
                                 param_hint="'--no-baseline'")
    if no_target and target is not None:
        raise typer.BadParameter("give --target or --no-target, not both",
                                 param_hint="'--no-target'")
    with open_session() as s:
        m = measures.edit(s, measure, new_slug=new_slug, name=name, kind=kind, unit=unit,
                          direction=direction, target=target, clear_target=no_target,
                          definition=definition, chart=chart, denominator=denominator,
                          baseline_until=until, clear_baseline=no_baseline)
    if json_out:
        print_json(m.as_json())
    else:
        say(f"Updated measure '{m.ref}'")


@app.command("remove")
def remove(
    measure: MeasureArg,
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even though it has measurements (they go with it).")]
    = False,
    yes: YesOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Remove a measure. A measure with measurements needs --force."""
    from qi.services import measures

    ref = measure_ref(measure, project_opt)
    remove_confirmed(
        check=lambda s: measures.check_removable(s, ref, force=force),
        question=lambda m: f"Remove measure '{m.ref}' ({m.name})?",
        remove=lambda s, m: measures.remove(s, m.ref, force=force),
        done=lambda m: f"Removed measure '{m.ref}'",
        yes=yes,
    )


def _at(value: str):
    """A date, or else a cycle (`dna-rate#3`, `#3` or `3`)."""
    from qi.dates import parse_date
    from qi.errors import InvalidInput

    try:
        return parse_date(value, what="--at")
    except InvalidInput:
        return value


@app.command("rebase")
def rebase(
    measure: MeasureArg,
    at: Annotated[str, typer.Option(
        "--at", help="Where the new phase starts: a date, or a cycle (its Do date).")],
    reason: Annotated[str, typer.Option(help="Why: the change that shifted the process.")],
    by: Annotated[str | None, typer.Option("--by", help="Who decided (member id or name).")]
    = None,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Start a new phase (new centre line and limits) at a date or a cycle."""
    from qi.services import phases

    measure = measure_ref(measure, project_opt)

    with open_session() as s:
        phase = phases.rebase(s, measure, at=_at(at), reason=reason, by=by)
    if json_out:
        print_json(phase.as_json())
    else:
        cycle = f" ({phase.cycle})" if phase.cycle else ""
        say(f"{phase.measure}: a new phase starts on {cell(phase.starts_on)}{cycle}")


@app.command("phases")
def phases_(
    measure: MeasureArg,
    json_out: JsonOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """List a measure's phases (rebases) with who, when and why."""
    from qi.services import phases

    measure = measure_ref(measure, project_opt)

    with open_session(write=False) as s:
        rows = phases.list_for(s, measure)
    show_list(rows, json_out, empty="No phases: one centre line for the whole series. Add "
              "one with 'qi measure rebase MEASURE --at DATE --reason ...'", title="Phases",
              columns=["starts", "cycle", "reason", "by", "recorded"],
              row=lambda p: (p.starts_on, p.cycle, p.reason, p.created_by,
                             p.created_at.date() if p.created_at else None))


@app.command("unrebase")
def unrebase(
    measure: MeasureArg,
    at: Annotated[str, typer.Option("--at", help="The start date of the phase to remove.")],
    yes: YesOption = False,
    project_opt: MeasureProjectOption = None,
) -> None:
    """Remove a phase, joining it to the one before (asks first)."""
    from qi.services import phases

    measure = measure_ref(measure, project_opt)

    day = parse_date_option(at, "--at")
    confirm(f"Remove the phase of {measure} starting on {day}?", yes)
    with open_session() as s:
        phase = phases.remove(s, measure, day)
    say(f"{phase.measure}: removed the phase starting on {cell(phase.starts_on)}")


@app.command("target")
def target(
    measure: MeasureArg,
    value: Annotated[float | None, typer.Argument(
        help="The target from --from on (leave out to list the targets).",
        show_default=False)] = None,
    from_: Annotated[str | None, typer.Option(
        "--from", help="The date the target comes into force.", show_default=False)] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Change the target already set from that date.")] = False,
    remove_: Annotated[bool, typer.Option(
        "--remove", help="Remove the target set from --from.")] = False,
    json_out: JsonOption = False,
) -> None:
    """Targets that change over time: 'qi measure target M --from DATE VALUE' sets one,
    'qi measure target M' lists them, '--from DATE --remove' removes one. Before the first
    dated target the measure's own target (qi measure edit --target) applies."""
    from qi.services import targets

    day = parse_date_option(from_, "--from")
    if (value is not None or remove_) and day is None:
        raise typer.BadParameter("give the date the target comes into force with --from DATE",
                                 param_hint="'--from'")
    if remove_ and value is not None:
        raise typer.BadParameter("give a VALUE to set a target, or --remove, not both",
                                 param_hint="'--remove'")
    if value is None and not remove_:
        if day is not None:
            raise typer.BadParameter("give the target VALUE after the measure",
                                     param_hint="'VALUE'")
        with open_session(write=False) as s:
            rows = targets.list_for(s, measure)
        _show_targets(measure, rows, json_out)
        return
    with open_session() as s:
        if value is None:  # --remove (checked above)
            t = targets.remove(s, measure, starts_on=day)
        else:
            t = targets.set_target(s, measure, starts_on=day, value=value, replace=replace)
    if json_out:
        print_json(t.as_json())
    elif remove_:
        say(f"{t.measure}: removed the target of {t.value:g} from {cell(t.starts_on)}")
    else:
        say(f"{t.measure}: target {t.value:g} from {cell(t.starts_on)}")


def _show_targets(measure: str, rows, json_out: bool) -> None:
    show_list(rows, json_out, empty=f"No targets for {measure}. Set one with 'qi measure "
              f"target {measure} --from DATE VALUE'", title="Targets", columns=["from", "target"],
              row=lambda t: (cell(t.starts_on) or "the start", f"{t.value:g}"))
