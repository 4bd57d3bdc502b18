"""Lookups shared by the queries and the services: what exists, said when something does not."""

from __future__ import annotations

from qi.errors import NotFound

MAX_LISTED = 8


def known_list(names: list[str]) -> str:
    """'a, b, c' (at most MAX_LISTED names, then '...')."""
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (", ..." if len(names) > MAX_LISTED else "")



def not_found(kind: str, wanted: str, existing: list[str], list_cmd: str) -> NotFound:
    """"No project 'dna'. Projects: dna-rate, flu-uptake. Run 'qi project list'."""
    plural = kind + "s"
    if existing:
        have = f"{plural.capitalize()}: {known_list(sorted(existing))}"
    else:
        have = f"There are no {plural} yet"
    return NotFound(f"No {kind} '{wanted}'. {have}. Run '{list_cmd}'")


def id_by_slug(db, table: str, slug: str, kind: str, list_cmd: str) -> int:
    """The id of the row of `table` with this slug, or NotFound naming the slugs there are.

    `table` is one of qi's own table names, never user input."""
    found = db.scalar(f"SELECT id FROM {table} WHERE slug = :slug", {"slug": slug})
    if found is None:
        existing = [r[0] for r in db.all(f"SELECT slug FROM {table}")]
        raise not_found(kind, slug, existing, list_cmd)
    return found
