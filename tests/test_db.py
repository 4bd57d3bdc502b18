"""The database layer: pragmas, refusing what is not ours, backups, concurrency."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from qi import db
from qi.config import resolve
from qi.errors import QiError, SchemaOutOfDate


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_pragmas(db_path):
    loc = resolve(str(db_path))
    with db.session(loc, write=False) as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_only_an_explicit_create_makes_a_new_database(tmp_path, capsys):
    loc = resolve(str(tmp_path / "new.db"))
    with pytest.raises(QiError, match="There is no qi database at"):
        db.ensure_schema(loc)
    assert not any(p.name.startswith("new.db") for p in tmp_path.iterdir())
    db.ensure_schema(loc, create=True)
    assert capsys.readouterr().err == ""  # the command that creates it says so
    assert loc.path.exists()


def test_a_transaction_that_fails_leaves_nothing(db_path):
    from qi.services import teams

    loc = resolve(str(db_path))
    with pytest.raises(QiError), db.session(loc) as s:
        teams.add(s, "North")
        teams.add(s, "North")  # duplicate: the whole unit of work is rolled back
    with db.session(loc, write=False) as s:
        assert teams.list_all(s) == []


def test_newer_database_is_refused_untouched(qi_sqlite, db_path):
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    before = _digest(db_path)
    r = qi_sqlite("team list")
    assert r.exit_code == 1
    assert "newer than this qi" in r.stderr and "left untouched" in r.stderr
    assert _digest(db_path) == before
    with pytest.raises(SchemaOutOfDate):
        db.ensure_schema(resolve(str(db_path)))


def test_file_that_is_not_sqlite_is_refused_untouched(qi_sqlite, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("Practice meeting notes\n" * 20)
    before = _digest(bogus)
    r = qi_sqlite(["--db", str(bogus), "team", "list"])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: {bogus} is not a SQLite database")
    assert "Traceback" not in r.stderr
    assert _digest(bogus) == before


def test_sqlite_database_of_another_application_is_refused(qi_sqlite, tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    before = _digest(other)
    r = qi_sqlite(["--db", str(other), "team", "list"])
    assert r.exit_code == 1
    assert "is not a qi database" in r.stderr and "invoices" in r.stderr
    assert _digest(other) == before


def test_missing_folder(qi_sqlite, tmp_path):
    target = tmp_path / "no" / "such" / "qi.db"
    r = qi_sqlite(["--db", str(target), "team", "list"])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: There is no qi database at {target} (the folder "
                               f"{target.parent} does not exist), given with --db.")
    assert f"qi init {target}" in r.stderr
    assert not target.parent.exists()


MISSING_DB_COMMANDS = [
    "project list", "team add North", "status", "db status", "db backup copy.db",
    "cycle list", "data list dna", "report --programme", "chart --programme",
    "export dna-rate", "measure list", "meeting list", "note list", "idea list",
]


@pytest.mark.parametrize("command", MISSING_DB_COMMANDS)
def test_a_mistyped_database_path_is_refused_and_nothing_is_created(
        qi_sqlite, tmp_path, monkeypatch, command):
    # The user meant fac.db: a new, empty database would look as if the record were gone.
    (tmp_path / "fac.db").write_bytes((tmp_path / "qi.db").read_bytes())
    typo = tmp_path / "fac.bd"
    monkeypatch.setenv("QI_DB", str(typo))
    before = sorted(p.name for p in tmp_path.iterdir())
    r = qi_sqlite(command)
    assert r.exit_code == 1, (command, r.stdout, r.stderr)
    assert r.stderr == (f"Error: There is no qi database at {typo}, from the QI_DB "
                        "environment variable. Check the path for a typing mistake, or run "
                        f"'qi init {typo}' to create a new, empty database.\n")
    assert r.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no qi.db-wal, -shm, ...


def test_a_first_command_before_qi_init_points_to_qi_init(qi_sqlite, tmp_path, monkeypatch):
    monkeypatch.delenv("QI_DB")
    (tmp_path / "qi.db").unlink()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user-data"))
    r = qi_sqlite("team list")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: There is no qi database yet (no ./qi.db here, none at "
                               f"{tmp_path / 'user-data' / 'qi' / 'qi.db'}). Run 'qi init'")
    assert not (tmp_path / "qi.db").exists() and not (tmp_path / "user-data").exists()
    qi_sqlite("init", ok=True)
    assert qi_sqlite("team list", ok=True).exit_code == 0


def test_init_says_once_what_it_created(qi_sqlite, tmp_path):
    r = qi_sqlite(["init", str(tmp_path / "programme.db")], ok=True)
    assert r.stderr == (f"Initialised a qi database at {tmp_path / 'programme.db'}\n"
                        f"Use it with --db {tmp_path / 'programme.db'} or export "
                        f"QI_DB={tmp_path / 'programme.db'}\n")


def test_read_only_folder(qi_sqlite, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    target = folder / "qi.db"
    if os.access(folder, os.W_OK):  # root ignores permissions; /proc refuses even root
        target = Path("/proc/qi-test.db")
    r = qi_sqlite(["init", str(target)])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: Cannot open the database {target}")
    assert not target.exists()


def test_unreachable_postgres_never_shows_the_password(qi_sqlite):
    url = "postgresql+psycopg://ann:hunter2-secret@127.0.0.1:1/qi?connect_timeout=3"
    r = qi_sqlite(["--db", url, "team", "list"])
    assert r.exit_code == 1
    assert "hunter2" not in r.stderr + r.stdout
    assert r.stderr.startswith("Error: Cannot open the database postgresql+psycopg://ann:***@")
    r = qi_sqlite(["--db", url, "--debug", "db", "path"])
    assert "hunter2" not in r.stderr + r.stdout


def test_backup_is_consistent_while_another_connection_writes(qi_sqlite, db_path, tmp_path):
    qi_sqlite("team add North", ok=True)
    writer = sqlite3.connect(db_path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO team (slug, name, created_at, updated_at) "
                   "VALUES ('uncommitted', 'U', '2020-01-01', '2020-01-01')")
    target = tmp_path / "copy.db"
    qi_sqlite(["db", "backup", str(target)], ok=True)
    writer.rollback()
    writer.close()
    con = sqlite3.connect(target)
    assert con.execute("SELECT slug FROM team").fetchall() == [("north",)]
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()


def test_backup_refuses_to_overwrite(qi_sqlite, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    r = qi_sqlite(["db", "backup", str(target)])
    assert r.exit_code == 1 and "--force" in r.stderr
    assert target.read_text() == "precious"
    qi_sqlite(["db", "backup", str(target), "--force"], ok=True)
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_backup_of_postgres_points_to_pg_dump(qi_sqlite, tmp_path):
    r = qi_sqlite(["--db", "postgresql+psycopg://u:pw@127.0.0.1:1/x", "db", "backup",
                   str(tmp_path / "x.db")])
    assert r.exit_code == 1 and "pg_dump" in r.stderr


@pytest.mark.slow
def test_concurrent_writers_lose_nothing(backend, tmp_path):
    """Several processes adding teams at once: every team present, no 'database is locked'."""
    script = tmp_path / "writer.py"
    script.write_text(
        "import sys\nfrom qi.cli import app\n"
        "for i in range(int(sys.argv[2])):\n"
        "    try:\n"
        "        app([\"team\", \"add\", f\"{sys.argv[1]} {i}\"], prog_name=\"qi\")\n"
        "    except SystemExit as exc:\n"
        "        if exc.code: raise\n"
    )
    env = {**os.environ, "QI_DB": backend}
    procs = [subprocess.Popen([sys.executable, str(script), f"w{n}", "12"], env=env,
                              stderr=subprocess.PIPE, text=True) for n in range(4)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert not any("locked" in e or "Error" in e for e in errors), errors
    loc = resolve(backend)
    with db.session(loc, write=False) as s:
        count = s.execute(text("SELECT count(*) FROM team")).scalar()
    assert count == 48


def test_db_path_says_why(qi_sqlite, db_path):
    r = qi_sqlite("db path", ok=True)
    assert r.stdout.strip() == str(db_path)
    assert "QI_DB" in r.stderr
    data = json.loads(qi_sqlite("db path --json", ok=True).stdout)
    assert data == {"database": str(db_path), "reason": "from the QI_DB environment variable",
                    "backend": "sqlite", "exists": True}


def test_db_status_counts_rows(qi):
    qi("team add North", ok=True)
    qi("member add Ann --role GP --team north", ok=True)
    data = json.loads(qi("db status --json", ok=True).stdout)
    assert data["revision"] == db.HEAD_REVISION and data["up_to_date"] is True
    assert data["rows"]["team"] == 1 and data["rows"]["team_membership"] == 1
    assert data["rows"]["project"] == 0


def test_init_creates_and_refuses_a_second_time(qi_sqlite, tmp_path):
    target = tmp_path / "programme.db"
    r = qi_sqlite(["init", str(target)], ok=True)
    assert "Initialised a qi database" in r.stderr
    r = qi_sqlite(["init", str(target)])
    assert r.exit_code == 1 and "already a qi database" in r.stderr
    r = qi_sqlite(["init", str(tmp_path / "missing" / "x.db")])
    assert r.exit_code == 1 and "does not exist" in r.stderr


def test_init_uses_qi_db_when_set(qi_sqlite, tmp_path, monkeypatch):
    monkeypatch.setenv("QI_DB", str(tmp_path / "from-env.db"))
    qi_sqlite("init", ok=True)
    assert (tmp_path / "from-env.db").exists()


def test_init_default_is_local_qi_db(qi_sqlite, tmp_path, monkeypatch):
    monkeypatch.delenv("QI_DB")
    (tmp_path / "qi.db").unlink()
    qi_sqlite("init", ok=True)
    assert (tmp_path / "qi.db").exists()
    assert "./qi.db exists" in qi_sqlite("db path").stderr


def test_upgrade_when_current_says_so(qi_sqlite):
    r = qi_sqlite("db upgrade", ok=True)
    assert f"is already at schema {db.HEAD_REVISION}; nothing to do" in r.stderr


def test_restore_round_trip_and_refusals(qi_sqlite, db_path, tmp_path):
    qi_sqlite("team add North", ok=True)
    backup = tmp_path / "monday.db"
    qi_sqlite(["db", "backup", str(backup)], ok=True)
    qi_sqlite("team add South", ok=True)

    r = qi_sqlite(["db", "restore", str(backup)])
    assert r.exit_code == 1 and "--force" in r.stderr
    assert len(json.loads(qi_sqlite("team list --json").stdout)) == 2  # untouched

    r = qi_sqlite(["db", "restore", str(backup), "--force", "--yes"], ok=True)
    kept = Path(r.stderr.split("is kept as ")[1].rstrip(")\n"))
    assert [t["slug"] for t in json.loads(qi_sqlite("team list --json").stdout)] == ["north"]
    con = sqlite3.connect(kept)
    assert con.execute("SELECT count(*) FROM team").fetchone() == (2,)
    con.close()


def test_restore_into_a_new_file(qi_sqlite, tmp_path):
    qi_sqlite("team add North", ok=True)
    backup = tmp_path / "b.db"
    qi_sqlite(["db", "backup", str(backup)], ok=True)
    fresh = tmp_path / "fresh.db"
    qi_sqlite(["--db", str(fresh), "db", "restore", str(backup)], ok=True)
    r = qi_sqlite(["--db", str(fresh), "team", "list", "--json"], ok=True)
    assert [t["slug"] for t in json.loads(r.stdout)] == ["north"]


def test_restore_refuses_what_is_not_a_qi_backup(qi_sqlite, db_path, tmp_path):
    before = _digest(db_path)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    for source, message in [(text, "is not a SQLite database"),
                            (other, "is not a qi database backup"),
                            (tmp_path / "missing.db", "There is no file")]:
        r = qi_sqlite(["db", "restore", str(source), "--force", "--yes"])
        assert r.exit_code == 1 and message in r.stderr, (source, r.stderr)
    assert _digest(db_path) == before


@pytest.mark.parametrize("damage", ["truncate", "scribble"])
def test_damaged_database_is_reported_and_never_modified(qi_sqlite, db_path, damage):
    qi_sqlite("team add North", ok=True)
    db.dispose_all()
    data = db_path.read_bytes()
    if damage == "truncate":
        db_path.write_bytes(data[: len(data) // 3])
    else:  # keep the header, overwrite the schema page
        db_path.write_bytes(data[:100] + b"\xff" * 3000 + data[3100:])
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    before = _digest(db_path)
    r = qi_sqlite("team list")
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: Cannot read the database {db_path}")
    assert "damaged and was left untouched" in r.stderr and "qi db restore" in r.stderr
    assert _digest(db_path) == before


@pytest.mark.skipif(not os.environ.get("QI_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
def test_postgres_password_from_pgpassword_and_pgpass(qi_sqlite, tmp_path, monkeypatch):
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["QI_TEST_POSTGRES_URL"])
    bare = f"{url.drivername}://{url.username}@{url.host}:{url.port}/{url.database}"
    db.upgrade(resolve(os.environ["QI_TEST_POSTGRES_URL"]), backup=False)
    db.dispose_all()
    monkeypatch.setenv("PGPASSWORD", url.password)
    r = qi_sqlite(["--db", bare, "db", "status", "--json"], ok=True)
    assert url.password not in r.stdout + r.stderr
    db.dispose_all()
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"{url.host}:{url.port}:{url.database}:{url.username}:{url.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    qi_sqlite(["--db", bare, "db", "status"], ok=True)
    db.dispose_all()
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    r = qi_sqlite(["--db", bare, "db", "status"])
    assert r.exit_code == 1 and r.stderr.startswith("Error: Cannot open the database")


EDITOR_PROC = """
import sys
from qi.cli import app
field, rounds = sys.argv[1], int(sys.argv[2])
for i in range(rounds):
    try:
        app(["project", "edit", "shared", f"--{field}", f"{field} {i}"], prog_name="qi")
    except SystemExit as exc:
        if exc.code: raise
