"""`qi report --format pptx`: the session deck, read back with python-pptx, and opened by
LibreOffice (converted to PDF) when it is installed."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest

pptx = pytest.importorskip("pptx")


@pytest.fixture
def programme(qi, tmp_path):
    qi("team add North --area North", ok=True)
    qi("team add West", ok=True)
    qi("project add dna-rate --title 'Reduce nurse DNAs' --team north "
       "--aim 'DNAs from 8% to 5% by 30 Sep 2018' --start 2018-01-01", ok=True)
    qi("measure add dna --project dna-rate --name 'DNA rate' --kind outcome --chart p "
       "--direction down --target 0.05", ok=True)
    qi("measure add calls --project dna-rate --name 'Reception calls' --kind balancing "
       "--chart i", ok=True)
    qi("measure add empty --project dna-rate --name 'Not measured yet' --kind process", ok=True)
    qi("project add flu --title 'Flu uptake' --team west --aim 'More jabs'", ok=True)
    rows = ["date,measure,value,numerator,denominator"]
    for k in range(16):
        day = date(2018, 1, 1) + timedelta(weeks=k)
        rows.append(f"{day},dna,,{18 - k // 2},200")
        rows.append(f"{day},calls,{120 + (k * 7) % 11},,")
    (tmp_path / "data.csv").write_text("\n".join(rows) + "\n")
    qi(f"data import {tmp_path / 'data.csv'} --project dna-rate", ok=True)
    qi("cycle new dna-rate 'SMS for one nurse' --measure dna --no-edit", ok=True)
    qi("cycle do dna-rate#1 --on 2018-03-05", ok=True)
    qi("meeting add 2018-02-01 'Learning session 1'", ok=True)
    qi("meeting add 2018-04-20 'Learning session 2'", ok=True)


def _texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for row in shape.table.rows for c in row.cells]
    return out


@pytest.mark.slow
def test_programme_deck(qi, programme, tmp_path):
    out = tmp_path / "session.pptx"  # the format from the extension
    r = qi(f"report --programme --meeting 2 -o {out}")
    assert r.exit_code == 0 and r.stdout == "" and r.stderr.strip() == f"Wrote {out}"
    prs = pptx.Presentation(str(out))
    assert (prs.slide_width, prs.slide_height) == (pptx.util.Inches(13.333),
                                                   pptx.util.Inches(7.5))
    slides = list(prs.slides)
    title = "\n".join(_texts(slides[0]))
    assert "Learning session 2, 20 Apr 2018" in title  # dates for people (QI_DATE_STYLE)
    assert "Teams: North, West" in title
    # the programme's icon summary: a real table, one row per measure
    icons = slides[1]
    table = next(s for s in icons.shapes if s.has_table).table
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Project", "Measure", "Latest", "Mean", "Limits", "Target",
                      "Variation", "Assurance"]
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in list(table.rows)[1:]}
    assert set(rows) == {"DNA rate", "Reception calls", "Not measured yet"}
    assert rows["DNA rate"][6] == "improving ↓" and rows["Reception calls"][6] == "common cause"
    assert rows["Not measured yet"][6] == "no data"
    # dna-rate: summary, icon table, then one slide per measure with data
    summary = "\n".join(_texts(slides[2]))
    assert "Reduce nurse DNAs" in summary and "Aim: DNAs from 8% to 5% by 30 Sep 2018" in summary
    assert "dna-rate#1: SMS for one nurse (Do)" in summary and "Next steps" in summary
    charts = [s for s in slides if any(sh.shape_type == 13 for sh in s.shapes)]  # pictures
    assert len(charts) == 2
    notes = charts[1].notes_slide.notes_text_frame.text
    assert notes.startswith("DNA rate (Reduce nurse DNAs)")
    assert "Special cause: improvement (lower)" in notes and "P chart" in notes
    assert "Target in force at the latest point: 5.0%" in notes
    picture = next(sh for sh in charts[1].shapes if sh.shape_type == 13)
    assert (picture.width, picture.height) == (prs.slide_width, prs.slide_height)
    # the flu project has no measures: a summary slide that says so, and no chart
    assert any("No measures yet." in "\n".join(_texts(s)) for s in slides)


@pytest.mark.slow
def test_title_slide_dates_follow_the_date_style(qi, programme, tmp_path, monkeypatch):
    out = tmp_path / "session.pptx"
    qi(f"report --programme --since 2018-01-01 -o {out}", ok=True)
    title = "\n".join(_texts(next(iter(pptx.Presentation(str(out)).slides))))
    assert f"Session date: {date.today():%-d %b %Y}" in title
    monkeypatch.setenv("QI_DATE_STYLE", "dmy")
    qi(f"report --programme --meeting 1 -o {out} --force", ok=True)
    title = "\n".join(_texts(next(iter(pptx.Presentation(str(out)).slides))))
    assert "Learning session 1, 01/02/2018" in title


@pytest.mark.slow
def test_project_deck_and_errors(qi, programme, tmp_path):
    out = tmp_path / "deck"
    qi(f"report dna-rate --format pptx -o {out}", ok=True)
    slides = list(pptx.Presentation(str(out)).slides)
    assert "Reduce nurse DNAs" in _texts(slides[0])[0]
    assert len(slides) == 1 + 1 + 1 + 2  # title, summary, icon table, 2 charts
    r = qi("report dna-rate --format pptx")
    assert r.exit_code == 2 and "give its name with -o FILE.pptx" in r.stderr
    r = qi(f"report dna-rate -o {out}.pptx --format html")
    assert r.exit_code == 2 and "ends in .pptx" in r.stderr
    r = qi(f"report dna-rate --format pptx -o {out}")
    assert r.exit_code == 1 and "already exists" in r.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)")
def test_libreoffice_opens_the_deck(qi, programme, tmp_path):
    out = tmp_path / "session.pptx"
    qi(f"report --programme -o {out}", ok=True)
    profile = tmp_path / "lo-profile"
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        capture_output=True, text=True, timeout=180)
    pdf = tmp_path / "session.pdf"
    assert done.returncode == 0 and pdf.exists(), done.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    slides = len(list(pptx.Presentation(str(out)).slides))
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
    if pages.returncode == 0:
        count = int(next(x for x in pages.stdout.splitlines()
                         if x.startswith("Pages:")).split()[1])
        assert count == slides
