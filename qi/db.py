"""The database: one engine per process, SQLite pragmas, the unit of work, schema checks.

SQLite is opened in WAL mode with foreign keys on, FULL synchronous commits (a commit
that returned survives a power cut) and a busy timeout. Write transactions start with
BEGIN IMMEDIATE so that two terminals writing at once queue for the lock instead of
failing half-way with "database is locked".

Schema versions are Alembic revisions named 0001, 0002, ...: a database behind this qi
is upgraded (SQLite: automatically, after a backup copy; PostgreSQL: only by
`qi db upgrade`), and a database ahead of it is refused untouched.
"""

from __future__ import annotations

import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session

from qi.config import DatabaseLocation, redact_url
from qi.errors import Conflict, InvalidInput, QiError, SchemaOutOfDate
from qi.files import numbered, write_file, write_new

# The newest schema revision this version of qi knows and the busy timeout are the
# gateway's (one place for both ways into the database); tests check the revision matches
# the newest migration script (so it cannot drift).
from qi.gateway import BUSY_TIMEOUT_S, HEAD_REVISION  # noqa: F401
from qi.text import visible

_engines: dict[str, Engine] = {}
_checked: set[str] = set()


class DatabaseUnavailable(QiError):
    """The database cannot be opened, read or reached."""


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (the sqlite3 module's own implicit
    # transactions would otherwise start too late and always as DEFERRED).
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.execute("PRAGMA synchronous = FULL")
    # WAL is switched on by ensure_schema once the file is known to be ours (it is a
    # persistent setting written into the file, and foreign files are never modified).
    cur.close()


def get_engine(loc: DatabaseLocation) -> Engine:
    """The process's engine for this database (created once)."""
    engine = _engines.get(loc.url)
    if engine is not None:
        return engine
    if loc.is_sqlite:
        engine = create_engine(
            loc.url, connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False}
        )
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            mode = conn.get_execution_options().get("qi_begin", "IMMEDIATE")
            conn.exec_driver_sql(f"BEGIN {mode}")

    else:
        engine = _server_engine(loc)
    _engines[loc.url] = engine
    return engine


