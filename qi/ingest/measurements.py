"""Measurement files to a Batch: long, wide, single-measure and event-level files
(`qi data import`), one entry per measure and period, in file order.

A file is read into a Table (the cells as pandas read them), shaped into a Batch, and
checked against the measures' rules (`qi.ingest.rules`). Every check is vectorised: a file
of a million rows is checked with a handful of array operations, and Python only runs per
distinct value (dates) or per problem found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.cells import parse_dates, parse_numbers, start_of_period
from qi.ingest.identifiers import check_identifiers
from qi.ingest.problems import MAX_SHOWN, Problems
from qi.ingest.tables import Table, read_table
from qi.text import csv_untext
from qi.values import NUMBER_ROLES

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Layout:
    """How to read a measurement file: the options of `qi data import`. A column option
    left as None means the usual name (date, value, numerator, denominator), which is then
    only used when the file has it."""

    date_col: str | None = None
    value_col: str | None = None
    numerator_col: str | None = None
    denominator_col: str | None = None
    measure: str | None = None  # one measure for the whole file
    sheet: str | None = None
    period: str | None = None  # "week" or "month": dates go to the start of their period
    aggregate: str | None = None  # "week" or "month": count event rows per period
    numerator_where: tuple[str, str] | None = None  # (column, value) for --aggregate
    allow_identifiers: bool = False


_OPTIONS = {"date": "--date-col", "value": "--value-col", "numerator": "--numerator-col",
            "denominator": "--denominator-col"}


@dataclass(eq=False)
class Batch:
    """Measurements read from a file, one entry per measure and period, in file order.

    ``numbers`` maps value/numerator/denominator to float64 arrays (NaN where blank) for the
    columns the file has; ``blank`` their blank masks; ``shown`` the cells as written, for
    messages; ``columns`` the column each role came from (per entry for wide files).
    ``note`` is None when the file has no note column (stored notes are then left alone).
    """

    path: Path
    layout: Layout
    measure: np.ndarray
    period: np.ndarray
    rows: np.ndarray
    numbers: dict[str, np.ndarray]
    blank: dict[str, np.ndarray]
    shown: dict[str, np.ndarray]
    columns: dict[str, str | np.ndarray]  # per entry for wide files
    note: np.ndarray | None
    file_columns: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()  # --aggregate: first/last periods only partly covered

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, index: np.ndarray) -> Batch:
        def pick(d: dict) -> dict:
            return {k: (v[index] if not isinstance(v, str) else v) for k, v in d.items()}

        return Batch(self.path, self.layout, self.measure[index], self.period[index],
                     self.rows[index], pick(self.numbers), pick(self.blank), pick(self.shown),
                     pick(self.columns), None if self.note is None else self.note[index],
                     self.file_columns, self.partial)


def _column(table: Table, given: str | None, default: str, role: str) -> str | None:
    """The file's column for a role; a column named with an option must exist."""
    found = table.find(given or default)
    if found is None and given is not None:
        raise table.missing(given, _OPTIONS[role])
    return found


def read_measurements(path: str | Path, layout: Layout, problems: Problems,
                      data: bytes | None = None) -> Batch:
    """Read a long, wide, single-measure or event-level file into a Batch.

    Problems with the file's structure (missing columns, identifiers) raise at once;
    problems in cells (dates, numbers) are added to `problems` and those rows left out.
    """
    path = Path(path)
    text = frozenset(n.lower() for n in (layout.date_col or "date", "measure", "note"))
    if layout.aggregate:
        where = layout.numerator_where[0] if layout.numerator_where else None
        text = text | ({where.lower()} if where else set())
    table = read_table(path, sheet=layout.sheet, text_columns=text,
                       all_text=bool(layout.aggregate), data=data)
    date_col = _column(table, layout.date_col, "date", "date")
    if not layout.allow_identifiers:
        check_identifiers(table, skip=date_col)
    if date_col is None:
        raise table.missing("date", "--date-col")
    measure_col = table.find("measure")
    if layout.aggregate:
        return _aggregate(table, layout, date_col, problems)
    if layout.measure is not None and measure_col is not None:
        raise InvalidInput(
            f"{path.name} has a 'measure' column and --measure was given. Leave out "
            "--measure to use the column, or remove the column"
        )
    days, ok = _periods(table, date_col, layout.period, problems)
    if layout.measure is not None or measure_col is not None:
        return _long(table, layout, date_col, measure_col, days, ok, problems)
    return _wide(table, layout, date_col, days, ok, problems)


def _periods(table: Table, date_col: str, period: str | None, problems: Problems):
    """Each row's period (NaT where the date is bad) and a mask of rows with a good date."""
    days, ok = _dates(table, date_col, problems)
    return start_of_period(days, period), ok


