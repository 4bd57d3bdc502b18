"""`qi analyze FILE`: a file's series read, guarded and analysed, with no database.

The command line parses the options and prints; this reads the x, y and n columns
(`qi.ingest.series`), refuses a file that looks patient-identifiable unless asked, and runs
the analysis (`qi.analysis.analyze`), turning a bad value into an error that names the
file's row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.identifiers import refuse_identifiers
from qi.ingest.series import FileSeries, read_series

if TYPE_CHECKING:
    from qi.analysis import Analysis


def analyze_file(
    path: str | Path, *, x: str | None = None, y: str = "y", n: str | None = None,
    allow_identifiers: bool = False, chart: str = "run", freeze: int | None = None,
    part: list[int] | None = None, exclude: list[int] | None = None, multiply: float = 1.0,
    screen_mr: bool = True, rules: str = "anhoej", improvement: str | None = None,
    target: float | None = None,
) -> tuple[FileSeries, Analysis]:
    """The file's series and its analysis. Raises InvalidInput for a file that cannot be
    read, looks patient-identifiable (unless `allow_identifiers`) or holds a value the
    chart cannot take; `qi.analysis.PositionError` for a --part or --exclude position
    the series does not have (the caller's option)."""
    from qi.analysis import InvalidValue, analyze

    series = read_series(path, x=x, y=y, n=n)
    if not allow_identifiers:
        refuse_identifiers(series.path, series.identifiers())
    try:
        result = analyze(series.y, x=series.x, n=series.n, chart=chart, freeze=freeze,
                         part=part, exclude=exclude, multiply=multiply, screen_mr=screen_mr,
                         rules=rules, improvement=improvement, target=target)
    except InvalidValue as exc:
        raise InvalidInput(
            f"{series.where(exc.index, exc.field)}: {_shown(exc.value)} - {exc.reason}"
        ) from None
    return series, result


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
