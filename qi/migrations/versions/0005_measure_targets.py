"""Dated targets of measures (schema 0005).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new table only: every existing row is kept as it is, and a measure's own target
    # stays the target in force before its first dated one.
    op.create_table(
        "measure_target",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_target_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_target")),
        sa.UniqueConstraint(
            "measure_id", "starts_on", name=op.f("uq_measure_target_measure_id_starts_on")
        ),
    )
    with op.batch_alter_table("measure_target", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_target_measure_id"), ["measure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("measure_target", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_target_measure_id"))
    op.drop_table("measure_target")
