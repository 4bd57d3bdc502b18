"""The example programme of `qi demo`, and of `examples/` (the same data as CSV files and a
shell script of plain `qi` commands; a test checks that the two build the same record).

Modelled on a real primary-care programme: three area teams of GPs, practice managers, a
nurse and a pharmacist, one project each, weekly data from January 2018 (a 12-week baseline,
then a ramp of PDSA cycles), and a calendar of half-day learning sessions — the first four
close together, then about every two months.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

START = date(2018, 1, 1)  # a Monday
WEEKS = 30
SEED = 2018

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

PROJECTS = [
    # slug, title, team, aim, start
    ("dna-rate", "Reduce missed nurse appointments", "north",
     "Reduce the did-not-attend rate for practice nurse appointments from 9% to 5% by "
     "30 September 2018", date(2018, 1, 1)),
    ("asthma-reviews", "Annual asthma reviews", "west",
     "Increase the share of due asthma reviews completed each week from 45% to 70% by "
     "31 July 2018", date(2018, 1, 1)),
    ("flu-uptake", "Flu vaccination for the over-65s", "south",
     "Raise weekly flu vaccination uptake among invited over-65s from 30% to 50% by "
     "31 July 2018", date(2018, 1, 1)),
]


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

# project, idea (1-based within the project's ideas), title, purpose, predictions, plan,
# measures, do week (from START), notes, results, learning, decision, next steps
CYCLES = [
    ("dna-rate", 1, "SMS reminders for one nurse for one week", "test",
     "DNAs for that nurse fall by half", "Priya's clinics, week of 26 March; reception "
     "sends the SMS from the clinical system", ["dna", "sms-sent"], 12,
     "Sent 38 reminders; 4 numbers were out of date", "2 DNAs in 38 against about 4 before",
     "Works; mobile numbers need checking at booking", "adapt",
     "All nurses for two weeks, check numbers at booking"),
    ("dna-rate", 1, "SMS reminders for all nurses for two weeks", "test",
     "Practice DNA rate falls below 6%", "All nurse clinics; receptionists check mobile "
     "numbers at booking", ["dna", "sms-sent"], 14, "Ran as planned",
     "DNA rate 5.2% over the two weeks", "Sustained; no extra calls at reception", "adopt",
     "Make it standard; start the text-reply cancellation test"),
    ("dna-rate", 2, "Cancel by replying CANCEL", "test", "A third of would-be DNAs cancel "
     "instead", "Add the reply option to the SMS; reception rebooks the slot", ["dna"], 18,
     None, None, None, None, None),
    ("asthma-reviews", 1, "Text recall with booking link, one practice", "test",
     "Half of those texted book within a week", "Practice A, patients due in April",
     ["reviews", "invites"], 13, "120 texts sent", "58 booked within a week",
     "Booking link works; older patients preferred a call", "adapt",
     "Add a phone call for over-75s; extend to all practices"),
    ("asthma-reviews", 2, "Pharmacist reviews for patients who do not respond", "test",
     "Ten extra reviews a week", "Chris at the community pharmacy, Tuesdays",
     ["reviews"], 17, "Room booking problems the first week", None, None, None, None),
    ("flu-uptake", 1, "One Saturday walk-in clinic", "test", "150 over-65s vaccinated",
     "Practice B, Saturday 14 April, two nurses and a GP", ["flu-65", "clinic-waits"], 14,
     "Queue at opening; 171 vaccinated", "171 vaccinated, waits up to 25 minutes",
     "Popular; stagger invitations by surname", "adapt",
     "Monthly Saturday clinics with staggered invitations"),
    ("flu-uptake", 2, "Ask at every appointment for a week", "develop",
     "Twenty extra vaccinations", "All clinicians, week of 7 May; prompt on the clinical "
     "system", ["flu-65"], 18, "Prompt worked for GPs, less for nurses", None, None, None,
     None),
]

MEETINGS = [
    # date, title, team (None: programme-wide)
    (date(2018, 1, 10), "Learning session 1: the Model for Improvement", None),
    (date(2018, 2, 7), "Learning session 2: measures and baselines", None),
    (date(2018, 3, 7), "Learning session 3: planning PDSA cycles", None),
    (date(2018, 4, 4), "Learning session 4: run charts", None),
    (date(2018, 5, 16), "North team huddle", "north"),
    (date(2018, 6, 6), "Learning session 5: spreading what works", None),
    (date(2018, 8, 1), "Learning session 6: sustaining the gains", None),
]

NOTES = [
    ("dna-rate/dna", date(2018, 4, 2), "Easter Monday: clinics closed"),
    ("flu-uptake/clinic-waits", date(2018, 5, 28), "Bank holiday: no Saturday clinic"),
]


def weekly_rows(m: DemoMeasure) -> list[tuple[date, float | None, float | None, float | None]]:
    """(week, value, numerator, denominator) for a measure: seeded, so always the same."""
    rng = random.Random(f"{SEED}-{m.project}-{m.slug}")
    rows = []
    for week in range(WEEKS):
        day = START + timedelta(weeks=week)
        level = m.before if week < m.change_week else m.after
        if m.denominator:
            n = rng.randint(*m.size)
            k = sum(rng.random() < level for _ in range(n))
            rows.append((day, None, float(k), float(n)))
        else:
            value = round(rng.gauss(level, level * 0.12), 1)
            rows.append((day, value, None, None))
    return rows


def project_csv(project: str) -> str:
    """A project's data as the long CSV that `qi data import` reads (examples/demo/)."""
    lines = ["date,measure,value,numerator,denominator"]
    for m in MEASURES:
        if m.project == project:
            for day, value, num, den in weekly_rows(m):
                cells = [_number(value), _number(num), _number(den)]
                lines.append(f"{day.isoformat()},{m.slug}," + ",".join(cells))
    return "\n".join(lines) + "\n"


