"""Report content (qi.services.report) and the dashboard (qi.services.status): what a
project's summary and the session pack hold, the period options, ordering, what is missing,
and that the measure views built in bulk are the ones `measure_view.view` builds. On every
backend; the Markdown and HTML renderers are exercised on the same content."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from qi.analysis.document import to_dict
from qi.domain import ChartType, Decision, Direction, MeasureKind, ProjectStatus
from qi.errors import InvalidInput, NotFound
from qi.ingest.measurements import Layout
from qi.reports import html, markdown
from qi.services import (
    cycles,
    data,
    data_import,
    measure_view,
    measures,
    meetings,
    members,
    notes,
    phases,
    projects,
    report,
    status,
    teams,
)

START = date(2018, 1, 1)
TODAY = date(2018, 5, 10)
# Weekly DNAs out of 200 booked: about 8.5% for 14 weeks, then about 5%.
DNAS = [17, 18, 16, 15, 16, 15, 17, 20, 16, 16, 18, 18, 16, 17, 11, 12, 9, 10]
CALLS = [120, 131, 118, 125, 129, 122, 117, 126, 124, 130, 121, 119, 128, 123, 125, 127,
         118, 122]  # fmt: skip


def week(k: int) -> date:
    return START + timedelta(weeks=k)


@pytest.fixture
def programme(session):
    """Two teams; dna-rate (north) with data, cycles at every stage, a note, a phase and
    meetings; flu (west) with nothing but its aim; an abandoned project."""
    with session() as s:
        teams.add(s, "North Barnet", slug="north", area="North")
        teams.add(s, "West", slug="west", area="West")
        members.add(s, "Ann Lee", role="nurse", teams=["north"])
        members.add(s, "Dr Raj Shah", role="GP", teams=["north"])
        projects.add(s, "dna-rate", title="Reduce nurse DNAs", team="north",
                     aim="Reduce the DNA rate from 8% to 5% by 30 Sep 2018", start=START)
        projects.add(s, "flu", title="Flu uptake", team="west", aim="More over-65s vaccinated")
        projects.add(s, "old", title="Old project", team="west", aim="Done")
        projects.close(s, "old", status=ProjectStatus.abandoned)
        measures.add(s, "dna", project="dna-rate", name="DNA rate", kind=MeasureKind.outcome,
                     chart=ChartType.p, direction=Direction.down, target=0.05,
                     definition="DNAs / booked nurse appointments per week")
        measures.add(s, "calls", project="dna-rate", name="Reception calls per day",
                     kind=MeasureKind.balancing, chart=ChartType.i, unit="calls")
        measures.add(s, "wait", project="dna-rate", name="Days to an appointment",
                     kind=MeasureKind.outcome, chart=ChartType.run, unit="days")
        for k, (dnas, calls) in enumerate(zip(DNAS, CALLS, strict=True)):
            data.add(s, "dna-rate/dna", week(k), numerator=dnas, denominator=200)
            data.add(s, "dna-rate/calls", week(k), value=calls)
        one = cycles.new(s, "dna-rate", "SMS for one nurse", measures=["dna"],
                         predictions="DNAs halve for that nurse", planned_start=date(2018, 4, 2))
        cycles.do(s, one.ref, on=date(2018, 4, 9), notes="Sent 40 reminders")
        cycles.study(s, one.ref, results="2 DNAs in 40 vs 5 in 40", learning="It works")
        cycles.act(s, one.ref, decision=Decision.adapt, next_steps="All nurses",
                   completed_on=date(2018, 4, 16))
        two = cycles.new(s, "dna-rate", "SMS for all nurses", builds_on=one.ref)
        cycles.do(s, two.ref, on=date(2018, 4, 23))
        cycles.new(s, "dna-rate", "Easy cancellation line", planned_start=date(2018, 6, 1))
        notes.add(s, "dna-rate/dna", date(2018, 3, 5), "Practice closed for a day")
        phases.rebase(s, "dna-rate/calls", at=date(2018, 3, 5), reason="New phone system")
        meetings.add(s, date(2018, 3, 1), "Learning session 1")
        meetings.add(s, date(2018, 4, 20), "North huddle", team="north")
        meetings.add(s, date(2018, 4, 25), "West huddle", team="west")
        meetings.add(s, date(2018, 5, 3), "Learning session 2")
    return session


def project_report(session, slug="dna-rate", **options):
    with session(write=False) as s:
        return report.project_report(s, slug, today=options.pop("today", TODAY), **options)


def meeting_id(session, title: str) -> int:
    with session(write=False) as s:
        return next(m.id for m in meetings.list_all(s) if m.title == title)


# --- one project --------------------------------------------------------------------------


def test_a_project_with_everything(programme):
    r = project_report(programme)
    assert r["generated"] == "2018-05-10"
    assert r["project"] == {"slug": "dna-rate", "title": "Reduce nurse DNAs",
                            "aim": "Reduce the DNA rate from 8% to 5% by 30 Sep 2018",
                            "status": "active", "start": "2018-01-01", "closing_note": None}
    assert r["team"]["name"] == "North Barnet" and r["team"]["area"] == "North"
    assert r["team"]["members"] == [{"name": "Ann Lee", "role": "nurse"},
                                    {"name": "Dr Raj Shah", "role": "GP"}]
    assert r["period"] == {"since": None, "until": "2018-05-10", "label": "so far",
                           "meeting": None, "previous_meeting": None}

    by_slug = {m["slug"]: m for m in r["measures"]}
    assert list(by_slug) == ["calls", "dna", "wait"]
    dna = by_slug["dna"]
    assert (dna["kind"], dna["chart"], dna["direction"], dna["percent"]) == (
        "outcome", "p", "down", True)
    assert dna["target"] == 5.0  # 0.05 stored, shown in percent as on the chart
    assert dna["points"] == 18
    assert dna["latest"] == {"date": "2018-04-30", "value": 5.0}
    assert dna["baseline_end"] == "2018-04-08"  # the day before the linked cycle's Do
    assert dna["baseline_centre"] == pytest.approx(100 * sum(DNAS[:14]) / (200 * 14), abs=1e-4)
    assert dna["current_centre"] == pytest.approx(100 * sum(DNAS[14:]) / (200 * 4), abs=1e-4)
    assert dna["verdict"] and dna["direction_of_change"] in (
        "improvement", "concern", "change", "random", "none")
    with programme(write=False) as s:
        summary = measure_view.view(s, "dna-rate/dna").summary
    assert [x["text"] for x in dna["signals"]] == summary["signals"]
    assert all(x["rule"] and x["rule_name"] for x in dna["signals"])
    assert by_slug["calls"]["phases"] == 2 and by_slug["calls"]["unit"] == "calls"
    assert by_slug["wait"]["latest"] is None and by_slug["wait"]["verdict"] == "no data yet"

    assert [c["ref"] for c in r["cycles_in_period"]] == ["dna-rate#1", "dna-rate#2"]
    first = r["cycles_in_period"][0]
    assert (first["stage"], first["predictions"], first["results"], first["learning"],
            first["decision"], first["next_steps"]) == (
        "complete", "DNAs halve for that nurse", "2 DNAs in 40 vs 5 in 40", "It works",
        "adapt", "All nurses")
    assert [c["ref"] for c in r["open_cycles"]] == ["dna-rate#2", "dna-rate#3"]
    assert [(x["cycle"], x["source"]) for x in r["next_steps"]] == [
        ("dna-rate#1", "decision"), ("dna-rate#2", "open cycle"), ("dna-rate#3", "open cycle")]
    assert r["next_steps"][0]["text"] == "Adapt: All nurses"
    assert "planned for 2018-06-01" in r["next_steps"][2]["text"]
    assert r["missing"] == [
        "No data for 'wait' (Days to an appointment) yet — add some with 'qi data add "
        "dna-rate/wait DATE VALUE' or 'qi data import FILE --project dna-rate'"]


def test_a_project_with_nothing_says_what_is_missing(programme):
    r = project_report(programme, "flu")
    assert r["measures"] == [] and r["cycles_in_period"] == [] and r["open_cycles"] == []
    assert r["next_steps"] == []
    assert r["missing"] == [
        "No members listed for team 'west' — add them with 'qi member add NAME --role ROLE "
        "--team west'",
        "No measures yet — add one with 'qi measure add SLUG --project flu --name NAME "
        "--kind outcome'",
        "No PDSA cycles yet — plan one with 'qi cycle new flu TITLE'",
    ]
    text = markdown.project(r)
    assert "## Still missing" in text and "No measures yet" in text
    page = html.project(r)
    assert "Still missing" in page and "No PDSA cycles yet" in page


def test_json_content_is_plain_data(programme):
    import json

    r = project_report(programme)
    assert json.loads(json.dumps(r)) == r


def test_since_keeps_the_cycles_with_activity_and_counts_new_data(programme):
    r = project_report(programme, since=date(2018, 4, 20))
    assert r["period"]["since"] == "2018-04-20" and r["period"]["label"] == "since 2018-04-20"
    assert [c["ref"] for c in r["cycles_in_period"]] == ["dna-rate#2"]
    assert [c["ref"] for c in r["open_cycles"]] == ["dna-rate#2", "dna-rate#3"]
    dna = next(m for m in r["measures"] if m["slug"] == "dna")
    assert dna["new_points"] == 2  # 2018-04-23 and 2018-04-30
    assert dna["points"] == 18  # the analysis always uses all the data


def test_an_open_cycle_updated_in_the_period_is_active_a_complete_one_is_not(programme):
    # Everything was typed in today: the open cycles' last update (when their plan or Do
    # was written) is activity today; the complete cycle happened when its dates say.
    today = date.today()
    r = project_report(programme, since=today, today=today)
    assert [c["ref"] for c in r["cycles_in_period"]] == ["dna-rate#2", "dna-rate#3"]


def test_no_new_data_and_no_cycle_activity_are_missing(programme):
    r = project_report(programme, since=date(2018, 5, 1))
    assert r["cycles_in_period"] == []
    assert "No new data for 'dna' (DNA rate) since 2018-05-01; the latest is for 2018-04-30" \
        in r["missing"]
    assert "No PDSA cycle activity since 2018-05-01 (the project has 3 cycles)" in r["missing"]


def test_since_after_today_is_refused(programme):
    with pytest.raises(InvalidInput, match=r"--since 2018-05-11 is after today \(2018-05-10\)"):
        project_report(programme, since=date(2018, 5, 11))


def test_one_period_option_at_a_time(programme):
    with pytest.raises(InvalidInput, match="Give only one of --since and --since-last-meeting"):
        project_report(programme, since=date(2018, 4, 1), since_last_meeting=True)


def test_since_last_meeting_takes_the_latest_of_the_team_or_programme(programme):
    r = project_report(programme, since_last_meeting=True, today=date(2018, 5, 2))
    assert r["period"]["since"] == "2018-04-20"  # North's huddle; West's does not count
    assert r["period"]["previous_meeting"]["title"] == "North huddle"
    assert r["period"]["label"] == "since North huddle (2018-04-20)"
    assert [c["ref"] for c in r["cycles_in_period"]] == ["dna-rate#2"]
    # A meeting held today is the one the report is for, not the last one.
    r = project_report(programme, since_last_meeting=True, today=date(2018, 5, 3))
    assert r["period"]["previous_meeting"]["title"] == "North huddle"
    r = project_report(programme, since_last_meeting=True, today=date(2018, 5, 4))
    assert r["period"]["previous_meeting"]["title"] == "Learning session 2"


def test_since_last_meeting_without_a_meeting_says_how_to_add_one(programme):
    with pytest.raises(NotFound, match="qi meeting add DATE TITLE"):
        project_report(programme, since_last_meeting=True, today=date(2018, 2, 1))


def test_report_for_a_meeting_covers_the_time_since_the_meeting_before(programme):
    r = project_report(programme, meeting=meeting_id(programme, "Learning session 2"))
    assert (r["period"]["since"], r["period"]["until"]) == ("2018-03-01", "2018-05-03")
    assert r["period"]["meeting"]["title"] == "Learning session 2"
    assert [c["ref"] for c in r["cycles_in_period"]] == ["dna-rate#1", "dna-rate#2"]
    with pytest.raises(NotFound, match="No meeting 99"):
        project_report(programme, meeting=99)


# --- the programme ------------------------------------------------------------------------


def test_programme_sections_in_team_then_project_order_with_contents(programme):
    with programme() as s:
        teams.add(s, "Alpha", slug="alpha")
        projects.add(s, "zeta", title="Zeta", team="alpha", aim="Z")
        projects.add(s, "beta", title="Beta", team="alpha", aim="B")
    with programme(write=False) as s:
        r = report.programme_report(s, today=TODAY)
    assert r["title"] == "Programme report"
    assert [p["project"]["slug"] for p in r["projects"]] == ["beta", "zeta", "dna-rate", "flu"]
    assert [(g["team"], [p["slug"] for p in g["projects"]]) for g in r["contents"]] == [
        ("alpha", ["beta", "zeta"]), ("north", ["dna-rate"]), ("west", ["flu"])]
    dna = r["contents"][1]["projects"][0]
    assert (dna["measures"], dna["cycles_in_period"], dna["open_cycles"], dna["missing"]) == (
        3, 2, 2, 1)
    assert sum(dna["signals"].values()) == 2  # the two measures with data
    assert r["missing"] == []
    assert "old" not in [p["project"]["slug"] for p in r["projects"]]  # abandoned


def test_programme_for_a_meeting_is_titled_after_it(programme):
    with programme(write=False) as s:
        r = report.programme_report(s, meeting=meeting_id(programme, "Learning session 2"),
                                    today=TODAY)
        north = report.programme_report(s, meeting=meeting_id(programme, "North huddle"),
                                        today=TODAY)
    assert r["title"] == "Learning session 2"
    assert (r["period"]["since"], r["period"]["until"]) == ("2018-03-01", "2018-05-03")
    assert [p["project"]["slug"] for p in r["projects"]] == ["dna-rate", "flu"]
    # A team's meeting: that team's projects, since the meeting before it.
    assert north["title"] == "North huddle"
    assert [p["project"]["slug"] for p in north["projects"]] == ["dna-rate"]
    assert north["period"]["since"] == "2018-03-01"
    # the measures as they stood at the huddle: the data up to 2018-04-20
    dna = next(m for m in north["projects"][0]["measures"] if m["slug"] == "dna")
    assert dna["points"] == 16 and dna["latest"]["date"] == "2018-04-16"


def test_programme_since_last_meeting_uses_programme_meetings(programme):
    with programme(write=False) as s:
        r = report.programme_report(s, since_last_meeting=True, today=date(2018, 5, 2))
    assert r["period"]["previous_meeting"]["title"] == "Learning session 1"


def test_an_empty_programme_still_renders(session):
    with session(write=False) as s:
        built = report.build_programme(s, today=TODAY)
    assert built.content["projects"] == [] and built.views == {}
    assert built.content["missing"][0].startswith("No active projects yet")
    assert "No active projects yet" in markdown.programme(built.content)
    assert "No active projects yet" in html.programme(built.content)


# --- the measure views, read in bulk --------------------------------------------------------


def _comparable(v: measure_view.MeasureView) -> dict:
    fields = dict(v.__dict__)
    analysis = fields.pop("analysis")
    fields["analysis"] = None if analysis is None else to_dict(analysis)
    return fields


def test_bulk_views_are_the_views_of_measure_view(programme, tmp_path):
    waits = tmp_path / "waits.csv"
    waits.write_text("date,value\n" + "".join(f"{week(k)},{10 + k % 3}\n" for k in range(8)))
    with programme() as s:
        measures.edit(s, "dna-rate/calls", baseline_until=week(6))
        # imported points carry their file's name (a chart's source); added ones do not
        data_import.import_file(s, waits, project="dna-rate", layout=Layout(measure="wait"))
        data.add(s, "dna-rate/wait", week(8), value=12)
    with programme(write=False) as s:
        built = report.build_project(s, "dna-rate", today=TODAY)
        loaded = report.load(s, [projects.show(s, "dna-rate")])
        before = report.load(s, [projects.show(s, "dna-rate")], until=week(9))
        for ref in ("dna-rate/dna", "dna-rate/calls", "dna-rate/wait"):
            assert _comparable(loaded.views[ref]) == _comparable(measure_view.view(s, ref))
            # as the data stood on a date (a report for a meeting held then)
            assert _comparable(before.views[ref]) == _comparable(
                measure_view.view(s, ref, measure_view.ViewOptions(date_to=week(9),
                                                                   analyze_window=True)))
    assert list(built.views) == ["dna-rate/calls", "dna-rate/dna", "dna-rate/wait"]


def test_a_measure_that_cannot_be_analysed_does_not_stop_the_report(programme):
    with programme() as s:
        # qi refuses new xbar measures; one kept from an earlier release can still exist
        measures.add(s, "sizes", project="dna-rate", name="List sizes",
                     kind=MeasureKind.process)
        row, _ = measures.get_row(s, "dna-rate/sizes")
        row.chart = ChartType.xbar.value
        data.add(s, "dna-rate/sizes", week(0), value=3)
    r = project_report(programme)
    sizes = next(m for m in r["measures"] if m["slug"] == "sizes")
    assert sizes["latest"] is None and "needs several values per date" in sizes["problem"]
    assert any(x.startswith("'sizes' (List sizes) cannot be analysed") for x in r["missing"])


# --- the dashboard ------------------------------------------------------------------------


def test_dashboard(programme):
    with programme(write=False) as s:
        board = status.dashboard(s, today=date(2018, 6, 5))
    assert [p["slug"] for p in board["projects"]] == ["dna-rate", "flu"]
    dna_rate, flu = board["projects"]
    assert dna_rate["stage"] == {"stage": "plan", "cycle": "dna-rate#3",
                                 "text": "plan (dna-rate#3)"}
    assert dna_rate["cycles"] == {"total": 3, "open": 2, "complete": 1}
    assert [c["ref"] for c in dna_rate["in_progress"]] == ["dna-rate#2"]
    assert [(c["ref"], c["days"]) for c in dna_rate["overdue"]] == [
        ("dna-rate#2", 43), ("dna-rate#3", 4)]
    assert dna_rate["overdue"][0]["reason"] == (
        "started on 2018-04-23 (43 days ago) and not studied")
    dna = next(m for m in dna_rate["measures"] if m["slug"] == "dna")
    assert len(dna["recent"]) == 18 and len(dna["sparkline"]) == 18
    assert dna["latest"] == {"date": "2018-04-30", "value": 5.0}
    assert dna["signal"] and dna["percent"] is True
    assert flu["stage"]["text"] == "no cycles yet" and flu["measures"] == []
    assert board["totals"] == {"projects": 2, "measures": 3, "in_progress": 1, "overdue": 2}


@pytest.mark.parametrize(("values", "expected"), [
    ([], ""),
    ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),
    ([0, None, 10], "▁ █"),
    ([5, 5, 5], "▄▄▄"),
    ([None, None], "  "),
    ([-1.0, 0.0, 1.0], "▁▅█"),
])
def test_sparkline(values, expected):
    assert status.sparkline(values) == expected


def test_recent_points_leave_a_gap_for_a_missing_week(session):
    with session() as s:
        teams.add(s, "North", slug="north")
        projects.add(s, "p", title="P", team="north", aim="A")
        measures.add(s, "m", project="p", name="M", kind=MeasureKind.outcome)
        for k in list(range(25)) + [26]:  # week 25 is missing
            data.add(s, "p/m", week(k), value=k)
    with session(write=False) as s:
        m = status.dashboard(s)["projects"][0]["measures"][0]
    assert len(m["recent"]) == 20
    assert m["recent"][-2] is None and m["recent"][-1] == 26 and m["recent"][0] == 7
    assert m["sparkline"][-2] == " "


@pytest.mark.parametrize(("planned", "started", "studied", "overdue"), [
    (date(2018, 6, 4), None, False, "planned to start on 2018-06-04 (1 day ago) and not "
                                    "started"),
    (date(2018, 6, 5), None, False, None),  # today: not late yet
    (None, None, False, None),  # no date planned: nothing to be late for
    (None, date(2018, 5, 8), False, None),  # 28 days: not *more* than 28
    (None, date(2018, 5, 7), False, "started on 2018-05-07 (29 days ago) and not studied"),
    (None, date(2018, 1, 1), True, None),  # studied: a decision pending is not overdue
])
def test_the_overdue_rule(planned, started, studied, overdue):
    from qi import domain
    from qi.domain import Purpose, Stage

    stage = Stage.study if studied else Stage.do if started else Stage.plan
    c = domain.Cycle(
        id=1, project="p", number=1, ref="p#1", title="T", stage=stage, idea=None,
        idea_title=None, purpose=Purpose.test, objective=None, questions=None,
        predictions=None, plan=None, data_plan=None, measures=(), planned_start=planned,
        started_on=started, notes=None, problems=None, results="r" if studied else None,
        learning=None, decision=None, next_steps=None, completed_on=None, builds_on=None,
        logged_by=None)
    found = status.overdue(c, date(2018, 6, 5))
    assert (found["reason"] if found else None) == overdue


# --- the charts of a report -----------------------------------------------------------------


@pytest.mark.slow
def test_charts_drawn_in_worker_processes_are_the_ones_drawn_here(programme, monkeypatch):
    from contextlib import contextmanager

    from qi.reports import figures
    from qi.services import render

    with programme(write=False) as s:
        built = report.build_project(s, "dna-rate", today=TODAY)
    specs = figures.specs(built.views, generated=TODAY)
    steps = []

    @contextmanager
    def progress(total):
        steps.append(total)
        yield lambda: steps.append("chart")

    here = render.render_all(specs, "svg")
    monkeypatch.setattr(render, "_workers", lambda count: 2)
    forked = render.render_all(specs, "svg", progress=progress)
    assert list(forked) == list(here) == ["dna-rate/calls", "dna-rate/dna"]
    assert forked == here  # SVG output is deterministic
    assert steps == [2, "chart", "chart"]


def test_report_charts_have_no_caption_and_their_svg_words_are_text(programme):
    from qi import charts
    from qi.reports import figures
    from qi.services import render

    with programme(write=False) as s:
        built = report.build_project(s, "dna-rate", today=TODAY)
    specs = figures.specs(built.views, generated=TODAY)
    fig = charts.figure(specs["dna-rate/dna"])
    gids = {t.get_gid() for t in fig.texts}
    assert "title-1" in gids and not any(str(g).startswith("caption") for g in gids)
    svg = render.render_all(specs, "svg", text="text")["dna-rate/dna"].decode()
    assert "<text" in svg and "font-family: 'DejaVu Sans', 'Bitstream Vera Sans'" in svg
    assert svg.count("<text ") == svg.count('<text xml:space="preserve" ')  # double spaces
    outlines = render.render_all(specs, "svg")["dna-rate/dna"].decode()
    assert "<text" not in outlines and len(svg) < len(outlines) / 2


@pytest.mark.parametrize(("asked", "count", "expected"), [
    ("", 50, 2), ("1", 50, 1), ("2", 50, 2), ("8", 50, 2), ("2", 7, 1), ("", 7, 1),
    ("many", 50, 2)])
def test_chart_workers_one_per_core_for_large_batches(monkeypatch, asked, count, expected):
    from qi.services import render

    monkeypatch.setattr(render.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setattr(render.sys, "platform", "linux")
    monkeypatch.setenv("QI_CHART_WORKERS", asked)
    assert render._workers(count) == expected
