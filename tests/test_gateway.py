"""The DB-API gateway and the queries on it: the schema they name, what they return on both
backends, errors, and the modules an everyday command loads."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qi import db, gateway, models
from qi.config import resolve
from qi.errors import Conflict, NotFound
from qi.queries import cycles as cycle_queries
from qi.queries import measures as measure_queries
from qi.queries import projects as project_queries

ROOT = Path(__file__).resolve().parents[1]
SQL_MODULES = [ROOT / "qi" / "gateway.py", *sorted((ROOT / "qi" / "queries").glob("*.py"))]
SQL_WORDS = {
    "select", "from", "join", "on", "where", "and", "or", "order", "by", "in", "as", "is",
    "null", "not", "limit", "begin", "immediate", "deferred", "commit", "rollback", "pragma",
    "insert", "into", "values", "update", "set", "delete", "returning", "desc", "asc",
    "count", "max", "min", "lower", "distinct", "group", "left", "exists", "version_num",
    "alembic_version", "journal_mode", "busy_timeout", "foreign_keys", "synchronous",
    "full", "wal",
}
TABLES = {t.name: {c.name for c in t.columns} for t in models.metadata.sorted_tables}


def _sql_texts(path: Path) -> list[str]:
    """The SQL in a module: string constants and f-strings (their {...} parts as {x}) that
    read as SQL."""
    texts, parts = [], set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(v) for v in node.values)
            texts.append("".join(v.value if isinstance(v, ast.Constant) else "{x}"
                                 for v in node.values))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                id(node) not in parts:
            texts.append(node.value)
    return [t for t in texts if re.search(r"\b(SELECT|FROM|JOIN|WHERE|ORDER BY|INSERT|UPDATE)\b",
                                          t) or re.search(r"\b\w+\.\w+ = :", t)]


def test_every_table_and_column_the_gateway_names_exists_in_the_models():
    checked = 0
    for path in SQL_MODULES:
        texts = _sql_texts(path)
        whole = " ".join(texts)
        aliases = {}
        for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(\w+))?", whole):
            if table.startswith(("(", "{")) or table == "alembic_version":
                continue
            assert table in TABLES, f"{path.name}: no table {table!r} in models.metadata"
            if alias and alias.upper() not in ("WHERE", "JOIN", "ON", "ORDER"):
                aliases[alias] = table
        named = {t for t in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)", whole) if t in TABLES}
        for text in texts:
            for alias, column in re.findall(r"\b([a-z]+)\.([a-z_]+)\b", text):
                assert alias in aliases, f"{path.name}: alias {alias!r} of no table ({text!r})"
                assert column in TABLES[aliases[alias]], \
                    f"{path.name}: no column {aliases[alias]}.{column}"
                checked += 1
            bare = re.sub(r"\b[a-z]+\.[a-z_]+\b|:\w+|'[^']*'|\{[^}]*\}", " ", text)
            for word in re.findall(r"\b[a-z_][a-z0-9_]*\b", bare):
                if word in SQL_WORDS or word in TABLES or word in aliases:
                    continue
                # A module naming no table takes it as an argument: any of qi's tables.
                assert any(word in TABLES[t] for t in named or TABLES), \
                    f"{path.name}: {word!r} is no column of {sorted(named)}"
                checked += 1
    assert checked > 50  # the check saw the queries


def test_the_cycle_columns_read_are_the_models_columns():
    assert set(cycle_queries._COLUMNS) <= TABLES["cycle"]
    # The columns the write statements are built from (their SQL names them as {x}).
    from qi.queries import cycle_writes, ideas

    assert cycle_writes._WRITABLE <= TABLES["cycle"]
    assert set(ideas.COLUMNS) <= TABLES["change_idea"]


def _fill(qi) -> None:
    """A team, a project with two measures (one a proportion), an idea and two cycles, one
    started and linked to a measure, one building on it; written through the services."""
    from datetime import date

    from qi.domain import ChartType, MeasureKind
    from qi.services import cycles, ideas, measures, projects, teams

    with db.session(resolve(os.environ["QI_DB"])) as s:
        teams.add(s, "North Barnet", slug="north", area="North")
        projects.add(s, "dna-rate", title="Fewer DNAs", team="north", aim="From 8% to 5%",
                     start=date(2018, 1, 1))
        measures.add(s, "dna", project="dna-rate", name="DNA rate", kind=MeasureKind.outcome,
                     chart=ChartType.p, denominator=True, unit="%")
        measures.add(s, "calls", project="dna-rate", name="Calls", kind=MeasureKind.process)
        ideas.add(s, "dna-rate", "Text reminders", primary_driver="Remembering")
        cycles.new(s, "dna-rate", "SMS", idea="1", measures=["dna"], predictions="Fewer",
                   planned_start=date(2018, 2, 1))
        cycles.do(s, "dna-rate#1", on=date(2018, 2, 5))
        cycles.new(s, "dna-rate", "SMS 2", builds_on="1")
    db.dispose_all()


def _orm_project(s, slug):
    """The record as read through the ORM, column by column (the reference)."""
    from sqlmodel import select

    p = s.exec(select(models.Project).where(models.Project.slug == slug)).one()
    return p


def test_records_match_the_stored_rows_on_both_backends(qi, backend):
    _fill(qi)
    with db.session(resolve(backend), write=False) as s:
        p = _orm_project(s, "dna-rate")
        got = project_queries.show(gateway.of_session(s), "dna-rate")
        assert (got.id, got.slug, got.title, got.aim, got.start, got.status.value) == (
            p.id, p.slug, p.title, p.aim, p.start_date, p.status)
        assert got.team == "north" and got.measures == ("calls", "dna")
        assert got.created_at.tzinfo is not None and got.updated_at >= got.created_at
        cycle = cycle_queries.show(gateway.of_session(s), "dna-rate#2")
        row = s.get(models.Cycle, cycle.id)
        assert cycle.builds_on == "dna-rate#1" and cycle.stage.value == "plan"
        assert cycle.created_at.replace(tzinfo=None) == row.created_at.replace(tzinfo=None)
        first = cycle_queries.show(gateway.of_session(s), "dna-rate#1")
        assert (first.started_on.isoformat(), first.planned_start.isoformat()) == (
            "2018-02-05", "2018-02-01")
        assert first.idea_title == "Text reminders" and first.measures == ("dna",)
        m = measure_queries.show(gateway.of_session(s), "dna")
        assert m.denominator is True and m.unit == "%" and m.chart.value == "p"


def test_json_is_the_same_through_the_gateway_and_the_orm_session(qi, backend):
    """A command's JSON read over its own connection equals the one read inside an ORM
    session's transaction (the same function, two ways in)."""
    _fill(qi)
    loc = resolve(backend)
    with gateway.connect(loc, write=False) as g:
        direct = [json.dumps(p.as_json()) for p in project_queries.list_all(g)]
        cycles = [json.dumps(c.as_json()) for c in cycle_queries.list_all(g)]
    with db.session(loc, write=False) as s:
        g = gateway.of_session(s)
        assert [json.dumps(p.as_json()) for p in project_queries.list_all(g)] == direct
        assert [json.dumps(c.as_json()) for c in cycle_queries.list_all(g)] == cycles


