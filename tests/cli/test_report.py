"""`qi report`: formats, files (-o, --force, chart files), escaping of hostile text in HTML
and Markdown, and the errors. On every backend."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

HOSTILE_TITLE = """<script>alert("x")</script> & 'quotes' | *stars*"""
HOSTILE_NOTE = """<img src=x onerror="alert(1)"> &amp; [link](http://evil.example) `code`"""


@pytest.fixture
def project(qi, tmp_path):
    """dna-rate with two measures of weekly data, a complete cycle and one in progress."""
    qi("team add North --area North", ok=True)
    qi("member add 'Ann Lee' --role nurse --team north", ok=True)
    qi("project add dna-rate --title 'Reduce nurse DNAs' --team north "
       "--aim 'DNAs from 8% to 5% by 30 Sep 2018' --start 2018-01-01", ok=True)
    qi("measure add dna --project dna-rate --name 'DNA rate' --kind outcome --chart p "
       "--direction down --target 0.05", ok=True)
    qi("measure add calls --project dna-rate --name 'Reception calls' --kind balancing "
       "--chart i", ok=True)
    rows = ["date,measure,value,numerator,denominator"]
    for k in range(16):
        day = date(2018, 1, 1) + timedelta(weeks=k)
        rows.append(f"{day},dna,,{18 - k // 2},200")
        rows.append(f"{day},calls,{120 + (k * 7) % 11},,")
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    qi(f"data import {tmp_path / 'data.csv'} --project dna-rate", ok=True)
    qi("cycle new dna-rate 'SMS for one nurse' --measure dna --predict 'DNAs halve' "
       "--no-edit", ok=True)
    qi("cycle do dna-rate#1 --on 2018-03-05 --notes 'Sent 40'", ok=True)
    qi("cycle study dna-rate#1 --results '2 in 40 vs 5 in 40' --learning 'It works'", ok=True)
    qi("cycle act dna-rate#1 --decision adapt --next 'All nurses' --completed 2018-03-12",
       ok=True)
    qi("cycle new dna-rate 'SMS for all nurses' --no-edit", ok=True)
    qi("cycle do dna-rate#2 --on 2018-03-19", ok=True)
    return "dna-rate"


def test_markdown_to_stdout(qi, project):
    r = qi("report dna-rate")
    assert r.exit_code == 0 and r.stderr == ""
    out = r.stdout
    assert out.startswith("# Reduce nurse DNAs (dna-rate)\n")
    for expected in ("**Aim:** DNAs from 8% to 5% by 30 Sep 2018",
                     "**Team:** North, North: Ann Lee (nurse)",
                     "| DNA rate | outcome | ", "## PDSA cycles so far",
                     "### dna-rate#1: SMS for one nurse", "- **Prediction:** DNAs halve",
                     "- **Result:** 2 in 40 vs 5 in 40", "- **Decision:** adapt — next: All "
                     "nurses", "## Cycles still open", "| dna-rate#2 | SMS for all nurses | Do |",
                     "## Next steps", "Charts are not included when the report goes to the "
                     "screen"):
        assert expected in out, expected
    assert "![" not in out


@pytest.mark.slow
def test_json_is_the_report_content(qi, project, session):
    from qi.services import report

    r = qi("report dna-rate --format json")
    assert r.exit_code == 0 and r.stderr == ""
    content = json.loads(r.stdout)
    with session(write=False) as s:
        assert content == report.project_report(s, "dna-rate")
    assert [m["slug"] for m in content["measures"]] == ["calls", "dna"]


@pytest.mark.slow
def test_html_file_is_self_contained(qi, project, tmp_path):
    out = tmp_path / "reports" / "dna.html"  # a missing folder is created
    r = qi(f"report dna-rate --format html -o {out}")
    assert r.exit_code == 0 and r.stdout == ""
    assert r.stderr.strip() == f"Wrote {out}"
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count('<img src="data:image/svg+xml;base64,') == 2
    assert not re.search(r"https?://", page)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert "@page { size: A4" in page and "break-before: page" in page


def test_the_format_follows_the_file_name(qi, project, tmp_path):
    qi(f"report dna-rate -o {tmp_path / 'r.json'}", ok=True)
    assert json.loads((tmp_path / "r.json").read_text())["project"]["slug"] == "dna-rate"
    r = qi(f"report dna-rate --format md -o {tmp_path / 'r.html'}")
    assert r.exit_code == 2 and "ends in .html but --format is md" in r.stderr
    assert not (tmp_path / "r.html").exists()
    qi(f"report dna-rate --format json -o {tmp_path / 'r.txt'}", ok=True)
    assert json.loads((tmp_path / "r.txt").read_text())["project"]["slug"] == "dna-rate"


@pytest.mark.slow
def test_markdown_file_gets_its_charts_beside_it(qi, project, tmp_path):
    out = tmp_path / "my report.md"
    r = qi(["report", "dna-rate", "-o", str(out)])
    assert r.exit_code == 0 and r.stdout == ""
    assert r.stderr.strip() == f"Wrote {out}, 2 charts in {tmp_path / 'my report-charts'}"
    text = out.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links == ["my%20report-charts/dna-rate-calls.png",
                     "my%20report-charts/dna-rate-dna.png"]
    for name in ("dna-rate-calls.png", "dna-rate-dna.png"):
        assert (tmp_path / "my report-charts" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Charts are not included" not in text


@pytest.mark.slow
def test_an_existing_file_is_kept_without_force(qi, project, tmp_path):
    out = tmp_path / "r.md"
    out.write_text("keep me")
    r = qi(f"report dna-rate -o {out}")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr == f"Error: '{out}' already exists. Add --force to replace it, or choose " \
                       "another file with -o.\n"
    assert out.read_text() == "keep me"
    assert not (tmp_path / "r-charts").exists()
    r = qi(f"report dna-rate -o {out} --force", ok=True)
    assert out.read_text().startswith("# Reduce nurse DNAs")


def test_existing_chart_files_are_kept_without_force(qi, project, tmp_path):
    (tmp_path / "r-charts").mkdir()
    (tmp_path / "r-charts" / "dna-rate-dna.png").write_bytes(b"keep")
    r = qi(f"report dna-rate -o {tmp_path / 'r.md'}")
    assert r.exit_code == 1
    assert "dna-rate-dna.png' already exists" in r.stderr and "--force" in r.stderr
    assert not (tmp_path / "r.md").exists()
    assert (tmp_path / "r-charts" / "dna-rate-dna.png").read_bytes() == b"keep"


def test_output_that_is_a_folder(qi, project, tmp_path):
    r = qi(f"report dna-rate -o {tmp_path}")
    assert r.exit_code == 1 and "is a folder" in r.stderr


@pytest.fixture
def hostile(qi):
    qi(["team", "add", "North <b>", "--slug", "north"], ok=True)
    qi(["project", "add", "p", "--title", HOSTILE_TITLE, "--team", "north", "--aim",
        HOSTILE_NOTE], ok=True)
    qi(["measure", "add", "m", "--project", "p", "--name", HOSTILE_TITLE, "--kind",
        "outcome", "--unit", "<u>", "--definition", HOSTILE_NOTE], ok=True)
    for k in range(3):
        qi(["data", "add", "p/m", f"2018-01-0{k + 1}", str(k + 1)], ok=True)
    qi(["cycle", "new", "p", HOSTILE_TITLE, "--predict", HOSTILE_NOTE, "--no-edit"], ok=True)
    qi(["cycle", "do", "p#1", "--on", "2018-01-02", "--notes", HOSTILE_NOTE], ok=True)
    qi(["meeting", "add", "2018-01-01", "<i>Session</i> & co"], ok=True)
    return "p"


@pytest.mark.slow
def test_html_escapes_user_text(qi, hostile, tmp_path):
    out = tmp_path / "p.html"
    qi(f"report p --since-last-meeting --format html -o {out}", ok=True)
    page = out.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img src=x" not in page and "<u>" not in page
    assert "<b>" not in page and "<i>" not in page
    assert "since &lt;i&gt;Session&lt;/i&gt; &amp; co (1 Jan 2018)" in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;" in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp;amp; [link]" in page
    # the only URL is the user's own text, escaped, never a link or a resource
    assert re.findall(r"https?://[^\s<\"']*", page) == ["http://evil.example)"] * 4
    assert 'href="http' not in page and 'src="http' not in page


def test_markdown_escapes_user_text(qi, hostile):
    from markdown_it import MarkdownIt

    text = qi("report p --since-last-meeting", ok=True).stdout
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<img" not in rendered and "<u>" not in rendered
    assert "<i>" not in rendered and "since &lt;i&gt;Session&lt;/i&gt; &amp; co" in rendered
    assert "<em>stars</em>" not in rendered and "<code>" not in rendered
    assert '<a href="http://evil' not in rendered
    # what the reader sees is exactly what was typed
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'quotes' | *stars*" in \
        rendered
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp;amp; [link](http://evil." \
        "example) `code`" in rendered


@pytest.mark.slow
def test_programme_pack(qi, project, tmp_path):
    qi("team add West", ok=True)
    qi("project add flu --title 'Flu uptake' --team west --aim 'More jabs'", ok=True)
    qi("meeting add 2018-02-01 'Learning session 1'", ok=True)
    qi("meeting add 2018-03-15 'Learning session 2'", ok=True)
    r = qi("report --programme --meeting 2")
    assert r.exit_code == 0 and r.stderr == ""
    out = r.stdout
    assert out.startswith("# Learning session 2\n\nSince Learning session 1 (1 Feb 2018), up "
                          "to 15 Mar 2018.")
    assert out.index("[Reduce nurse DNAs](#project-dna-rate)") < out.index(
        "[Flu uptake](#project-flu)")
    assert out.index('<a id="project-dna-rate"></a>') < out.index('<a id="project-flu"></a>')
    assert "### dna-rate#1: SMS for one nurse" in out  # active in the period
    assert "### dna-rate#2" not in out  # started after the session
    assert "No measures yet" in out  # flu

    page = tmp_path / "pack.html"
    qi(f"report --programme --format html -o {page}", ok=True)
    html = page.read_text()
    assert html.count('<section class="project"') == 2
    assert 'href="#project-dna-rate"' in html and 'id="project-flu"' in html


def test_errors(qi, project):
    r = qi("report")
    assert r.exit_code == 2 and "give a PROJECT or --programme" in r.stderr
    r = qi("report dna-rate --programme")
    assert r.exit_code == 2 and "give a PROJECT or --programme" in r.stderr
    r = qi("report nope")
    assert r.exit_code == 1 and r.stderr.startswith("Error: No project 'nope'.")
    r = qi("report dna-rate --since 31/02/2018")
    assert r.exit_code == 2 and "--since" in r.stderr
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    r = qi(f"report dna-rate --since {tomorrow}")
    assert r.exit_code == 1 and r.stdout == ""
    assert r.stderr.startswith(f"Error: --since {tomorrow} is after today")
    r = qi("report dna-rate --since-last-meeting")
    assert r.exit_code == 1
    assert "no meeting of team 'north' or the programme before today" in r.stderr
    assert "qi meeting add DATE TITLE" in r.stderr
    r = qi("report dna-rate --since 2018-01-01 --since-last-meeting")
    assert r.exit_code == 1 and "Give only one of --since and --since-last-meeting" in r.stderr
    r = qi("report dna-rate --format pdf")
    assert r.exit_code == 2


def test_since_today_and_since_last_meeting(qi, project):
    r = qi("report dna-rate --since today --format json", ok=True)
    content = json.loads(r.stdout)
    assert content["period"]["since"] == date.today().isoformat()
    # everything was written today: the open cycle's last update is activity today, while
    # the complete one happened when its dates say
    assert [c["ref"] for c in content["cycles_in_period"]] == ["dna-rate#2"]
    qi("meeting add 2018-03-15 'Learning session 2'", ok=True)
    content = json.loads(qi("report dna-rate --since-last-meeting --format json",
                            ok=True).stdout)
    assert content["period"]["previous_meeting"]["title"] == "Learning session 2"


def test_empty_programme(qi):
    r = qi("report --programme")
    assert r.exit_code == 0 and r.stderr == ""
    assert "No active projects yet" in r.stdout


@pytest.mark.slow
def test_icon_summary_tables(qi, project, tmp_path):
    qi("measure target dna --from 2018-03-01 0.04", ok=True)
    content = json.loads(qi("report dna-rate --format json", ok=True).stdout)
    calls, dna = sorted(content["measures"], key=lambda m: m["slug"])
    # the DNA rate falls from 9% to 5.5% of 200 a week: a special cause, improvement (lower)
    assert (dna["variation_icon"], dna["target"], dna["target_from"]) == (
        "improvement_low", 4.0, "2018-03-01")
    assert dna["assurance_icon"] in ("pass", "fail", "hit_and_miss")
    assert calls["variation_icon"] == "common_cause" and calls["assurance_icon"] is None

    md = qi("report dna-rate", ok=True).stdout
    assert "## Making Data Count icons" in md
    assert "| Measure | Latest | Mean | Limits | Target | Variation | Assurance |" in md
    row = next(x for x in md.splitlines() if x.startswith("| DNA rate | 5.5%"))
    assert "| 4.0% (from 1 Mar 2018) | improving ↓ |" in row
    assert "target 4.0% (in force from 1 Mar 2018)" in md

    page = tmp_path / "r.html"
    qi(f"report dna-rate -o {page}", ok=True)
    html = page.read_text()
    assert '<table class="icons">' in html
    assert html.count('<svg class="icon"') == 3  # 2 variation icons, 1 assurance
    assert "<title>Special cause: improvement (lower)</title>" in html

    pack = qi("report --programme", ok=True).stdout
    assert "## Making Data Count icons, every measure" in pack
    assert "| Project | Measure | Latest |" in pack and "| dna-rate | DNA rate |" in pack


@pytest.mark.slow
def test_phase_reasons_and_provisional_verdicts_in_the_report(qi, project, monkeypatch):
    qi("measure rebase calls --at 2018-03-05 --reason 'New phone system'", ok=True)
    out = qi("report dna-rate").stdout
    assert "New phase from 5 Mar 2018: New phone system" in out
    content = json.loads(qi("report dna-rate --format json").stdout)
    calls = next(m for m in content["measures"] if m["slug"] == "calls")
    assert calls["rebases"] == [{"starts_on": "2018-03-05", "reason": "New phone system"}]
    # the DNA rate's baseline ends the day before cycle #1: 9 points, fewer than limits need
    dna = next(m for m in content["measures"] if m["slug"] == "dna")
    assert dna["provisional"] == "baseline of 9 points; limits need 12"
    assert "(provisional: baseline of 9 points; limits need 12)" in dna["verdict"]
    page = qi("report dna-rate --format html").stdout
    assert "New phase from 5 Mar 2018: <span class=\"text\">New phone system</span>" in page
    assert re.search(r"class=\"signal [a-z]+\">[A-Za-z ]+ \(provisional\)</span>", page)
    monkeypatch.setenv("QI_DATE_STYLE", "iso")
    assert "New phase from 2018-03-05: New phone system" in qi("report dna-rate").stdout
