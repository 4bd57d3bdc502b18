"""How a batch read from a file meets the measurements already stored: which entries are
new, which change a stored value (and what it was), which are stored exactly.

Stored rows are fetched by the driver itself, as plain tuples (SQLAlchemy's result rows
cost several seconds per million), and compared as arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qi import domain
from qi.ingest.problems import MAX_SHOWN
from qi.ingest.rules import period_keys
from qi.services.data import describe_change, point
from qi.text import plural
from qi.values import NUMBER_ROLES

if TYPE_CHECKING:
    import numpy as np

    from qi.ingest.measurements import Batch

CHANGES_KEPT = 1_000  # changed values listed in a summary (all are counted)


def day_of(value) -> date:
    """A numpy datetime64 as a date."""
    import numpy as np

    return date.fromisoformat(np.datetime_as_string(value, unit="D"))


def stored_frame(rows: list[tuple]) -> dict[str, np.ndarray]:
    """Stored measurements (measure_id, period, value, numerator, denominator, note,
    import_id) as arrays: `period` datetime64[D], NaN for NULL numbers, None for no note."""
    import numpy as np
    import pandas as pd

    names = ["measure_id", "period", *NUMBER_ROLES, "note", "import_id"]
    frame = pd.DataFrame(rows, columns=names, dtype=object)  # C-level, unlike zip(*rows)
    out = {"measure_id": frame["measure_id"].to_numpy(dtype=np.int64)}
    # SQLite hands dates back as ISO text, PostgreSQL as dates: parse each distinct one once.
    codes, uniques = pd.factorize(frame["period"])
    days = np.array([np.datetime64(str(u)[:10], "D") for u in uniques], dtype="datetime64[D]")
    out["period"] = days[codes] if len(days) else np.array([], dtype="datetime64[D]")
    for role in NUMBER_ROLES:
        out[role] = frame[role].astype(np.float64).to_numpy()  # None -> NaN
    out["note"] = frame["note"].to_numpy(dtype=object)
    out["import_id"] = frame["import_id"].to_numpy(dtype=object)
    return out



def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    import numpy as np

    return (a == b) | (np.isnan(a) & np.isnan(b))


@dataclass(frozen=True)
class Comparison:
    """How a batch meets what is stored: indices into the batch, and for changed entries
    the positions of the stored rows they replace."""

    added: np.ndarray
    changed: np.ndarray
    stored_at: np.ndarray
    unchanged: np.ndarray


def compare(batch: Batch, measure_ids: np.ndarray, stored) -> Comparison:
    """Split a batch into entries to add, entries that change a stored value, and entries
    that are already stored exactly. Notes count only when the file has a note column."""
    import numpy as np
    import pandas as pd

    keys = period_keys(measure_ids, batch.period)
    if len(stored["measure_id"]) == 0:
        empty = np.array([], dtype=np.int64)
        return Comparison(np.arange(len(batch)), empty, empty, empty)
    position = pd.Index(period_keys(stored["measure_id"], stored["period"])).get_indexer(keys)
    found = np.flatnonzero(position >= 0)
    at = position[found]
    same = np.ones(len(found), dtype=bool)
    nan = np.full(len(batch), np.nan)
    for role in NUMBER_ROLES:
        ours = batch.numbers.get(role, nan)[found]
        same &= _same(ours, stored[role][at])
    if batch.note is not None:
        same &= batch.note[found] == stored["note"][at]
    return Comparison(added=np.flatnonzero(position < 0), changed=found[~same],
                      stored_at=at[~same], unchanged=found[same])


def changes(batch: Batch, found: Comparison, stored) -> tuple[domain.ValueChange, ...]:
    """The first CHANGES_KEPT changed values, old and new, in file order."""
    import numpy as np

    order = np.argsort(batch.rows[found.changed], kind="stable")[:CHANGES_KEPT]
    nan = np.full(len(batch), np.nan)
    out = []
    for k in order:
        i, j = found.changed[k], found.stored_at[k]
        old = {name: stored[name][j] for name in (*NUMBER_ROLES, "note")}
        new_note = old["note"] if batch.note is None else batch.note[i]
        value, numerator, denominator = (batch.numbers.get(r, nan)[i] for r in NUMBER_ROLES)
        out.append(domain.ValueChange(
            measure=str(batch.measure[i]), date=day_of(batch.period[i]), row=int(batch.rows[i]),
            old=point(old["value"], old["numerator"], old["denominator"], old["note"]),
            new=point(value, numerator, denominator, new_note),
        ))
    return tuple(out)


def refusal(path: Path, changed: tuple[domain.ValueChange, ...], total: int) -> str:
    """Why an import that would change stored values was refused, listing the changes."""
    lines = [describe_change(c) + "." for c in changed[:MAX_SHOWN]]
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more.")
    return (f"{path.name} would change {plural(total, 'value')} already stored, so nothing "
            "was imported. Check them; add --replace to replace them (the import can be "
            "undone with 'qi data undo'):\n" + "\n".join(lines))