def test_lookups_say_what_exists(qi, backend):
    _fill(qi)
    with gateway.connect(resolve(backend), write=False) as g:
        with pytest.raises(NotFound, match="No project 'dna'. Projects: dna-rate"):
            project_queries.show(g, "dna")
        with pytest.raises(NotFound, match="has no cycle #9. Its cycles: #1, #2"):
            cycle_queries.show(g, "dna-rate#9")
        with pytest.raises(NotFound, match="dna-rate/calls, dna-rate/dna"):
            measure_queries.show(g, "nope")


def test_a_clash_is_a_conflict_and_nothing_is_kept(qi, backend):
    _fill(qi)
    loc = resolve(backend)
    with pytest.raises(Conflict, match="clashes with what is stored"), \
            gateway.connect(loc) as g:
        g.execute("UPDATE measure SET slug = :s WHERE slug = :o", {"s": "kept", "o": "calls"})
        g.execute("INSERT INTO team (slug, name, created_at, updated_at) "
                  "VALUES (:s, :n, :c, :c)",
                  {"s": "north", "n": "Again", "c": g.put_datetime(gateway.utcnow())})
    with gateway.connect(loc, write=False) as g:
        assert g.scalar("SELECT count(*) FROM measure WHERE slug = :s", {"s": "kept"}) == 0


def test_an_old_database_is_upgraded_by_the_full_path(tmp_path):
    """The gateway only opens a database at the current schema; anything else goes through
    qi.db (here: a database of schema 0004 is upgraded, with its backup copy)."""
    import shutil

    path = tmp_path / "old.db"
    shutil.copyfile(ROOT / "tests" / "fixtures" / "schema_0004.db", path)
    with gateway.connect(resolve(str(path)), write=False) as g:
        assert g.scalar("SELECT version_num FROM alembic_version") == db.HEAD_REVISION
        assert g.scalar("SELECT count(*) FROM project") > 0
    assert list(tmp_path.glob("old.db.backup-0004-*"))


