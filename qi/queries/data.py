"""Measurements as rows: the one point `qi data add` reads and writes, and the stored rows
an import is compared with."""

from __future__ import annotations

from datetime import date

from qi.gateway import Db

_COLUMNS = "value, numerator, denominator, note, import_id"


def stored_point(db: Db, measure_id: int, day: date) -> tuple | None:
    """(value, numerator, denominator, note, import_id) of a measure's period, or None."""
    return db.one(f"SELECT {_COLUMNS} FROM measurement WHERE measure_id = :m AND period = :p",
                  {"m": measure_id, "p": db.put_date(day)})


def put_point(db: Db, measure_id: int, day: date, point: dict, *, stored: bool) -> None:
    """Store a point typed by hand: it belongs to no import (so an import it replaces can no
    longer be undone). `stored`: the period already has a row, which is changed."""
    params = {"m": measure_id, "p": db.put_date(day), "v": point["value"],
              "n": point["numerator"], "d": point["denominator"], "t": point["note"]}
    if stored:
        db.execute("UPDATE measurement SET value = :v, numerator = :n, denominator = :d, "
                   "note = :t, import_id = NULL WHERE measure_id = :m AND period = :p", params)
    else:
        db.execute("INSERT INTO measurement (measure_id, period, value, numerator, "
                   "denominator, note, import_id) VALUES (:m, :p, :v, :n, :d, :t, NULL)",
                   params)


def stored_rows(db: Db, measure_ids: list[int], first: date, last: date) -> list[tuple]:
    """The stored measurements of these measures from `first` to `last`, as plain tuples
    (measure_id, period, value, numerator, denominator, note, import_id): an import
    compares its file with them."""
    if not measure_ids:
        return []
    marks, params = db.in_list("m", measure_ids)
    return db.all(
        f"SELECT measure_id, period, {_COLUMNS} FROM measurement "
        f"WHERE measure_id IN ({marks}) AND period >= :first AND period <= :last",
        {**params, "first": db.put_date(first), "last": db.put_date(last)})
