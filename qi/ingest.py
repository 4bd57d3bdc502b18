"""Reading measurement files into validated columns (the only pandas user besides reports).

Row numbers in messages are the file's own line numbers as a spreadsheet shows them: the
header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.text import clip, csv_untext, quoted, visible
from qi.values import OUT_OF_RANGE, check_magnitude, out_of_range

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Series", "read_series", "HEADER_ROWS"]

HEADER_ROWS = 1  # file row of a value = its 0-based data index + HEADER_ROWS + 1


@dataclass(frozen=True, eq=False)
class Series:
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
    frame: object = None  # the file's cells (pandas.DataFrame), for the identifier guard

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


def _missing_column(path: Path, option: str, name: str, found: list[str]) -> InvalidInput:
    listed = ", ".join(f"'{c}'" for c in found) or "none"
    return InvalidInput(
        f"{path.name} has no column '{name}' (the columns are: {listed}). "
        f"Choose one with {option} NAME"
    )


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
) -> Series:
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
    text = _csv_text(path, data)
    names = _csv_header(path, text)  # duplicate names refused (pandas would rename one)
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


def _series_of(path: Path, frame, rows, *, x: str | None, y: str, n: str | None) -> Series:
    """The x, y and n columns of a file's cells (a CSV or the first sheet of a workbook)."""
    found = list(frame.columns)
    if y not in found:
        raise _missing_column(path, "--y", y, found)
    if x is not None and x not in found:
        raise _missing_column(path, "--x", x, found)
    if n is not None and n not in found:
        raise _missing_column(path, "--n", n, found)
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
    return Series(path=path, x=xs, y=ys, n=ns, rows=rows, columns=columns, frame=frame)


# --- measurement files: `qi data import` -------------------------------------------------
#
# A file is read into a Table (the cells as pandas read them), shaped into a Batch (one
# entry per measure and period), and checked against the measures' rules. Every check is
# vectorised: a file of a million rows is checked with a handful of array operations, and
# Python only runs per distinct value (dates) or per problem found.

MAX_SHOWN = 50  # problems (or changed values) printed before "... and N more"
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_SNIFF_BYTES = 64 * 1024

