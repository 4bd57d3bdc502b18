"""Measurements: importing files, adding points, listing, exporting, undoing imports.

A measurement is one value (or numerator and denominator) of a measure for one period.
Each import is recorded with what it replaced, so that `undo` restores exactly what was
there. Files are read and checked by qi.ingest; this module resolves the project and its
measures, compares with what is stored and writes, all in the caller's one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import bindparam, column, insert, table, update
from sqlmodel import Session, delete, func, select

from qi import domain, ingest, models
from qi.domain import ChartType, Direction, MeasureKind, Period
from qi.errors import Conflict, InvalidInput, NotFound
from qi.gateway import of_session
from qi.services import measures as measure_service
from qi.services import projects as project_service
from qi.services._common import as_utc, check_slug, counted, known_list, optional_text
from qi.text import csv_row, csv_text

# Charts whose values may be below zero; every other chart counts or times things.
NEGATIVE_OK = frozenset({ChartType.run, ChartType.i, ChartType.mr, ChartType.xbar,
                         ChartType.s})
# Charts of a proportion: the numerator cannot exceed the denominator (u and u' are rates).
PROPORTION = frozenset({ChartType.p, ChartType.pp})
WRITE_CHUNK = 50_000  # rows per executemany: bounded memory, and a progress step
CHANGES_KEPT = 1_000  # changed values listed in a summary (all are counted)

Progress = Callable[[str, int, int | None], None]  # (stage, done, total or None)

# The stored columns, untyped: reading them this way skips SQLAlchemy's per-value
# conversion, which for a million rows costs more than the query itself.
_MEASUREMENT = table("measurement", column("measure_id"), column("period"), column("value"),
                     column("numerator"), column("denominator"), column("note"),
                     column("import_id"))


def _quiet(stage: str, done: int, total: int | None) -> None:
    pass


# --- measures of a project -----------------------------------------------------------------


class _Info:
    """What the rules need to know about a measure."""

    __slots__ = ("id", "slug", "chart", "ratio")

    def __init__(self, id: int, slug: str, chart: str, ratio: bool) -> None:
        self.id, self.slug, self.chart, self.ratio = id, slug, ChartType(chart), ratio


def _measures(s: Session, project_id: int) -> dict[str, _Info]:
    rows = s.exec(select(models.Measure.id, models.Measure.slug, models.Measure.chart,
                         models.Measure.has_denominator)
                  .where(models.Measure.project_id == project_id)).all()
    return {slug: _Info(mid, slug, chart, ratio) for mid, slug, chart, ratio in rows}


def _unknown_measures(project: models.Project, unknown: list[str],
                      known: dict[str, _Info]) -> NotFound:
    have = f"Its measures: {known_list(sorted(known))}" if known else "It has no measures yet"
    named = known_list([f"'{u}'" for u in unknown])
    return NotFound(
        f"Project '{project.slug}' has no measure{'s' if len(unknown) > 1 else ''} {named}. "
        f"{have}. Add them with 'qi measure add', or add --create-measures to create them "
        "as run-chart outcome measures"
    )


def _create_measures(s: Session, project: models.Project, slugs: list[str], batch, codes,
                     all_slugs: list[str], dry_run: bool) -> dict[str, _Info]:
    """New run-chart outcome measures for unknown slugs; a measure has a denominator when
    its rows give numerators or denominators. A dry run only pretends (negative ids)."""
    import numpy as np

    ratio_rows = np.zeros(len(batch), dtype=bool)
    for role in ("numerator", "denominator"):
        if role in batch.numbers:
            ratio_rows |= ~batch.blank[role]
    per_slug = np.bincount(codes, weights=ratio_rows, minlength=len(all_slugs)) > 0
    ratio = {slug: bool(per_slug[k]) for k, slug in enumerate(all_slugs)}
    for slug in slugs:
        check_slug(slug, "measure")
    if dry_run:
        return {slug: _Info(-k - 1, slug, "run", ratio[slug]) for k, slug in enumerate(slugs)}
    # Core executemany: a file may name a thousand new measures, and ORM objects would
    # cost a noticeable part of the import.
    now = models.utcnow()
    s.connection().execute(insert(models.Measure.__table__), [
        {"project_id": project.id, "slug": slug, "name": slug,
         "kind": MeasureKind.outcome.value, "direction": Direction.neither.value,
         "chart": ChartType.run.value, "has_denominator": ratio[slug], "created_at": now,
         "updated_at": now} for slug in slugs])
    new = set(slugs)
    return {slug: info for slug, info in _measures(s, project.id).items() if slug in new}


# --- importing a file ----------------------------------------------------------------------


def import_file(
    s: Session, path: str | Path, *, project: str, layout: ingest.Layout | None = None,
    create_measures: bool = False, replace: bool = False, dry_run: bool = False,
    progress: Progress | None = None,
) -> domain.ImportSummary:
    """Import a measurement file into a project's measures, all or nothing.

    Raises InvalidInput listing every problem in the file, NotFound for unknown measures
    (unless `create_measures`), and Conflict when the file changes stored values (unless
    `replace`). A dry run checks everything and writes nothing.
    """
    import numpy as np
    import pandas as pd

    path = Path(path)
    layout = layout or ingest.Layout()
    progress = progress or _quiet
    project_row = _project_for_import(s, project, lock=not dry_run)
    progress("Reading", 0, None)
    problems = ingest.Problems(path)
    data = ingest.read_file(path)  # once: a pipe cannot be read twice
    batch = ingest.read_measurements(path, layout, problems, data)

    infos, created = _resolve_measures(s, project_row, batch, create_measures, dry_run)
    progress("Checking", 0, None)
    batch, blank_rows = ingest.apply_rules(batch, _rules(batch, infos), problems)
    ingest.check_duplicates(batch, problems)
    problems.raise_any()
    if len(batch) == 0:
        raise InvalidInput(f"{path.name} has no values to import: all "
                           f"{counted(len(blank_rows), 'value cell')} are blank")

    codes, slugs = pd.factorize(batch.measure)
    ids = np.array([infos[str(x)].id for x in slugs], dtype=np.int64)
    measure_ids = ids[codes]
    stored = ingest.stored_frame(
        _stored_rows(s, [int(i) for i in ids if i > 0], batch.period))
    found = ingest.compare(batch, measure_ids, stored)
    sha = ingest.file_sha256(data)
    changes = _changes(batch, found, stored)
    summary = {
        "file": path.name, "sha256": sha, "dry_run": dry_run, "added": len(found.added),
        "changed": len(found.changed), "unchanged": len(found.unchanged),
        "blank": len(blank_rows),
        "blank_rows": tuple(int(r) for r in blank_rows[:ingest.MAX_SHOWN]),
        "created_measures": tuple(sorted(created)),
        "measures": _per_measure(slugs, codes, found), "changes": changes,
        "previous_import": _previous_import(s, project_row.id, sha),
        "partial_periods": batch.partial,
    }
    if found.changed.size and not replace and not dry_run:
        raise Conflict(_refusal(path, changes, len(found.changed)))
    if dry_run or (not found.added.size and not found.changed.size):
        return domain.ImportSummary(import_id=None, **summary)

    record = models.DataImport(project_id=project_row.id, file_name=path.name[:500], sha256=sha,
                               rows_added=len(found.added), rows_changed=len(found.changed))
    s.add(record)
    s.flush()
    _insert(s, batch, measure_ids, found.added, record.id, progress)
    _replace(s, batch, measure_ids, found, stored, record.id)
    s.flush()
    return domain.ImportSummary(import_id=record.id, **summary)


def _resolve_measures(s: Session, project: models.Project, batch, create: bool,
                      dry_run: bool) -> tuple[dict[str, _Info], dict[str, _Info]]:
    """Every measure the file names (slug -> info), and those created for it."""
    import pandas as pd

    known = _measures(s, project.id)
    codes, slugs = pd.factorize(batch.measure)
    slugs = [str(x) for x in slugs]
    unknown = [x for x in slugs if x not in known]
    created: dict[str, _Info] = {}
    if unknown:
        if not create:
            raise _unknown_measures(project, unknown, known)
        created = _create_measures(s, project, unknown, batch, codes, slugs, dry_run)
    return {x: known.get(x) or created[x] for x in slugs}, created


def _rules(batch, infos: dict[str, _Info]) -> ingest.Rules:
    """Each entry's measure's rules, as arrays in batch order."""
    import numpy as np
    import pandas as pd

    codes, slugs = pd.factorize(batch.measure)
    per = [infos[str(x)] for x in slugs]

    def spread(flags: list[bool]) -> np.ndarray:
        return np.array(flags, dtype=bool)[codes]

    return ingest.Rules(ratio=spread([i.ratio for i in per]),
                        proportion=spread([i.chart in PROPORTION for i in per]),
                        negative_ok=spread([i.chart in NEGATIVE_OK for i in per]))


def _project_for_import(s: Session, slug: str, *, lock: bool) -> models.Project:
    """The project; locked on PostgreSQL (SQLite's write lock is already held) so that
    imports into one project queue. Two at once would both find a measure or a date
    missing, both insert it, and the second would fail on the unique constraint."""
    if lock:
        row = s.exec(select(models.Project).where(models.Project.slug == slug)
                     .with_for_update()).first()
        if row is not None:
            return row
    return project_service.get_row(s, slug)


def _stored_rows(s: Session, measure_ids: list[int], days) -> list[tuple]:
    """The stored measurements that a batch could meet (its measures, within its dates),
    as plain tuples fetched by the driver itself: SQLAlchemy's result rows cost several
    seconds per million."""
    if not measure_ids:
        return []
    conn = s.connection()
    first, last = (_driver_date(conn, d) for d in (days.min(), days.max()))
    m = _MEASUREMENT.c
    query = select(*m).where(m.measure_id.in_(measure_ids), m.period >= first,
                             m.period <= last)
    compiled = query.compile(dialect=conn.dialect,
                             compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(compiled.string, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def _driver_date(conn, day):
    """A date as the driver takes it: SQLAlchemy's SQLite Date type stores ISO text."""
    import numpy as np

    if conn.dialect.name == "sqlite":
        return np.datetime_as_string(day, unit="D")
    return _day(day)


def _per_measure(slugs, codes, found) -> tuple[domain.MeasureCounts, ...]:
    import numpy as np

    def count(index):
        return np.bincount(codes[index], minlength=len(slugs))

    added, changed, same = count(found.added), count(found.changed), count(found.unchanged)
    return tuple(domain.MeasureCounts(str(slug), int(added[k]), int(changed[k]), int(same[k]))
                 for k, slug in enumerate(slugs))


def _point(value, numerator, denominator, note) -> dict:
    def num(v):
        return None if v is None or v != v else float(v)

    return {"value": num(value), "numerator": num(numerator),
            "denominator": num(denominator), "note": note}


def _changes(batch, found, stored) -> tuple[domain.ValueChange, ...]:
    """The first CHANGES_KEPT changed values, old and new, in file order."""
    import numpy as np

    order = np.argsort(batch.rows[found.changed], kind="stable")[:CHANGES_KEPT]
    nan = np.full(len(batch), np.nan)
    out = []
    for k in order:
        i, j = found.changed[k], found.stored_at[k]
        old = {name: stored[name][j] for name in (*ingest.NUMBER_ROLES, "note")}
        new_note = old["note"] if batch.note is None else batch.note[i]
        out.append(domain.ValueChange(
            measure=str(batch.measure[i]), date=_day(batch.period[i]), row=int(batch.rows[i]),
            old=_point(old["value"], old["numerator"], old["denominator"], old["note"]),
            new=_point(*(batch.numbers.get(r, nan)[i] for r in ingest.NUMBER_ROLES), new_note),
        ))
    return tuple(out)


def describe_point(point: dict) -> str:
    """'12', '13/150' or '(none)', with the note: '12 ("IT outage")'."""
    def num(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else repr(v)

    if point["numerator"] is not None or point["denominator"] is not None:
        text = "/".join("?" if v is None else num(v)
                        for v in (point["numerator"], point["denominator"]))
    else:
        text = "(none)" if point["value"] is None else num(point["value"])
    return text + (f' ("{point["note"]}")' if point["note"] else "")


def describe_change(c: domain.ValueChange) -> str:
    return (f"{c.measure} {c.date.isoformat()} (row {c.row}): {describe_point(c.old)} -> "
            f"{describe_point(c.new)}")


def _refusal(path: Path, changes: tuple[domain.ValueChange, ...], total: int) -> str:
    lines = [describe_change(c) + "." for c in changes[:ingest.MAX_SHOWN]]
    if total > len(lines):
        lines.append(f"... and {total - len(lines)} more.")
    return (f"{path.name} would change {counted(total, 'value')} already stored, so nothing "
            "was imported. Check them; add --replace to replace them (the import can be "
            "undone with 'qi data undo'):\n" + "\n".join(lines))


def _day(value) -> date:
    import numpy as np

    return date.fromisoformat(np.datetime_as_string(value, unit="D"))


def _previous_import(s: Session, project_id: int, sha: str) -> int | None:
    return s.exec(select(models.DataImport.id).where(
        models.DataImport.project_id == project_id, models.DataImport.sha256 == sha,
        models.DataImport.undone_at.is_(None)).order_by(models.DataImport.id.desc())).first()


def _nullable(values) -> list:
    """float64 with NaN -> Python floats with None."""
    import numpy as np

    missing = np.isnan(values)
    return np.where(missing, None, values).tolist() if missing.any() else values.tolist()


def _insert(s: Session, batch, measure_ids, index, import_id: int, progress: Progress) -> None:
    """Insert the new entries: many rows per INSERT statement, binding only the columns the
    file has (the import's id is a literal).

    Measured on a million rows with SQLite: SQLAlchemy's executemany, which converts every
    value in Python, took about 9 s; sqlite3's executemany with one row per statement about
    4.5 s; 333 rows per statement, as here, under 3 s."""
    import numpy as np

    if not len(index):
        return
    index = index[np.lexsort((batch.period[index], measure_ids[index]))]  # index order
    roles = [r for r in ingest.NUMBER_ROLES if r in batch.numbers]
    names = ["measure_id", "period", *roles] + (["note"] if batch.note is not None else [])
    conn = s.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    one_row = "(" + ", ".join([mark] * len(names) + [str(int(import_id))]) + ")"
    head = f"INSERT INTO measurement ({', '.join(names)}, import_id) VALUES "
    per_statement = 999 // len(names)  # SQLite before 3.32 takes at most 999 parameters
    full = head + ", ".join([one_row] * per_statement)
    days, inverse = np.unique(batch.period[index], return_inverse=True)
    if conn.dialect.name == "sqlite":  # SQLAlchemy's SQLite Date type stores ISO text
        periods = np.datetime_as_string(days, unit="D").astype(object)[inverse]
    else:
        periods = days.astype("datetime64[D]").astype(object)[inverse]
    total = len(index)
    for start in range(0, total, WRITE_CHUNK):
        part = index[start:start + WRITE_CHUNK]
        cells = np.empty((len(part), len(names)), dtype=object)
        cells[:, 0] = measure_ids[part].tolist()
        cells[:, 1] = periods[start:start + WRITE_CHUNK]
        for k, role in enumerate(roles, start=2):
            cells[:, k] = _nullable(batch.numbers[role][part])
        if batch.note is not None:
            cells[:, -1] = batch.note[part]
        whole = len(part) // per_statement * per_statement
        if whole:
            statements = cells[:whole].reshape(-1, per_statement * len(names)).tolist()
            conn.exec_driver_sql(full, [tuple(values) for values in statements])
        if whole < len(part):
            rest = cells[whole:]
            conn.exec_driver_sql(head + ", ".join([one_row] * len(rest)),
                                 tuple(rest.ravel().tolist()))
        progress("Writing", min(start + WRITE_CHUNK, total), total)


def _replace(s: Session, batch, measure_ids, found, stored, import_id: int) -> None:
    """Change the stored values the file changes, keeping each one's old state first."""
    import numpy as np

    if not len(found.changed):
        return
    nan = np.full(len(batch), np.nan)
    days = batch.period[found.changed].astype("datetime64[D]").astype(object)
    old = {name: stored[name][found.stored_at]
           for name in (*ingest.NUMBER_ROLES, "note", "import_id")}
    kept = [
        {"import_id": import_id, "measure_id": int(m), "period": d,
         "old_value": _none(v), "old_numerator": _none(n), "old_denominator": _none(q),
         "old_note": t, "old_import_id": None if i is None or i != i else int(i)}
        for m, d, v, n, q, t, i in zip(
            measure_ids[found.changed], days, old["value"], old["numerator"],
            old["denominator"], old["note"], old["import_id"], strict=True)
    ]
    conn = s.connection()
    conn.execute(insert(models.DataImportChange.__table__), kept)
    t = models.Measurement.__table__
    values = {role: bindparam(f"new_{role}") for role in ingest.NUMBER_ROLES}
    if batch.note is not None:  # a file without notes leaves stored notes alone
        values["note"] = bindparam("new_note")
    statement = (update(t).where(t.c.measure_id == bindparam("m"), t.c.period == bindparam("p"))
                 .values(import_id=import_id, **values))
    new = {role: batch.numbers.get(role, nan)[found.changed] for role in ingest.NUMBER_ROLES}
    params = []
    for k, (m, d) in enumerate(zip(measure_ids[found.changed], days, strict=True)):
        row = {"m": int(m), "p": d, **{f"new_{r}": _none(new[r][k]) for r in new}}
        if batch.note is not None:
            row["new_note"] = batch.note[found.changed[k]]
        params.append(row)
    conn.execute(statement, params)


def _none(v):
    return None if v is None or v != v else float(v)


# --- one point by hand ---------------------------------------------------------------------


def _start_of(day: date, period: Period | None) -> date:
    from datetime import timedelta

    if period == Period.week:
        return day - timedelta(days=day.weekday())
    if period == Period.month:
        return day.replace(day=1)
    return day


def _check_point(m: domain.Measure, value: float | None, numerator: float | None,
                 denominator: float | None) -> None:
    """The same rules as a file's rows (qi.ingest.check_values), for one point."""
    import numpy as np

    if m.denominator:
        if value is not None or numerator is None or denominator is None:
            raise InvalidInput(f"Measure '{m.ref}' has a denominator: give --numerator N "
                               "--denominator D (and no VALUE)")
    elif value is None or numerator is not None or denominator is not None:
        raise InvalidInput(f"Measure '{m.ref}' takes a single value: give VALUE (and no "
                           "--numerator or --denominator)")

    def one(v):
        return np.array([np.nan if v is None else v], dtype=np.float64)

    rules = ingest.Rules(ratio=np.array([m.denominator]),
                         proportion=np.array([m.chart in PROPORTION]),
                         negative_ok=np.array([m.chart in NEGATIVE_OK]))
    shown = {"value": value, "numerator": numerator, "denominator": denominator}
    for role, _mask, why in ingest.check_values(one(value), one(numerator), one(denominator),
                                                rules):
        raise InvalidInput(f"{role.capitalize()} {ingest._shown(shown[role])}: {why}")


def add(
    s: Session, measure: str, day: date, *, value: float | None = None,
    numerator: float | None = None, denominator: float | None = None,
    note: str | None = None, replace: bool = False, period: Period | None = None,
) -> tuple[domain.Series, str]:
    """Add one point; return it (as a one-point series) and 'added', 'changed' or
    'unchanged'. A different value for a stored period needs `replace`."""
    m = measure_service.show(s, measure)
    _check_point(m, value, numerator, denominator)
    day = _start_of(day, period)
    note = optional_text(note)
    row = s.exec(select(models.Measurement).where(models.Measurement.measure_id == m.id,
                                                  models.Measurement.period == day)).first()
    new = _point(value, numerator, denominator, note if note is not None or row is None
                 else row.note)
    status = "added"
    if row is not None:
        old = _point(row.value, row.numerator, row.denominator, row.note)
        if old == new:
            return _one_point(m, row), "unchanged"
        if not replace:
            raise Conflict(
                f"Measure '{m.ref}' already has {describe_point(old)} for {day.isoformat()}. "
                f"Add --replace to change it to {describe_point(new)}"
            )
        status = "changed"
    else:
        row = models.Measurement(measure_id=m.id, period=day)
    # By hand, so it belongs to no import (and an import it replaced can no longer be undone).
    row.value, row.numerator, row.denominator = new["value"], new["numerator"], new["denominator"]
    row.note, row.import_id = new["note"], None
    s.add(row)
    s.flush()
    return _one_point(m, row), status


def _one_point(m: domain.Measure, row: models.Measurement) -> domain.Series:
    return domain.Series(measure=m, dates=(row.period,), values=(row.value,),
                         numerators=(row.numerator,), denominators=(row.denominator,),
                         notes=(row.note,), imports=(row.import_id,))


# --- reading out ---------------------------------------------------------------------------


def series(s: Session, measure_ref: str) -> domain.Series:
    """A measure's measurements in date order (the view loader's query)."""
    from qi.queries import views

    return views.series(of_session(s), measure_ref)


def _number_text(v: float | None) -> str:
    """Numbers as they round-trip: 12 not 12.0, otherwise the shortest exact form."""
    if v is None:
        return ""
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


def export_csv(s: Session, project: str) -> tuple[str, int]:
    """A project's measurements as a long CSV (date,measure,value,numerator,denominator,
    note), ordered by measure and date; and the number of rows. Importing it into the same
    project and measures gives the same data."""
    project_row = project_service.get_row(s, project)
    t = models.Measurement.__table__
    rows = s.connection().execute(
        select(t.c.period, models.Measure.slug, t.c.value, t.c.numerator, t.c.denominator,
               t.c.note)
        .join(models.Measure, models.Measure.id == t.c.measure_id)
        .where(models.Measure.project_id == project_row.id)
        .order_by(models.Measure.slug, t.c.period)).all()
    # Text cells guarded against formulas (qi's import undoes it), numbers left numbers.
    lines = [csv_row(["date", "measure", "value", "numerator", "denominator", "note"])]
    lines.extend(csv_row([_iso(d), csv_text(slug), _number_text(v), _number_text(n),
                          _number_text(q), csv_text(note or "")])
                 for d, slug, v, n, q, note in rows)
    return "".join(lines), len(rows)


def _iso(day) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)[:10]


# --- imports and undo ----------------------------------------------------------------------


def _import_record(row: models.DataImport, project_slug: str) -> domain.DataImport:
    return domain.DataImport(
        id=row.id, project=project_slug, file=row.file_name, sha256=row.sha256,
        added=row.rows_added, changed=row.rows_changed, imported_at=as_utc(row.imported_at),
        undone_at=as_utc(row.undone_at),
    )


def imports(s: Session, *, project: str | None = None) -> list[domain.DataImport]:
    """Recorded imports, oldest first."""
    query = (select(models.DataImport, models.Project.slug)
             .join(models.Project, models.Project.id == models.DataImport.project_id)
             .order_by(models.DataImport.id))
    if project:
        query = query.where(models.DataImport.project_id ==
                            project_service.get_row(s, project).id)
    return [_import_record(row, slug) for row, slug in s.exec(query).all()]


def _get_import(s: Session, ref: str) -> tuple[models.DataImport, str]:
    text = str(ref).strip().removeprefix("#")
    row = s.get(models.DataImport, int(text)) if text.isascii() and text.isdigit() else None
    if row is None:
        raise NotFound(f"No import '{ref}'. Imports are numbered; run 'qi data imports'")
    return row, s.get(models.Project, row.project_id).slug


def check_undoable(s: Session, ref: str) -> domain.DataImport:
    """The import, if undoing it would restore exactly what it replaced; else Conflict."""
    row, project_slug = _get_import(s, ref)
    if row.undone_at is not None:
        raise Conflict(f"Import {row.id} ({row.file_name}) was already undone on "
                       f"{as_utc(row.undone_at):%Y-%m-%d %H:%M} UTC")
    # Every row an import wrote carries its id until something else writes that row, so
    # a shortfall means later changes that undoing this import would silently overwrite.
    wrote = row.rows_added + row.rows_changed
    still = s.exec(select(func.count()).select_from(models.Measurement)
                   .where(models.Measurement.import_id == row.id)).one()
    if still != wrote:
        later = s.exec(select(models.DataImportChange.import_id).distinct()
                       .join(models.DataImport,
                             models.DataImport.id == models.DataImportChange.import_id)
                       .where(models.DataImportChange.old_import_id == row.id,
                              models.DataImport.undone_at.is_(None))
                       .order_by(models.DataImportChange.import_id)).all()
        cause = (f"by import {', '.join(str(i) for i in later)}; undo "
                 f"{'that' if len(later) == 1 else 'those'} first (newest first: 'qi data "
                 f"undo {later[-1]}')" if later else
                 "by 'qi data add --replace' or by removing a measure, so it can no longer "
                 "be undone exactly")
        raise Conflict(f"Import {row.id} ({row.file_name}) cannot be undone: "
                       f"{wrote - still} of the {counted(wrote, 'value')} it wrote have been "
                       f"changed since, {cause}. Nothing was changed")
    return _import_record(row, project_slug)


def undo(s: Session, ref: str) -> domain.DataImport:
    """Reverse an import exactly: delete what it added, put back what it replaced."""
    record = check_undoable(s, ref)
    row = s.get(models.DataImport, record.id)
    restored = s.exec(select(models.DataImportChange)
                      .where(models.DataImportChange.import_id == row.id)).all()
    s.exec(delete(models.Measurement).where(models.Measurement.import_id == row.id))
    s.add_all([
        models.Measurement(measure_id=c.measure_id, period=c.period, value=c.old_value,
                           numerator=c.old_numerator, denominator=c.old_denominator,
                           note=c.old_note, import_id=c.old_import_id)
        for c in restored
    ])
    row.undone_at = models.utcnow()
    s.add(row)
    s.flush()
    return _import_record(row, record.project)
