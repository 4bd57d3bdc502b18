"""The database through the DB-API: how everyday commands reach SQLite and PostgreSQL.

An everyday command (`qi project list`, `qi cycle show`, ...) should answer in a blink;
importing SQLAlchemy, pydantic and the SQLModel tables costs more than the work itself. So
the queries of those commands are plain SQL run here, through the stdlib `sqlite3` module
or `psycopg` (imported only for PostgreSQL URLs). SQLModel remains the one definition of
the schema (`qi.models`, the Alembic migrations); a test checks that every table and
column named in the SQL here and in `qi.queries` exists in `models.metadata`.

The same rules as `qi.db` hold: foreign keys on, FULL synchronous commits, a busy
timeout, BEGIN IMMEDIATE for writes (DEFERRED for reads), one transaction per command,
driver errors translated to `Conflict` / `DatabaseUnavailable`. Anything out of the
ordinary when opening (no file, a foreign file, an old or newer schema, a server that does
not answer) is handed to `qi.db.ensure_schema`, the one place that knows how to create,
upgrade or refuse a database and say why: the fast path only ever opens a database that
is already at the current schema.

SQL is written once with `:name` parameters; for psycopg they become `%(name)s`. A query
reused by an ORM code path runs on that session's own DB-API connection (`of_session`),
in the same transaction, so no query is written twice.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, overload

from qi.errors import Conflict, InvalidInput, QiError

if TYPE_CHECKING:
    from pathlib import Path

    from qi.config import DatabaseLocation

# The newest schema revision this qi knows (qi.db uses it too; a test checks it matches the
# newest migration script), and the busy timeout of both ways into the database.
HEAD_REVISION = "0005"
BUSY_TIMEOUT_S = 30

_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Db:
    """One DB-API connection in one transaction, with `:name` parameters on both backends."""

    def __init__(self, conn: Any, *, sqlite: bool) -> None:
        self.conn = conn
        self.is_sqlite = sqlite

    def _sql(self, sql: str) -> str:
        return sql if self.is_sqlite else _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))

    def execute(self, sql: str, params: dict | None = None):
        cur = self.conn.cursor()
        cur.execute(self._sql(sql), params or {})
        return cur

    def all(self, sql: str, params: dict | None = None) -> list[tuple]:
        return self.execute(sql, params).fetchall()

    def one(self, sql: str, params: dict | None = None) -> tuple | None:
        return self.execute(sql, params).fetchone()

    def get(self, sql: str, params: dict | None = None) -> tuple:
        """The one row of a lookup that has found it already (LookupError if it is gone)."""
        row = self.one(sql, params)
        if row is None:
            raise LookupError("the row looked up is not there")
        return row

    def scalar(self, sql: str, params: dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def in_list(self, name: str, values) -> tuple[str, dict]:
        """`:name0, :name1, ...` and their parameters, for `IN (...)` on both backends."""
        values = list(values)
        params = {f"{name}{i}": v for i, v in enumerate(values)}
        return (", ".join(f":{k}" for k in params) or "NULL"), params

    # --- values as the ORM stores them ------------------------------------------------

    def put_date(self, value: date | None):
        return value.isoformat() if value is not None and self.is_sqlite else value

    def put_datetime(self, value: datetime | None):
        # SQLAlchemy's SQLite DateTime: 'YYYY-MM-DD HH:MM:SS.ffffff', UTC, no offset.
        if value is None or not self.is_sqlite:
            return value
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@overload
def get_date(value: None) -> None: ...
@overload
def get_date(value: date | str) -> date: ...
def get_date(value: date | str | None) -> date | None:
    """A date column as `date` (SQLite stores ISO text)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value[:10])


