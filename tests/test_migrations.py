"""Migrations: models and migration scripts agree, and every older database upgrades intact."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from qi import db
from qi.config import resolve
from qi.migrations import head_revision
from qi.models import metadata

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_DBS = sorted(FIXTURES.glob("schema_*.db"))


def test_head_revision_constant_matches_the_scripts():
    assert db.HEAD_REVISION == head_revision()


def test_upgrade_from_empty_gives_exactly_the_models(backend):
    # The backend fixture has already migrated an empty database to head.
    loc = resolve(backend)
    if loc.is_sqlite:
        db.upgrade(loc, backup=False)
    with db.get_engine(loc).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata)
        assert db.current_revision(conn) == db.HEAD_REVISION
    assert diff == []


def test_there_is_a_fixture_for_the_current_schema():
    assert (FIXTURES / f"schema_{db.HEAD_REVISION}.db").exists(), (
        "Run tests/fixtures/build_fixture.py for the new schema revision and commit the files"
    )


def _rows(path: Path, table: str, keys: str) -> list[dict]:
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY {keys}")).mappings().all()
    engine.dispose()
    return [dict(r) for r in rows]


def _dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", FIXTURE_DBS, ids=lambda p: p.stem)
def test_every_older_database_upgrades_with_nothing_lost(fixture, tmp_path, capsys):
    expected = json.loads(fixture.with_suffix(".json").read_text())
    work = tmp_path / "old.db"
    shutil.copyfile(fixture, work)
    loc = resolve(str(work))
    old_rev = fixture.stem.removeprefix("schema_")

    db.ensure_schema(loc)

    err = capsys.readouterr().err
    backups = list(tmp_path.glob("old.db.backup-*"))
    if old_rev == db.HEAD_REVISION:
        assert err == "" and backups == []
    else:
        assert err.count("\n") == 1 and f"from schema {old_rev} to {db.HEAD_REVISION}" in err
        assert len(backups) == 1
        assert _dump(backups[0]) == _dump(fixture)  # the backup is the old database, whole
    with db.get_engine(loc).connect() as conn:
        assert db.current_revision(conn) == db.HEAD_REVISION
    db.dispose_all()
    for table, rows in expected.items():
        pk = ", ".join(c.name for c in metadata.tables[table].primary_key.columns)
        got = _rows(work, table, pk)
        assert len(got) == len(rows), table
        for want, have in zip(rows, got, strict=True):
            for column, value in want.items():  # new columns may be added, never lost
                stored = have[column]
                assert (str(stored) if isinstance(value, str) and stored is not None
                        else stored) == value, (table, column)


# --- the same fixtures on PostgreSQL --------------------------------------------------------

# Imported here, beside the PostgreSQL tests that need them.
import os  # noqa: E402
from datetime import UTC, date, datetime  # noqa: E402

PG_URL = os.environ.get("QI_TEST_POSTGRES_URL")


def _sqlite_value(value, column):
    """A fixture cell as PostgreSQL takes it: SQLite keeps dates, timestamps and booleans as
    text and integers (timestamps written in UTC)."""
    from sqlalchemy import Boolean, Date, DateTime

    if value is None:
        return None
    if isinstance(column.type, Boolean):
        return bool(value)
    if isinstance(column.type, DateTime):
        stamp = datetime.fromisoformat(value)
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    return value


def _copy_fixture_to_postgres(fixture: Path, conn) -> None:
    """Every row of the SQLite fixture into the PostgreSQL schema of the same revision,
    parents before children, then each id sequence moved past the copied ids."""
    from sqlalchemy import MetaData, insert

    schema = MetaData()
    schema.reflect(conn)
    source = sqlite3.connect(fixture)
    try:
        for table in schema.sorted_tables:
            if table.name == "alembic_version":
                continue
            names = [c.name for c in table.columns]
            keys = ", ".join(c.name for c in table.primary_key.columns)
            rows = source.execute(f"SELECT {', '.join(names)} FROM {table.name} "
                                  f"ORDER BY {keys}").fetchall()
            if rows:
                conn.execute(insert(table), [
                    {c.name: _sqlite_value(v, c) for c, v in zip(table.columns, row,
                                                                 strict=True)}
                    for row in rows])
            if "id" in names:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                                  f"'id'), max(id)) FROM {table.name}"))
    finally:
        source.close()


def _as_sqlite_wrote_it(value):
    """A PostgreSQL value in the form the fixture's JSON keeps (SQLite's text)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="needs QI_TEST_POSTGRES_URL")
@pytest.mark.parametrize("fixture", FIXTURE_DBS, ids=lambda p: p.stem)
def test_every_older_database_upgrades_on_postgres_with_nothing_lost(fixture):
    """Each release's fixture, recreated on PostgreSQL at its own revision, upgrades to
    the current schema with every row intact."""
    import conftest  # its once-per-run migration must not trust what this test leaves

    from qi.migrations import run_upgrade

    expected = json.loads(fixture.with_suffix(".json").read_text())
    old_rev = fixture.stem.removeprefix("schema_")
    engine = create_engine(PG_URL)
    conftest._pg_migrated = False
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        run_upgrade(engine, revision=old_rev)
        with engine.begin() as conn:
            _copy_fixture_to_postgres(fixture, conn)

        old, _ = db.upgrade(resolve(PG_URL), backup=False)

        assert old == old_rev
        with engine.connect() as conn:
            assert db.current_revision(conn) == db.HEAD_REVISION
            for table, rows in expected.items():
                pk = ", ".join(c.name for c in metadata.tables[table].primary_key.columns)
                got = conn.execute(text(f"SELECT * FROM {table} ORDER BY {pk}")).mappings()
                got = [dict(r) for r in got]
                assert len(got) == len(rows), table
                for want, have in zip(rows, got, strict=True):
                    for column, value in want.items():  # new columns may be added, never lost
                        assert _as_sqlite_wrote_it(have[column]) == value, (table, column)
    finally:
        engine.dispose()
        db.dispose_all()
