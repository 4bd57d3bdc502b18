"""Measurements by hand: `qi data add` (one point), and how points and changes are said.

A measurement is one value (or numerator and denominator) of a measure for one period.
`add` runs on the gateway (`qi.gateway.Db`, the everyday command's one transaction) or,
given an ORM session (the demo, a bundle import, tests), on that session's own connection;
its SQL is in `qi.queries.data`, its rules in `qi.values` (the same as a file's rows).
Files are imported by `qi.services.data_import`, compared with what is stored by
`qi.services.data_compare`; imports are listed and undone by `qi.services.data_imports`,
and a project's data exported by `qi.services.data_export`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from qi import domain
from qi.domain import Period
from qi.errors import Conflict, InvalidInput
from qi.gateway import Db, of_session
from qi.queries import data as data_queries
from qi.queries import measures as measure_queries
from qi.values import ValueRules, check_values, shown_value

if TYPE_CHECKING:
    from sqlmodel import Session


def point(value, numerator, denominator, note) -> dict:
    """A point's numbers as floats (None for none, NaN included) and its note."""
    def num(v):
        return None if v is None or v != v else float(v)

    return {"value": num(value), "numerator": num(numerator),
            "denominator": num(denominator), "note": note}


def describe_point(p: dict) -> str:
    """'12', '13/150' or '(none)', with the note: '12 ("IT outage")'."""
    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else repr(v)

    if p["numerator"] is not None or p["denominator"] is not None:
        text = "/".join("?" if v is None else num(v)
                        for v in (p["numerator"], p["denominator"]))
    else:
        text = "(none)" if p["value"] is None else num(p["value"])
    return text + (f' ("{p["note"]}")' if p["note"] else "")


def describe_change(c: domain.ValueChange) -> str:
    return (f"{c.measure} {c.date.isoformat()} (row {c.row}): {describe_point(c.old)} -> "
            f"{describe_point(c.new)}")


def _start_of(day: date, period: Period | None) -> date:
    if period == Period.week:
        return day - timedelta(days=day.weekday())
    if period == Period.month:
        return day.replace(day=1)
    return day


def _check_point(m: domain.Measure, value: float | None, numerator: float | None,
                 denominator: float | None) -> None:
    """The same rules as a file's rows (`qi.values.check_values`), for one point."""
    if m.denominator:
        if value is not None or numerator is None or denominator is None:
            raise InvalidInput(f"Measure '{m.ref}' has a denominator: give --numerator N "
                               "--denominator D (and no VALUE)")
    elif value is None or numerator is not None or denominator is not None:
        raise InvalidInput(f"Measure '{m.ref}' takes a single value: give VALUE (and no "
                           "--numerator or --denominator)")
    shown = {"value": value, "numerator": numerator, "denominator": denominator}
    nan = float("nan")
    found = check_values(nan if value is None else value,
                         nan if numerator is None else numerator,
                         nan if denominator is None else denominator,
                         ValueRules.of_measure(m.chart, m.denominator))
    for role, _mask, why in found:
        raise InvalidInput(f"{role.capitalize()} {shown_value(shown[role])}: {why}")


def _writer(s: Db | Session) -> Db:
    """The gateway as it is; under an ORM session, its connection, with the rows it has
    loaded expired so that it reads them again after the change written here."""
    if isinstance(s, Db):
        return s
    db = of_session(s)
    s.expire_all()
    return db


def add(
    s: Db | Session, measure: str, day: date, *, value: float | None = None,
    numerator: float | None = None, denominator: float | None = None,
    note: str | None = None, replace: bool = False, period: Period | None = None,
) -> tuple[domain.Series, str]:
    """Add one point; return it (as a one-point series) and 'added', 'changed' or
    'unchanged'. A different value for a stored period needs `replace`."""
    db = _writer(s)
    m = measure_queries.show(db, measure)
    _check_point(m, value, numerator, denominator)
    day = _start_of(day, period)
    note = note if note is not None and note.strip() else None  # blank: no note
    row = data_queries.stored_point(db, m.id, day)
    new = point(value, numerator, denominator,
                note if note is not None or row is None else row[3])
    status = "added"
    if row is not None:
        old = point(*row[:4])
        if old == new:
            return _one_point(m, day, row), "unchanged"
        if not replace:
            raise Conflict(
                f"Measure '{m.ref}' already has {describe_point(old)} for {day.isoformat()}. "
                f"Add --replace to change it to {describe_point(new)}"
            )
        status = "changed"
    data_queries.put_point(db, m.id, day, new, stored=row is not None)
    return _one_point(m, day, (new["value"], new["numerator"], new["denominator"],
                               new["note"], None)), status


def _one_point(m: domain.Measure, day: date, row: tuple) -> domain.Series:
    value, numerator, denominator, note, import_id = row
    return domain.Series(measure=m, dates=(day,), values=(value,),
                         numerators=(numerator,), denominators=(denominator,),
                         notes=(note,), imports=(import_id,))