"""


@pytest.mark.slow
def test_concurrent_edits_of_one_project_lose_no_update(qi, backend):
    """Four people edit different fields of one project at once: each last edit survives."""
    qi("team add North", ok=True)
    qi("project add shared --title T --team north --aim A", ok=True)
    env = {**os.environ, "QI_DB": backend}
    procs = [subprocess.Popen([sys.executable, "-c", EDITOR_PROC, field, "10"], env=env,
                              stderr=subprocess.PIPE, text=True)
             for field in ("title", "aim")]
    procs += [subprocess.Popen([sys.executable, "-c", WRITER_CYCLES, "10"], env=env,
                               stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, errors
    project = json.loads(qi("project show shared --json", ok=True).stdout)
    assert (project["title"], project["aim"]) == ("title 9", "aim 9")
    numbers = [c["number"] for c in json.loads(qi("cycle list shared --json").stdout)]
    assert numbers == list(range(1, 21))


WRITER_CYCLES = """
import sys
from qi.cli import app
for i in range(int(sys.argv[1])):
    try:
        app(["cycle", "new", "shared", f"c{i}", "--no-edit"], prog_name="qi")
    except SystemExit as exc:
        if exc.code: raise
"""


@pytest.mark.skipif(not os.environ.get("QI_TEST_POSTGRES_URL"), reason="needs PostgreSQL")
def test_init_creates_the_schema_in_an_empty_postgres_database(qi_sqlite):
    import conftest
    from sqlalchemy import create_engine

    url = os.environ["QI_TEST_POSTGRES_URL"]
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    conftest._pg_migrated = False  # the next PostgreSQL test rebuilds its schema
    r = qi_sqlite(["init", url])
    assert r.exit_code == 0, r.stderr
    assert "Initialised a qi database at postgresql+psycopg://" in r.stderr
    assert "***" in r.stderr and url.split(":")[2].split("@")[0] not in r.stderr
    r = qi_sqlite(["--db", url, "db", "status", "--json"], ok=True)
    assert json.loads(r.stdout)["up_to_date"] is True
    r = qi_sqlite(["init", url])
    assert r.exit_code == 1 and "There is already a qi database" in r.stderr
