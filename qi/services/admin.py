"""Database administration: row counts for `qi db status`."""

from __future__ import annotations

from sqlalchemy import func, inspect, select, table

from qi.models import metadata


def row_counts(s) -> dict[str, int]:
    """Rows per qi table, in the order the tables are declared."""
    present = set(inspect(s.connection()).get_table_names())
    counts = {}
    for t in metadata.sorted_tables:
        if t.name in present:
            counts[t.name] = s.execute(select(func.count()).select_from(table(t.name))).scalar()
    return counts
