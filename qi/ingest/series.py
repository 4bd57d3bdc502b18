"""One series from a file for `qi analyze`: x, y and n columns, no database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.files import read_file
from qi.ingest.identifiers import identifier_columns
from qi.ingest.tables import (
    EXCEL_SUFFIXES,
    HEADER_ROWS,
    Table,
    csv_header,
    decode_csv,
    missing_column,
    read_table,
)
from qi.text import clip, quoted, visible
from qi.values import OUT_OF_RANGE, out_of_range

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd


@dataclass(frozen=True, eq=False)
class FileSeries:
    """Columns of one series, ready for :func:`qi.analysis.analyze`.

    ``x`` is None (use row order), float/int numbers, or numpy datetime64[D]; ``y`` and ``n``
    are floats with NaN for empty cells. ``rows`` holds each value's file row; ``columns``
    maps "x"/"y"/"n" to the column names used.
    """

    path: Path
    x: np.ndarray | None
    y: np.ndarray
    n: np.ndarray | None
    rows: np.ndarray
    columns: dict[str, str]
    frame: pd.DataFrame | None = None  # the file's cells, for the identifier guard

    def identifiers(self) -> list[str]:
        """Why the file looks patient-identifiable (see :func:`identifier_columns`)."""
        if self.frame is None:
            return []
        return identifier_columns(Table(self.path, self.frame, self.rows),
                                  skip=self.columns.get("x"))

    def where(self, index: int, field: str) -> str:
        """'visits.csv, row 8, column 'days'' for a 0-based index and a field (x, y or n)."""
        column = self.columns.get(field, field)
        return f"{self.path.name}, row {int(self.rows[index])}, column '{column}'"



def _numbers(frame, column: str, field: str, path: Path, rows):
    """A numeric column as float64 with NaN for empty cells; refuse anything else
    (TRUE/FALSE included) and numbers qi cannot chart."""
    import numpy as np
    import pandas as pd

    raw = frame[column]
    if raw.dtype.kind in "iuf":
        values = raw.to_numpy(dtype=np.float64)
        bad = np.isinf(values)
    else:
        is_bool = raw.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
        converted = pd.to_numeric(raw.where(~is_bool, "not a number"), errors="coerce")
        values = converted.to_numpy(dtype=np.float64)
        bad = (converted.isna() & raw.notna()).to_numpy() | np.isinf(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column {quoted(column)}: {quoted(raw.iloc[i])} "
            "is not a number. Fix the value or leave the cell empty for a missing value"
        )
    far = out_of_range(values)
    if far.any():
        i = int(np.flatnonzero(far)[0])
        raise InvalidInput(f"{path.name}, row {int(rows[i])}, column {quoted(column)}: "
                           f"{quoted(raw.iloc[i])} is {OUT_OF_RANGE}")
    return values


def _whole_x(values, raw, column: str, path: Path, rows):
    """Whole-number x values as int64, refusing any that int64 or a float cannot hold
    exactly (they would wrap or round and merge with other points)."""
    import numpy as np

    values = np.asarray(values)
    # Beyond 2**53 neighbouring whole numbers are the same float: the chart would merge them.
    if values.dtype.kind in "iu":
        big = (values > 2**53) | (values < -(2**53)) if values.dtype.kind == "i" \
            else values > 2**53
    else:
        big = ~np.isfinite(values) | (np.abs(values) >= 2.0**53)
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column {quoted(column)}: the x value "
            f"{quoted(raw.iloc[i])} is too large to be a position (whole numbers up to "
            "9,007,199,254,740,992). Number the points from 1, or use dates"
        )
    return values.astype(np.int64)


def _x_values(frame, column: str, path: Path, rows):
    """Numbers as they are; otherwise dates, ISO (2018-03-05) or UK day-first (05/03/2018)."""
    import numpy as np
    import pandas as pd

    raw = frame[column]
    empty = raw.isna().to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column {quoted(column)}: the x value is empty. "
            "Every row needs one (or leave out the x column to number the rows in order)"
        )
    if raw.dtype.kind == "b":
        raise InvalidInput(f"{path.name}, column {quoted(column)}: TRUE and FALSE are not x "
                           "values. Use numbers or dates")
    if raw.dtype.kind in "iu":
        return _whole_x(raw.to_numpy(), raw, column, path, rows)
    if raw.dtype.kind == "M":  # dates from a spreadsheet's date cells
        return raw.to_numpy().astype("datetime64[D]")
    if raw.dtype.kind == "f":
        values = raw.to_numpy(dtype=np.float64)
        if np.all(values == np.round(values)):
            return _whole_x(values, raw, column, path, rows)
        if out_of_range(values).any():
            i = int(np.flatnonzero(out_of_range(values))[0])
            raise InvalidInput(f"{path.name}, row {int(rows[i])}, column {quoted(column)}: "
                               f"the x value {quoted(raw.iloc[i])} is {OUT_OF_RANGE}")
        return values
    text = raw.astype(str).str.strip()
    if text.str.fullmatch(r"[+-]?\d+").all():  # whole numbers too long for int64
        return _whole_x(text.map(float).to_numpy(dtype=np.float64), raw, column, path, rows)
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    if iso.isna().any():
        uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        dates = iso.fillna(uk) if iso.notna().any() else uk
    else:
        dates = iso
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column {quoted(column)}: {quoted(raw.iloc[i])} "
            "is neither a number nor a date. Use numbers or dates as YYYY-MM-DD (2018-03-05) "
            "or DD/MM/YYYY (05/03/2018)"
        )
    return dates.to_numpy().astype("datetime64[D]")


def read_series(
    path: str | Path,
    *,
    x: str | None = None,
    y: str = "y",
    n: str | None = None,
) -> FileSeries:
    """Read x, y and n columns from a CSV file.

    ``x``: the column of subgroups (numbers or dates); by default the column ``x`` when the
    file has one, else the row order. ``y``: the values (default ``y``). ``n``: the
    denominators; by default the column ``n`` when the file has one. Empty cells are
    missing values. Raises InvalidInput naming the file, row and column of the first problem.
    """
    import io

    import numpy as np
    import pandas as pd

    path = Path(path)
    data = read_file(path)  # read once: a pipe cannot be read twice
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table = read_table(path, data=data)
        return _series_of(path, table.frame, table.rows, x=x, y=y, n=n)
    text = decode_csv(path, data)
    names = csv_header(path, text)  # duplicate names refused (pandas would rename one)
    try:
        # Blank lines are kept (and dropped below) so that row numbers match the file.
        frame = pd.read_csv(io.StringIO(text, newline=""), skip_blank_lines=False,
                            skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path.name} is empty; it needs a header row and data") from None
    except (pd.errors.ParserError, ValueError) as exc:
        reason = clip(visible(str(exc).strip().split(chr(10), 1)[0]), 200)
        raise InvalidInput(f"{path.name} is not a readable CSV file ({reason})") from None
    if len(frame.columns) != len(names):
        raise InvalidInput(f"{path.name}: the header row could not be read as "
                           f"{len(names)} columns. Check its quotes")
    if not frame.index.equals(pd.RangeIndex(len(frame))):
        # pandas quietly turns the first columns into an index when the data rows have more
        # cells than the header; every value would then sit under the wrong column.
        raise InvalidInput(
            f"{path.name}, row 2 has more cells than the header row ({len(frame.columns)} "
            "columns). Give every column a name in the header, or remove the extra cells"
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = np.arange(frame.shape[0]) + HEADER_ROWS + 1
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank]
        rows = rows[~blank]
    return _series_of(path, frame, rows, x=x, y=y, n=n)


def _series_of(path: Path, frame, rows, *, x: str | None, y: str, n: str | None) -> FileSeries:
    """The x, y and n columns of a file's cells (a CSV or the first sheet of a workbook)."""
    found = list(frame.columns)
    if y not in found:
        raise missing_column(path, "--y", y, found)
    if x is not None and x not in found:
        raise missing_column(path, "--x", x, found)
    if n is not None and n not in found:
        raise missing_column(path, "--n", n, found)
    x_col = x if x is not None else ("x" if "x" in found else None)
    n_col = n if n is not None else ("n" if "n" in found else None)
    if frame.shape[0] == 0:
        raise InvalidInput(f"{path.name} has a header but no data rows")

    columns = {"y": y}
    xs = None
    if x_col is not None:
        columns["x"] = x_col
        xs = _x_values(frame, x_col, path, rows)
    ys = _numbers(frame, y, "y", path, rows)
    ns = None
    if n_col is not None:
        columns["n"] = n_col
        ns = _numbers(frame, n_col, "n", path, rows)
    return FileSeries(path=path, x=xs, y=ys, n=ns, rows=rows, columns=columns, frame=frame)

