"""`qi init` and `qi db path|status|upgrade|backup`: where the data is and its schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from qi.cli._common import (
    JsonOption,
    YesOption,
    confirm,
    location,
    noun_app,
    open_session,
    print_json,
    say,
    show_fields,
    show_table,
    write_data,
)

app = noun_app("db")


def init_database(path: str | None) -> None:
    """`qi init`: create a new, empty qi database at PATH (default: --db, QI_DB, ./qi.db)."""
    from qi.cli._common import STATE
    from qi.config import resolve
    from qi.services import admin

    # PATH, else --db, else QI_DB, else ./qi.db (an existing per-user database is not new).
    loc = resolve(path or STATE.db or os.environ.get("QI_DB") or "qi.db")
    admin.init(loc)
    say(f"Initialised a qi database at {loc.display}")
    if path and not STATE.db:
        # Never echo a URL back: it may carry a password.
        where = loc.display if loc.is_sqlite else "URL"
        say(f"Use it with --db {where} or export QI_DB={where}")


@app.command("path")
def path_cmd(json_out: JsonOption = False) -> None:
    """Print which database qi uses, and why."""
    loc = location()
    exists = loc.path.exists() if loc.path is not None else None
    if json_out:
        print_json({"database": loc.display, "reason": loc.reason,
                    "backend": "sqlite" if loc.is_sqlite else "postgresql", "exists": exists})
        return
    write_data(loc.display + "\n")
    note = "" if exists is not False else " (it does not exist yet: 'qi init' creates it)"
    say(f"Chosen because: {loc.reason}{note}")


@app.command("status")
def status(json_out: JsonOption = False) -> None:
    """Show the schema revision and how many rows each table holds."""
    from qi.services import admin

    loc = location()
    with open_session(write=False) as s:
        data = admin.status(s, loc)
    if json_out:
        print_json(data)
        return
    rev = data["revision"]
    show_fields("Database", [("location", loc.display), ("backend", data["backend"]),
                             ("schema", f"{rev} (current)" if data["up_to_date"] else rev)])
    show_table(None, ["table", "rows"], list(data["rows"].items()))


@app.command("upgrade")
def upgrade() -> None:
    """Migrate the database to this qi's schema (a SQLite file is backed up first).

    PostgreSQL databases are only ever migrated by this command: take a pg_dump first.
    """
    from qi.services import admin

    loc = location()
    old, copy = admin.upgrade(loc)
    if old == admin.HEAD_REVISION:
        say(f"{loc.display} is already at schema {old}; nothing to do")
        return
    say(f"Upgraded {loc.display} from schema {old or 'none'} to {admin.HEAD_REVISION}"
        + (f" (backup copy: {copy})" if copy else ""))


@app.command("backup")
def backup(
    target: Annotated[Path, typer.Argument(help="File to write the copy to.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite TARGET if it exists.")] = False,
) -> None:
    """Write a consistent copy of a SQLite database, even while others are using it.

    For PostgreSQL use pg_dump (see the README).
    """
    from qi.services import admin

    loc = location()
    written = admin.backup(loc, target, force=force)
    say(f"Backed up {loc.display} to {written}")


@app.command("restore")
def restore(
    source: Annotated[Path, typer.Argument(help="A backup made with 'qi db backup'.")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the current database (a copy of it is kept first).")] = False,
    yes: YesOption = False,
) -> None:
    """Replace the SQLite database with a backup. An existing database needs --force."""
    from qi.services import admin

    loc = location()
    if admin.restore_replaces(loc, force=force):
        confirm(f"Replace {loc.display} with {source}?", yes)
    kept = admin.restore(loc, source, force=force)
    say(f"Restored {loc.display} from {source}"
        + (f" (the database it replaced is kept as {kept})" if kept else ""))
