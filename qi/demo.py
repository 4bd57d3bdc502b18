"""The example programme of `qi demo`, and of `examples/demo/` (the same data as CSV files
and a shell script of plain `qi` commands, both written by `python -m qi.demo`; a test
checks that the two build the same record).

Modelled on a real primary-care programme: three area teams of GPs, practice managers, a
nurse and a pharmacist, one project each, 30 weeks of weekly data (a 12-week baseline, then
a ramp of PDSA cycles), and a calendar of half-day learning sessions — the first four close
together, then about every two months. Everything is dated from "today": the latest week
of data is the current week, so the dashboard and the reports read as they would in a
programme running now. The numbers themselves never change (they are seeded).
"""

from __future__ import annotations

import random
import shlex
from dataclasses import dataclass
from datetime import date, timedelta

WEEKS = 30
SEED = 2018


def start_for(today: date) -> date:
    """The Monday of the first week, so that the last of the WEEKS weeks is today's."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS - 1)


def _day(d: date) -> str:
    """'26 March', as the plans were written."""
    return f"{d.day} {d:%B}"


def _long(d: date) -> str:
    """'30 September 2026', as the aims were written."""
    return f"{d.day} {d:%B %Y}"


TEAMS = [
    # name, slug, area, note
    ("North Barnet", "north", "North", "Four practices north of the A406"),
    ("West Barnet", "west", "West", "Three practices and the community pharmacy"),
    ("South Barnet", "south", "South", "Two large practices"),
]

MEMBERS = [
    # name, role, team slugs, email
    ("Dr Aisha Patel", "GP", ["north"], "aisha.patel@example.nhs.uk"),
    ("Sam O'Neil", "practice manager", ["north"], None),
    ("Grace Okafor", "practice manager", ["north"], None),
    ("Priya Shah", "practice nurse", ["north"], None),
    ("Dr Tom Hughes", "GP", ["west"], "tom.hughes@example.nhs.uk"),
    ("Helen Brooks", "practice manager", ["west"], None),
    ("Marek Nowak", "practice manager", ["west"], None),
    ("Chris Lee", "community pharmacist", ["west", "south"], None),
    ("Dr Fatima Rahman", "GP", ["south"], None),
    ("Joanne Price", "practice manager", ["south"], None),
    ("Ben Carter", "practice manager", ["south"], None),
    ("Linda Evans", "practice manager", ["south"], None),
    ("Yusuf Ali", "practice manager", ["north", "south"], None),
]

def projects(start: date) -> list[tuple[str, str, str, str, date]]:
    """(slug, title, team, aim, start) of each project; aims end about 9 months on."""
    return [
        ("dna-rate", "Reduce missed nurse appointments", "north",
         "Reduce the did-not-attend rate for practice nurse appointments from 9% to 5% by "
         f"{_long(start + timedelta(days=272))}", start),
        ("asthma-reviews", "Annual asthma reviews", "west",
         "Increase the share of due asthma reviews completed each week from 45% to 70% by "
         f"{_long(start + timedelta(days=211))}", start),
        ("flu-uptake", "Flu vaccination for the over-65s", "south",
         "Raise weekly flu vaccination uptake among invited over-65s from 30% to 50% by "
         f"{_long(start + timedelta(days=211))}", start),
    ]


PROJECT_SLUGS = ("dna-rate", "asthma-reviews", "flu-uptake")


@dataclass(frozen=True)
class DemoMeasure:
    project: str
    slug: str
    name: str
    kind: str
    chart: str
    direction: str
    unit: str | None
    target: float | None
    definition: str
    denominator: bool
    # (before, after) true rate, and the week the change takes effect; denominators range
    before: float
    after: float
    change_week: int
    size: tuple[int, int]


MEASURES = [
    DemoMeasure("dna-rate", "dna", "DNA rate, nurse appointments", "outcome", "p", "down",
                "%", 0.05, "Nurse appointments not attended / booked, per week (EMIS "
                "appointment search)", True, 0.095, 0.045, 13, (110, 150)),
    DemoMeasure("dna-rate", "sms-sent", "Patients sent an SMS reminder", "process", "p", "up",
                "%", 0.9, "Booked nurse appointments with an SMS reminder 48 hours before / "
                "booked, per week", True, 0.05, 0.85, 13, (110, 150)),
    DemoMeasure("dna-rate", "calls", "Reception calls about appointments", "balancing", "i",
                "down", "calls/week", None, "Calls logged at reception about nurse "
                "appointments, per week", False, 62, 66, 13, (0, 0)),
    DemoMeasure("asthma-reviews", "reviews", "Due asthma reviews completed", "outcome", "p",
                "up", "%", 0.7, "Asthma reviews completed / reviews due, per week (QOF "
                "register)", True, 0.45, 0.66, 14, (40, 60)),
    DemoMeasure("asthma-reviews", "invites", "Patients invited by text and letter",
                "process", "p", "up", "%", None, "Patients due a review who were invited, "
                "per week", True, 0.5, 0.9, 14, (40, 60)),
    DemoMeasure("flu-uptake", "flu-65", "Flu vaccination uptake, over-65s invited", "outcome",
                "p", "up", "%", 0.5, "Vaccinated / invited over-65s, per week (Immform "
                "extract)", True, 0.3, 0.46, 15, (80, 120)),
    DemoMeasure("flu-uptake", "clinic-waits", "Wait at Saturday flu clinics", "balancing",
                "i", "down", "minutes", None, "Median minutes from arrival to vaccination, "
                "per week", False, 14, 15, 15, (0, 0)),
]

IDEAS = [
    # project, title, primary driver, secondary driver
    ("dna-rate", "SMS reminder 48 hours before", "Patients remember their appointment",
     "Reminders"),
    ("dna-rate", "Easy cancellation by text reply", "Patients can cancel easily", None),
    ("asthma-reviews", "Recall by text with a booking link", "Patients know they are due",
     "Invitations"),
    ("asthma-reviews", "Pharmacist reviews at the community pharmacy",
     "Reviews fit around patients", None),
    ("flu-uptake", "Saturday walk-in flu clinics", "Vaccination is convenient", "Clinic times"),
    ("flu-uptake", "Opportunistic vaccination at any appointment", "Vaccination is convenient",
     None),
]

# project, idea (1-based within the project's ideas), title, purpose, predictions, plan
# (a function of the Do date), measures, do week (from the start), notes, results, learning,
# decision, next steps. The open cycles are recent: one started five weeks ago and not yet
# studied shows what "overdue" looks like.
CYCLES = [
    ("dna-rate", 1, "SMS reminders for one nurse for one week", "test",
     "DNAs for that nurse fall by half", lambda d: f"Priya's clinics, week of {_day(d)}; "
     "reception sends the SMS from the clinical system", ["dna", "sms-sent"], 12,
     "Sent 38 reminders; 4 numbers were out of date", "2 DNAs in 38 against about 4 before",
     "Works; mobile numbers need checking at booking", "adapt",
     "All nurses for two weeks, check numbers at booking"),
    ("dna-rate", 1, "SMS reminders for all nurses for two weeks", "test",
     "Practice DNA rate falls below 6%", lambda d: "All nurse clinics; receptionists check "
     "mobile numbers at booking", ["dna", "sms-sent"], 14, "Ran as planned",
     "DNA rate 5.2% over the two weeks", "Sustained; no extra calls at reception", "adopt",
     "Make it standard; start the text-reply cancellation test"),
    ("dna-rate", 2, "Cancel by replying CANCEL", "test", "A third of would-be DNAs cancel "
     "instead", lambda d: "Add the reply option to the SMS; reception rebooks the slot",
     ["dna"], 27, None, None, None, None, None),
    ("asthma-reviews", 1, "Text recall with booking link, one practice", "test",
     "Half of those texted book within a week", lambda d: f"Practice A, patients due from "
     f"{_day(d)}", ["reviews", "invites"], 13, "120 texts sent", "58 booked within a week",
     "Booking link works; older patients preferred a call", "adapt",
     "Add a phone call for over-75s; extend to all practices"),
    ("asthma-reviews", 2, "Pharmacist reviews for patients who do not respond", "test",
     "Ten extra reviews a week", lambda d: "Chris at the community pharmacy, Tuesdays",
     ["reviews"], 24, "Room booking problems the first week", None, None, None, None),
    ("flu-uptake", 1, "One Saturday walk-in clinic", "test", "150 over-65s vaccinated",
     lambda d: f"Practice B, Saturday {_day(d + timedelta(days=5))}, two nurses and a GP",
     ["flu-65", "clinic-waits"], 14, "Queue at opening; 171 vaccinated",
     "171 vaccinated, waits up to 25 minutes", "Popular; stagger invitations by surname",
     "adapt", "Monthly Saturday clinics with staggered invitations"),
    ("flu-uptake", 2, "Ask at every appointment for a week", "develop",
     "Twenty extra vaccinations", lambda d: f"All clinicians, week of {_day(d)}; prompt on "
     "the clinical system", ["flu-65"], 28, "Prompt worked for GPs, less for nurses", None,
     None, None, None),
]

# days from the start, title, team (None: programme-wide); the last session is next week
MEETINGS = [
    (9, "Learning session 1: the Model for Improvement", None),
    (37, "Learning session 2: measures and baselines", None),
    (65, "Learning session 3: planning PDSA cycles", None),
    (93, "Learning session 4: run charts", None),
    (135, "North team huddle", "north"),
    (156, "Learning session 5: spreading what works", None),
    (212, "Learning session 6: sustaining the gains", None),
]

# measure, days from the start, text (true whatever the dates: no bank holidays)
NOTES = [
    ("dna-rate/dna", 91, "Practice closed for staff training: no nurse clinics"),
    ("flu-uptake/clinic-waits", 147, "No Saturday clinic: two nurses off sick"),
]


def weekly_rows(m: DemoMeasure, start: date) -> list[tuple[date, float | None, float | None,
                                                          float | None]]:
    """(week, value, numerator, denominator) for a measure: seeded, so always the same
    numbers whatever the dates."""
    rng = random.Random(f"{SEED}-{m.project}-{m.slug}")
    rows: list[tuple[date, float | None, float | None, float | None]] = []
    for week in range(WEEKS):
        day = start + timedelta(weeks=week)
        level = m.before if week < m.change_week else m.after
        if m.denominator:
            n = rng.randint(*m.size)
            k = sum(rng.random() < level for _ in range(n))
            rows.append((day, None, float(k), float(n)))
        else:
            value = round(rng.gauss(level, level * 0.12), 1)
            rows.append((day, value, None, None))
    return rows


def project_csv(project: str, start: date) -> str:
    """A project's data as the long CSV that `qi data import` reads (examples/demo/)."""
    lines = ["date,measure,value,numerator,denominator"]
    for m in MEASURES:
        if m.project == project:
            for day, value, num, den in weekly_rows(m, start):
                cells = [_number(value), _number(num), _number(den)]
                lines.append(f"{day.isoformat()},{m.slug}," + ",".join(cells))
    return "\n".join(lines) + "\n"


