"""Targets that change over time: a measure's own target holds until its first dated
target; each dated target holds from its date until the next (a trajectory)."""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session, col, select

from qi import domain, models
from qi.errors import Conflict, InvalidInput, NotFound
from qi.services import measures as measure_service
from qi.services._common import row_id


def _check(value: float) -> float:
    from qi.values import check_magnitude

    if not math.isfinite(value):
        raise InvalidInput(f"The target must be a finite number, not {value}")
    # One a chart cannot show would make every later chart of the measure fail.
    check_magnitude(value, "The target")
    return float(value)


def set_target(s: Session, measure: str, *, starts_on: date, value: float,
               replace: bool = False) -> domain.Target:
    """A target in force from `starts_on`. An existing one on that date is replaced only
    with `replace`."""
    row, project = measure_service.get_row(s, measure)
    ref = f"{project.slug}/{row.slug}"
    value = _check(value)
    old = s.exec(select(models.MeasureTarget).where(
        models.MeasureTarget.measure_id == row.id,
        models.MeasureTarget.starts_on == starts_on)).first()
    if old is not None and not replace:
        raise Conflict(f"{ref} already has a target of {old.value:g} from {starts_on}. Add "
                       "--replace to change it, or see them with "
                       f"'qi measure target {ref}'")
    target = old or models.MeasureTarget(measure_id=row_id(row), starts_on=starts_on, value=value)
    target.value = value
    s.add(target)
    s.flush()
    return domain.Target(measure=ref, starts_on=starts_on, value=value)


def list_for(s: Session, measure: str) -> list[domain.Target]:
    """The standing target (if any) first, then the dated ones by date."""
    row, project = measure_service.get_row(s, measure)
    ref = f"{project.slug}/{row.slug}"
    out = [domain.Target(measure=ref, starts_on=None, value=row.target)] \
        if row.target is not None else []
    rows = s.exec(select(models.MeasureTarget).where(models.MeasureTarget.measure_id == row.id)
                  .order_by(col(models.MeasureTarget.starts_on))).all()
    return out + [domain.Target(measure=ref, starts_on=t.starts_on, value=t.value) for t in rows]


def remove(s: Session, measure: str, *, starts_on: date) -> domain.Target:
    row, project = measure_service.get_row(s, measure)
    ref = f"{project.slug}/{row.slug}"
    target = s.exec(select(models.MeasureTarget).where(
        models.MeasureTarget.measure_id == row.id,
        models.MeasureTarget.starts_on == starts_on)).first()
    if target is None:
        raise NotFound(f"{ref} has no target from {starts_on}. See them with "
                       f"'qi measure target {ref}'")
    s.delete(target)
    s.flush()
    return domain.Target(measure=ref, starts_on=starts_on, value=target.value)


def dated_by_measure(s: Session, measure_ids: list[int]) -> dict[int, list[tuple[date, float]]]:
    """Each measure's dated targets, by date (one query, for reports of many measures)."""
    out: dict[int, list[tuple[date, float]]] = {i: [] for i in measure_ids}
    if not measure_ids:
        return out
    for t in s.exec(select(models.MeasureTarget)
                    .where(col(models.MeasureTarget.measure_id).in_(measure_ids))
                    .order_by(col(models.MeasureTarget.starts_on))).all():
        out[t.measure_id].append((t.starts_on, t.value))
    return out


