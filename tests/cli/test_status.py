"""`qi status`: the dashboard as text and as JSON. On every backend."""

from __future__ import annotations

import json
from datetime import date, timedelta

from qi.dates import human_date


def _programme(qi, tmp_path):
    qi("team add North", ok=True)
    qi("project add dna-rate --title 'Reduce nurse DNAs' --team north --aim A", ok=True)
    qi("measure add dna --project dna-rate --name 'DNA rate' --kind outcome --chart p "
       "--direction down", ok=True)
    qi("measure add wait --project dna-rate --name 'Days to wait' --kind outcome --unit days",
       ok=True)
    rows = ["date,value,numerator,denominator"]
    rows += [f"{date(2018, 1, 1) + timedelta(weeks=k)},,{20 - k % 5},200" for k in range(24)]
    (tmp_path / "dna.csv").write_text("\n".join(rows) + "\n")
    qi(f"data import {tmp_path / 'dna.csv'} --project dna-rate --measure dna", ok=True)
    long_ago = (date.today() - timedelta(days=40)).isoformat()
    qi(f"cycle new dna-rate 'SMS for one nurse' --no-edit --planned-start {long_ago}", ok=True)
    qi("cycle new dna-rate 'SMS for all nurses' --no-edit", ok=True)
    qi("cycle do dna-rate#2 --on today", ok=True)
    qi("team add West", ok=True)
    qi("project add flu --title 'Flu uptake' --team west --aim B", ok=True)
    qi("project add old --title Old --team west --aim C", ok=True)
    qi("project close old", ok=True)


def test_status_dates_follow_qi_date_style(qi, tmp_path, monkeypatch):
    _programme(qi, tmp_path)
    monkeypatch.setenv("QI_DATE_STYLE", "dmy")
    out = qi("status", ok=True).stdout
    assert out.startswith(f"qi status on {date.today():%d/%m/%Y}: ")
    assert "11/06/2018" in out
    monkeypatch.setenv("QI_DATE_STYLE", "iso")
    assert "2018-06-11" in qi("status", ok=True).stdout
    # JSON stays ISO whatever the style
    monkeypatch.setenv("QI_DATE_STYLE", "uk")
    assert '"date": "2018-06-11"' in qi("status --json", ok=True).stdout


def test_status_text(qi, tmp_path):
    _programme(qi, tmp_path)
    r = qi("status")
    assert r.exit_code == 0 and r.stderr == ""
    out = r.stdout
    assert "\x1b[" not in out  # NO_COLOR (set for every test) is honoured
    assert out.startswith(f"qi status on {human_date(date.today())}: 2 active projects, 2 "
                          "measures, 1 cycle in progress, 1 overdue")
    assert out.index("Reduce nurse DNAs (dna-rate)") < out.index("Flu uptake (flu)")
    assert "Old" not in out
    assert "North · PDSA: do (dna-rate#2) · 0 of 2 cycles complete" in out
    dna_line = next(line for line in out.splitlines() if line.startswith("DNA rate"))
    assert "8.5%" in dna_line and "11 Jun 2018" in dna_line  # 17/200, the 24th week
    spark = dna_line.split()[2]
    assert len(spark) == 20 and set(spark) <= set("▁▂▃▄▅▆▇█")
    wait_line = next(line for line in out.splitlines() if line.startswith("Days to wait"))
    assert "—" in wait_line and "No data" in wait_line
    assert "in progress: dna-rate#2 SMS for all nurses (Do, started " in out
    assert "overdue: dna-rate#1 SMS for one nurse: planned to start on " in out
    assert "(40 days ago) and not started" in out
    assert "West · PDSA: no cycles yet" in out and "no measures yet" in out