def _dates(table: Table, date_col: str, problems: Problems):
    """Each row's date (NaT where it is bad) and a mask of rows with a good date."""
    import numpy as np

    cells = table.frame[date_col]
    days, blank, bad, why = parse_dates(cells)
    shown = cells.to_numpy(dtype=object)
    for reason in sorted(set(why)):
        picked = bad[np.array(why, dtype=object) == reason]
        problems.add(table.rows[picked], date_col, shown[picked], reason)
    problems.add(table.rows[blank], date_col, shown[blank],
                 "the date is empty; every row needs one")
    return days, ~np.isnat(days)


def partial_periods(days: np.ndarray, period: str) -> tuple[str, ...]:
    """Sentences about a first or last week or month that the events cover only in part
    (a search run from the 14th): its count is stored like a whole period's, so say so."""
    import numpy as np

    if not len(days):
        return ()
    said = []
    for which, day in (("first", days.min()), ("last", days.max())):
        start = start_of_period(np.array([day]), period)[0]
        if period == "month":
            end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
            name = f"{start.astype(object):%B %Y}"
        else:
            end, name = start + 6, f"week of {start}"
        # Practices close at weekends: a month from Monday the 3rd, or a week that ends on
        # Friday, is whole.
        if which == "first":
            whole = not np.is_busday(np.arange(start, day, dtype="datetime64[D]")).any()
        else:
            whole = not np.is_busday(np.arange(day + 1, end + 1, dtype="datetime64[D]")).any()
        if whole:
            continue
        edge = "from" if which == "first" else "up to"
        said.append(f"the {which} {period} ({name}) has events only {edge} {day}, so its "
                    f"count covers part of the {period} but is stored like a whole {period}'s")
    return tuple(said)


def _read_numbers(table: Table, column: str, problems: Problems):
    import numpy as np

    values, blank, bad, why = parse_numbers(table.frame[column])
    shown = table.frame[column].to_numpy(dtype=object)
    for reason in sorted(set(why)):
        picked = bad[np.array(why, dtype=object) == reason]
        problems.add(table.rows[picked], column, shown[picked], reason)
    ok = np.ones(len(values), dtype=bool)
    ok[bad] = False
    return values, blank, shown, ok


def _notes(table: Table) -> np.ndarray | None:
    """Notes as text, None where blank; None when the file has no note column."""
    import numpy as np
    import pandas as pd

    column = table.find("note")
    if column is None:
        return None
    cells = table.frame[column]
    notes = cells.astype(object).where(cells.notna(), None).to_numpy(dtype=object, copy=True)
    if cells.dtype == object:  # Excel: a note may be a number or a date cell
        notes = np.array([v if v is None or isinstance(v, str) else str(v) for v in notes],
                         dtype=object)
    # As with `qi data add --note`, a note of only spaces is no note.
    notes[pd.Series(notes, dtype=object).str.strip().to_numpy() == ""] = None
    # A qi export guards text cells against formulas with an apostrophe: take it off.
    guarded = np.flatnonzero(pd.Series(notes, dtype=object).str.startswith("'").to_numpy(
        dtype=bool, na_value=False))
    for i in guarded:
        notes[i] = csv_untext(notes[i])
    return notes


def _long(table, layout, date_col, measure_col, days, ok, problems) -> Batch:
    import numpy as np
    import pandas as pd

    roles = {role: _column(table, getattr(layout, f"{role}_col"), role, role)
             for role in NUMBER_ROLES}
    if (roles["numerator"] is None) != (roles["denominator"] is None):
        lacking = "denominator" if roles["denominator"] is None else "numerator"
        raise table.missing(getattr(layout, f"{lacking}_col") or lacking, _OPTIONS[lacking])
    if roles["value"] is None and roles["numerator"] is None:
        listed = ", ".join(f"'{c}'" for c in table.columns)
        raise InvalidInput(
            f"{table.path.name} has no 'value' column, nor 'numerator' and 'denominator' "
            f"columns (the columns are: {listed}). Choose them with --value-col, or "
            "--numerator-col and --denominator-col"
        )
    numbers: dict[str, np.ndarray] = {}
    blank: dict[str, np.ndarray] = {}
    shown: dict[str, np.ndarray] = {}
    columns: dict[str, str | np.ndarray] = {}
    for role, column in roles.items():
        if column is not None:
            values, blanks, cells, good = _read_numbers(table, column, problems)
            numbers[role], blank[role], shown[role], columns[role] = values, blanks, cells, column
            ok = ok & good
    if layout.measure is not None:
        slugs = np.full(len(table.rows), layout.measure.strip(), dtype=object)
    else:
        # Each distinct name is trimmed once (a million rows name only a few measures).
        codes, names = pd.factorize(table.frame[measure_col])
        names = np.array([csv_untext(str(n)).strip() for n in names] + [""], dtype=object)
        slugs = names[codes]  # a blank cell's code is -1: the "" at the end
        empty = slugs == ""
        problems.add(table.rows[empty], measure_col, slugs[empty],
                     "the measure is empty; every row needs one")
        ok = ok & ~empty
    columns["date"], columns["measure"] = date_col, measure_col or "measure"
    shown["date"] = table.frame[date_col].to_numpy(dtype=object)
    keep = np.flatnonzero(ok)
    note = _notes(table)
    batch = Batch(table.path, layout, slugs, days, table.rows, numbers, blank, shown,
                  columns, note, tuple(table.columns))
    return batch.take(keep) if len(keep) < len(table.rows) else batch