def test_a_file_that_is_no_database_is_refused_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list")
    with pytest.raises(db.DatabaseUnavailable, match="is not a SQLite database"):
        gateway.connect(resolve(str(path))).__enter__()
    assert path.read_text() == "shopping list"


def test_a_password_with_at_and_slash_reaches_libpq_whole():
    info = gateway._pg_conninfo("postgresql+psycopg://qi:p@ss/w%40rd@db.example:5433/prog"
                                "?sslmode=require")
    assert "password='p@ss/w@rd'" in info or "password=p@ss/w@rd" in info
    assert "host=db.example" in info and "port=5433" in info and "dbname=prog" in info
    assert "sslmode=require" in info


HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "pandas", "numpy", "matplotlib")
# What an everyday command may load of qi: the CLI, the gateway and the queries.
ALLOWED_QI = re.compile(
    r"^qi(\.(__init__|config|errors|domain|dates|gateway|text|values|numbers))?$"
    r"|^qi\.cli(\.\w+)?$|^qi\.queries(\.\w+)?$"
    r"|^qi\.reports(\._icons|\._text)?$"  # words and icons of `qi status`, stdlib only
    r"|^qi\.services(\.(_common|data|notes))?$")  # services on the gateway, stdlib only
EVERYDAY = [
    ["project", "list", "--json"], ["project", "show", "dna-rate", "--json"],
    ["cycle", "list", "dna-rate", "--json"], ["cycle", "show", "dna-rate#1", "--json"],
    ["measure", "list", "--json"], ["measure", "show", "dna", "--json"],
    ["idea", "list", "--json"], ["data", "list", "dna-rate/dna", "--json"],
    ["team", "list", "--json"], ["team", "show", "north", "--json"], ["note", "list", "--json"],
    ["member", "list", "--team", "north", "--json"],
    ["data", "add", "dna-rate/dna", "2018-02-05", "--numerator", "3", "--denominator", "40"],
]
# The everyday writes: the same discipline, and of qi's services only those that run on the
# gateway (stdlib only: the rules of a change, its SQL in qi.queries).
WRITE_QI = re.compile(r"^qi\.services(\.(_common|cycles|ideas|notes))?$")
WRITES = [
    ["cycle", "new", "dna-rate", "Try", "--predict", "Fewer", "--measure", "dna", "--idea",
     "1", "--builds-on", "1", "--by", "Ann", "--no-edit", "--json"],
    ["cycle", "do", "dna-rate#2", "--on", "2018-03-01", "--notes", "Went well"],
    ["cycle", "study", "dna-rate#1", "--results", "Fell", "--learning", "Works"],
    ["cycle", "act", "dna-rate#1", "--decision", "adapt", "--next", "All", "--then-new",
     "Next step", "--json"],
    ["cycle", "edit", "dna-rate#2", "--plan", "Reception", "--measure", "calls"],
    ["idea", "add", "dna-rate", "Posters", "--primary-driver", "Remembering", "--json"],
    ["note", "add", "dna", "2018-03-01", "Closed for a day", "--by", "Ann", "--json"],
    ["cycle", "remove", "dna-rate#2", "--yes"],
    ["idea", "remove", "1", "--force", "--yes"],
]


@pytest.mark.parametrize("argv", WRITES, ids=lambda a: " ".join(a[:2]))
def test_everyday_writes_load_no_heavy_library(qi, backend, argv):
    _fill(qi)
    from qi.services import cycles, members

    with db.session(resolve(backend)) as s:
        members.add(s, "Ann", role="Nurse")
        cycles.study(s, "dna-rate#1", results="Fell")  # ready for the Act
    db.dispose_all()
    loaded = _probe(backend, argv)
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    assert heavy == [], f"{' '.join(argv)} imported {heavy}"
    qi_modules = [m for m in loaded if m == "qi" or m.startswith("qi.")]
    assert [m for m in qi_modules if not (ALLOWED_QI.match(m) or WRITE_QI.match(m))] == []
    assert "qi.services.cycles" in loaded or argv[0] != "cycle"


