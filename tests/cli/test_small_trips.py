"""The smaller trips of a first hour with qi, each as a new user met it."""

import json
import re

import pytest
import typer.main

from qi.cli import app


def _help_pages():
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    for name in root.list_commands(ctx):
        cmd = root.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            yield [name]
            for sub in cmd.list_commands(ctx):
                yield [name, sub]
        else:
            yield [name]


@pytest.mark.slow
def test_help_shows_no_programmer_types(qi_sqlite):
    for argv in _help_pages():
        out = qi_sqlite([*argv, "--help"], ok=True).stdout
        assert not re.search(r"<(str|int|float|list|bool|path|Path)|list\[|\{[A-Z]", out), (
            argv, out)
    out = qi_sqlite("cycle new --help", ok=True).stdout
    assert "Usage: qi cycle new [OPTIONS] [PROJECT] TITLE" in out
    assert "--measure TEXT" in out and "--purpose develop|test|implement" in out


@pytest.fixture
def ramp(qi):
    qi("team add North", ok=True)
    qi("project add asthma-reviews --title 'Asthma reviews' --team north --aim A", ok=True)
    qi("cycle new asthma-reviews 'Text recall with a booking link, one practice' --no-edit",
       ok=True)
    qi("cycle new asthma-reviews 'Pharmacist reviews for patients who do not respond' "
       "--builds-on 1 --no-edit", ok=True)


def test_cycle_list_shows_the_ramp_and_keeps_ids_whole_on_80_columns(qi, ramp, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = qi("cycle list", ok=True).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "asthma-reviews#1" in out and "asthma-reviews#2" in out
    assert "builds on" in out
    [row] = [line for line in out.splitlines() if "asthma-reviews#2" in line]
    assert row.split("│")[2].strip() == "#1"


def test_a_cycle_started_before_the_one_it_builds_on_is_noted(qi, ramp):
    qi("cycle do asthma-reviews#1 --on 2018-04-09", ok=True)
    r = qi("cycle do asthma-reviews#2 --on 2018-04-02", ok=True)
    assert r.stderr.splitlines()[-1] == (
        "Note: asthma-reviews#2 started on 2018-04-02, before asthma-reviews#1, which it "
        "builds on, started on 2018-04-09. Check the dates.")
    r = qi("cycle edit asthma-reviews#1 --started 2018-04-16", ok=True)
    assert "Note: asthma-reviews#2, which builds on asthma-reviews#1, started on 2018-04-02" \
        in r.stderr
    r = qi("cycle edit asthma-reviews#1 --started 2018-03-26", ok=True)
    assert "Note:" not in r.stderr


@pytest.fixture
def measure(qi):
    qi("team add North", ok=True)
    qi("project add dna-rate --title DNAs --team north --aim A", ok=True)
    qi("measure add calls --project dna-rate --name Calls --kind balancing --chart i", ok=True)
    qi("measure add dna --project dna-rate --name DNA --kind outcome --chart p", ok=True)


def test_a_date_in_words_is_read_and_an_unquoted_one_is_explained(qi, measure):
    r = qi(["data", "add", "calls", "1 Jan 2025", "12", "--json"], ok=True)
    assert json.loads(r.stdout)["date"] == "2025-01-01"
    r = qi("data add calls 1 Jan 2025")
    assert r.exit_code == 2
    assert ("Got unexpected extra argument(s) (2025). A date or text with spaces needs quotes "
            "around it, e.g. \"1 Jan 2025\"") in r.stderr
    r = qi(["meeting", "add", "7 February 2025", "Learning session 2"], ok=True)
    assert json.loads(qi("meeting list --json", ok=True).stdout)[0]["date"] == "2025-02-07"


def _events(tmp_path, rows):
    path = tmp_path / "appointments.csv"
    path.write_text("Appointment date,Status\n" + "".join(f"{d},{s}\n" for d, s in rows))
    return str(path)


AGGREGATE = ["--project", "dna-rate", "--measure", "dna", "--aggregate", "month",
             "--date-col", "Appointment date", "--numerator-where", "Status=DNA"]


def test_a_partial_first_month_is_noted_when_aggregating(qi, measure, tmp_path):
    path = _events(tmp_path, [("14/01/2025", "DNA"), ("20/01/2025", "Attended"),
                              ("03/02/2025", "DNA"), ("28/02/2025", "Attended")])
    r = qi(["data", "import", path, *AGGREGATE], ok=True)
    assert r.stderr.splitlines()[0] == (
        "Note: The first month (January 2025) has events only from 2025-01-14, so its count "
        "covers part of the month but is stored like a whole month's.")
    assert "last month" not in r.stderr  # February ends on Friday the 28th: whole
    r = qi(["data", "import", path, *AGGREGATE, "--dry-run", "--json"], ok=True)
    assert json.loads(r.stdout)["partial_periods"] == [
        "the first month (January 2025) has events only from 2025-01-14, so its count "
        "covers part of the month but is stored like a whole month's"]


def test_whole_months_are_not_noted(qi, measure, tmp_path):
    # 1 March 2025 is a Saturday: a search from Monday the 3rd covers the whole month.
    path = _events(tmp_path, [("03/03/2025", "DNA"), ("31/03/2025", "Attended")])
    r = qi(["data", "import", path, *AGGREGATE], ok=True)
    assert "Note:" not in r.stderr
