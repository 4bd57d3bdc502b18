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