# Column names that mark a file as patient-identifiable, compared with everything but
# letters and digits removed ("NHS No." -> "nhsno"); "dob" must be a whole word.
_IDENTIFIER_NAMES = ("nhsnumber", "nhsno", "nhsnum", "dateofbirth", "birthdate", "postcode")
_TIME_PART = re.compile(r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
_ANY_DATE = re.compile(r"^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$")
_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"


class Problems:
    """Every problem found in a file, kept as arrays so that a million bad rows stay cheap;
    only the first MAX_SHOWN are turned into text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # (rows, column or per-row columns, shown values, why or per-row whys)
        self._found: list[tuple] = []
        self.count = 0

    def add(self, rows, column, values, why) -> None:
        if len(rows):
            self._found.append((rows, column, values, why))
            self.count += len(rows)

    def message(self) -> str:
        import numpy as np

        entries = []
        for rows, column, values, why in self._found:
            # The earliest rows of each kind are enough to fill the list shown.
            order = np.argsort(rows, kind="stable")[:MAX_SHOWN]
            for k in order:
                col = column if isinstance(column, str) else column[k]
                entries.append((int(rows[k]), str(col), values[k],
                                why if isinstance(why, str) else why[k]))
        entries.sort(key=lambda e: e[0])
        lines = [f"{self.path.name}, row {row}, column {quoted(col)}: {_shown(value)} - {why}."
                 for row, col, value, why in entries[:MAX_SHOWN]]
        if self.count == 1:
            return lines[0]
        if self.count > MAX_SHOWN:
            lines.append(f"... and {self.count - MAX_SHOWN} more.")
        return (f"{self.path.name} has {self.count} problems; nothing was imported. Fix them "
                "and import again:\n" + "\n".join(lines))

    def raise_any(self) -> None:
        if self.count:
            raise InvalidInput(self.message())


def _shown(value) -> str:
    """A cell as the user typed it: numbers bare, text quoted, empty as (empty)."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return "(empty)"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, int | float):
        return clip(str(value), 40)
    return quoted(value)


@dataclass(eq=False)
class Table:
    """The cells of a file. ``rows`` holds each frame row's row number in the file."""

    path: Path
    frame: object  # pandas.DataFrame
    rows: np.ndarray

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def find(self, name: str) -> str | None:
        """The column called `name`: exactly, else ignoring case."""
        if name in self.frame.columns:
            return name
        matches = [c for c in self.frame.columns if c.lower() == name.strip().lower()]
        return matches[0] if len(matches) == 1 else None

    def missing(self, name: str, option: str) -> InvalidInput:
        return _missing_column(self.path, option, name, self.columns)


def file_sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def read_file(path: Path) -> bytes:
    """The whole file, read once: a pipe or FIFO can only be read once, and a file that
    changes or vanishes while qi works must not give a mix of two versions."""
    if not path.exists():
        raise InvalidInput(f"There is no file {quoted(path, 200)}. Check the path")
    if path.is_dir():
        raise InvalidInput(f"{quoted(path, 200)} is a folder, not a file")
    try:
        with path.open("rb") as fh:
            return fh.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise InvalidInput(f"Cannot read {quoted(path, 200)}: {reason}. Check the file and "
                           "its permissions, and import it again") from None


def read_table(path: Path, *, sheet: str | None = None,
               text_columns: frozenset[str] = frozenset(), all_text: bool = False,
               data: bytes | None = None) -> Table:
    """Read a .csv or .xlsx file (or its bytes, `data`, already read). Columns named in
    `text_columns` (lowercase) are kept as text; the others are read as numbers where they
    are. Rows that are entirely blank are dropped (their row numbers are skipped, so later
    rows keep the file's numbering)."""
    if data is None:
        data = read_file(path)
    if path.suffix.lower() in EXCEL_SUFFIXES:
        table = _read_excel(path, data, sheet)
    else:
        if sheet is not None:
            raise InvalidInput(f"{path.name} is not an Excel file, so it has no sheets; "
                               "leave out --sheet")
        table = _read_csv(path, data, text_columns, all_text)
    frame = table.frame
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        table = Table(path, frame.loc[~blank].reset_index(drop=True), table.rows[~blank])
    if table.frame.shape[0] == 0:
        raise InvalidInput(f"{path.name} has a header but no data rows")
    return table


def _header(path: Path, names: list[str]) -> list[str]:
    """Header names trimmed; duplicates and unnamed columns refused."""
    names = [str(n).strip() if n is not None else "" for n in names]
    if not any(names):
        raise InvalidInput(f"{path.name} has no header row: its first row is empty. The "
                           "first row must name the columns (e.g. date,measure,value)")
    seen: set[str] = set()
    for name in names:
        if name and name.lower() in seen:
            raise InvalidInput(f"{path.name} has two columns named {quoted(name)}. Rename "
                               "one")
        seen.add(name.lower())
    return names


def _csv_text(path: Path, data: bytes) -> str:
    """The file as text: UTF-8 (with or without a BOM), no NUL, not empty."""
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise InvalidInput(f"{path.name} is empty; it needs a header row and data")
    if b"\x00" in data:
        raise InvalidInput(f"{path.name} is not a CSV text file (it looks binary). Export it "
                           "from the spreadsheet as 'CSV UTF-8', or import the .xlsx itself")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8 text: {_first_bad_byte(data)}. Save "
                           "it from the spreadsheet as 'CSV UTF-8'") from None


def _csv_header(path: Path, text: str) -> list[str]:
    import csv
    import io

    try:
        first = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise InvalidInput(f"{path.name} is not a readable CSV file ({exc})") from None
    return _header(path, first)


