"""Measures: the family of outcome, process and balancing measures of a project.

A measure is addressed as SLUG where that slug is unique across projects, or as
PROJECT/SLUG.
"""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session, col, delete, func, select

from qi import domain, models
from qi.domain import RATIO_CHARTS, SUBGROUP_CHARTS, ChartType, Direction, MeasureKind
from qi.errors import Conflict, InvalidInput
from qi.gateway import of_session
from qi.queries import measures as measure_queries
from qi.services import projects as project_service
from qi.services._common import (
    check_slug,
    optional_text,
    required_text,
    row_id,
    stored,
)
from qi.text import plural

LIST_CMD = "qi measure list"


def get_row(s: Session, ref: str) -> tuple[models.Measure, models.Project]:
    """Find a measure by 'slug' (unique) or 'project/slug' (the lookup of `qi.queries`)."""
    measure_id, project_id = measure_queries.locate(of_session(s), ref)
    return stored(s, models.Measure, measure_id), stored(s, models.Project, project_id)


def _one(s: Session, measure: models.Measure) -> domain.Measure:
    return measure_queries.by_ids(of_session(s), [row_id(measure)])[0]


def _check_target(target: float | None) -> float | None:
    if target is not None and not math.isfinite(target):
        raise InvalidInput(f"The target must be a finite number, not {target}")
    from qi.values import check_magnitude

    return check_magnitude(target, "The target")


# qi stores one aggregate value per measure and date; xbar and s charts need the individual
# observations of each period (waiting times per patient), which are patient-level data that
# a QI tracker should not keep. `qi analyze FILE --chart xbar|s` charts such a file directly.


def _check_new_chart(chart: ChartType) -> None:
    """Refuse a chart qi can never draw for a stored measure, with the reason."""
    if chart in SUBGROUP_CHARTS:
        raise InvalidInput(
            f"qi cannot keep an {chart.value} chart measure: an {chart.value} chart needs every "
            "individual observation of each period (for example each patient's waiting time), "
            "and qi stores one aggregate value per date, not patient-level data. Record the "
            "period's mean with --chart i, or chart the event-level file directly with "
            f"'qi analyze FILE --chart {chart.value}'"
        )


def _check_chart(chart: ChartType, denominator: bool) -> None:
    if chart in RATIO_CHARTS and not denominator:
        raise InvalidInput(
            f"A {chart.value} chart plots a numerator over a denominator, but this measure "
            "has no denominator. Add --denominator, or choose --chart run, i or c"
        )


def add(
    s: Session, slug: str, *, project: str, name: str, kind: MeasureKind,
    unit: str | None = None, direction: Direction = Direction.neither,
    target: float | None = None, definition: str | None = None,
    chart: ChartType = ChartType.run, denominator: bool | None = None,
) -> domain.Measure:
    """Add a measure. A p/u chart implies a denominator when none is said."""
    check_slug(slug, "measure")
    project_row = project_service.get_row(s, project)
    if denominator is None:
        denominator = chart in RATIO_CHARTS
    _check_new_chart(chart)
    _check_chart(chart, denominator)
    taken = s.exec(select(models.Measure.id).where(
        models.Measure.project_id == project_row.id, models.Measure.slug == slug)).first()
    if taken is not None:
        raise Conflict(
            f"Project '{project_row.slug}' already has a measure '{slug}'. Choose another "
            f"slug, or see it with 'qi measure show {project_row.slug}/{slug}'"
        )
    measure = models.Measure(
        project_id=row_id(project_row),
        slug=slug,
        name=required_text(name, "measure name", 300),
        kind=kind.value,
        unit=optional_text(unit, "unit", 100),
        direction=direction.value,
        target=_check_target(target),
        definition=optional_text(definition),
        chart=chart.value,
        has_denominator=denominator,
    )
    s.add(measure)
    s.flush()
    return _one(s, measure)


def list_all(s: Session, *, project: str | None = None) -> list[domain.Measure]:
    return measure_queries.list_all(of_session(s), project=project)


def show(s: Session, ref: str) -> domain.Measure:
    return measure_queries.show(of_session(s), ref)


def edit(
    s: Session, ref: str, *, new_slug: str | None = None, name: str | None = None,
    kind: MeasureKind | None = None, unit: str | None = None,
    direction: Direction | None = None, target: float | None = None,
    clear_target: bool = False, definition: str | None = None,
    chart: ChartType | None = None, denominator: bool | None = None,
    baseline_until: date | None = None, clear_baseline: bool = False,
) -> domain.Measure:
    measure, project = get_row(s, ref)
    if clear_baseline:
        measure.baseline_until = None
    elif baseline_until is not None:
        measure.baseline_until = baseline_until
    if new_slug is not None and new_slug != measure.slug:
        check_slug(new_slug, "measure")
        taken = s.exec(select(models.Measure.id).where(
            models.Measure.project_id == project.id, models.Measure.slug == new_slug)).first()
        if taken is not None:
            raise Conflict(f"Project '{project.slug}' already has a measure '{new_slug}'. "
                           "Choose another slug")
        measure.slug = new_slug
    if name is not None:
        measure.name = required_text(name, "measure name", 300)
    if kind is not None:
        measure.kind = kind.value
    if unit is not None:
        measure.unit = optional_text(unit, "unit", 100)
    if direction is not None:
        measure.direction = direction.value
    if clear_target:
        measure.target = None
    elif target is not None:
        measure.target = _check_target(target)
    if definition is not None:
        measure.definition = optional_text(definition)
    if chart is not None:
        if chart.value != measure.chart:
            _check_new_chart(chart)
        measure.chart = chart.value
    if denominator is not None:
        measure.has_denominator = denominator
    _check_chart(ChartType(measure.chart), measure.has_denominator)
    s.add(measure)
    s.flush()
    return _one(s, measure)


def measurement_count(s: Session, measure_id: int) -> int:
    return s.exec(select(func.count()).select_from(models.Measurement)
                  .where(models.Measurement.measure_id == measure_id)).one()


def _children(s: Session, measure_id: int) -> dict[str, int]:
    """What removing a measure would remove with it."""
    def count(model) -> int:
        return s.exec(select(func.count()).select_from(model)
                      .where(model.measure_id == measure_id)).one()

    return {"measurement": measurement_count(s, measure_id),
            "note": count(models.MeasureNote), "phase": count(models.MeasurePhase)}


def check_removable(s: Session, ref: str, *, force: bool) -> domain.Measure:
    """The measure, unless it has measurements, notes or phases and `force` is not given."""
    measure, project = get_row(s, ref)
    children = _children(s, row_id(measure))
    if any(children.values()) and not force:
        what = " and ".join(plural(n, k) for k, n in children.items() if n)
        raise Conflict(
            f"Measure '{project.slug}/{measure.slug}' has {what}. "
            "Add --force to remove it with them (export the data first with 'qi data export "
            f"{project.slug}' if you may want them back)"
        )
    return _one(s, measure)


def remove(s: Session, ref: str, *, force: bool = False) -> domain.Measure:
    """Remove a measure; one with measurements only with `force`, which removes them too
    (imports that wrote them can then no longer be undone)."""
    record = check_removable(s, ref, force=force)
    measure, _ = get_row(s, ref)
    s.exec(delete(models.Measurement).where(col(models.Measurement.measure_id) == measure.id))
    s.delete(measure)  # what imports replaced for it goes too (ON DELETE CASCADE)
    s.flush()
    return record