def _server_engine(loc: DatabaseLocation) -> Engine:
    """An engine for a database server; a URL SQLAlchemy cannot use is one clear error."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    try:
        return create_engine(_server_url(loc.url), pool_pre_ping=True)
    except (NoSuchModuleError, ImportError):  # unknown, or known but not installed
        scheme = loc.url.split("://", 1)[0]
        raise DatabaseUnavailable(
            f"The database URL {loc.display} names a driver qi does not know or that is not "
            f"installed ({scheme!r}). Use a URL like postgresql+psycopg://qi@localhost:5432/qi "
            "(pip install 'qi-tracker[postgres]'), or a file path"
        ) from None
    except (ArgumentError, ValueError, TypeError) as exc:
        reason = redact_url(str(exc).strip().split("\n", 1)[0])
        if "port" in reason.lower() or "int()" in reason:
            reason = "its port is not a number"
        raise DatabaseUnavailable(
            f"The database URL {loc.display} is not valid ({reason}). Write it like "
            "postgresql+psycopg://qi@localhost:5432/qi, the password after the user and a "
            "colon, with / in it written %2F and @ written %40"
        ) from None


def _server_url(url: str):
    """The URL as the user meant it: the password runs to the LAST '@' (SQLAlchemy stops at
    the first, taking the rest of the password for the host name, which a connection error
    would then print)."""
    from urllib.parse import unquote

    from sqlalchemy.engine import make_url

    scheme, _sep, rest = url.partition("://")
    at = rest.rfind("@")
    if at < 0 or "@" not in rest[:at]:
        return make_url(url)
    user, colon, password = rest[:at].partition(":")
    return make_url(f"{scheme}://{rest[at + 1:]}").set(
        username=unquote(user), password=unquote(password) if colon else None)


def dispose_all() -> None:
    """Close every engine (tests, and before copying a database file)."""
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _checked.clear()


def describe_error(exc: Exception, loc: DatabaseLocation) -> str:
    """A one-line, password-free description of a driver error."""
    orig = getattr(exc, "orig", None) or exc
    message = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    return redact_url(message).replace(loc.url, loc.display)


# --- schema version -----------------------------------------------------------------


def current_revision(conn) -> str | None:
    """The schema revision stored in the database, or None for an empty database."""
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables:
        if tables:
            raise SchemaOutOfDate(
                f"This database has tables ({', '.join(sorted(tables)[:5])}) but is not a qi "
                "database. Point --db or QI_DB at a qi database, or run 'qi init' on a new path"
            )
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_newer(rev: str | None) -> bool:
    """True when `rev` was written by a newer qi than this one."""
    return rev is not None and (not rev.isdigit() or int(rev) > int(HEAD_REVISION))


def check_sqlite_file(loc: DatabaseLocation, *, create: bool) -> None:
    path = loc.file
    if path.is_dir():
        raise DatabaseUnavailable(
            f"The database path {path} is a folder. Give a file name, e.g. {path / 'qi.db'}"
        )
    if not path.exists():
        if loc.dangling_link is not None:
            raise DatabaseUnavailable(
                f"{loc.dangling_link} is a symbolic link to {path}, which does not exist. "
                "qi never creates a database through a link; remove the link or give the "
                "real path"
            )
        if not create:
            raise DatabaseUnavailable(missing_message(loc))
        if not path.parent.is_dir():
            raise DatabaseUnavailable(
                f"Cannot create the database {path}: the folder {path.parent} does not exist. "
                "Create the folder first or choose another path with --db"
            )
        return
    with path.open("rb") as fh:
        header = fh.read(16)
    if header and header != b"SQLite format 3\x00":
        raise DatabaseUnavailable(
            f"{path} is not a SQLite database (it was left untouched). "
            "Point --db or QI_DB at a qi database file"
        )


def missing_message(loc: DatabaseLocation) -> str:
    """Why a command refuses a SQLite file that does not exist, and how to make one.

    Only `qi init` and `qi demo` create databases: a mistyped path must never quietly
    start a new, empty record that looks as if the programme's data were gone.
    """
    path = loc.file
    if loc.reason.startswith("the per-user"):  # nothing chosen at all: a first run
        return (f"There is no qi database yet (no ./qi.db here, none at {path}). Run "
                "'qi init' to create one in this folder (or 'qi demo' to try qi on an "
                "example), or point --db or QI_DB at your programme's database")
    folder = "" if path.parent.is_dir() else f" (the folder {path.parent} does not exist)"
    return (f"There is no qi database at {path}{folder}, {loc.reason}. Check the path for "
            f"a typing mistake, or run 'qi init {path}' to create a new, empty database")


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently, even while other processes write to it."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            # The copy is a plain file (rollback journal), whole once this returns.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    except sqlite3.OperationalError as exc:
        if "full" in str(exc):
            raise OSError(errno.ENOSPC, "No space left on device") from exc
        if "readonly" in str(exc) or "unable to open" in str(exc):
            raise OSError(errno.EACCES, "Permission denied") from exc
        raise
    finally:
        src.close()


def backup_sqlite(source: Path, target: Path, *, overwrite: bool = False) -> Path:
    """Write a consistent copy of `source` to `target` through qi's safe writer."""
    return write_file(target, lambda tmp: _copy_sqlite(source, tmp), overwrite=overwrite,
                      what="backup")


