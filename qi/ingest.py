"""Reading measurement files into validated columns (the only pandas user besides reports).

Row numbers in messages are the file's own line numbers as a spreadsheet shows them: the
header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput

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
    """A numeric column as float64 with NaN for empty cells; refuse anything else."""
    import numpy as np
    import pandas as pd

    raw = frame[column]
    if raw.dtype.kind in "iuf" or raw.dtype.kind == "b":
        values = raw.to_numpy(dtype=np.float64)
    else:
        converted = pd.to_numeric(raw, errors="coerce")
        bad = converted.isna() & raw.notna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InvalidInput(
                f"{path.name}, row {int(rows[i])}, column '{column}': '{raw.iloc[i]}' is not a "
                "number. Fix the value or leave the cell empty for a missing value"
            )
        values = converted.to_numpy(dtype=np.float64)
    inf = np.isinf(values)
    if inf.any():
        i = int(np.flatnonzero(inf)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column '{column}': '{raw.iloc[i]}' is not a "
            "finite number"
        )
    return values


def _x_values(frame, column: str, path: Path, rows):
    """Numbers as they are; otherwise dates, ISO (2018-03-05) or UK day-first (05/03/2018)."""
    import numpy as np
    import pandas as pd

    raw = frame[column]
    empty = raw.isna().to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise InvalidInput(
            f"{path.name}, row {int(rows[i])}, column '{column}': the x value is empty. Every "
            "row needs one (or leave out the x column to number the rows in order)"
        )
    if raw.dtype.kind in "iu":
        return raw.to_numpy(dtype=np.int64)
    if raw.dtype.kind == "f":
        values = raw.to_numpy(dtype=np.float64)
        return values.astype(np.int64) if np.all(values == np.round(values)) else values
    text = raw.astype(str).str.strip()
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
            f"{path.name}, row {int(rows[i])}, column '{column}': '{raw.iloc[i]}' is neither a "
            "number nor a date. Use numbers or dates as YYYY-MM-DD (2018-03-05) or "
            "DD/MM/YYYY (05/03/2018)"
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
    import numpy as np
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise InvalidInput(f"There is no file '{path}'. Check the path")
    if path.is_dir():
        raise InvalidInput(f"'{path}' is a folder, not a CSV file")
    try:
        # Blank lines are kept (and dropped below) so that row numbers match the file.
        frame = pd.read_csv(path, skip_blank_lines=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise InvalidInput(f"{path.name} is empty; it needs a header row and data") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name} is not a readable CSV file ({exc})") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    found = list(frame.columns)
    rows = np.arange(frame.shape[0]) + HEADER_ROWS + 1
    blank = frame.isna().all(axis=1).to_numpy()
    if blank.any():
        frame = frame.loc[~blank]
        rows = rows[~blank]

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
    return Series(path=path, x=xs, y=ys, n=ns, rows=rows, columns=columns)