def _number(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else str(v)


def build(s) -> dict:
    """Create the whole programme in the session's (empty) database; return counts."""
    from qi.domain import ChartType, Decision, Direction, MeasureKind, Purpose
    from qi.services import (
        cycles,
        data,
        ideas,
        measures,
        meetings,
        members,
        notes,
        projects,
        teams,
    )

    for name, slug, area, note in TEAMS:
        teams.add(s, name, slug=slug, area=area, note=note)
    for name, role, team_slugs, email in MEMBERS:
        members.add(s, name, role=role, teams=team_slugs, email=email)
    for slug, title, team, aim, start in PROJECTS:
        projects.add(s, slug, title=title, team=team, aim=aim, start=start)
    for m in MEASURES:
        measures.add(s, m.slug, project=m.project, name=m.name, kind=MeasureKind(m.kind),
                     unit=m.unit, direction=Direction(m.direction), target=m.target,
                     definition=m.definition, chart=ChartType(m.chart),
                     denominator=m.denominator)
        for day, value, num, den in weekly_rows(m):
            data.add(s, f"{m.project}/{m.slug}", day, value=value, numerator=num,
                     denominator=den)
    idea_ids: dict[str, list[int]] = {}  # project -> ids of its ideas, in order
    for project, title, primary, secondary in IDEAS:
        idea = ideas.add(s, project, title, primary_driver=primary, secondary_driver=secondary)
        idea_ids.setdefault(project, []).append(idea.id)
    last_of_idea: dict[int, int] = {}  # idea id -> number of its latest cycle (the ramp)
    for (project, idea, title, purpose, predictions, plan, measure_slugs, week, notes_text,
         results, learning, decision, next_steps) in CYCLES:
        idea_id = idea_ids[project][idea - 1]
        c = cycles.new(s, project, title, idea=str(idea_id),
                       purpose=Purpose(purpose), measures=measure_slugs,
                       builds_on=last_of_idea.get(idea_id),
                       predictions=predictions, plan=plan,
                       planned_start=START + timedelta(weeks=week))
        last_of_idea[idea_id] = c.number
        started = START + timedelta(weeks=week)
        cycles.do(s, c.ref, on=started, notes=notes_text)
        if results or learning:
            cycles.study(s, c.ref, results=results, learning=learning)
        if decision:
            cycles.act(s, c.ref, decision=Decision(decision), next_steps=next_steps,
                       completed_on=started + timedelta(days=13))
    for day, title, team in MEETINGS:
        meetings.add(s, day, title, team=team)
    for ref, day, text in NOTES:
        notes.add(s, ref, day, text)
    return {"teams": len(TEAMS), "members": len(MEMBERS), "projects": len(PROJECTS),
            "measures": len(MEASURES), "cycles": len(CYCLES), "meetings": len(MEETINGS),
            "measurements": len(MEASURES) * WEEKS}
