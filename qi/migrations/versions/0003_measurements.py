"""Measurements, data imports, and what each import replaced (schema 0003).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_added", sa.Integer(), nullable=False),
        sa.Column("rows_changed", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_data_import_project_id_project"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_import")),
    )
    with op.batch_alter_table("data_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_import_project_id"), ["project_id"], unique=False)

    op.create_table(
        "data_import_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("old_value", sa.Float(), nullable=True),
        sa.Column("old_numerator", sa.Float(), nullable=True),
        sa.Column("old_denominator", sa.Float(), nullable=True),
        sa.Column("old_note", sa.String(), nullable=True),
        sa.Column("old_import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["data_import.id"],
            name=op.f("fk_data_import_change_import_id_data_import"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_data_import_change_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["old_import_id"],
            ["data_import.id"],
            name=op.f("fk_data_import_change_old_import_id_data_import"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_import_change")),
    )
    with op.batch_alter_table("data_import_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_import_change_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_import_change_measure_id"), ["measure_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_data_import_change_old_import_id"), ["old_import_id"], unique=False
        )

    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["data_import.id"],
            name=op.f("fk_measurement_import_id_data_import"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measurement_measure_id_measure"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
        sa.UniqueConstraint("measure_id", "period", name=op.f("uq_measurement_measure_id_period")),
    )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measurement_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurement_import_id"))

    op.drop_table("measurement")
    with op.batch_alter_table("data_import_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_import_change_old_import_id"))
        batch_op.drop_index(batch_op.f("ix_data_import_change_measure_id"))
        batch_op.drop_index(batch_op.f("ix_data_import_change_import_id"))

    op.drop_table("data_import_change")
    with op.batch_alter_table("data_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_import_project_id"))

    op.drop_table("data_import")
