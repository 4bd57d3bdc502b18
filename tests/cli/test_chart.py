"""`qi chart`: the files written (PNG, SVG, PDF), where, when they are refused, the batch
layout, JSON, errors; and the Figure a measure's record gives (annotations at the cycles'
Do dates, notes, phases), inspected by artist gid rather than by pixels. Every backend."""

from __future__ import annotations

import importlib
import io
import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from matplotlib import dates as mdates
from PIL import Image

from qi import charts
from qi.services.measure_view import ViewOptions, view

# Small and vector where the test is about files, not looks: drawing stays fast.
SMALL = ["--width", "4", "--height", "2.25", "--dpi", "40"]
START = date(2018, 1, 1)
# 14 weeks around 8.5%, then 16 weeks around 5%: a long run below the baseline.
RATES = [8.5, 8.8, 8.2, 7.6, 8.0, 7.5, 8.6, 9.8, 8.0, 7.9, 9.0, 8.9, 8.1, 8.4,
         5.6, 6.0, 4.6, 4.8, 5.6, 4.3, 4.8, 4.3, 5.8, 4.9, 6.2, 6.1, 5.0, 4.4, 5.2, 5.5]
SVG_NS = "{http://www.w3.org/2000/svg}"
# `qi.cli.chart` the attribute is the command; the module is needed here
chart_cli = importlib.import_module("qi.cli.chart")


def week(k: int) -> date:
    return START + timedelta(weeks=k)


@pytest.fixture
def programme(qi, tmp_path):
    """Team north, project dna-rate: 'dna' (p chart, 30 weeks, target 5%), 'calls' (run,
    12 weeks), 'empty' (no data); two cycles started, one planned, a note."""
    qi("team add North", ok=True)
    qi(["project", "add", "dna-rate", "--title", "Reduce nurse DNAs", "--team", "north",
        "--aim", "Reduce DNAs from 8% to 5% by September 2018"], ok=True)
    qi(["measure", "add", "dna", "--project", "dna-rate", "--name", "DNA rate", "--kind",
        "outcome", "--chart", "p", "--direction", "down", "--target", "0.05"], ok=True)
    qi("measure add calls --project dna-rate --name Calls --kind balancing", ok=True)
    qi("measure add empty --project dna-rate --name Empty --kind process", ok=True)
    rows = ["date,measure,value,numerator,denominator"]
    rows += [f"{week(k)},dna,,{round(r * 2)},200" for k, r in enumerate(RATES)]
    rows += [f"{week(k)},calls,{60 + (k * 7) % 11},," for k in range(12)]
    (tmp_path / "emis.csv").write_text("\n".join(rows) + "\n")
    qi(["data", "import", str(tmp_path / "emis.csv"), "--project", "dna-rate"], ok=True)
    qi("cycle new dna-rate 'SMS reminders' --measure dna --no-edit", ok=True)
    qi(f"cycle do dna-rate#1 --on {week(14)}", ok=True)
    qi("cycle new dna-rate 'Call frequent non-attenders' --no-edit", ok=True)
    qi(f"cycle do dna-rate#2 --on {week(20) + timedelta(days=2)}", ok=True)
    qi(f"cycle new dna-rate 'Online cancelling' --planned-start {week(25)} --no-edit", ok=True)
    qi(f"note add dna {week(23)} 'Practice closed for refurbishment'", ok=True)
    return "dna-rate"


def is_png(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data)).size


def is_svg(path: Path) -> ET.Element:
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{SVG_NS}svg"
    return root


