"""Database administration: `qi init` and `qi db status|upgrade|backup|restore`.

Unlike the other services these act on a whole database (a `DatabaseLocation`), not
inside one session's transaction: creating, migrating, copying and replacing it are done
by `qi.db`, and this module holds the checks and choices around them so the command line
only asks, calls and says what happened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qi import db
from qi.errors import Conflict, InvalidInput
from qi.gateway import HEAD_REVISION

if TYPE_CHECKING:
    from sqlmodel import Session

    from qi.config import DatabaseLocation


def init(loc: DatabaseLocation) -> None:
    """Create a new, empty qi database at `loc`; refuse one that is already there."""
    rev = db.peek_revision(loc)  # refuses folders, missing folders and foreign files untouched
    if rev is not None:
        raise Conflict(
            f"There is already a qi database at {loc.display} (schema {rev}). Nothing was "
            "changed. Use it with --db, or give another path"
        )
    if loc.is_sqlite:
        db.ensure_schema(loc, create=True)
    else:  # an empty PostgreSQL database: creating its schema is what init is for
        db.upgrade(loc, backup=False)


def status(s: Session, loc: DatabaseLocation) -> dict[str, Any]:
    """Where the database is, its schema revision against this qi's and its row counts."""
    rev = db.current_revision(s.connection())
    return {"database": loc.display,
            "backend": "sqlite" if loc.is_sqlite else "postgresql",
            "revision": rev, "head": HEAD_REVISION, "up_to_date": rev == HEAD_REVISION,
            "rows": row_counts(s)}


def row_counts(s: Session) -> dict[str, int]:
    """Rows per qi table, in the order the tables are declared."""
    from sqlalchemy import func, inspect, select, table

    from qi.models import metadata

    present = set(inspect(s.connection()).get_table_names())
    counts = {}
    for t in metadata.sorted_tables:
        if t.name in present:
            counts[t.name] = s.execute(select(func.count()).select_from(table(t.name))).scalar_one()
    return counts


def upgrade(loc: DatabaseLocation) -> tuple[str | None, Path | None]:
    """Migrate to this qi's schema: (the revision it had, the SQLite backup copy or None)."""
    if loc.path is not None and not loc.path.exists():
        raise InvalidInput(f"There is no database at {loc.display}. Run 'qi init' to create one")
    db.peek_revision(loc)  # refuses foreign files untouched
    return db.upgrade(loc)


def backup(loc: DatabaseLocation, target: Path, *, force: bool) -> Path:
    """Write a consistent copy of the SQLite database to `target`; return where it went."""
    if loc.path is None:
        raise InvalidInput("qi db backup copies SQLite files. For PostgreSQL use pg_dump "
                           "(see the README)")
    db.ensure_schema(loc, create=False)
    # Absolute but not resolved: a link at TARGET is replaced (with --force), never followed.
    target = Path(os.path.abspath(target.expanduser()))
    if target.resolve() == loc.path:
        raise InvalidInput("The backup must go to a different file from the database itself")
    if target.exists() and not force:
        raise Conflict(f"{target} already exists. Choose another file, or add --force to "
                       "overwrite it")
    if not target.parent.is_dir():
        raise InvalidInput(f"The folder {target.parent} does not exist. Create it first")
    db.backup_sqlite(loc.path, target, overwrite=force)
    return target


def restore_replaces(loc: DatabaseLocation, *, force: bool) -> bool:
    """Whether a restore would replace an existing database (so the user is asked first);
    PostgreSQL is refused."""
    if loc.path is None:
        raise InvalidInput("qi db restore restores SQLite files. For PostgreSQL use pg_restore "
                           "(see the README)")
    return force and loc.path.exists()


def restore(loc: DatabaseLocation, source: Path, *, force: bool) -> Path | None:
    """Replace the SQLite database with a backup; the copy kept of the one replaced, if any."""
    restore_replaces(loc, force=force)
    return db.restore_sqlite(source, loc, force=force)