def test_status_json(qi, tmp_path):
    _programme(qi, tmp_path)
    r = qi("status --json")
    assert r.exit_code == 0 and r.stderr == ""
    board = json.loads(r.stdout)
    assert list(board) == ["generated", "overdue_rule", "projects", "totals"]
    assert board["totals"] == {"projects": 2, "measures": 2, "in_progress": 1, "overdue": 1}
    dna_rate = board["projects"][0]
    assert dna_rate["stage"] == {"stage": "do", "cycle": "dna-rate#2",
                                 "text": "do (dna-rate#2)"}
    dna = dna_rate["measures"][0]
    assert dna["slug"] == "dna" and len(dna["recent"]) == 20
    assert dna["recent"][-1] == 8.5 and dna["latest"] == {"date": "2018-06-11", "value": 8.5}
    assert dna_rate["overdue"][0]["ref"] == "dna-rate#1" and dna_rate["overdue"][0]["days"] == 40


def test_status_of_an_empty_database(qi):
    r = qi("status")
    assert r.exit_code == 0 and r.stdout == ""
    assert r.stderr.startswith("No active projects yet. Add one with 'qi project add")
    assert json.loads(qi("status --json", ok=True).stdout)["projects"] == []


def test_status_shows_the_making_data_count_icons(qi, tmp_path, monkeypatch):
    _programme(qi, tmp_path)
    qi("measure edit dna --target 2", ok=True)
    board = json.loads(qi("status --json", ok=True).stdout)
    dna, wait = board["projects"][0]["measures"]
    # a p chart of a stable 8-10% of 200: common cause, limits about 3% to 15%; a 2% target
    # below the lower limit of a measure where lower is better will never be met
    assert (dna["variation"], dna["assurance"], dna["target"]) == ("common_cause", "fail", 2.0)
    assert 2 < dna["lcl"] < dna["centre"] < dna["ucl"]
    assert (wait["variation"], wait["assurance"]) == (None, None)  # a run chart, no data
    lines = qi("status", ok=True).stdout.splitlines()
    k = next(k for k, x in enumerate(lines) if x.startswith("DNA"))
    # at 80 columns the icons go on a line of their own rather than squeeze the sparkline
    assert len(lines[k].split()[2]) == 20 and "icons" not in lines[k - 1]
    assert "DNA rate: common cause · misses target" in lines
    monkeypatch.setenv("COLUMNS", "140")
    wide = qi("status", ok=True).stdout.splitlines()
    k = next(k for k, x in enumerate(wide) if x.startswith("DNA"))
    assert "icons" in wide[k - 1] and wide[k].rstrip().endswith("common cause · misses target")


def test_status_table(qi, tmp_path):
    _programme(qi, tmp_path)
    qi("measure add calls --project dna-rate --name Calls --kind balancing", ok=True)
    qi("data add calls 2018-01-01 40", ok=True)
    r = qi("status --table", ok=True)
    assert r.stderr == ""
    out = r.stdout
    for header in ("measure", "latest", "mean", "limits", "target", "variation", "assurance"):
        assert header in out
    assert "Reduce nurse DNAs (dna-rate) · North" in out
    dna = next(x for x in out.splitlines() if "DNA rate" in x)
    assert "8.5%" in dna and "common" in dna and " – " in dna  # folded at 80 columns
    calls = next(x for x in out.splitlines() if "Calls" in x)
    assert "run chart:" in calls and "no icons" in out
    assert "Flu uptake (flu) · West" in out and "no measures yet" in out


def test_status_columns_fit_whole_at_80_and_120_columns(qi, tmp_path, monkeypatch):
    """Values, dates and verdicts are measured, never cut ("Improveme…"); names fold."""
    _programme(qi, tmp_path)
    qi("measure edit wait --unit 'calls/week' --name 'Reception calls about appointments'",
       ok=True)
    qi("data add wait 2018-06-11 12.5", ok=True)
    for columns in ("80", "120"):
        monkeypatch.setenv("COLUMNS", columns)
        out = qi("status", ok=True).stdout
        assert "…" not in out
        assert "12.5 calls/week" in out
        assert all(len(line) <= int(columns) for line in out.splitlines() if "▁" in line
                   or line.startswith("measure"))
