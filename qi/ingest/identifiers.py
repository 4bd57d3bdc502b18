"""The identifier guard: a file that looks patient-identifiable (NHS numbers, dates of
birth, postcodes) is refused unless the user says it is deliberate."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from qi.errors import InvalidInput

if TYPE_CHECKING:
    from pathlib import Path

    import numpy as np

    from qi.ingest.tables import Table

# Column names that mark a file as patient-identifiable, compared with everything but
# letters and digits removed ("NHS No." -> "nhsno"); "dob" must be a whole word.
_IDENTIFIER_NAMES = ("nhsnumber", "nhsno", "nhsnum", "dateofbirth", "birthdate", "postcode")


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
    refuse_identifiers(table.path, identifier_columns(table, skip=skip))


def refuse_identifiers(path: Path, found: list[str]) -> None:
    """Refuse a file that looks patient-identifiable, saying why (`found`) and what to do."""
    if found:
        raise InvalidInput(
            f"{path.name} looks patient-identifiable: {'; '.join(found)}. QI data "
            "should be aggregate (counts per week or month), not about patients: remove "
            "those columns from the file, or add --allow-identifiers if this is a deliberate "
            "decision"
        )