def _wide(table, layout, date_col, days, ok, problems) -> Batch:
    """A date column and one column per measure: melted to one entry per cell."""
    import numpy as np

    note_col = table.find("note")
    measure_cols = [c for c in table.columns if c not in (date_col, note_col)]
    if not measure_cols:
        listed = ", ".join(f"'{c}'" for c in table.columns)
        raise InvalidInput(
            f"{table.path.name} has only a date column (the columns are: {listed}). Add a "
            "column per measure (named by its slug), or use the long format: date, measure, "
            "value"
        )
    parts = [_read_numbers(table, column, problems) for column in measure_cols]
    for _, _, _, good in parts:
        ok = ok & good
    keep = np.flatnonzero(ok)
    tile = np.tile(keep, len(measure_cols))  # entry k of column j is row keep[k]
    notes = _notes(table)
    return Batch(
        table.path, layout,
        measure=np.repeat(np.array([c.strip().lower() for c in measure_cols], dtype=object),
                          len(keep)),
        period=days[tile], rows=table.rows[tile],
        numbers={"value": np.concatenate([p[0][keep] for p in parts])},
        blank={"value": np.concatenate([p[1][keep] for p in parts])},
        shown={"value": np.concatenate([p[2][keep] for p in parts]),
               "date": table.frame[date_col].to_numpy(dtype=object)[tile]},
        columns={"value": np.repeat(np.array(measure_cols, dtype=object), len(keep)),
                 "date": date_col, "measure": "measure"},
        note=None if notes is None else notes[tile],
        file_columns=tuple(table.columns),
    )


def _aggregate(table: Table, layout: Layout, date_col: str, problems: Problems) -> Batch:
    """Event rows (one per appointment) counted per period; with numerator_where, the rows
    matching COLUMN=VALUE over all rows of the period."""
    import numpy as np
    import pandas as pd

    raw, ok = _dates(table, date_col, problems)
    days = start_of_period(raw, layout.aggregate)
    frame = pd.DataFrame({"period": days[ok], "row": table.rows[ok]})
    numbers = {}
    if layout.numerator_where:
        column, wanted = layout.numerator_where
        found = table.find(column)
        if found is None:
            raise table.missing(column, "--numerator-where")
        cells = table.frame[found][ok].astype(str).str.strip()
        frame["hit"] = (cells.str.lower() == wanted.strip().lower()).to_numpy()
        if not frame["hit"].any():
            seen = cells[table.frame[found][ok].notna()].unique()[:MAX_SHOWN // 5]
            listed = ", ".join(f"'{v}'" for v in seen) or "none"
            raise InvalidInput(
                f"{table.path.name}: no row has '{wanted}' in column '{found}' (values found "
                f"include: {listed}). Check --numerator-where COLUMN=VALUE"
            )
    groups = frame.groupby("period", sort=True)
    counts = groups["row"].agg(["size", "min"])
    period = counts.index.to_numpy().astype("datetime64[D]")
    if layout.numerator_where:
        numbers["numerator"] = groups["hit"].sum().to_numpy(dtype=np.float64)
        numbers["denominator"] = counts["size"].to_numpy(dtype=np.float64)
    else:
        numbers["value"] = counts["size"].to_numpy(dtype=np.float64)
    k = len(period)
    measure, period_name = layout.measure or "", layout.aggregate or ""
    return Batch(
        table.path, layout,
        measure=np.full(k, measure.strip(), dtype=object), period=period,
        rows=counts["min"].to_numpy(dtype=np.int64),
        numbers=numbers,
        blank={role: np.zeros(k, dtype=bool) for role in numbers},
        shown={**{role: v.astype(object) for role, v in numbers.items()},
               "date": np.datetime_as_string(period).astype(object)},
        columns={**{role: f"({role} of {layout.aggregate})" for role in numbers},
                 "date": date_col, "measure": "--measure"},
        note=None,
        file_columns=tuple(table.columns),
        partial=partial_periods(raw[ok], period_name),
    )

