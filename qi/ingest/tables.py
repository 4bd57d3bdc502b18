"""A file's cells as a table: CSV (UTF-8 text, never binary) or the first or a named sheet
of an .xlsx workbook, with each row's number in the file.

Row numbers in messages are the file's own line numbers as a spreadsheet shows them: the
header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.files import read_file
from qi.ingest.problems import MAX_SHOWN
from qi.text import clip, quoted, visible

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

HEADER_ROWS = 1  # file row of a value = its 0-based data index + HEADER_ROWS + 1
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def missing_column(path: Path, option: str, name: str, found: list[str]) -> InvalidInput:
    listed = ", ".join(f"'{c}'" for c in found) or "none"
    return InvalidInput(
        f"{path.name} has no column '{name}' (the columns are: {listed}). "
        f"Choose one with {option} NAME"
    )



@dataclass(eq=False)
class Table:
    """The cells of a file. ``rows`` holds each frame row's row number in the file."""

    path: Path
    frame: pd.DataFrame
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
        return missing_column(self.path, option, name, self.columns)



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


def decode_csv(path: Path, data: bytes) -> str:
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


def csv_header(path: Path, text: str) -> list[str]:
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

    text = decode_csv(path, data)
    try:
        names = csv_header(path, text)
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