# `qi status` analyses every measure: numpy and the analysis too, and nothing else heavy.
STATUS_QI = re.compile(r"^qi\.analysis(\.\w+)?$|^qi\.services(\.(status|measure_view))?$")
_PROBE = """
import json, sys
from qi.cli import app
try:
    app(sys.argv[1:], prog_name="qi")
except SystemExit as exc:
    code = exc.code
sys.stdout.flush()
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _probe(backend: str, argv: list[str]) -> list[str]:
    """The modules loaded by the whole run of `qi ARGV` in a fresh interpreter."""
    env = {**os.environ, "QI_DB": backend}
    done = subprocess.run([sys.executable, "-c", _PROBE, *argv], env=env, capture_output=True,
                          text=True, cwd=ROOT)
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe["code"] in (0, None), done.stderr
    assert "qi.gateway" in probe["modules"]
    return probe["modules"]


@pytest.mark.slow
@pytest.mark.parametrize("argv", EVERYDAY, ids=" ".join)
def test_everyday_commands_load_no_heavy_library(qi, backend, argv):
    _fill(qi)
    loaded = _probe(backend, argv)
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    assert heavy == [], f"{' '.join(argv)} imported {heavy}"
    qi_modules = [m for m in loaded if m == "qi" or m.startswith("qi.")]
    assert [m for m in qi_modules if not ALLOWED_QI.match(m)] == []


@pytest.mark.parametrize("argv", [["status"], ["status", "--json"], ["status", "--table"]],
                         ids=" ".join)
@pytest.mark.slow
def test_status_loads_numpy_and_the_analysis_but_no_database_library(qi, backend, argv):
    _fill(qi)
    loaded = _probe(backend, argv)
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    assert heavy == ["numpy"], f"{' '.join(argv)} imported {heavy}"
    qi_modules = [m for m in loaded if m == "qi" or m.startswith("qi.")]
    assert [m for m in qi_modules if not (ALLOWED_QI.match(m) or STATUS_QI.match(m))] == []


@pytest.mark.parametrize("argv", [["report", "--programme", "--format", "json"],
                                  ["report", "dna-rate", "--format", "md"]], ids=" ".join)
@pytest.mark.slow
def test_reports_read_through_the_gateway_with_no_database_library(qi, backend, argv):
    _fill(qi)
    loaded = _probe(backend, argv)
    heavy = sorted({m.split(".")[0] for m in loaded} & set(HEAVY))
    assert not {"sqlalchemy", "sqlmodel", "pydantic", "alembic"} & set(heavy), heavy
    assert "qi.services.report" in loaded and "qi.models" not in loaded


def test_a_change_made_under_an_orm_session_is_seen_by_its_loaded_rows(qi, backend):
    """The demo, bundles and tests write cycles through the gateway functions inside an ORM
    session: rows the session loaded before are read again, not trusted stale."""
    from datetime import date

    from sqlmodel import select

    from qi.services import cycles, ideas

    _fill(qi)
    with db.session(resolve(backend)) as s:
        row = s.exec(select(models.Cycle).where(models.Cycle.number == 2)).one()
        idea = s.get(models.ChangeIdea, 1)
        assert row.started_on is None and idea.title == "Text reminders"
        cycles.do(s, "dna-rate#2", on=date(2018, 3, 1))
        ideas.edit(s, "1", title="SMS reminders")
        assert row.started_on == date(2018, 3, 1) and idea.title == "SMS reminders"
        assert row.updated_at > row.created_at


@pytest.mark.parametrize("annotation,value", [
    ("list[str]", ("dna", "calls")), ("Purpose", "develop"), ("Decision", "adapt"),
    ("str", "x"), ("bool", True), ("Purpose", "nope"), ("list[int]", ("1",)),
])
def test_the_quick_value_checks_return_what_typers_own_check_returns(annotation, value):
    """qi.cli._typer_checks answers without pydantic only where it returns exactly what
    Typer's check would; everything else is left to Typer (its value, or its refusal)."""
    from typer._coercion import build_runtime_param, resolve_type_descriptor
    from typer.models import OptionInfo

    from qi.cli._typer_checks import _NO, _Lazy
    from qi.domain import Decision, Purpose

    kind = {"Purpose": Purpose, "Decision": Decision, "str": str, "bool": bool,
            "list[str]": list[str], "list[int]": list[int]}[annotation]
    descriptor = resolve_type_descriptor(kind, OptionInfo())
    quick = _Lazy(descriptor, build_runtime_param)._plain(value)
    try:
        real = build_runtime_param(descriptor)._coerce_value(value, param=None, ctx=None)
    except Exception as exc:  # Typer refuses it: the quick check must not accept it
        assert quick is _NO, exc
        return
    assert quick is _NO or (quick == real and type(quick) is type(real))
