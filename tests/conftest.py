"""Shared fixtures: every test gets its own empty database; nothing touches real data.

The `qi` fixture runs the CLI in-process and returns the result with stdout and stderr
kept apart. When QI_TEST_POSTGRES_URL is set, every test that uses the database runs
twice: once on a SQLite file and once on that PostgreSQL database (emptied first).
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from qi import db
from qi.cli import app
from qi.cli._common import STATE
from qi.config import resolve

PG_URL = os.environ.get("QI_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def _reset() -> None:
    db.dispose_all()
    STATE.db = None
    STATE.debug = False


_pg_migrated = False


def _empty_postgres(url: str) -> None:
    """Migrate once per run from an empty schema; afterwards just empty every table."""
    global _pg_migrated
    from sqlalchemy import create_engine, text

    from qi.models import metadata

    engine = create_engine(url)
    with engine.begin() as conn:
        if _pg_migrated:
            tables = ", ".join(t.name for t in metadata.sorted_tables)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    if not _pg_migrated:
        db.upgrade(resolve(url), backup=False)  # PostgreSQL is never migrated implicitly
        _pg_migrated = True


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory) -> Path:
    """One freshly migrated database, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "qi.db"
    db.upgrade(resolve(str(path)), backup=False)
    db.dispose_all()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch, _template_db):
    """Point QI_DB at a fresh, empty qi database and run in a scratch folder."""
    shutil.copyfile(_template_db, tmp_path / "qi.db")
    monkeypatch.setenv("QI_DB", str(tmp_path / "qi.db"))
    monkeypatch.delenv("QI_DEBUG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)
    _reset()
    yield
    _reset()


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path, monkeypatch) -> str:
    """The database URL under test: a SQLite file, or (when configured) PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "qi.db")
    _empty_postgres(PG_URL)
    monkeypatch.setenv("QI_DB", PG_URL)
    return PG_URL


# Typer rebuilds the Click command tree on every invoke; a real `qi` process builds it once,
# so build it once here too and keep the suite fast.
_COMMAND = typer.main.get_command(app)
_build = typer.testing._get_command
typer.testing._get_command = lambda a: _COMMAND if a is app else _build(a)


class Runner:
    """Invoke `qi ...` in-process; `run("team add X")` or `run(["team", "add", "X"])`."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, args, *, input: str | None = None, ok: bool | None = None):
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        _reset_between_invocations()
        result = self.runner.invoke(app, argv, input=input, catch_exceptions=False)
        if ok is True:
            assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result


def _reset_between_invocations() -> None:
    # Each real `qi` run is a new process; keep engines (fast) but forget root options.
    STATE.db = None
    STATE.debug = False


@pytest.fixture
def qi(backend) -> Runner:
    """The CLI, on the backend under test."""
    return Runner()


@pytest.fixture
def qi_sqlite() -> Runner:
    """The CLI on a SQLite file only (for file-level behaviour)."""
    return Runner()


@pytest.fixture
def session(backend):
    """A unit-of-work session on the backend under test, for calling services directly."""
    loc = resolve(backend)

    def _open(write: bool = True):
        return db.session(loc, write=write)

    return _open


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "qi.db"


@pytest.fixture(scope="session")
def cli_commands() -> list[tuple[str, object]]:
    """(path, click command) for every command of `qi`, e.g. ('cycle new', ...)."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    out = []
    for name in root.list_commands(ctx):
        cmd = root.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            out += [(f"{name} {sub}", cmd.get_command(ctx, sub)) for sub in cmd.list_commands(ctx)]
        else:
            out.append((name, cmd))
    return out


# Every C0 and C1 control character except newline: none may reach a terminal or a file raw.
RAW_CONTROLS = [chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) != "\n"]


def no_raw_controls(text: str) -> None:
    assert not [c for c in RAW_CONTROLS if c in text], repr(text[:300])