def safety_copy(source: Path, label: str) -> Path:
    """A copy of `source` beside it, under a name no earlier copy has: safety copies never
    replace anything (two restores in the same second keep two copies)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    first = source.with_name(f"{source.name}.{label}-{stamp}")
    try:
        return write_new(numbered(first), lambda tmp: _copy_sqlite(source, tmp),
                         what="safety copy")
    except sqlite3.DatabaseError:  # damaged: SQLite cannot copy it page by page
        return _raw_copy(source, numbered(first))


def _raw_copy(source: Path, names) -> Path:
    """A damaged database kept byte for byte, with its write-ahead log beside the copy
    (SQLite pairs `NAME-wal` with `NAME`), so that nothing in it is lost."""
    copy = write_new(names, source.read_bytes(), what="safety copy")
    wal = source.with_name(source.name + "-wal")
    if wal.is_file():
        write_file(copy.with_name(copy.name + "-wal"), wal.read_bytes(), what="safety copy")
    return copy


def _damaged(path: Path) -> bool:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("PRAGMA quick_check").fetchone()[0] != "ok"
        finally:
            con.close()
    except sqlite3.OperationalError:
        return False  # locked or unreadable: not known to be damaged
    except sqlite3.DatabaseError:
        return True


def _replace_damaged(source: Path, target: Path) -> None:
    """Put the backup in place of a damaged database (already kept): its log and index
    files go first, as they belong to the damaged file and would corrupt the new one."""
    for suffix in ("-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            target.with_name(target.name + suffix).unlink()
    backup_sqlite(source, target, overwrite=True)


def restore_sqlite(source: Path, loc: DatabaseLocation, *, force: bool) -> Path | None:
    """Replace the database at `loc` with the qi backup `source`.

    The source must be a qi database this qi can read. An existing database is only replaced
    with `force`, and even then a copy of it is kept beside it first (returned).
    """
    source = source.expanduser().resolve()
    if not source.is_file():
        raise InvalidInput(f"There is no file {source}. Give the path of a backup made with "
                           "'qi db backup'")
    src_loc = DatabaseLocation(f"sqlite:///{source}", "restore source", source)
    check_sqlite_file(src_loc, create=False)
    rev = _file_revision(source)
    if rev is None:
        raise InvalidInput(f"{source} is not a qi database backup. Nothing was changed")
    if is_newer(rev):
        raise SchemaOutOfDate(_newer_message(src_loc, rev))
    target = loc.file
    if source == target:
        raise InvalidInput("The backup and the database are the same file. Nothing was changed")
    kept = None
    if target.exists():
        if not force:
            raise Conflict(f"{target} already exists. Add --force to replace it (a copy of it "
                           "is kept beside it first)")
        check_sqlite_file(loc, create=False)
        kept = safety_copy(target, "before-restore")
    else:
        check_sqlite_file(loc, create=True)  # a missing folder, a link pointing nowhere
    dispose_all()
    if kept is None:  # a new file: written whole, then renamed into place
        backup_sqlite(source, target)
        return None
    if _damaged(target):  # what a restore is for: it cannot be written page by page
        _replace_damaged(source, target)
        return kept
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
        try:
            src.backup(dst)  # page by page under SQLite's locks: readers never see a mix
        finally:
            dst.close()
    except sqlite3.OperationalError as exc:  # one transaction: the database is unchanged
        raise DatabaseUnavailable(
            f"Cannot restore {target}: {exc}. It was left as it was (its copy is {kept})"
        ) from None
    finally:
        src.close()
    return kept


def _file_revision(path: Path) -> str | None:
    """The qi schema revision of a SQLite file, or None if it is not a qi database."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()
    return row[0] if row else None


def upgrade(loc: DatabaseLocation, *, backup: bool = True) -> tuple[str | None, Path | None]:
    """Migrate the database to HEAD_REVISION; return (old revision, backup path or None)."""
    from qi.migrations import run_upgrade

    engine = get_engine(loc)
    with engine.connect() as conn:
        old = current_revision(conn)
        conn.rollback()
    if is_newer(old):
        raise SchemaOutOfDate(_newer_message(loc, old))
    copy = None
    if backup and loc.is_sqlite and old is not None and old != HEAD_REVISION:
        copy = safety_copy(loc.file, f"backup-{old}")
    if old != HEAD_REVISION:
        run_upgrade(engine)
    return old, copy


def _newer_message(loc: DatabaseLocation, rev: str | None) -> str:
    return (
        f"The database {loc.display} has schema revision {rev}, newer than this qi knows "
        f"({HEAD_REVISION}); it was left untouched. Upgrade qi (pip install -U qi-tracker)"
    )


def _use_wal(loc: DatabaseLocation) -> None:
    """Switch a qi SQLite file to WAL (outside any transaction, as SQLite requires)."""
    with _reading(loc):
        raw = get_engine(loc).raw_connection()
        try:
            if raw.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                raw.execute("PRAGMA journal_mode = WAL")
        finally:
            raw.close()