def _number(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def build(s, today: date | None = None) -> dict:
    """Create the whole programme in the session's (empty) database, dated so that its
    latest week is the week of `today`; return counts."""
    from qi.domain import ChartType, Decision, Direction, MeasureKind, Purpose
    from qi.services import (
        cycles,
        data,
        ideas,
        measures,
        meetings,
        members,
        notes,
        teams,
    )
    from qi.services import projects as project_service

    start = start_for(today or date.today())
    for name, slug, area, note in TEAMS:
        teams.add(s, name, slug=slug, area=area, note=note)
    for name, role, team_slugs, email in MEMBERS:
        members.add(s, name, role=role, teams=team_slugs, email=email)
    for slug, title, team, aim, begun in projects(start):
        project_service.add(s, slug, title=title, team=team, aim=aim, start=begun)
    for m in MEASURES:
        measures.add(s, m.slug, project=m.project, name=m.name, kind=MeasureKind(m.kind),
                     unit=m.unit, direction=Direction(m.direction), target=m.target,
                     definition=m.definition, chart=ChartType(m.chart),
                     denominator=m.denominator)
        for day, value, num, den in weekly_rows(m, start):
            data.add(s, f"{m.project}/{m.slug}", day, value=value, numerator=num,
                     denominator=den)
    idea_ids: dict[str, list[int]] = {}  # project -> ids of its ideas, in order
    for project, title, primary, secondary in IDEAS:
        added = ideas.add(s, project, title, primary_driver=primary,
                          secondary_driver=secondary)
        idea_ids.setdefault(project, []).append(added.id)
    last_of_idea: dict[int, int] = {}  # idea id -> number of its latest cycle (the ramp)
    for (project, idea, title, purpose, predictions, plan, measure_slugs, week, notes_text,
         results, learning, decision, next_steps) in CYCLES:
        idea_id = idea_ids[project][idea - 1]
        started = start + timedelta(weeks=week)
        c = cycles.new(s, project, title, idea=str(idea_id),
                       purpose=Purpose(purpose), measures=measure_slugs,
                       builds_on=last_of_idea.get(idea_id),
                       predictions=predictions, plan=plan(started), planned_start=started)
        last_of_idea[idea_id] = c.number
        cycles.do(s, c.ref, on=started, notes=notes_text)
        if results or learning:
            cycles.study(s, c.ref, results=results, learning=learning)
        if decision:
            cycles.act(s, c.ref, decision=Decision(decision), next_steps=next_steps,
                       completed_on=started + timedelta(days=13))
    for days, meeting, team_slug in MEETINGS:
        meetings.add(s, start + timedelta(days=days), meeting, team=team_slug)
    for ref, days, text in NOTES:
        notes.add(s, ref, start + timedelta(days=days), text)
    return {"teams": len(TEAMS), "members": len(MEMBERS), "projects": len(PROJECT_SLUGS),
            "measures": len(MEASURES), "cycles": len(CYCLES), "meetings": len(MEETINGS),
            "measurements": len(MEASURES) * WEEKS}


# --- examples/demo/: the same programme as CSV files and a script of qi commands ----------


def commands(start: date) -> list[tuple[str, list[list[str]]]]:
    """The `qi` commands (argv after `qi`) that build the demo, in sections."""
    people = [["team", "add", name, "--slug", slug, "--area", area, "--note", note]
              for name, slug, area, note in TEAMS]
    for name, role, team_slugs, email in MEMBERS:
        people.append(["member", "add", name, "--role", role,
                       *(a for t in team_slugs for a in ("--team", t)),
                       *(["--email", email] if email else [])])
    family = [["project", "add", slug, "--title", title, "--team", team, "--aim", aim,
               "--start", begun.isoformat()] for slug, title, team, aim, begun in projects(start)]
    for m in MEASURES:
        family.append(["measure", "add", m.slug, "--project", m.project, "--name", m.name,
                       "--kind", m.kind, "--chart", m.chart, "--direction", m.direction,
                       *(["--unit", m.unit] if m.unit else []),
                       *(["--target", _number(m.target)] if m.target is not None else []),
                       "--definition", m.definition,
                       "--denominator" if m.denominator else "--no-denominator"])
    data = [["data", "import", f"{slug}.csv", "--project", slug] for slug in PROJECT_SLUGS]
    ideas = [["idea", "add", project, title, "--primary-driver", primary,
              *(["--secondary-driver", secondary] if secondary else [])]
             for project, title, primary, secondary in IDEAS]
    return [("Three area teams and their members", people),
            ("One project each, with its family of measures", family),
            ("Baseline and post-change weekly data", data),
            ("Change ideas, in each project's driver diagram", ideas),
            ("A ramp of PDSA cycles per project", _cycle_commands(start)),
            ("The calendar of learning sessions, and notes on the charts",
             _calendar_commands(start))]


def _cycle_commands(start: date) -> list[list[str]]:
    out = []
    numbers: dict[str, int] = {}
    last_of_idea: dict[tuple[str, int], int] = {}
    for (project, idea, title, purpose, predictions, plan, measure_slugs, week, notes_text,
         results, learning, decision, next_steps) in CYCLES:
        number = numbers[project] = numbers.get(project, 0) + 1
        ref = f"{project}#{number}"
        started = start + timedelta(weeks=week)
        # ideas are numbered in the order they are added, across projects
        idea_id = [k for k, i in enumerate(IDEAS, start=1) if i[0] == project][idea - 1]
        parent = last_of_idea.get((project, idea))
        out.append(["cycle", "new", project, title, "--idea", str(idea_id), "--purpose",
                    purpose, "--predict", predictions, "--plan", plan(started),
                    *(a for m in measure_slugs for a in ("--measure", m)),
                    *(["--builds-on", str(parent)] if parent else []),
                    "--planned-start", started.isoformat(), "--no-edit"])
        last_of_idea[(project, idea)] = number
        out.append(["cycle", "do", ref, "--on", started.isoformat(),
                    *(["--notes", notes_text] if notes_text else [])])
        if results or learning:
            out.append(["cycle", "study", ref, "--results", results or "", "--learning",
                        learning or ""])
        if decision:
            out.append(["cycle", "act", ref, "--decision", decision, "--next", next_steps or "",
                        "--completed", (started + timedelta(days=13)).isoformat()])
    return out


def _calendar_commands(start: date) -> list[list[str]]:
    out = [["meeting", "add", (start + timedelta(days=days)).isoformat(), title,
            *(["--team", team] if team else ["--programme-wide"])]
           for days, title, team in MEETINGS]
    out += [["note", "add", ref, (start + timedelta(days=days)).isoformat(), text]
            for ref, days, text in NOTES]
    return out


def script(today: date) -> str:
    """examples/demo/build.sh: the demo as plain qi commands, dated for `today`'s week."""
    lines = [
        "#!/usr/bin/env bash",
        "# Builds the example programme of `qi demo` with plain qi commands, from the CSV",
        "# files beside this script. Run it with a fresh database, e.g.:",
        "#   qi init /tmp/programme.db && QI_DB=/tmp/programme.db bash examples/demo/build.sh",
        f"# Written by `python -m qi.demo examples/demo --today {today.isoformat()}`: the same",
        f"# programme as `qi demo --today {today.isoformat()}` (tests/test_demo.py checks it).",
        "# Run that command with another date to date the example for another week.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
        "qi=${QI:-qi}",
    ]
    for title, section in commands(start_for(today)):
        lines += ["", f"# {title}"]
        lines += ["$qi " + shlex.join(argv) for argv in section]
    return "\n".join(lines) + "\n"


def write_examples(folder, today: date) -> list:
    """Write build.sh and a CSV per project into `folder`; return the paths."""
    from pathlib import Path

    folder = Path(folder)
    written = [folder / "build.sh"]
    written[0].write_text(script(today), encoding="utf-8")
    for slug in PROJECT_SLUGS:
        path = folder / f"{slug}.csv"
        path.write_text(project_csv(slug, start_for(today)), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m qi.demo FOLDER --today YYYY-MM-DD
    import argparse

    parser = argparse.ArgumentParser(description="Write examples/demo for a given week.")
    parser.add_argument("folder")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    arguments = parser.parse_args()
    for path in write_examples(arguments.folder, arguments.today):
        print(path)
