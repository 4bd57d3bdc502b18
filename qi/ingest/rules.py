"""The measures' rules over a Batch: what each entry's measure accepts (the value rules of
`qi.values`, shared with `qi data add`), kinds of number the file lacks, and duplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qi.errors import InvalidInput
from qi.ingest.problems import MAX_SHOWN, Problems
from qi.values import ValueRules, check_values

if TYPE_CHECKING:
    import numpy as np

    from qi.ingest.measurements import Batch


def apply_rules(batch: Batch, rules: ValueRules, problems: Problems) -> tuple[Batch, np.ndarray]:
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
    with np.errstate(invalid="ignore"):
        found = check_values(value, numerator, denominator, rules)
    for role, mask, why in found:
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
    keys = period_keys(codes, batch.period)
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


def period_keys(measure_ids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """One int64 per (measure, period): the measure id in the high 32 bits."""
    import numpy as np

    return (measure_ids.astype(np.int64) << 32) + days.astype("datetime64[D]").astype(np.int64)