@contextmanager
def _reading(loc: DatabaseLocation) -> Iterator:
    """Map driver errors met while opening or inspecting a database to one clear message."""
    try:
        yield
    except (OperationalError, sqlite3.OperationalError) as exc:
        raise DatabaseUnavailable(
            f"Cannot open the database {loc.display}: {describe_error(exc, loc)}. "
            "Check the path or URL, its permissions, and that the server is running"
        ) from exc
    except (DBAPIError, sqlite3.DatabaseError) as exc:
        if loc.is_sqlite:  # "database disk image is malformed", "file is not a database"
            raise DatabaseUnavailable(
                f"Cannot read the database {loc.display}: {describe_error(exc, loc)}. It is "
                "damaged and was left untouched; restore a backup with 'qi db restore FILE'"
            ) from exc
        raise DatabaseUnavailable(
            f"Cannot open the database {loc.display}: {describe_error(exc, loc)}. "
            "Check the URL and that the server is running"
        ) from exc


def peek_revision(loc: DatabaseLocation, *, create: bool = True) -> str | None:
    """The stored schema revision, without creating or changing anything (None when the
    database is empty or, with `create`, a SQLite file that does not exist yet)."""
    if loc.is_sqlite:
        check_sqlite_file(loc, create=create)
        if not loc.file.exists():
            return None
    with _reading(loc), get_engine(loc).connect().execution_options(
        qi_begin="DEFERRED"
    ) as conn:
        rev = current_revision(conn)
        conn.rollback()
    return rev


def ensure_schema(loc: DatabaseLocation, *, create: bool = False) -> None:
    """Make sure the database has the current schema, once per process.

    A missing SQLite file is refused before anything connects (connecting would create
    it) unless `create` is set, as only by `qi init` and `qi demo`."""
    if loc.url in _checked:
        return
    if loc.is_sqlite:
        check_sqlite_file(loc, create=create)
    rev = peek_revision(loc, create=create)
    if is_newer(rev):
        raise SchemaOutOfDate(_newer_message(loc, rev))
    if loc.is_sqlite:
        _use_wal(loc)
    if rev != HEAD_REVISION:
        if not loc.is_sqlite:
            raise SchemaOutOfDate(
                f"The database {loc.display} is at schema revision {rev or 'none'}, this qi "
                f"needs {HEAD_REVISION}. Take a backup (pg_dump), then run 'qi db upgrade'"
            )
        with _reading(loc):
            old, copy = upgrade(loc, backup=rev is not None)
        if old is not None:  # a new database is announced by the command that made it
            print(visible(f"Upgraded {loc.display} from schema {old} to {HEAD_REVISION} "
                          f"(backup copy: {copy})"), file=sys.stderr)
    _checked.add(loc.url)


@contextmanager
def session(loc: DatabaseLocation, *, write: bool = True,
            create: bool = False) -> Iterator[Session]:
    """One command, one transaction: commit at the end, roll back on any error.

    Read-only sessions begin DEFERRED on SQLite so they never wait for a writer. A missing
    SQLite file is refused (see `missing_message`) unless `create` is set.
    """
    ensure_schema(loc, create=create)
    engine = get_engine(loc)
    if not write and loc.is_sqlite:
        engine = engine.execution_options(qi_begin="DEFERRED")
    with Session(engine, expire_on_commit=False) as s:
        try:
            yield s
            s.commit()
        except IntegrityError as exc:
            s.rollback()
            raise Conflict(
                f"The change clashes with what is stored: {describe_error(exc, loc)}. "
                "Nothing was changed"
            ) from exc
        except OperationalError as exc:
            s.rollback()
            raise DatabaseUnavailable(
                f"The database {loc.display} could not complete the change: "
                f"{describe_error(exc, loc)}. Nothing was changed; try again"
            ) from exc
        except OverflowError:  # a number typed for an id, beyond what SQLite's INTEGER holds
            s.rollback()
            raise InvalidInput(
                "A number in the command is too large for the database (ids and numbers go "
                "up to 9,223,372,036,854,775,807). Check it"
            ) from None
        except DBAPIError as exc:  # e.g. text PostgreSQL cannot store: never the SQL shown
            s.rollback()
            raise InvalidInput(
                f"The database {loc.display} refused the command: {describe_error(exc, loc)}. "
                "Nothing was changed"
            ) from exc
        except BaseException:
            s.rollback()
            raise
