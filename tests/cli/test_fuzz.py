"""Hostile input at the CLI: never a traceback, never a partial write, text shown back exactly."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow  # hypothesis fuzzing of whole commands

HOSTILE = [
    "'; DROP TABLE team; --", "Robert'); DROP TABLE students;--", "\" OR 1=1 --",
    "<script>alert('x')</script>", "&amp; &lt;", "%s %d {0} {name}", "\u202etxet desrever",
    "🩺💉🏥" * 30, "a" * 5000, "line one\r\nline two\ttab", "\x1b[31mred\x1b[0m", "\x07\x08",
    "ÅÄÖ ß ñ 漢字 العربية", "1e309", "NaN", "-0", "   padded   ",
]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            min_size=0, max_size=300),
    st.sampled_from(HOSTILE),
)
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
_ids = itertools.count()


def _no_crash(r) -> None:
    assert r.exit_code in (0, 1, 2), (r.exit_code, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    assert "unexpected problem" not in r.stderr


@FUZZ
@given(name=TEXT, area=TEXT, note=TEXT)
def test_team_text_is_stored_and_shown_back_exactly(qi, name, area, note):
    slug = f"t{next(_ids)}"
    # `--` so that a name like "-0" is taken as the name, as a user would write it.
    r = qi(["team", "add", "--slug", slug, "--area", area, "--note", note, "--json", "--", name])
    _no_crash(r)
    if not name.strip() or len(name.strip()) > 200 or len(area) > 200:
        assert r.exit_code == 1 and r.stderr.startswith("Error: ")
        assert qi(["team", "show", slug]).exit_code == 1  # nothing was written
        return
    assert r.exit_code == 0, r.stderr
    shown = json.loads(qi(["team", "show", slug, "--json"], ok=True).stdout)
    assert shown["name"] == name.strip()
    assert shown["area"] == (area if area.strip() else None)
    assert shown["note"] == (note if note.strip() else None)
    _no_crash(qi(["team", "list"]))  # the table copes with any text


@FUZZ
@given(title=TEXT, aim=TEXT, predict=TEXT, learning=TEXT)
def test_project_and_cycle_text_round_trip(qi, title, aim, predict, learning):
    if next(_ids) == 0 or qi("team show fuzz").exit_code:
        qi("team add Fuzz", ok=True)
    slug = f"p{next(_ids)}"
    r = qi(["project", "add", slug, "--title", title, "--team", "fuzz", "--aim", aim])
    _no_crash(r)
    if r.exit_code:
        assert not title.strip() or not aim.strip() or len(title.strip()) > 300
        return
    project = json.loads(qi(["project", "show", slug, "--json"], ok=True).stdout)
    assert (project["title"], project["aim"]) == (title.strip(), aim.strip())
    r = qi(["cycle", "new", slug, "Try", "--predict", predict, "--no-edit", "--json"])
    _no_crash(r)
    c = json.loads(r.stdout)
    assert c["predictions"] == (predict if predict.strip() else None)
    qi(["cycle", "do", c["ref"], "--on", "2018-04-09"], ok=True)
    r = qi(["cycle", "study", c["ref"], "--learning", learning])
    _no_crash(r)
    if learning.strip():
        assert json.loads(qi(["cycle", "show", c["ref"], "--json"]).stdout)["learning"] == \
            learning
    _no_crash(qi(["cycle", "show", c["ref"]]))


WORDS = ["team", "member", "project", "measure", "idea", "cycle", "db", "add", "list", "show",
         "edit", "remove", "new", "do", "study", "act", "status", "path", "--json", "--yes",
         "--force", "--title", "--team", "--aim", "--role", "--target", "--kind", "--chart",
         "--on", "--decision", "--start", "--project", "--name", "x", "dna#1", "1", "-1",
         "nan", "1e400", "today", "31/02/2018", "outcome", "p", "adopt"]


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), TEXT), min_size=1, max_size=7))
def test_random_command_lines_never_crash(qi, argv):
    _no_crash(qi(argv))


@FUZZ
@given(target=st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                        st.sampled_from(["1e400", "-1e400", "nan", "inf", "1,5", "5%", ""])))
def test_numbers_out_of_range_are_refused_cleanly(qi, target):
    if qi("project show fz").exit_code:
        qi("team add Fz", ok=True)
        qi("project add fz --title T --team fz --aim A", ok=True)
    slug = f"m{next(_ids)}"
    r = qi(["measure", "add", slug, "--project", "fz", "--name", "M", "--kind", "outcome",
            "--target", target])
    _no_crash(r)
    if r.exit_code == 0:
        stored = json.loads(qi(["measure", "show", f"fz/{slug}", "--json"]).stdout)["target"]
        assert stored == float(target)
