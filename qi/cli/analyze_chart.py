"""`qi analyze FILE -o chart.png|svg|pdf`: the chart `qi chart` draws, from a file, with
marks given on the command line (`--mark DATE=LABEL`) or in a file (`--marks FILE.csv`:
date,label[,kind]) drawn like PDSA cycles and notes."""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from qi.errors import InvalidInput

_KINDS = ("cycle", "note")


def parse_mark(text: str) -> tuple[str, str]:
    """'2018-03-05=SMS reminders' -> ('2018-03-05', 'SMS reminders'); exit 2 otherwise."""
    where, sep, label = text.partition("=")
    if not sep or not where.strip() or not label.strip():
        raise typer.BadParameter(f"'{text}' is not DATE=LABEL (e.g. 2018-03-05=SMS reminders)",
                                 param_hint="'--mark'")
    return where.strip(), label.strip()


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


def chart_marks(a, marks: list[str], marks_file: Path | None) -> tuple:
    """The marks as chart annotations, numbered #1, #2... in date order (notes N1...)."""
    import numpy as np

    from qi.charts import Annotation

    dates = np.issubdtype(a.x.dtype, np.datetime64)
    given = [(*parse_mark(m), "cycle", f"--mark {m!r}") for m in marks]
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


def spec(a, series, *, title: str | None, ylabel: str | None, marks: list[str],
         marks_file: Path | None, improvement: str, target: float | None):
    """The chart of an analysis of a file, as `qi chart` draws a measure's."""
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


def output_format(output: Path) -> str:
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg", ".pdf"):
        raise typer.BadParameter(f"cannot tell the format of '{output}': end it in .png, .svg "
                                 "or .pdf", param_hint="'--output'")
    return suffix[1:]
