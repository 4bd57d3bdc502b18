"""Hostile input, second pass (issue 14): cases the first pass did not try, one section per
class. Each asserts what a user relies on, through the CLI where it can."""

import os
import shutil
from pathlib import Path

import pytest
from conftest import no_raw_controls
from hypothesis import given, settings
from hypothesis import strategies as st

from qi.errors import InvalidInput


@pytest.fixture
def measure(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add calls --project dna-rate --name Calls --kind balancing --chart i", ok=True)
    return "calls"


# --- 2. never create anything through a symbolic link that points nowhere -----------------


def test_no_database_is_created_through_a_dangling_link(qi_sqlite, tmp_path):
    victim = tmp_path / "elsewhere" / "victim.db"
    victim.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    for args in (["init", str(link)], ["--db", str(link), "team", "list"],
                 ["--db", str(link), "team", "add", "X"]):
        r = qi_sqlite(args)
        assert r.exit_code == 1, (args, r.stdout, r.stderr)
        assert "symbolic link" in r.stderr and "Traceback" not in r.stderr
    assert not victim.exists() and link.is_symlink()


def test_restore_never_writes_through_a_dangling_link(qi_sqlite, tmp_path):
    qi_sqlite(["db", "backup", str(tmp_path / "b.db")], ok=True)
    victim = tmp_path / "victim.db"
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    r = qi_sqlite(["--db", str(link), "db", "restore", str(tmp_path / "b.db")])
    assert r.exit_code == 1 and "symbolic link" in r.stderr
    assert not victim.exists()


def test_demo_never_creates_its_folder_through_a_dangling_link(qi_sqlite, tmp_path):
    victim = tmp_path / "victim"
    link = tmp_path / "demo"
    link.symlink_to(victim)
    r = qi_sqlite(["demo", str(link), "--no-charts"])
    assert r.exit_code == 1 and "symbolic link" in r.stderr
    assert not victim.exists()


# --- 4. only numbers are numbers: typed values are read exactly like a file's cells ------

NUMBERISH = st.lists(st.sampled_from(
    list("0123456789+-.,%eE _") + ["١", "٢", "٣", "１", "２", "−", "٫", "inf", "nan", "x"]),
    min_size=1, max_size=8).map("".join)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(NUMBERISH)
def test_a_typed_number_means_what_the_same_cell_means_in_a_file(text):
    import numpy as np
    import pandas as pd

    from qi.ingest.cells import parse_numbers
    from qi.values import parse_number

    values, blank, bad, _why = parse_numbers(pd.Series([text], dtype=object))
    try:
        typed = parse_number(text)
    except InvalidInput:
        typed = None
    if blank[0]:
        assert typed is None
    elif len(bad):
        assert typed is None, f"{text!r} is refused in a file but {typed} on the command line"
    else:
        assert typed is not None and np.isclose(typed, values[0]), (text, typed, values[0])


@pytest.mark.slow
@pytest.mark.parametrize("value", ["١٢٣", "１２", "٣٤%", "１,２３４", "1_000", "−5"])
def test_data_add_refuses_digits_a_file_import_refuses(qi, measure, value):
    r = qi(["data", "add", measure, "2018-04-01", "--", value])
    assert r.exit_code == 2 and "is not a number" in r.stderr
    r = qi(["data", "import", "-", "--project", "dna-rate", "--measure", measure],
           input=f"date,value\n2018-04-01,\"{value}\"\n")
    assert r.exit_code == 1 and "not a number" in r.stderr
    assert "2018-04-01" not in qi(f"data list {measure} --csv", ok=True).stdout


# --- 6. terminal escapes in every line qi prints ------------------------------------------


@pytest.mark.slow
def test_database_and_demo_paths_are_shown_escaped(qi_sqlite, tmp_path):
    odd = tmp_path / "a\x1b]0;pwned\x07\u202e.db"
    for args in (["--db", str(odd), "team", "list"], ["init", str(odd)],
                 ["--db", str(odd), "team", "add", "X"]):
        r = qi_sqlite(args)
        no_raw_controls(r.stderr)
        assert "\u202e" not in r.stderr, r.stderr
        assert "\\x1b" in r.stderr or "Added team" in r.stderr, r.stderr
    r = qi_sqlite(["demo", str(tmp_path / "d\x1b[2J\u009b"), "--no-charts"], ok=True)
    no_raw_controls(r.stdout + r.stderr)
    assert "Database:" in r.stdout and "\\x1b[2J" in r.stdout


def test_zero_width_characters_are_shown(qi):
    qi(["team", "add", "Nor\u200bth", "--area", "x\u2060y"], ok=True)
    out = qi("team list", ok=True).stdout
    assert "\u200b" not in out and "\\u200b" in out and "\\u2060" in out


# --- 9. nothing a chart cannot show gets in at any door ------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("value", ["1e308", "1e16", "1e-12"])
def test_dated_targets_beyond_a_chart_are_refused(qi, measure, value):
    r = qi(["measure", "target", measure, "--from", "2018-04-01", "--", value])
    assert r.exit_code == 1 and "too large or too small" in r.stderr
    for k in range(12):
        qi(["data", "add", measure, f"2018-04-{k + 1:02d}", str(40 + k % 5)], ok=True)
    qi(f"chart {measure} -o c.svg", ok=True)


# --- 10. files that are not files: devices, standard input, endless streams ---------------


def test_import_reads_standard_input_given_as_dash(qi, measure):
    r = qi(["data", "import", "-", "--project", "dna-rate", "--measure", measure],
           input="date,value\n2018-04-01,12\n2018-04-02,13\n", ok=True)
    assert "2 added" in r.stderr
    assert "2018-04-02,13" in qi(f"data list {measure} --csv", ok=True).stdout
    r = qi(["analyze", "-", "--y", "value"], input="date,value\n2018-04-01,12\n2018-04-02,13\n")
    assert r.exit_code == 0, r.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("args", [["data", "import", "/dev/zero", "--project", "dna-rate",
                                   "--measure", "calls"], ["analyze", "/dev/zero"],
                                  ["import-bundle", "/dev/zero"]])
def test_a_device_is_refused_not_read_forever(qi, measure, args):
    r = qi(args)
    assert r.exit_code == 1 and "is a device" in r.stderr


def test_an_endless_stream_is_cut_off_with_a_clear_error(qi, measure, monkeypatch):
    from qi.ingest import files

    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1000)
    body = "date,value\n" + "".join(f"2018-04-01,{k}\n" for k in range(200))
    for args in (["data", "import", "-", "--project", "dna-rate", "--measure", measure],
                 ["import-bundle", "-"]):
        r = qi(args, input=body)
        assert r.exit_code == 1 and "larger than" in r.stderr, (args, r.stderr)


