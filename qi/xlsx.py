"""Reading the cells of an .xlsx file safely: whatever is inside, one clear error.

An .xlsx file is a zip of XML parts, and files travel by email: a damaged or hostile one
(bad XML, CRC errors, XML entities, a part that inflates out of all proportion) is refused
with one line naming the file. openpyxl parses through defusedxml (a dependency), which
refuses entity tricks.
"""

from __future__ import annotations

from pathlib import Path

from qi.errors import InvalidInput, QiError
from qi.text import clip, quoted, visible

# A .xlsx file is a zip of XML parts. A hostile one can claim a part that inflates to
# gigabytes from a few kilobytes ("zip bomb"); zipfile never inflates more than a part's
# declared size, so checking the declared sizes first bounds the memory used.
MAX_XLSX_PART = 512 << 20  # XML of one part (a million-row sheet is about 100 MB)
MAX_XLSX_TOTAL = 1 << 30
MAX_XLSX_RATIO = 200  # real spreadsheets compress 5-20 times; bombs 1000 times and more


def _check_zip(path: Path, data: bytes) -> None:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _not_excel(path, exc) from None
    if len(parts) > 10_000:
        raise _not_excel(path, f"{len(parts)} parts")
    total = sum(part.file_size for part in parts)
    if total > MAX_XLSX_TOTAL:
        raise InvalidInput(f"{path.name} was not read: it would inflate to {total:,} bytes, "
                           "more than qi reads from one spreadsheet. Export it as CSV")
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_XLSX_PART or (part.file_size > 1 << 20
                                              and ratio > MAX_XLSX_RATIO):
            raise InvalidInput(
                f"{path.name} was not read: its part {quoted(part.filename, 60)} would "
                f"inflate to {part.file_size:,} bytes ({ratio:,.0f} times its stored size), "
                "which no real spreadsheet does. Save it again from the spreadsheet, or "
                "export it as CSV")


def _not_excel(path: Path, why: object) -> InvalidInput:
    reason = why if isinstance(why, str) else \
        f"{type(why).__name__}: {str(why).strip().split(chr(10), 1)[0]}"
    return InvalidInput(f"{path.name} is not a readable Excel .xlsx file "
                        f"({clip(visible(reason), 160)}). Save it again from the "
                        "spreadsheet, or export it as CSV")


def excel_cells(path: Path, data: bytes, sheet: str | None) -> tuple[str, list[tuple]]:
    """The title and the rows of cells of one sheet. Any failure inside the file's parts
    (bad XML, a CRC error, entities, a missing part) is one clear error."""
    import io

    from openpyxl import load_workbook

    _check_zip(path, data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise _not_excel(path, exc) from None
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise _not_excel(path, "it has no worksheet")
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            listed = ", ".join(quoted(n, 40) for n in workbook.sheetnames)
            raise InvalidInput(f"{path.name} has no sheet {quoted(sheet)} (its sheets are: "
                               f"{listed}). Choose one with --sheet NAME")
        return worksheet.title, list(worksheet.iter_rows(min_row=1, values_only=True))
    except QiError:
        raise
    except Exception as exc:  # damage found while reading the sheet's part
        raise _not_excel(path, exc) from None
    finally:
        workbook.close()


def check_excel_text(path: Path, cells: list[tuple]) -> None:
    """No database stores the NUL character: refuse a text cell holding one."""
    for r, row in enumerate(cells, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str) and "\x00" in value:
                raise InvalidInput(f"{path.name}, row {r}, column {c}: the text holds the NUL "
                                   "character, which cannot be stored. Remove it and import "
                                   "again")
