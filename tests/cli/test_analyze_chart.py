"""`qi analyze FILE -o chart.png|svg|pdf`: the chart of any CSV or Excel file, with marks."""

from __future__ import annotations

from pathlib import Path

import pytest

WEEKS = [f"2018-{m:02d}-{d:02d}" for m, d in [
    (1, 1), (1, 8), (1, 15), (1, 22), (1, 29), (2, 5), (2, 12), (2, 19), (2, 26), (3, 5),
    (3, 12), (3, 19), (3, 26), (4, 2), (4, 9), (4, 16), (4, 23), (4, 30), (5, 7), (5, 14),
]]  # fmt: skip
DNA = [12, 10, 9, 14, 11, 13, 25, 12, 8, 9, 10, 7, 8, 7, 6, 8, 7, 6, 7, 5]


@pytest.fixture
def dna(tmp_path) -> Path:
    path = tmp_path / "dna.csv"
    path.write_text("x,y,n\n" + "\n".join(f"{w},{y},100" for w, y in zip(WEEKS, DNA,
                                                                       strict=True)) + "\n")
    return path


MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_the_chart_file_is_valid(qi_sqlite, dna, tmp_path, fmt):
    out = tmp_path / f"chart.{fmt}"
    r = qi_sqlite(["analyze", str(dna), "--chart", "p", "--multiply", "100", "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert r.stderr.strip() == f"Wrote {out}" and "P chart of y / n" in r.stdout
    assert out.read_bytes().startswith(MAGIC[fmt])


@pytest.mark.slow
def test_title_label_marks_and_icons(qi_sqlite, dna, tmp_path, monkeypatch):
    import qi.charts as charts

    drawn = {}
    real = charts.save

    def spy(spec, path, fmt=None, **kw):
        drawn["spec"] = spec
        drawn["fig"] = charts.figure(spec)
        return real(spec, path, fmt, **kw)

    monkeypatch.setattr(charts, "save", spy)
    marks = tmp_path / "marks.csv"
    marks.write_text("date,label,kind\n2018-04-02,Easter: clinics closed,note\n"
                     "05/03/2018,Reminder calls,\n")
    out = tmp_path / "c.png"
    qi_sqlite(["analyze", str(dna), "--chart", "p", "--multiply", "100", "-o", str(out),
               "--title", "DNA rate, Oak Lane", "--ylabel", "DNAs per 100 booked",
               "--mark", "2018-04-09=SMS reminders", "--marks", str(marks),
               "--improvement", "down", "--target", "5"], ok=True)
    spec, fig = drawn["spec"], drawn["fig"]
    assert spec.title == "DNA rate, Oak Lane" and spec.y_label == "DNAs per 100 booked"
    assert [(str(a.x), a.label, a.text, a.kind) for a in spec.annotations] == [
        ("2018-03-05", "#1", "Reminder calls", "cycle"),
        ("2018-04-02", "N1", "Easter: clinics closed", "note"),
        ("2018-04-09", "#2", "SMS reminders", "cycle")]
    assert spec.target == 5 and spec.percent
    assert spec.icons[0] == "improvement_low" and spec.icons[1] in ("pass", "hit_and_miss")
    assert any((ax.get_gid() or "") == f"icon-{spec.icons[0]}" for ax in fig.axes)
    assert "DNA rate, Oak Lane" in " ".join(t.get_text() for t in fig.texts)


@pytest.mark.slow
def test_excel_input(qi_sqlite, tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["week", "calls"])
    for k, v in enumerate(DNA):
        ws.append([datetime(2018, 1, 1 + k), v])
    path = tmp_path / "calls.xlsx"
    wb.save(path)
    out = tmp_path / "calls.png"
    r = qi_sqlite(["analyze", str(path), "--x", "week", "--y", "calls", "--chart", "i",
                   "-o", str(out)])
    assert r.exit_code == 0, r.stderr
    assert "(2018-01-01 to 2018-01-20)" in r.stdout
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_the_identifier_guard(qi_sqlite, tmp_path):
    path = tmp_path / "waits.csv"
    path.write_text("x,y,nhs_number\n" + "\n".join(
        f"{w},{y},943 476 5919" for w, y in zip(WEEKS, DNA, strict=True)) + "\n")
    out = tmp_path / "w.png"
    r = qi_sqlite(["analyze", str(path), "-o", str(out)])
    assert r.exit_code == 1 and "looks patient-identifiable" in r.stderr
    assert "nhs_number" in r.stderr and not out.exists()
    r = qi_sqlite(["analyze", str(path), "-o", str(out), "--allow-identifiers"])
    assert r.exit_code == 0 and out.exists()


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["-o", "{out}", "--mark", "2018-04-09"], 2, "is not DATE=LABEL"),
        (["--title", "T"], 2, "add -o FILE.png"),
        (["-o", "x.gif"], 2, "cannot tell the format"),
        (["-o", "{out}", "--mark", "31/31/2018=x"], 1, "--mark"),
        (["-o", "{out}", "--marks", "{missing}"], 1, "There is no marks file"),
    ],
)
def test_errors(qi_sqlite, dna, tmp_path, extra, code, message):
    extra = [e.format(out=tmp_path / "e.png", missing=tmp_path / "none.csv") for e in extra]
    r = qi_sqlite(["analyze", str(dna), *extra])
    assert r.exit_code == code and message in r.stderr, r.stderr
    assert not (tmp_path / "e.png").exists()


@pytest.mark.slow
def test_an_existing_file_is_kept_without_force(qi_sqlite, dna, tmp_path):
    out = tmp_path / "c.png"
    out.write_bytes(b"old")
    r = qi_sqlite(["analyze", str(dna), "-o", str(out)])
    assert r.exit_code == 1 and "already exists" in r.stderr and out.read_bytes() == b"old"
    qi_sqlite(["analyze", str(dna), "-o", str(out), "--force"], ok=True)
    assert out.read_bytes().startswith(b"\x89PNG")


def test_a_bad_marks_file(qi_sqlite, dna, tmp_path):
    marks = tmp_path / "m.csv"
    marks.write_text("when,what\n2018-01-01,x\n")
    r = qi_sqlite(["analyze", str(dna), "-o", str(tmp_path / "c.png"), "--marks", str(marks)])
    assert r.exit_code == 1 and "the header must be date,label" in r.stderr
    marks.write_text("date,label,kind\n2018-01-01,x,party\n")
    r = qi_sqlite(["analyze", str(dna), "-o", str(tmp_path / "c.png"), "--marks", str(marks)])
    assert r.exit_code == 1 and "m.csv, row 2, column 'kind'" in r.stderr