def _read_csv(path: Path, data: bytes, text_columns: frozenset[str], all_text: bool) -> Table:
    import csv
    import io

    import numpy as np
    import pandas as pd

    text = _csv_text(path, data)
    try:
        names = _csv_header(path, text)
        dtypes = {n: str for n in names if all_text or n.lower() in text_columns}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            # index_col=False: a row with more cells than the header must not turn the
            # first columns into an index (pandas' default), shifting every value.
            frame = pd.read_csv(
                io.StringIO(text, newline=""), header=0, names=names, dtype=dtypes,
                keep_default_na=False, na_values=[""], skip_blank_lines=False,
                index_col=False,
            )
        if caught:
            _check_row_widths(path, text, len(names))
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        if "fields in line" in str(exc):  # "Expected 3 fields in line 8, saw 5"
            _check_row_widths(path, text, len(names))
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidInput(f"{path.name} is not a readable CSV file "
                           f"({clip(visible(reason), 200)})") from None
    frame = _drop_unnamed(path, frame)
    return Table(path, frame, np.arange(frame.shape[0]) + HEADER_ROWS + 1)


def _check_row_widths(path: Path, text: str, width: int) -> None:
    """Refuse rows with more (non-empty) cells than the header has names; pandas would
    drop them silently. Only run when pandas warned, so big good files are not read twice."""
    import csv
    import io

    long = [(n, len(row)) for n, row in enumerate(csv.reader(io.StringIO(text, newline="")),
                                                   start=1)
            if len(row) > width and any(cell.strip() for cell in row[width:])]
    if long:
        shown = ", ".join(f"row {n} has {cells}" for n, cells in long[:MAX_SHOWN // 5])
        more = f" (and {len(long) - MAX_SHOWN // 5} more rows)" if len(long) > MAX_SHOWN // 5 \
            else ""
        raise InvalidInput(f"{path.name} has rows with more cells than the header names "
                           f"({width}): {shown}{more}. Name every column in the header row, "
                           "or remove the extra cells")


def _first_bad_byte(data: bytes) -> str:
    """Where a file stops being UTF-8, as 'row 2 has the byte 0xe9' (rows are lines: a
    newline byte is never part of a multi-byte UTF-8 character)."""
    for row, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"row {row} has the byte 0x{line[exc.start]:02x}, which is not UTF-8"
    return "it cannot be read as UTF-8"


def _drop_unnamed(path: Path, frame):
    """Spreadsheets often save empty columns with no name; anything in one is refused."""
    unnamed = [c for c in frame.columns if c == ""]
    if not unnamed:
        return frame
    if frame[unnamed].notna().to_numpy().any():
        position = list(frame.columns).index("") + 1
        raise InvalidInput(f"{path.name}: column {position} has values but no name in the "
                           "header row. Give it a name")
    return frame.drop(columns=unnamed)


def _read_excel(path: Path, data: bytes, sheet: str | None) -> Table:
    import numpy as np
    import pandas as pd

    from qi.xlsx import check_excel_text, excel_cells

    title, cells = excel_cells(path, data, sheet)
    if not any(any(v is not None for v in row) for row in cells):
        raise InvalidInput(f"{path.name} (sheet {quoted(title)}) is empty; it needs a "
                           "header row and data")
    check_excel_text(path, cells)
    names = _header(path, list(cells[0]))
    width = len(names)
    body = [tuple(row[:width]) + (None,) * (width - len(row)) for row in cells[1:]]
    frame = pd.DataFrame(body, columns=names, dtype=object)
    # Text cells that hold only spaces are blank, as in a CSV file.
    frame = frame.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    frame = _drop_unnamed(path, frame)
    return Table(path, frame, np.arange(frame.shape[0]) + HEADER_ROWS + 1)


# --- cells to values ---------------------------------------------------------------------


def parse_number(text: str) -> float:
    """One number as typed on the command line, read like a file's cells (1,234 and 45%)."""
    import math

    raw = text.strip()
    core = raw.removesuffix("%").strip()
    if "," in core and re.fullmatch(_THOUSANDS, core):
        core = core.replace(",", "")
    try:
        number = float(core) if "_" not in core else math.nan  # float() takes 1_000
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(f"{quoted(text)} is not a number. Write it like 12, 0.5, 1,234 or "
                           "45%")
    number = number / 100 if raw.endswith("%") else number
    return check_magnitude(number, "The number")


def parse_numbers(cells) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Numbers from a column: (values with NaN where blank, blank mask, indices of bad cells,
    why each is bad). Accepts thousands separators (1,234) and percentages (45% = 0.45)."""
    import numpy as np

    values, blank, bad, why = _parse_numbers(cells)
    values[bad] = np.nan  # each bad cell is reported once
    far = np.flatnonzero(out_of_range(values))
    if len(far):
        values[far] = np.nan
        bad = np.concatenate([bad, far]).astype(np.int64)
        why = [*why, *[OUT_OF_RANGE] * len(far)]
    return values, blank, bad, why


def _parse_numbers(cells):
    import numpy as np
    import pandas as pd

    if cells.dtype.kind == "b":  # a column of only TRUE/FALSE: they are not numbers
        blank = np.zeros(len(cells), dtype=bool)
        bad = np.arange(len(cells))
        return (np.full(len(cells), np.nan), blank, bad,
                ["not a number (TRUE and FALSE are not numbers)"] * len(bad))
    if cells.dtype.kind in "iuf":
        values = cells.to_numpy(dtype=np.float64, copy=True)
        bad = np.flatnonzero(np.isinf(values))
        return values, np.isnan(values), bad, ["not a finite number"] * len(bad)
    if cells.dtype == object:  # Excel cells: booleans and dates are not numbers
        cells = cells.map(lambda v: str(v) if isinstance(v, bool | date) else v,
                          na_action="ignore")
    missing = cells.isna().to_numpy()
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    blank = missing.copy()
    todo = np.flatnonzero((np.isnan(values) | np.isinf(values)) & ~missing)
    if len(todo) == 0:
        return values, blank, todo, []
    # The few cells that are not plain numbers: thousands separators, percentages, or bad.
    text = cells.iloc[todo].astype(str).str.strip()
    empty = (text == "").to_numpy()
    percent = text.str.endswith("%").to_numpy()
    core = text.str.removesuffix("%").str.strip()
    commas = core.str.contains(",", regex=False).to_numpy()
    grouped = core.str.fullmatch(_THOUSANDS).to_numpy(dtype=bool, na_value=False)
    core = core.str.replace(",", "", regex=False)
    numbers = pd.to_numeric(core, errors="coerce").to_numpy(dtype=np.float64)
    numbers = np.where(percent, numbers / 100.0, numbers)
    wrong_commas = commas & ~grouped
    bad = ~empty & (~np.isfinite(numbers) | wrong_commas)
    values[todo] = np.where(bad | empty, np.nan, numbers)
    blank[todo[empty]] = True
    why = ["not a number (a comma is read only as a thousands separator, as in 1,234)"
           if c else "not a number" for c in wrong_commas[bad]]
    return values, blank, todo[bad], why


def _date_reason(text: str) -> str:
    m = _ANY_DATE.match(text)
    if not m:
        return "not a date; write dates as YYYY-MM-DD (2018-04-03) or DD/MM/YYYY (03/04/2018)"
    first, second, third = m.groups()
    if len(first) < 4 and len(third) < 4:
        return ("the year has two digits, which is ambiguous; write it in full "
                "(03/04/2018 or 2018-04-03)")
    if len(first) < 4 and 1 <= int(first) <= 12 and 1 <= int(second) <= 31:
        return ("not a real date read day first; qi reads DD/MM/YYYY (03/04/2018 is 3 April) "
                "and never guesses month-first dates")
    return "not a real date; check the day and the month (day first: 03/04/2018 is 3 April)"


def _one_date(cell) -> tuple[date | None, str | None]:
    """One distinct date cell -> (date, None) or (None, why it is not a date)."""
    from datetime import datetime as dt

    from qi.dates import parse_date

    if isinstance(cell, dt):  # Excel date cells (and pandas Timestamps)
        return cell.date(), None
    if isinstance(cell, date):
        return cell, None
    if not isinstance(cell, str):
        return None, "a number, not a date; format the cell as a date or write YYYY-MM-DD"
    text = _TIME_PART.sub("", cell.strip())
    if text.lower() in ("today", "yesterday"):  # fine when typed, not in a stored file
        return None, "not a date; write dates as YYYY-MM-DD (2018-04-03) or DD/MM/YYYY"
    try:
        return parse_date(text), None
    except InvalidInput:
        return None, _date_reason(text)


def parse_dates(cells) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Dates from a column: (datetime64[D] with NaT where blank or bad, blank mask, indices
    of bad cells, why each is bad). ISO, day-first UK and Excel date cells; a time of day
    after the date is ignored. Each distinct text is parsed once."""
    import numpy as np
    import pandas as pd

    blank = cells.isna().to_numpy()
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    uniques = list(uniques)
    parsed = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[D]")
    reasons: list[str | None] = [None] * len(uniques)
    todo = range(len(uniques))
    if len(uniques) > 10_000:  # event-level files: most dates ISO, parse those in C first
        iso = pd.to_datetime(pd.Series(uniques, dtype=object), format="%Y-%m-%d",
                             errors="coerce").to_numpy().astype("datetime64[D]")
        parsed[:] = iso
        todo = np.flatnonzero(np.isnat(iso)).tolist()
    for k in todo:
        day, why = _one_date(uniques[k])
        if day is not None:
            parsed[k] = np.datetime64(day, "D")
        reasons[k] = why
    # A blank cell's code is -1: the NaT appended at the end.
    days = np.append(parsed, np.datetime64("NaT", "D"))[codes]
    bad = np.flatnonzero(np.isnat(days) & ~blank)
    return days, blank, bad, [reasons[codes[i]] for i in bad]


def start_of_period(days: np.ndarray, period: str | None) -> np.ndarray:
    """Each date moved to the start of its week (Monday) or month; NaT stays NaT."""
    import numpy as np

    if period is None:
        return days
    if period == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    ordinal = days.astype("datetime64[D]").astype(np.int64)
    # 1970-01-01, day 0, was a Thursday: (day + 3) % 7 is 0 on Mondays.
    monday = (ordinal - (ordinal + 3) % 7).astype("datetime64[D]")
    return np.where(np.isnat(days), days, monday)


# --- the identifier guard -----------------------------------------------------------------


def nhs_number_valid(numbers: np.ndarray) -> np.ndarray:
    """The NHS number Modulus 11 check, for an int64 array of 10-digit numbers."""
    import numpy as np

    digits = (numbers[:, None] // 10 ** np.arange(9, -1, -1, dtype=np.int64)) % 10
    total = digits[:, :9] @ np.arange(10, 1, -1, dtype=np.int64)
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    return (check != 10) & (check == digits[:, 9])


def _nhs_share(cells) -> float:
    """The share of a column's distinct non-blank values that are valid NHS numbers."""
    import numpy as np
    import pandas as pd

    distinct = pd.Series(cells.dropna().unique())
    if distinct.empty:
        return 0.0
    if distinct.dtype.kind in "iuf":
        v = distinct.to_numpy(dtype=np.float64)
        ten = (v >= 1e9) & (v < 1e10) & (v == np.floor(v))
        candidates = v[ten].astype(np.int64)
    else:
        text = distinct.astype(str).str.replace(r"[\s-]", "", regex=True)
        ten = text.str.fullmatch(r"\d{10}").to_numpy(dtype=bool, na_value=False)
        candidates = text[ten].astype(np.int64).to_numpy()
    if len(candidates) == 0:
        return 0.0
    return float(nhs_number_valid(candidates).sum()) / len(distinct)


def _identifier_name(name: str) -> bool:
    squashed = re.sub(r"[^a-z0-9]", "", name.lower())
    words = re.split(r"[^a-z0-9]+", name.lower())
    return any(n in squashed for n in _IDENTIFIER_NAMES) or "dob" in words or squashed == "dob"


def identifier_columns(table: Table, *, skip: str | None = None) -> list[str]:
    """Why the file looks patient-identifiable: one phrase per suspicious column."""
    found = []
    for column in table.columns:
        if _identifier_name(column):
            found.append(f"column '{column}' is named like a patient identifier")
        elif column != skip:
            share = _nhs_share(table.frame[column])
            if share >= 0.5:
                found.append(f"{share:.0%} of the values in column '{column}' are valid NHS "
                             "numbers")
    return found


def check_identifiers(table: Table, *, skip: str | None) -> None:
    found = identifier_columns(table, skip=skip)
    if found:
        raise InvalidInput(
            f"{table.path.name} looks patient-identifiable: {'; '.join(found)}. QI data "
            "should be aggregate (counts per week or month), not about patients: remove "
            "those columns from the file, or add --allow-identifiers if this is a deliberate "
            "decision"
        )


# --- files to measurements ------------------------------------------------------------------


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
NUMBER_ROLES = ("value", "numerator", "denominator")


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
    columns: dict[str, object]
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
    numbers, blank, shown, columns = {}, {}, {}, {}
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
    return Batch(
        table.path, layout,
        measure=np.full(k, layout.measure.strip(), dtype=object), period=period,
        rows=counts["min"].to_numpy(dtype=np.int64),
        numbers=numbers,
        blank={role: np.zeros(k, dtype=bool) for role in numbers},
        shown={**{role: v.astype(object) for role, v in numbers.items()},
               "date": np.datetime_as_string(period).astype(object)},
        columns={**{role: f"({role} of {layout.aggregate})" for role in numbers},
                 "date": date_col, "measure": "--measure"},
        note=None,
        file_columns=tuple(table.columns),
        partial=partial_periods(raw[ok], layout.aggregate),
    )


# --- the measures' rules, duplicates, and what is already stored -------------------------


@dataclass(frozen=True)
class Rules:
    """What each entry's measure accepts, as boolean arrays in batch order."""

    ratio: np.ndarray  # numerator and denominator instead of a value
    proportion: np.ndarray  # numerator <= denominator (p and p' charts)
    negative_ok: np.ndarray  # values may be below 0 (run, i, mr, xbar, s charts)


def check_values(value, numerator, denominator, rules: Rules) -> list[tuple[str, np.ndarray, str]]:
    """Problems with numbers that are present: (role, mask, why). Works on arrays of any
    length, so one point typed on the command line is checked by the same rules as a file."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        found = [
            ("value", ~rules.ratio & (value < 0) & ~rules.negative_ok,
             "a negative value is not possible for this measure (only run, i, mr, xbar and "
             "s chart measures take negative values)"),
            ("numerator", rules.ratio & (numerator < 0), "a numerator cannot be negative"),
            ("denominator", rules.ratio & ~(denominator > 0) & ~np.isnan(denominator),
             "a denominator must be a number above 0"),
            ("numerator", rules.proportion & (numerator > denominator),
             "the numerator is greater than the denominator, and a proportion cannot be "
             "above 1"),
        ]
    return [(role, mask, why) for role, mask, why in found if mask.any()]


def apply_rules(batch: Batch, rules: Rules, problems: Problems) -> tuple[Batch, np.ndarray]:
    """Check every entry against its measure; return the entries to store and the file
    rows of blank cells that were skipped."""
    import numpy as np

    n = len(batch)
    nan = np.full(n, np.nan)
    value = batch.numbers.get("value", nan)
    numerator = batch.numbers.get("numerator", nan)
    denominator = batch.numbers.get("denominator", nan)
    given = {role: ~batch.blank[role] for role in batch.numbers}
    no = np.zeros(n, dtype=bool)
    has_value = given.get("value", no)
    has_num, has_den = given.get("numerator", no), given.get("denominator", no)

    def report(mask, role, why) -> None:
        if mask.any():
            column = batch.columns[role]
            problems.add(batch.rows[mask], column if isinstance(column, str) else column[mask],
                         batch.shown[role][mask], why)

    ratio = rules.ratio
    _check_columns(batch, ratio)
    report(~ratio & (has_num | has_den), "numerator" if "numerator" in given else "value",
           "this measure takes a single value, not a numerator and denominator")
    report(ratio & has_value, "value",
           "this measure has a denominator: give the numerator and denominator instead")
    report(ratio & has_num & ~has_den, "denominator",
           "the denominator is missing (the numerator is given)")
    report(ratio & has_den & ~has_num, "numerator",
           "the numerator is missing (the denominator is given)")
    for role, mask, why in check_values(value, numerator, denominator, rules):
        report(mask & given[role], role, why)
    skipped = np.where(ratio, ~has_num & ~has_den & ~has_value, ~has_value & ~has_num & ~has_den)
    keep = np.flatnonzero(~skipped)
    return batch.take(keep), np.sort(batch.rows[skipped])


def _check_columns(batch: Batch, ratio: np.ndarray) -> None:
    """A measure whose kind of number the file does not have at all is one clear error."""
    listed = ", ".join(f"'{c}'" for c in batch.file_columns)
    for role, needs in (("value", ~ratio), ("numerator", ratio)):
        if role in batch.numbers or not needs.any():
            continue
        named = sorted(set(batch.measure[needs]))
        slugs = ", ".join(f"'{m}'" for m in named[:MAX_SHOWN])
        one = len(named) == 1
        measure = f"Measure {slugs}" if one else f"Measures {slugs}"
        if batch.layout.aggregate and role == "value":
            raise InvalidInput(f"{measure} {'takes' if one else 'take'} a single value (the "
                               "number of rows per period): leave out --numerator-where")
        if batch.layout.aggregate:
            raise InvalidInput(f"{measure} {'has' if one else 'have'} a denominator: say "
                               "which rows make the numerator with --numerator-where "
                               "COLUMN=VALUE (e.g. --numerator-where 'Status=DNA')")
        if not isinstance(batch.columns.get("value"), str) and role == "numerator":
            raise InvalidInput(f"{measure} {'has' if one else 'have'} a denominator, which a "
                               "wide file (a column per measure) cannot give. Use the long "
                               "format: date, measure, numerator, denominator")
        if role == "value":
            fix = "add a value column, or choose it with --value-col"
            what = "takes a single value" if one else "take a single value"
        else:
            fix = ("add numerator and denominator columns, or choose them with "
                   "--numerator-col and --denominator-col")
            what = "has a denominator" if one else "have a denominator"
        raise InvalidInput(
            f"{batch.path.name} has no {role} column, but {measure.lower()} {what} (the "
            f"columns are: {listed}). To import it, {fix}"
        )


def check_duplicates(batch: Batch, problems: Problems) -> None:
    """Two entries for the same measure and period are refused (never summed or guessed)."""
    import numpy as np
    import pandas as pd

    codes, _ = pd.factorize(batch.measure)
    keys = _keys(codes, batch.period)
    if pd.Index(keys).is_unique:
        return
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    first = first[inverse]  # for each entry, the first entry with its key
    repeated = np.flatnonzero(first != np.arange(len(keys)))
    snapped = {"week": " (dates are moved to the Monday of their week)",
               "month": " (dates are moved to the 1st of their month)"}.get(
        batch.layout.period or "", "")
    whys = np.array([f"measure '{batch.measure[i]}' already has a value for "
                     f"{np.datetime_as_string(batch.period[i])} in row {batch.rows[f]}"
                     f"{snapped}" for i, f in zip(repeated, first[repeated], strict=True)],
                    dtype=object)
    problems.add(batch.rows[repeated], batch.columns["date"], batch.shown["date"][repeated],
                 whys)


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


def _keys(measure_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """One int64 per (measure, period): the measure id in the high 32 bits."""
    import numpy as np

    return (measure_ids.astype(np.int64) << 32) + days.astype("datetime64[D]").astype(np.int64)


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

    keys = _keys(measure_ids, batch.period)
    if len(stored["measure_id"]) == 0:
        empty = np.array([], dtype=np.int64)
        return Comparison(np.arange(len(batch)), empty, empty, empty)
    position = pd.Index(_keys(stored["measure_id"], stored["period"])).get_indexer(keys)
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