@overload
def get_datetime(value: None) -> None: ...
@overload
def get_datetime(value: datetime | str) -> datetime: ...
def get_datetime(value: datetime | str | None) -> datetime | None:
    """A timestamp column as an aware UTC `datetime` (SQLite keeps it naive, in UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def utcnow() -> datetime:
    return datetime.now(UTC)


# --- opening ---------------------------------------------------------------------------


def _unavailable(message: str) -> QiError:
    from qi.db import DatabaseUnavailable  # only on an error path

    return DatabaseUnavailable(message)


def _describe(exc: Exception, loc: DatabaseLocation) -> str:
    from qi.config import redact_url

    text = str(exc).strip()
    message = text.splitlines()[0] if text else type(exc).__name__
    return redact_url(message).replace(loc.url, loc.display)


def _sqlite_path(loc: DatabaseLocation) -> Path:
    if loc.path is None:
        raise ValueError(f"{loc.display} is no SQLite file")
    return loc.path


def _connect_sqlite(loc: DatabaseLocation):
    conn = sqlite3.connect(_sqlite_path(loc), timeout=BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_S * 1000}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


def _pg_conninfo(url: str) -> str:
    """libpq's keywords for a `postgresql+psycopg://user:password@host:port/db?...` URL.

    The password runs to the LAST '@', as `qi.db` reads it."""
    from urllib.parse import parse_qsl, unquote

    from psycopg.conninfo import make_conninfo

    _scheme, _sep, rest = url.partition("://")
    rest, _q, query = rest.partition("?")
    at = rest.rfind("@")
    user = password = None
    if at >= 0:
        user, colon, password = rest[:at].partition(":")
        user, password = unquote(user), (unquote(password) if colon else None)
        rest = rest[at + 1:]
    hostport, _slash, dbname = rest.partition("/")
    host, _colon, port = hostport.rpartition(":") if ":" in hostport else (hostport, "", "")
    kwargs = {"host": unquote(host) or None, "port": port or None, "user": user,
              "password": password, "dbname": unquote(dbname) or None}
    kwargs.update(parse_qsl(query))
    return make_conninfo(**{k: v for k, v in kwargs.items() if v is not None})


def _connect(loc: DatabaseLocation):
    if loc.is_sqlite:
        return _connect_sqlite(loc)
    import psycopg

    return psycopg.connect(_pg_conninfo(loc.url), autocommit=True)


def _at_head(loc: DatabaseLocation, conn) -> bool:
    """True when the database is a qi database at the current schema (and, for SQLite,
    already in WAL mode), so that nothing needs creating, upgrading or refusing."""
    try:
        cur = conn.cursor()
        cur.execute("SELECT version_num FROM alembic_version")
        row = cur.fetchone()
        if loc.is_sqlite and row is not None:
            cur.execute("PRAGMA journal_mode")
            return row[0] == HEAD_REVISION and cur.fetchone()[0] == "wal"
        return row is not None and row[0] == HEAD_REVISION
    except Exception:  # no such table, not a database, no permission: the full path says
        return False


def _open(loc: DatabaseLocation):
    """A connection to a database at the current schema; anything else goes to qi.db.

    The check is one small query, run by every command: a file replaced or upgraded by
    another process in the meantime is never taken for the one seen before."""
    if not loc.is_sqlite or _sqlite_path(loc).is_file():
        try:
            conn = _connect(loc)
        except Exception:
            conn = None  # qi.db connects again and explains what is wrong
        if conn is not None:
            if _at_head(loc, conn):
                return conn
            conn.close()
    from qi import db  # the rare path: SQLAlchemy and Alembic are loaded only here

    db.ensure_schema(loc)
    try:
        return _connect(loc)
    except Exception as exc:
        raise _unavailable(f"Cannot open the database {loc.display}: "
                           f"{_describe(exc, loc)}. Check the path or URL, its permissions, "
                           "and that the server is running") from exc


@contextmanager
def connect(loc: DatabaseLocation, *, write: bool = True) -> Iterator[Db]:
    """One command, one transaction: commit at the end, roll back on any error."""
    conn = _open(loc)
    db = Db(conn, sqlite=loc.is_sqlite)
    try:
        with _translated(loc):
            conn.execute(("BEGIN IMMEDIATE" if write else "BEGIN DEFERRED")
                         if loc.is_sqlite else "BEGIN")
            try:
                yield db
                conn.execute("COMMIT")
            except BaseException:
                with suppress(Exception):  # a lost connection has rolled back already
                    conn.execute("ROLLBACK")
                raise
    finally:
        conn.close()


def _kind(exc: BaseException) -> str | None:
    """'integrity', 'operational' or 'other' for a driver error (None: not a driver's)."""
    if isinstance(exc, sqlite3.Error):
        return ("integrity" if isinstance(exc, sqlite3.IntegrityError) else
                "operational" if isinstance(exc, sqlite3.OperationalError) else "other")
    if type(exc).__module__.startswith("psycopg"):
        import psycopg

        if isinstance(exc, psycopg.IntegrityError):
            return "integrity"
        if isinstance(exc, psycopg.OperationalError):
            return "operational"
        if isinstance(exc, psycopg.Error):
            return "other"
    return None


@contextmanager
def _translated(loc: DatabaseLocation) -> Iterator[None]:
    """Driver errors as qi's, with the same words as `qi.db.session`."""
    try:
        yield
    except QiError:
        raise
    except OverflowError:  # a number typed for an id, beyond what SQLite's INTEGER holds
        raise InvalidInput(
            "A number in the command is too large for the database (ids and numbers go "
            "up to 9,223,372,036,854,775,807). Check it") from None
    except Exception as exc:
        kind = _kind(exc)
        if kind == "integrity":
            raise Conflict(f"The change clashes with what is stored: {_describe(exc, loc)}. "
                           "Nothing was changed") from exc
        if kind == "operational":
            raise _unavailable(f"The database {loc.display} could not complete the change: "
                               f"{_describe(exc, loc)}. Nothing was changed; try again"
                               ) from exc
        if kind == "other":  # e.g. text PostgreSQL cannot store: never the SQL shown
            raise InvalidInput(f"The database {loc.display} refused the command: "
                               f"{_describe(exc, loc)}. Nothing was changed") from exc
        raise


def of_session(s) -> Db:
    """The gateway over an ORM session's own connection, inside its transaction, so that a
    heavy code path reuses an everyday query instead of writing it again."""
    s.flush()  # the ORM's pending changes first, so that the query sees them
    conn = s.connection()
    return Db(conn.connection.dbapi_connection, sqlite=conn.dialect.name == "sqlite")


def as_db(s) -> Db:
    """A gateway connection as it is, or the one under an ORM session."""
    return s if isinstance(s, Db) else of_session(s)


def writer(s) -> Db:
    """`as_db` for a change: under an ORM session (the demo, a bundle import, tests), the
    rows the session has loaded are expired too, so that it reads them again after the
    change written here instead of trusting its own copies."""
    if isinstance(s, Db):
        return s
    db = of_session(s)
    s.expire_all()
    return db
