"""One view of a measure (qi.services.measure_view): the analysis with the recorded baseline
and phases, cycles and notes as marks, the target on the plotted scale, and the summary
that charts, reports and the dashboard share. On every backend."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from qi import domain
from qi.domain import ChartType, Direction, MeasureKind, Rules
from qi.errors import InvalidInput, NotFound
from qi.services import cycles, data, data_import, measures, notes, phases, projects, teams
from qi.services.measure_view import (
    Mark,
    ViewOptions,
    measures_of_programme,
    period_of,
    target_on_scale,
    view,
)

START = date(2018, 1, 1)
# 14 weeks around 8.5, then 16 weeks around 5: a long run below the baseline's centre.
DROP = [8.5, 8.8, 8.2, 7.6, 8.0, 7.5, 8.6, 9.8, 8.0, 7.9, 9.0, 8.9, 8.1, 8.4,
        5.6, 6.0, 4.6, 4.8, 5.6, 4.3, 4.8, 4.3, 5.8, 4.9, 6.2, 6.1, 5.0, 4.4, 5.2, 5.5]  # fmt: skip
NOISE = [5, 7, 4, 8, 6, 5, 7, 3, 6, 8, 4, 6, 7, 5, 6, 4, 8, 5, 7, 6]


def week(k: int) -> date:
    return START + timedelta(weeks=k)


@pytest.fixture
def project(session):
    with session() as s:
        teams.add(s, "North Barnet", slug="north")
        projects.add(s, "dna-rate", title="Reduce DNAs", team="north", aim="DNAs from 8% to 5%")
    return "dna-rate"


def add_measure(session, slug: str, values, *, chart=ChartType.run, direction=Direction.down,
                target=None, denominator=None, unit=None, project="dna-rate", start=START):
    with session() as s:
        measures.add(s, slug, project=project, name=slug.upper(), kind=MeasureKind.outcome,
                     chart=chart, direction=direction, target=target, unit=unit,
                     denominator=denominator)  # fmt: skip
        for k, v in enumerate(values):
            day = start + timedelta(weeks=k)
            if isinstance(v, tuple):
                data.add(s, slug if project == "dna-rate" else f"{project}/{slug}", day,
                         numerator=v[0], denominator=v[1])
            elif v is not None:
                data.add(s, slug if project == "dna-rate" else f"{project}/{slug}", day,
                         value=v)
    return slug


def cycle(session, title: str, *, on: date | None = None, planned: date | None = None,
          measures_=None) -> str:
    with session() as s:
        c = cycles.new(s, "dna-rate", title, planned_start=planned, measures=measures_)
        if on is not None:
            cycles.do(s, c.ref, on=on)
    return c.ref


def get(session, ref: str, **options):
    with session(write=False) as s:
        return view(s, ref, ViewOptions(**options))


def cl_values(a) -> list[float]:
    return [round(float(p.cl), 4) for p in a.parts]


# --- small pure helpers ------------------------------------------------------------------


@pytest.mark.parametrize(("dates", "expected"), [
    ([], None),
    ([date(2018, 1, 1)], None),
    ([date(2018, 1, 1), date(2018, 2, 1), date(2018, 4, 1)], "month"),
    ([date(2018, 1, 1), date(2018, 1, 8), date(2018, 1, 22)], "week"),  # a missing week
    ([date(2018, 1, 2), date(2018, 1, 9)], "week"),
    ([date(2018, 1, 1), date(2018, 1, 2), date(2018, 1, 9)], "day"),
    ([date(2018, 1, 1), date(2018, 1, 8), date(2018, 2, 1)], "day"),  # not all on the 1st
])  # fmt: skip
def test_period_of(dates, expected):
    assert period_of(dates) == expected


def measure(target, chart=ChartType.p, denominator=True, unit=None) -> domain.Measure:
    return domain.Measure(id=1, slug="m", project="p", name="M", kind=MeasureKind.outcome,
                          unit=unit, direction=Direction.down, target=target,
                          definition=None, chart=chart, denominator=denominator)


@pytest.mark.parametrize(("stored", "multiply", "chart", "shown"), [
    (0.05, 100, ChartType.p, 5.0),  # a proportion stored as a fraction
    (5, 100, ChartType.p, 5),  # ... or as a percentage: both are 5%
    (1, 100, ChartType.p, 100),  # 1 is a whole proportion: 100%
    (0.05, 100, ChartType.run, 5.0),  # a proportion on a run chart is still in percent
    (7, 1, ChartType.i, 7),  # not a proportion: as stored
    (0.5, 1, ChartType.u, 0.5),
    (0.05, 1, ChartType.c, None),  # counts of the numerator: the target does not apply
    (None, 100, ChartType.p, None),
])  # fmt: skip
def test_target_on_scale(stored, multiply, chart, shown):
    assert target_on_scale(measure(stored), multiply, chart) == pytest.approx(shown) \
        if shown is not None else target_on_scale(measure(stored), multiply, chart) is None


def test_p_chart_target_stored_either_way_shows_as_five_percent(session, project):
    rows = [(12, 150), (10, 140), (9, 150), (14, 160)]
    add_measure(session, "frac", rows, chart=ChartType.p, target=0.05)
    add_measure(session, "pct", rows, chart=ChartType.p, target=5)
    for ref in ("frac", "pct"):
        v = get(session, ref)
        assert (v.percent, v.multiply, v.target) == (True, 100.0, pytest.approx(5.0))
        assert v.analysis.y[0] == pytest.approx(8.0)  # 12 of 150, in percent


# --- chart type and rules ----------------------------------------------------------------


@pytest.mark.slow
def test_proportion_drawn_as_run_or_i_chart_stays_in_percent(session, project):
    add_measure(session, "dna", [(12, 150), (10, 140), (9, 150)], chart=ChartType.p, target=5)
    for chart in (ChartType.run, ChartType.i):
        v = get(session, "dna", chart=chart)
        assert (v.chart, v.percent, v.target) == (chart, True, 5)
        assert v.analysis.y[0] == pytest.approx(8.0)
    c = get(session, "dna", chart=ChartType.c)  # counts of DNAs
    assert (c.percent, c.target, list(c.analysis.y)) == (False, None, [12, 10, 9])


@pytest.mark.parametrize(("options", "message"), [
    ({"chart": ChartType.p}, "A p chart needs numerators and denominators"),
    ({"chart": ChartType.xbar}, "An xbar chart needs several values per date"),
    ({"rules": Rules.ihi, "chart": ChartType.i}, "are for run charts, not i charts"),
    ({"rules": Rules.mdc, "chart": ChartType.run}, "are for i charts, not run charts"),
])  # fmt: skip
@pytest.mark.slow
def test_impossible_chart_is_a_clear_error(session, project, options, message):
    add_measure(session, "waits", NOISE, chart=ChartType.i)
    with pytest.raises(InvalidInput, match=message):
        get(session, "waits", **options)


def test_t_chart_of_a_ratio_is_refused(session, project):
    add_measure(session, "dna", [(12, 150)], chart=ChartType.p)
    with pytest.raises(InvalidInput, match="numerator over a denominator"):
        get(session, "dna", chart=ChartType.t)


def test_rules_choose_their_chart_when_none_is_asked_for(session, project):
    add_measure(session, "dna", [(12, 150), (10, 140), (9, 150)], chart=ChartType.p)
    assert get(session, "dna", rules=Rules.ihi).chart == ChartType.run
    mdc = get(session, "dna", rules=Rules.mdc)
    assert (mdc.chart, mdc.analysis.rules, mdc.percent) == (ChartType.i, "mdc", True)


def test_bad_value_for_the_chart_names_the_date(session, project):
    add_measure(session, "temp", [3, -2, 4], chart=ChartType.i)
    with pytest.raises(InvalidInput, match=r"'dna-rate/temp' on 2018-01-08: the value -2 - "
                                           r"a c chart needs counts of 0 or more"):
        get(session, "temp", chart=ChartType.c)


def test_unknown_measure_is_not_found(session, project):
    with pytest.raises(NotFound):
        get(session, "nowhere")


# --- baseline and phases -----------------------------------------------------------------


def test_no_baseline_without_record_or_cycle(session, project):
    add_measure(session, "dna", DROP)
    v = get(session, "dna")
    assert (v.baseline_end, v.baseline_source, v.baseline_points) == (None, None, None)
    assert v.analysis.baseline.all()


def test_baseline_ends_the_day_before_the_first_cycle(session, project):
    add_measure(session, "dna", DROP)
    add_measure(session, "other", NOISE)
    cycle(session, "Unrelated", on=week(16), measures_=["other"])
    cycle(session, "SMS reminders", on=week(14), measures_=None)
    # a cycle linked to the measure wins over an earlier unlinked one
    cycle(session, "Linked", on=week(15), measures_=["dna"])
    v = get(session, "dna")
    assert (v.baseline_end, v.baseline_source, v.baseline_points) == (
        week(15) - timedelta(days=1), "first cycle", 15)
    assert int(v.analysis.baseline.sum()) == 15
    # without linked cycles, any started cycle of the project counts
    w = get(session, "other")
    assert (w.baseline_end, w.baseline_points) == (week(16) - timedelta(days=1), 16)


def test_planned_cycles_do_not_end_the_baseline(session, project):
    add_measure(session, "dna", DROP)
    cycle(session, "Not yet", planned=week(10), measures_=["dna"])
    assert get(session, "dna").baseline_source is None


def test_recorded_baseline_wins_over_the_first_cycle_and_options_win_over_both(
        session, project):
    add_measure(session, "dna", DROP)
    cycle(session, "SMS reminders", on=week(14), measures_=["dna"])
    with session() as s:
        measures.edit(s, "dna", baseline_until=week(11))
    recorded = get(session, "dna")
    assert (recorded.baseline_source, recorded.baseline_points) == ("recorded", 12)
    assert cl_values(recorded.analysis) == [pytest.approx(float(np.median(DROP[:12])))]
    option = get(session, "dna", freeze_until=week(5))
    assert (option.baseline_source, option.baseline_points) == ("option", 6)
    free = get(session, "dna", no_freeze=True)
    assert (free.baseline_end, free.baseline_points) == (None, None)
    assert cl_values(free.analysis) == [pytest.approx(float(np.median(DROP)))]


def test_a_baseline_with_nothing_after_it_is_not_frozen(session, project):
    add_measure(session, "dna", DROP)
    v = get(session, "dna", freeze_until=date(2030, 1, 1))
    assert (v.baseline_end, v.baseline_points) == (date(2030, 1, 1), None)
    assert get(session, "dna", freeze_until=START).baseline_points is None  # 1 point only


def test_recorded_phases_become_parts_and_options_replace_them(session, project):
    add_measure(session, "dna", DROP)
    with session() as s:
        phases.rebase(s, "dna", at=week(14), reason="SMS reminders")
    v = get(session, "dna")
    assert v.phase_starts == (week(14),)
    assert [(p.start, p.end) for p in v.analysis.parts] == [(1, 14), (15, 30)]
    assert cl_values(v.analysis) == [pytest.approx(float(np.median(DROP[:14]))),
                                     pytest.approx(float(np.median(DROP[14:])))]
    moved = get(session, "dna", rebase_at=(week(20), week(10), week(20)))
    assert moved.phase_starts == (week(10), week(20))
    assert [(p.start, p.end) for p in moved.analysis.parts] == [(1, 10), (11, 20), (21, 30)]
    assert len(get(session, "dna", rebase_at=()).analysis.parts) == 1


def test_a_phase_starting_between_points_begins_at_the_next_point(session, project):
    add_measure(session, "dna", DROP)
    v = get(session, "dna", rebase_at=(week(14) - timedelta(days=3),))
    assert [(p.start, p.end) for p in v.analysis.parts] == [(1, 14), (15, 30)]
    # phases before the first point or after the last split nothing
    assert len(get(session, "dna", rebase_at=(date(2010, 1, 1), date(2030, 1, 1)))
               .analysis.parts) == 1


# --- marks -------------------------------------------------------------------------------


def test_cycles_by_do_date_planned_only_when_asked_and_notes_numbered(session, project):
    add_measure(session, "dna", DROP)
    cycle(session, "SMS reminders", on=week(14))
    cycle(session, "Phone calls", planned=week(20))
    cycle(session, "No date at all")
    with session() as s:
        notes.add(s, "dna", week(22), "Practice closed")
        notes.add(s, "dna", week(3), "Flu clinic week")
    v = get(session, "dna")
    assert v.marks == (
        Mark(week(3), "N1", "Flu clinic week", "note"),
        Mark(week(14), "dna-rate#1", "SMS reminders", "cycle"),
        Mark(week(22), "N2", "Practice closed", "note"),
    )
    planned = get(session, "dna", planned=True)
    assert Mark(week(20), "dna-rate#2", "Phone calls (planned)", "cycle") in planned.marks
    assert len(planned.marks) == 4
    assert get(session, "dna", annotations=False).marks == ()


def test_from_and_to_are_a_window_of_the_whole_analysis(session, project):
    """Zooming shows part of the picture without changing its numbers."""
    add_measure(session, "dna", DROP)
    cycle(session, "Early", on=week(2))
    cycle(session, "Middle", on=week(14))
    cycle(session, "Late", on=week(28))
    with session() as s:
        notes.add(s, "dna", week(1), "Before the window")
    whole = get(session, "dna")
    v = get(session, "dna", date_from=week(10), date_to=week(20))
    assert len(v.analysis) == len(whole.analysis) == 30
    np.testing.assert_array_equal(v.analysis.cl, whole.analysis.cl)
    assert [s.text for s in v.analysis.signals] == [s.text for s in whole.analysis.signals]
    assert v.window == (week(10), week(20))
    assert v.summary["verdict"] == whole.summary["verdict"]
    assert v.summary["points"] == 11 and v.summary["latest_date"] == str(week(20))
    # the note keeps its number (N1 is N1 on every chart), but lies outside the window
    assert [m.label for m in v.marks] == ["dna-rate#2"]
    assert v.measure_points == 30
    # the first cycle (week 2) ends the baseline, as on the whole chart
    assert (v.baseline_end, v.baseline_points) == (whole.baseline_end, whole.baseline_points)


def test_analyze_window_analyses_only_the_points_in_it(session, project):
    add_measure(session, "dna", DROP)
    cycle(session, "Early", on=week(2))
    v = get(session, "dna", date_from=week(10), date_to=week(20), analyze_window=True)
    assert str(v.analysis.x[0]) == str(week(10)) and len(v.analysis) == 11
    assert v.window is None
    # the first cycle (week 2) still ends the baseline, which lies before the window
    assert (v.baseline_end, v.baseline_points) == (week(2) - timedelta(days=1), None)


def test_a_short_baseline_makes_the_verdict_provisional(session, project):
    """spc-reference.md: limits from at least 12 points, runs rules from 10 useful ones."""
    add_measure(session, "dna", DROP)
    cycle(session, "Early", on=week(4))  # the baseline ends after 4 points
    v = get(session, "dna", chart=ChartType.i)
    assert v.baseline_points == 4
    assert v.summary["provisional"] == "baseline of 4 points; limits need 12"
    assert "(provisional: baseline of 4 points; limits need 12)" in v.summary["verdict"]
    long = get(session, "dna", chart=ChartType.i, no_freeze=True)
    assert long.summary["provisional"] is None
    assert "provisional" not in long.summary["verdict"]


def test_no_data_in_the_window_gives_a_view_without_analysis(session, project):
    add_measure(session, "dna", DROP)
    v = get(session, "dna", date_from=date(2030, 1, 1))
    assert (v.has_data, v.measure_points, v.summary["verdict"]) == (False, 30, "no data yet")


def test_sources_name_the_imported_files_and_count_points_added_by_hand(session, project,
                                                                       tmp_path):
    add_measure(session, "dna", [1, 2])
    path = tmp_path / "emis.csv"
    path.write_text("date,measure,value\n2018-03-05,dna,3\n2018-03-12,dna,4\n")
    with session() as s:
        data_import.import_file(s, path, project="dna-rate")
    v = get(session, "dna")
    assert (v.sources, v.hand_entered) == (("emis.csv",), 2)


# --- summary -----------------------------------------------------------------------------


def test_summary_of_no_data(session, project):
    add_measure(session, "dna", [])
    v = get(session, "dna")
    assert v.analysis is None and not v.has_data
    assert v.summary == {**v.summary, "points": 0, "verdict": "no data yet",
                         "direction": "none", "signals": []}


def test_summary_improvement_when_a_falling_measure_falls(session, project):
    add_measure(session, "dna", DROP, direction=Direction.down)
    cycle(session, "SMS reminders", on=week(14), measures_=["dna"])
    summary = get(session, "dna").summary
    assert summary["direction"] == "improvement"
    assert summary["verdict"] == "signals of improvement"
    assert summary["points"] == 30 and summary["latest"] == pytest.approx(5.5)
    assert summary["latest_date"] == str(week(29))
    assert summary["baseline_centre"] == pytest.approx(float(np.median(DROP[:14])))
    # the current centre is that of the points since the baseline, not the extended line
    assert summary["current_centre"] == pytest.approx(float(np.median(DROP[14:])))
    assert summary["runs_signal"] is True and summary["signals"]


def test_summary_concern_when_a_rising_measure_falls(session, project):
    add_measure(session, "dna", DROP, direction=Direction.up)
    cycle(session, "SMS reminders", on=week(14), measures_=["dna"])
    assert get(session, "dna").summary["direction"] == "concern"
    add_measure(session, "either", DROP, direction=Direction.neither)
    assert get(session, "either").summary["direction"] == "change"


def test_summary_random_and_too_few(session, project):
    add_measure(session, "noise", NOISE)
    assert get(session, "noise").summary["verdict"] == "random variation only: no signal of change"
    add_measure(session, "short", NOISE[:5])
    assert get(session, "short").summary["verdict"] == "too few points to judge"
    # all-equal values lie on the median: nothing for the runs rules to judge
    add_measure(session, "flat", [3] * 15)
    assert get(session, "flat").summary["direction"] == "none"


def test_summary_of_phases_without_signals_compares_their_centres(session, project):
    values = NOISE + [v - 3 for v in NOISE]
    add_measure(session, "waits", values, chart=ChartType.i, direction=Direction.down)
    with session() as s:
        phases.rebase(s, "waits", at=week(20), reason="New booking system")
    summary = get(session, "waits").summary
    assert summary["signals"] == [] and summary["parts"] == 2
    assert summary["direction"] == "improvement"
    assert summary["verdict"].startswith("improved: the latest phase's centre line")
    assert summary["current_centre"] == pytest.approx(float(np.mean(values[20:])))


def test_summary_mdc_uses_the_latest_special_cause(session, project):
    add_measure(session, "dna", DROP, chart=ChartType.i, direction=Direction.down, target=5)
    cycle(session, "SMS reminders", on=week(14), measures_=["dna"])
    v = get(session, "dna", rules=Rules.mdc)
    assert v.analysis.target == 5  # the assurance uses the target on the plotted scale
    assert v.summary["direction"] == "improvement"


# --- a programme -------------------------------------------------------------------------


def test_measures_of_programme_are_those_of_active_projects_by_team(session, project):
    with session() as s:
        teams.add(s, "Alpha Practice", slug="alpha")
        projects.add(s, "asthma", title="Asthma reviews", team="alpha", aim="All reviewed")
        projects.add(s, "closed", title="Old", team="alpha", aim="Done")
        projects.close(s, "closed")
    add_measure(session, "dna", [1])
    add_measure(session, "reviews", [1], project="asthma")
    add_measure(session, "old", [1], project="closed")
    with session(write=False) as s:
        pairs = measures_of_programme(s)
    assert [(p.team, p.slug, m.slug) for p, m in pairs] == [
        ("alpha", "asthma", "reviews"), ("north", "dna-rate", "dna")]