def is_pdf(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


# --- one chart: files --------------------------------------------------------------------


@pytest.mark.slow
def test_default_is_a_slide_sized_png_named_after_the_measure(qi, programme, tmp_path):
    r = qi("chart dna")
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr == "Wrote dna.png: DNA rate, 30 points; signals of improvement\n"
    assert is_png(tmp_path / "dna.png") == (2000, 1125)  # 16:9 at 150 dpi


@pytest.mark.slow
def test_size_and_dpi(qi, programme, tmp_path):
    qi(["chart", "dna", "-o", "small.png", "--width", "4", "--height", "3", "--dpi", "50"],
       ok=True)
    assert is_png(tmp_path / "small.png") == (200, 150)


@pytest.mark.slow
def test_format_from_the_extension_or_the_option_and_folders_created(qi, programme, tmp_path):
    qi(["chart", "dna", "-o", "slides/week 12/dna.svg", *SMALL], ok=True)
    root = is_svg(tmp_path / "slides" / "week 12" / "dna.svg")
    assert root.find(f".//{SVG_NS}g[@id='title-1']") is not None  # gids become ids
    qi(["chart", "dna", "-o", "report.PDF", *SMALL], ok=True)
    is_pdf(tmp_path / "report.PDF")
    qi(["chart", "calls", "--format", "svg", *SMALL], ok=True)
    is_svg(tmp_path / "calls.svg")
    qi(["chart", "calls", "--format", "pdf", "-o", "no-extension", *SMALL], ok=True)
    is_pdf(tmp_path / "no-extension")


@pytest.mark.slow
def test_output_folder_gets_the_default_file_name(qi, programme, tmp_path):
    (tmp_path / "charts").mkdir()
    r = qi(["chart", "dna", "-o", "charts", "--format", "svg", *SMALL], ok=True)
    assert r.stderr.startswith("Wrote charts/dna.svg: ")
    is_svg(tmp_path / "charts" / "dna.svg")
    qi(["chart", "calls", "-o", "new/", *SMALL], ok=True)
    is_png(tmp_path / "new" / "calls.png")


@pytest.mark.slow
def test_measure_with_project_option_and_project_slash_slug(qi, programme, tmp_path):
    qi(["chart", "dna", "--project", "dna-rate", "-o", "a.svg", *SMALL], ok=True)
    qi(["chart", "dna-rate/dna", "-o", "b.svg", *SMALL], ok=True)
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


@pytest.mark.slow
def test_same_data_gives_identical_svg(qi, programme, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    qi(["chart", "dna", "-o", "one.svg", *SMALL], ok=True)
    qi(["chart", "dna", "-o", "two.svg", *SMALL], ok=True)
    assert (tmp_path / "one.svg").read_bytes() == (tmp_path / "two.svg").read_bytes()


@pytest.mark.slow
def test_existing_file_is_kept_unless_force(qi, programme, tmp_path):
    target = tmp_path / "dna.svg"
    target.write_text("my own slide")
    r = qi(["chart", "dna", "-o", "dna.svg", *SMALL])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == ("Error: 'dna.svg' already exists. Use --force to replace it, or -o to "
                        "write elsewhere.\n")
    assert target.read_text() == "my own slide"
    qi(["chart", "dna", "-o", "dna.svg", "--force", *SMALL], ok=True)
    is_svg(target)


@pytest.mark.slow
def test_an_existing_folder_named_like_the_file_is_refused(qi, programme, tmp_path):
    (tmp_path / "charts" / "dna.png").mkdir(parents=True)
    r = qi(["chart", "dna", "-o", "charts", "--force", *SMALL])
    assert r.exit_code == 1
    assert "'charts/dna.png' is a folder" in r.stderr


@pytest.mark.slow
def test_json_lists_what_was_written(qi, programme, tmp_path):
    r = qi(["chart", "dna", "-o", "dna.svg", "--json", *SMALL])
    assert (r.exit_code, r.stderr) == (0, "")
    [record] = json.loads(r.stdout)
    assert set(record.pop("layout")) == {"width", "height", "plot", "texts", "leaders"}
    assert record == {
        "measure": "dna-rate/dna", "name": "DNA rate", "file": "dna.svg", "format": "svg",
        "chart": "p", "rules": "anhoej", "points": 30, "signals": record["signals"],
        "verdict": "signals of improvement", "direction": "improvement",
    }
    assert any("in a row below the centre line" in s for s in record["signals"])


@pytest.mark.slow
def test_json_layout_is_in_pixels_of_the_written_image_and_holds(qi, programme, tmp_path):
    r = qi(["chart", "dna", "-o", "dna.png", "--json", "--planned"])
    assert r.exit_code == 0
    [record] = json.loads(r.stdout)
    lay = record["layout"]
    assert (lay["width"], lay["height"]) == is_png(tmp_path / "dna.png") == (2000, 1125)
    assert charts.boxes.problems(lay) == []
    roles = {t["role"] for t in lay["texts"]}
    assert {"title", "subtitle", "ylabel", "xtick", "ytick", "edge-value", "annotation",
            "legend", "key", "caption"} <= roles  # fmt: skip
    x0, y0, x1, y1 = lay["plot"]
    assert 0 < x0 < x1 < 2000 and 0 < y0 < y1 < 1125 and y1 - y0 >= 0.45 * 1125
    title = next(t for t in lay["texts"] if t["role"] == "title")
    assert title["text"] == "DNA rate" and title["box"][1] < y0  # above the plot
    # every label of a cycle or note has a leader down to the top of the plot
    labels = [t for t in lay["texts"] if t["role"] == "annotation"]
    assert {t["text"] for t in labels} >= {"#1", "#2"}
    assert all(any(abs(seg[3] - y0) < 1 for seg in lay["leaders"]) for _ in labels)


@pytest.mark.slow
def test_analyse_window_needs_a_window(qi, programme):
    r = qi(["chart", "dna", "--analyse-window", *SMALL])
    assert r.exit_code == 2 and "--analyse-window needs --from or --to" in r.stderr


@pytest.mark.slow
def test_freeze_that_freezes_nothing_is_explained(qi, programme):
    r = qi(["chart", "dna", "--freeze", "2030-01-01", "--format", "svg", *SMALL])
    assert r.exit_code == 0
    assert r.stderr.startswith("Note: --freeze 2030-01-01 leaves fewer than 2 points before it")


# --- one chart: errors -------------------------------------------------------------------


@pytest.mark.slow
def test_unknown_measure(qi, programme):
    r = qi("chart nowhere")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.startswith("Error: No measure 'nowhere'")


@pytest.mark.slow
def test_measure_without_data_is_an_error_that_says_how_to_add_some(qi, programme, tmp_path):
    r = qi("chart empty")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == ("Error: 'dna-rate/empty' has no data to chart yet. Add some with 'qi "
                        "data add dna-rate/empty DATE VALUE' or 'qi data import FILE --project "
                        "dna-rate'.\n")
    assert not (tmp_path / "empty.png").exists()
    r = qi(["chart", "dna", "--from", "2030-01-01"])
    assert r.exit_code == 1
    assert "has no data in the period asked for (30 points outside it)" in r.stderr


@pytest.mark.slow
def test_chart_type_the_data_cannot_give(qi, programme):
    r = qi("chart calls --type p")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == ("Error: A p chart needs numerators and denominators, and "
                        "'dna-rate/calls' has single values. Choose --type run, i or c.\n")


@pytest.mark.parametrize(("args", "option", "message"), [
    (["dna", "--from", "31/02/2018"], "--from", "is not a real date"),
    (["dna", "--to", "soon"], "--to", "Cannot read the --to 'soon'"),
    (["dna", "--from", "2018-05-01", "--to", "2018-04-01"], "--from", "is after --to"),
    (["dna", "--rebase-at", "2018-13-01"], "--rebase-at", "not a real date"),
    (["dna", "--freeze", "2018-03-01", "--no-freeze"], "--freeze", "not both"),
    (["dna", "--all"], "--all", "give a MEASURE or --all, not both"),
    (["dna", "--programme"], "--programme", "not both"),
    (["--all"], "--all", "--project P --all"),
    (["--programme", "--project", "dna-rate"], "--programme", "leave out"),
    ([], "MEASURE", "give a MEASURE, or --project P --all, or --programme"),
    (["--project", "dna-rate"], "MEASURE", "add --all to chart every measure of 'dna-rate'"),
    (["dna", "--rules", "ihi", "--type", "i"], "--rules", "ihi rules are for run charts"),
    (["dna", "-o", "dna.png", "--format", "svg"], "--output", "ends in .png but --format"),
    (["dna", "-o", "dna.jpeg"], "--output", "cannot tell the format"),
    (["--project", "dna-rate", "--all", "-o", "x.png"], "--output", "names a folder"),
    (["dna", "--width", "1"], "--width", "greater than or equal to 2"),
    (["dna", "--type", "bar"], "--type", "bar"),
])  # fmt: skip
@pytest.mark.slow
def test_bad_options_exit_2(qi, programme, tmp_path, args, option, message):
    r = qi(["chart", *args])
    assert (r.exit_code, r.stdout) == (2, "")
    assert option in r.stderr and message in r.stderr
    assert "Traceback" not in r.stderr
    assert not list(tmp_path.glob("*.png")) and not list(tmp_path.glob("*.svg"))


# --- batches -----------------------------------------------------------------------------


@pytest.mark.slow
def test_all_writes_one_file_per_measure_and_skips_those_without_data(qi, programme,
                                                                      tmp_path):
    r = qi(["chart", "--project", "dna-rate", "--all", "-o", "out", "--format", "svg", *SMALL])
    assert (r.exit_code, r.stdout) == (0, "")
    assert r.stderr.splitlines() == [
        "Skipped dna-rate/empty: no data yet",
        "Wrote out/calls.svg: Calls, 12 points; random variation only: no signal of change",
        "Wrote out/dna.svg: DNA rate, 30 points; signals of improvement",
        "Wrote 2 charts in 'out'",
    ]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["calls.svg", "dna.svg"]
    for path in (tmp_path / "out").iterdir():
        is_svg(path)


@pytest.mark.slow
def test_all_defaults_to_png_in_the_current_folder(qi, programme, tmp_path):
    qi(["chart", "--project", "dna-rate", "--all", *SMALL], ok=True)
    assert is_png(tmp_path / "calls.png") == (160, 90)
    is_png(tmp_path / "dna.png")


@pytest.mark.slow
def test_batch_json(qi, programme):
    r = qi(["chart", "--project", "dna-rate", "--all", "-o", "out", "--format", "svg",
            "--json", *SMALL])
    assert r.exit_code == 0
    assert r.stderr == "Skipped dna-rate/empty: no data yet\n"
    assert [(c["measure"], c["file"], c["points"]) for c in json.loads(r.stdout)] == [
        ("dna-rate/calls", "out/calls.svg", 12), ("dna-rate/dna", "out/dna.svg", 30)]


@pytest.mark.slow
def test_batch_is_refused_whole_when_any_file_exists(qi, programme, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "dna.svg").write_text("keep me")
    r = qi(["chart", "--project", "dna-rate", "--all", "-o", "out", "--format", "svg", *SMALL])
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.splitlines()[-1] == (
        "Error: 'out/dna.svg' already exists. Use --force to replace it, or -o to write "
        "elsewhere.")
    assert sorted(p.name for p in out.iterdir()) == ["dna.svg"]  # calls.svg not written
    (out / "calls.svg").write_text("and me")
    r = qi(["chart", "--project", "dna-rate", "--all", "-o", "out", "--format", "svg", *SMALL])
    assert r.stderr.splitlines()[-1] == (
        "Error: 2 of the 2 files already exist: 'out/calls.svg', 'out/dna.svg'. Nothing was "
        "written. Use --force to replace them, or -o to write elsewhere.")
    assert (out / "dna.svg").read_text() == "keep me"
    qi(["chart", "--project", "dna-rate", "--all", "-o", "out", "--format", "svg", "--force",
        *SMALL], ok=True)
    is_svg(out / "dna.svg")
    is_svg(out / "calls.svg")


@pytest.mark.slow
def test_programme_groups_files_by_team_and_project_and_leaves_out_closed_projects(
        qi, programme, tmp_path):
    qi("team add 'South Practice' --slug south", ok=True)
    qi("project add asthma --title Asthma --team south --aim 'Review every asthmatic'", ok=True)
    qi("measure add reviews --project asthma --name Reviews --kind process", ok=True)
    qi("data add reviews 2018-01-01 5", ok=True)
    qi("data add reviews 2018-02-01 7", ok=True)
    qi("project add old --title Old --team south --aim Done", ok=True)
    qi("measure add gone --project old --name Gone --kind process", ok=True)
    qi("data add gone 2018-01-01 5", ok=True)
    qi("project close old", ok=True)
    r = qi(["chart", "--programme", "-o", "pack", "--format", "svg", *SMALL])
    assert r.exit_code == 0
    written = sorted(str(p.relative_to(tmp_path / "pack")) for p in
                     (tmp_path / "pack").rglob("*.svg"))
    assert written == ["north/dna-rate/calls.svg", "north/dna-rate/dna.svg",
                       "south/asthma/reviews.svg"]
    assert "Skipped dna-rate/empty: no data yet" in r.stderr
    assert r.stderr.splitlines()[-1] == "Wrote 3 charts in 'pack'"


def test_batch_where_nothing_can_be_drawn_is_an_error(qi, programme):
    qi("project add quiet --title Quiet --team north --aim Nothing", ok=True)
    qi("measure add a --project quiet --name A --kind process", ok=True)
    qi("measure add b --project quiet --name B --kind process --chart i", ok=True)
    qi("data add b 2018-01-01 -- -3", ok=True)
    r = qi("chart --project quiet --all --type c")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr.splitlines() == [
        "Skipped quiet/a: no data yet",
        "Skipped quiet/b: 'quiet/b' on 2018-01-01: the value -3 - a c chart needs counts of 0 "
        "or more. Correct it with 'qi data add quiet/b 2018-01-01 ... --replace', or choose "
        "another --type",
        "Error: No chart was written: none of the 2 measures has data to draw (see above).",
    ]
    r = qi("chart --project nowhere --all")
    assert r.exit_code == 1 and r.stderr.startswith("Error: No project 'nowhere'")
    qi("project add bare --title Bare --team north --aim Nothing", ok=True)
    r = qi("chart --project bare --all")
    assert r.stderr == ("Error: Project 'bare' has no measures yet. Add one with 'qi measure "
                        "add SLUG --project bare ...'.\n")


@pytest.mark.slow
def test_batches_drawn_in_worker_processes_give_the_same_files(qi, programme, tmp_path,
                                                                     monkeypatch):
    from qi.services import render

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    args = ["chart", "--project", "dna-rate", "--all", "--format", "svg", *SMALL]
    qi([*args, "-o", "here"], ok=True)
    monkeypatch.setattr(render, "PARALLEL_MIN", 2)
    monkeypatch.setattr(render.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    monkeypatch.setenv("QI_CHART_WORKERS", "2")
    forked = []
    real_workers = render._workers

    def spy(count):
        forked.append(real_workers(count))
        return forked[-1]

    monkeypatch.setattr(render, "_workers", spy)
    r = qi([*args, "-o", "forked"], ok=True)
    assert r.stderr.splitlines()[-1] == "Wrote 2 charts in 'forked'"
    assert forked == [2]
    for name in ("calls.svg", "dna.svg"):
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    qi("data list dna", ok=True)  # the database still answers after the fork


# --- what the chart shows ----------------------------------------------------------------


def figure_of(session, ref: str, **options):
    with session(write=False) as s:
        v = view(s, ref, ViewOptions(**options))
    return charts.figure(charts.spec_from_view(v, generated=date(2026, 1, 5)))


def by_gid(fig, gid: str) -> list:
    found = []
    for artist in fig.findobj(lambda a: a.get_gid() == gid):
        if artist not in found:
            found.append(artist)
    return found


def xs(fig, kind: str) -> list[float]:
    """The dates (as matplotlib numbers) of the lines through the plot of one kind
    ("cycle" or "note"): one line per mark not grouped with others close to it."""
    return sorted(seg[0][0] for lc in by_gid(fig, f"{kind}-line") for seg in lc.get_segments())


def dnum(day: date) -> float:
    return float(mdates.date2num(day))


def text(fig, prefix: str) -> str:
    return " ".join(t.get_text() for t in fig.texts if (t.get_gid() or "").startswith(prefix))


def test_cycles_are_marked_at_their_do_dates_and_planned_ones_only_when_asked(
        qi, programme, session):
    fig = figure_of(session, "dna")
    assert xs(fig, "cycle") == [dnum(week(14)), dnum(week(20) + timedelta(days=2))]
    planned = figure_of(session, "dna", planned=True)
    assert xs(planned, "cycle") == [dnum(week(14)), dnum(week(20) + timedelta(days=2)),
                                     dnum(week(25))]
    assert "Online cancelling (planned)" in text(planned, "key")
    assert "Online cancelling" not in text(fig, "key")


@pytest.mark.slow
def test_notes_are_drawn_and_annotations_can_be_left_out(qi, programme, session):
    fig = figure_of(session, "dna")
    assert xs(fig, "note") == [dnum(week(23))]
    assert "N1" in [t.get_text() for t in fig.texts]
    assert "Practice closed for refurbishment" in text(fig, "key")
    bare = figure_of(session, "dna", annotations=False)
    assert by_gid(bare, "cycle-line") == by_gid(bare, "note-line") == []
    assert text(bare, "key") == ""


def test_baseline_ends_before_the_first_cycle(qi, programme, session):
    fig = figure_of(session, "dna")
    (freeze,) = by_gid(fig, "freeze")
    # where the baseline ends: the day before the first cycle, so before its line
    at = freeze.get_segments()[0][0][0]
    assert at == pytest.approx(dnum(week(14)) - 0.5) and at < min(xs(fig, "cycle"))
    assert by_gid(fig, "centre-1-extended")
    assert "from the first 14 points, extended" in text(fig, "caption")


@pytest.mark.slow
def test_recorded_phases_give_a_centre_line_each_and_rebase_at_overrides_them(
        qi, programme, session):
    qi("measure rebase dna --at dna-rate#1 --reason 'SMS reminders worked'", ok=True)
    fig = figure_of(session, "dna")
    assert by_gid(fig, "centre-1-baseline") and by_gid(fig, "centre-2-baseline")
    assert not by_gid(fig, "centre-3-baseline")
    (phases,) = by_gid(fig, "phases")
    assert phases.get_segments()[0][0][0] == pytest.approx(
        (dnum(week(13)) + dnum(week(14))) / 2)
    three = figure_of(session, "dna", rebase_at=(week(10), week(20)))
    assert by_gid(three, "centre-3-baseline")
    one = figure_of(session, "dna", rebase_at=())
    assert by_gid(one, "centre-1-baseline") and not by_gid(one, "centre-2-baseline")


@pytest.mark.slow
def test_titles_target_and_caption(qi, programme, session):
    fig = figure_of(session, "dna")
    assert text(fig, "title") == "DNA rate"
    assert text(fig, "subtitle") == ("Reduce nurse DNAs · North · Aim: Reduce DNAs from 8% "
                                     "to 5% by September 2018")
    (target,) = by_gid(fig, "target")
    assert list(target.get_ydata()) == [5.0, 5.0]  # stored as 0.05, drawn as 5%
    caption = text(fig, "caption")
    assert caption.startswith("30 points from 1 Jan 2018 to 23 Jul 2018.")
    assert "Anhøj rules and 3-sigma limits" in caption
    assert caption.endswith("P chart. Source: emis.csv; generated 5 Jan 2026")


@pytest.mark.slow
def test_caption_source_is_the_operational_definition_when_there_is_one(qi, programme,
                                                                      session):
    qi(["measure", "edit", "dna", "--definition", "EMIS search 12: DNAs of booked nurse "
        "appointments. Run on the first working day of each week."], ok=True)
    assert text(figure_of(session, "dna"), "caption").replace("\n", " ").endswith(
        "Source: EMIS search 12: DNAs of booked nurse appointments; generated 5 Jan 2026")


@pytest.mark.slow
def test_from_and_to_show_a_window_of_the_whole_analysis(qi, programme, session):
    whole = figure_of(session, "dna")
    fig = figure_of(session, "dna", date_from=week(16), date_to=week(24))
    lo, hi = fig.axes[0].get_xlim()
    assert lo < dnum(week(16)) < dnum(week(24)) < hi
    assert lo > dnum(week(15)) and hi < dnum(week(25))
    # the same centre line as the whole chart: zooming does not change the numbers
    for gid in ("centre-1-baseline", "centre-1-extended"):
        (a,), (b,) = by_gid(fig, gid), by_gid(whole, gid)
        assert list(a.get_ydata()) == list(b.get_ydata())
    assert "a window of all 30" in text(fig, "caption")
    assert xs(fig, "cycle") == [dnum(week(20) + timedelta(days=2))]
    assert "SMS reminders" not in text(fig, "key")
    again = figure_of(session, "dna", date_from=week(16), date_to=week(24), analyze_window=True)
    (data,) = by_gid(again, "data")
    assert len(data.get_xdata()) == 9 and "a window" not in text(again, "caption")


@pytest.mark.slow
def test_a_phase_shows_its_recorded_reason(qi, programme, session):
    qi("measure rebase dna --at dna-rate#1 --reason 'SMS reminders worked'", ok=True)
    fig = figure_of(session, "dna")
    assert text(fig, "phase-2").startswith("Phase 2: SMS reminders")
    assert "SMS reminders worked" in text(fig, "key")
