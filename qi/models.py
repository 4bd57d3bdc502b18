"""Every table of qi, in one module.

Enumerated fields are stored as short strings (validated by the services) rather than
database enum types, so adding a value never needs a schema migration on PostgreSQL.
The metadata carries a naming convention so that constraints have stable names that
Alembic migrations can refer to on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    return datetime.now(UTC)


def _created() -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow)


def _updated() -> Column:
    return Column(DateTime(timezone=True), nullable=False, default=utcnow, onupdate=utcnow)


def _fk(target: str, *, cascade: bool) -> Column:
    return Column(
        Integer,
        ForeignKey(target, ondelete="CASCADE" if cascade else "RESTRICT"),
        nullable=False,
        index=True,
    )


class Team(SQLModel, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    name: str = Field(max_length=200)
    area: str | None = Field(default=None, max_length=200)
    note: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class Member(SQLModel, table=True):
    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    role: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class TeamMembership(SQLModel, table=True):
    """A member belongs to one or more teams; removing either side removes the link."""

    __tablename__ = "team_membership"

    team_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("team.id", ondelete="CASCADE"), primary_key=True
        )
    )
    member_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class Project(SQLModel, table=True):
    __tablename__ = "project"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=60, unique=True)
    title: str = Field(max_length=300)
    aim: str
    # RESTRICT: a team's projects are removed explicitly (with --force), never by accident.
    team_id: int = Field(sa_column=_fk("team.id", cascade=False))
    start_date: date | None = None
    status: str = Field(default="active", max_length=20)
    closing_note: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class Measure(SQLModel, table=True):
    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("project_id", "slug"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=_fk("project.id", cascade=False))
    slug: str = Field(max_length=60)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    unit: str | None = Field(default=None, max_length=100)
    direction: str = Field(default="neither", max_length=20)
    target: float | None = None
    definition: str | None = None
    chart: str = Field(default="run", max_length=10)
    has_denominator: bool = False
    # The last date of the baseline period: its centre line (and limits) are frozen and
    # extended after it. None: the baseline ends where the first PDSA cycle started.
    baseline_until: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class ChangeIdea(SQLModel, table=True):
    """A change idea of a project, optionally placed in its driver diagram."""

    __tablename__ = "change_idea"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=_fk("project.id", cascade=False))
    title: str = Field(max_length=300)
    description: str | None = None
    primary_driver: str | None = Field(default=None, max_length=300)
    secondary_driver: str | None = Field(default=None, max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


def _optional_fk(target: str) -> Column:
    return Column(Integer, ForeignKey(target, ondelete="SET NULL"), nullable=True, index=True)


class Cycle(SQLModel, table=True):
    """One PDSA cycle: the fields of the IHI worksheet. Its stage follows from its dates
    and fields (see qi.services.cycles.stage_of), so it can never disagree with them."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=_fk("project.id", cascade=False))
    number: int
    title: str = Field(max_length=300)
    idea_id: int | None = Field(default=None, sa_column=_optional_fk("change_idea.id"))
    builds_on_id: int | None = Field(default=None, sa_column=_optional_fk("cycle.id"))
    logged_by_id: int | None = Field(default=None, sa_column=_optional_fk("member.id"))
    purpose: str = Field(default="test", max_length=20)
    # Plan
    objective: str | None = None
    questions: str | None = None
    predictions: str | None = None
    plan: str | None = None
    data_plan: str | None = None
    planned_start: date | None = None
    # Do
    started_on: date | None = None
    notes: str | None = None
    problems: str | None = None
    # Study
    results: str | None = None
    learning: str | None = None
    # Act
    decision: str | None = Field(default=None, max_length=20)
    next_steps: str | None = None
    completed_on: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class CycleMeasure(SQLModel, table=True):
    """The measures a cycle's data-collection plan expects to move."""

    __tablename__ = "cycle_measure"

    cycle_id: int = Field(
        sa_column=Column(Integer, ForeignKey("cycle.id", ondelete="CASCADE"), primary_key=True)
    )
    measure_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("measure.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


class DataImport(SQLModel, table=True):
    """One `qi data import`: the file, when, and what it did. Undoing it keeps the record
    (with `undone_at` set) so the project's history of imports stays complete."""

    __tablename__ = "data_import"

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(sa_column=_fk("project.id", cascade=False))
    file_name: str = Field(max_length=500)
    sha256: str = Field(max_length=64)
    rows_added: int = 0
    rows_changed: int = 0
    imported_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    undone_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Measurement(SQLModel, table=True):
    """One value of a measure for one period (weekly/monthly data store the period's start).

    A measure with a denominator stores numerator and denominator and no value."""

    __tablename__ = "measurement"
    __table_args__ = (UniqueConstraint("measure_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    # No index of its own: the unique constraint's index starts with measure_id.
    # RESTRICT: a measure's data are removed explicitly (`qi measure remove --force`).
    measure_id: int = Field(sa_column=Column(
        Integer, ForeignKey("measure.id", ondelete="RESTRICT"), nullable=False))
    period: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    note: str | None = None
    import_id: int | None = Field(default=None, sa_column=_optional_fk("data_import.id"))


class DataImportChange(SQLModel, table=True):
    """A stored measurement that an import replaced, as it was before, so that
    `qi data undo` can put it back exactly. (Rows an import added need no record: they are
    the measurements that still carry its import_id.)"""

    __tablename__ = "data_import_change"

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(sa_column=_fk("data_import.id", cascade=True))
    measure_id: int = Field(sa_column=_fk("measure.id", cascade=True))
    period: date
    old_value: float | None = None
    old_numerator: float | None = None
    old_denominator: float | None = None
    old_note: str | None = None
    old_import_id: int | None = Field(default=None, sa_column=_optional_fk("data_import.id"))


class MeasurePhase(SQLModel, table=True):
    """A rebase: from `starts_on` the measure gets a new centre line and limits (a new phase),
    kept with who decided it, when and why."""

    __tablename__ = "measure_phase"
    __table_args__ = (UniqueConstraint("measure_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(sa_column=_fk("measure.id", cascade=True))
    starts_on: date
    reason: str
    cycle_id: int | None = Field(default=None, sa_column=_optional_fk("cycle.id"))
    created_by_id: int | None = Field(default=None, sa_column=_optional_fk("member.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class MeasureNote(SQLModel, table=True):
    """A dated free-text note on a measure ("practice closed for refurbishment"), drawn on
    its charts like a PDSA cycle."""

    __tablename__ = "measure_note"

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(sa_column=_fk("measure.id", cascade=True))
    noted_on: date
    text: str
    created_by_id: int | None = Field(default=None, sa_column=_optional_fk("member.id"))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())


class Meeting(SQLModel, table=True):
    """A learning session of the programme (team_id None) or a meeting of one team."""

    __tablename__ = "meeting"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    title: str = Field(max_length=300)
    team_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("team.id", ondelete="CASCADE"), nullable=True, index=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class MeasureTarget(SQLModel, table=True):
    """A target in force from `starts_on` until the next one (a trajectory: 8% from April,
    6% from July). Before the first dated target the measure's own `target` applies."""

    __tablename__ = "measure_target"
    __table_args__ = (UniqueConstraint("measure_id", "starts_on"),)

    id: int | None = Field(default=None, primary_key=True)
    measure_id: int = Field(sa_column=_fk("measure.id", cascade=True))
    starts_on: date
    value: float
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