# --- 1 and 10. a damaged database can be restored, and is kept whole ------------------------


def test_restore_replaces_a_damaged_database_and_keeps_it(qi_sqlite, tmp_path):
    qi_sqlite("team add Saved", ok=True)
    qi_sqlite(["db", "backup", str(tmp_path / "b.db")], ok=True)
    from qi import db

    db.dispose_all()
    damaged = tmp_path / "qi.db"
    with open(damaged, "r+b") as fh:  # keep the header, break every page after it
        fh.seek(100)
        fh.write(b"\xff" * 8000)
    before = damaged.read_bytes()
    r = qi_sqlite("team list")
    assert r.exit_code == 1 and "damaged" in r.stderr
    r = qi_sqlite(["db", "restore", str(tmp_path / "b.db"), "--force", "--yes"])
    assert r.exit_code == 0, r.stderr
    copies = [p for p in tmp_path.glob("qi.db.before-restore-*") if not p.name.endswith("-wal")]
    assert len(copies) == 1 and copies[0].read_bytes() == before
    assert "Saved" in qi_sqlite("team list", ok=True).stdout


def test_restore_keeps_an_unused_name_for_each_damaged_copy(qi_sqlite, tmp_path):
    qi_sqlite(["db", "backup", str(tmp_path / "b.db")], ok=True)
    shutil.copyfile(tmp_path / "b.db", tmp_path / "c.db")
    with open(tmp_path / "c.db", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00" * 4000)
    target = tmp_path / "t.db"
    for _ in range(2):
        shutil.copyfile(tmp_path / "c.db", target)
        qi_sqlite(["--db", str(target), "db", "restore", str(tmp_path / "b.db"), "--force",
                   "--yes"], ok=True)
    copies = sorted(p.name for p in tmp_path.glob("t.db.before-restore-*")
                    if not p.name.endswith("-wal"))
    assert len(copies) == 2 and os.path.getsize(tmp_path / copies[0]) > 0


# --- 10. tampered bundles and spreadsheets: nothing is silently dropped --------------------


def test_a_bundle_with_a_key_given_twice_is_refused(qi, measure, tmp_path):
    qi("data add calls 2018-04-01 12", ok=True)
    qi(["export", "dna-rate", "-o", str(tmp_path / "b.json")], ok=True)
    text = (tmp_path / "b.json").read_text(encoding="utf-8")
    end = text.rindex("}")
    tampered = text[:end].rstrip() + ',\n  "measures": []\n}\n'  # json keeps the last one
    (tmp_path / "t.json").write_text(tampered.replace('"dna-rate"', '"other"'),
                                     encoding="utf-8")
    r = qi(["import-bundle", str(tmp_path / "t.json")])
    assert r.exit_code == 1 and "'measures' appears twice" in r.stderr
    assert "other" not in qi("project list", ok=True).stdout
