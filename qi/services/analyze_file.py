"""`qi analyze FILE`: a file's series read, guarded and analysed, with no database.

The command line parses the options and prints; this reads the x, y and n columns
(`qi.ingest.series`), refuses a file that looks patient-identifiable unless asked, and runs
the analysis (`qi.analysis.analyze`), turning a bad value into an error that names the
file's row and column; with `-o`, `chart_spec` makes the chart `qi chart` would draw, with
the marks given on the command line or in a marks file drawn like PDSA cycles and notes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.identifiers import refuse_identifiers
from qi.ingest.series import FileSeries, read_series

if TYPE_CHECKING:
    from qi.analysis import Analysis

_KINDS = ("cycle", "note")


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


def read_marks(path: Path) -> list[tuple[str, str, str, str]]:
    """(x, label, kind, where-in-the-file) from a CSV of date,label[,kind] with a header."""
    import io

    from qi.ingest.files import read_file
    from qi.ingest.tables import decode_csv

    if not path.exists():
        raise InvalidInput(f"There is no marks file '{path}'. Check the path")
    try:
        rows = list(csv.reader(io.StringIO(decode_csv(path, read_file(path)), newline="")))
    except csv.Error as exc:
        raise InvalidInput(f"{path.name} is not a readable CSV file ({exc})") from None
    if not rows:
        raise InvalidInput(f"{path.name} is empty; it needs a header row date,label[,kind]")
    header = [h.strip().lower() for h in rows[0]]
    if header[:2] != ["date", "label"] or len(header) > 3 or header[2:] not in ([], ["kind"]):
        raise InvalidInput(f"{path.name}: the header must be date,label or date,label,kind; "
                           f"found {','.join(rows[0])}")
    out = []
    for k, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        cells = [c.strip() for c in row] + ["", ""]
        kind = cells[2].lower() or "cycle"
        if kind not in _KINDS:
            raise InvalidInput(f"{path.name}, row {k}, column 'kind': '{cells[2]}' is not "
                               "cycle or note")
        if not cells[0] or not cells[1]:
            raise InvalidInput(f"{path.name}, row {k}: a mark needs a date and a label")
        out.append((cells[0], cells[1], kind, f"{path.name}, row {k}"))
    return out


def _x_of(text: str, dates: bool, where: str):
    if dates:
        from qi.dates import parse_date

        try:
            return parse_date(text, what=where)
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc}") from None
    try:
        return float(text)
    except ValueError:
        raise InvalidInput(f"{where}: '{text}' is not a number, and the chart's points are "
                           "numbered, not dated") from None


def chart_marks(a, marks: list[tuple[str, str, str]], marks_file: Path | None) -> tuple:
    """The marks as chart annotations, numbered #1, #2... in date order (notes N1...)."""
    import numpy as np

    from qi.charts import Annotation

    dates = np.issubdtype(a.x.dtype, np.datetime64)
    given = [(x, label, "cycle", where) for x, label, where in marks]
    if marks_file is not None:
        given += read_marks(marks_file)
    found = sorted(((_x_of(x, dates, where), label, kind) for x, label, kind, where in given),
                   key=lambda m: (m[0], m[2]))
    counts = {"cycle": 0, "note": 0}
    out = []
    for x, label, kind in found:
        counts[kind] += 1
        short = f"#{counts[kind]}" if kind == "cycle" else f"N{counts[kind]}"
        out.append(Annotation(x, short, label, kind))
    return tuple(out)


def chart_spec(a, series, *, title: str | None, ylabel: str | None,
               marks: list[tuple[str, str, str]],
               marks_file: Path | None, improvement: str, target: float | None):
    """The chart of an analysis of a file, as `qi chart` draws a measure's. `marks` are
    (date or x, label, where it was given) triples, drawn like PDSA cycles; `marks_file`
    is a CSV of date,label[,kind] (kind: cycle or note)."""
    import numpy as np

    from qi.analysis.icons import icons
    from qi.charts import ChartSpec
    from qi.domain import CHART_NAMES, RULE_NAMES

    dates = np.issubdtype(a.x.dtype, np.datetime64)
    period = None
    if dates and len(a) > 1:
        from qi.services.measure_view import period_of

        period = period_of([d.astype(object) for d in a.x.astype("datetime64[D]")])
    found = icons(a, improvement, target)
    return ChartSpec(
        analysis=a, title=title or series.path.stem,
        caption_source=f"{CHART_NAMES[a.chart]}. Source: {series.path.name}",
        annotations=chart_marks(a, marks, marks_file), target=target,
        percent=a.multiply == 100 and a.got_n, y_label=ylabel or series.columns["y"],
        period=period, rules=RULE_NAMES[a.rules],
        icons=tuple(i for i in (found.variation, found.assurance) if i))
