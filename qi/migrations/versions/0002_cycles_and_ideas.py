"""PDSA cycles, their measures, and change ideas (schema 0002).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "change_idea",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("primary_driver", sa.String(length=300), nullable=True),
        sa.Column("secondary_driver", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_change_idea_project_id_project"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_idea")),
    )
    with op.batch_alter_table("change_idea", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_change_idea_project_id"), ["project_id"], unique=False)

    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=True),
        sa.Column("builds_on_id", sa.Integer(), nullable=True),
        sa.Column("logged_by_id", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.String(), nullable=True),
        sa.Column("questions", sa.String(), nullable=True),
        sa.Column("predictions", sa.String(), nullable=True),
        sa.Column("plan", sa.String(), nullable=True),
        sa.Column("data_plan", sa.String(), nullable=True),
        sa.Column("planned_start", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.String(), nullable=True),
        sa.Column("problems", sa.String(), nullable=True),
        sa.Column("results", sa.String(), nullable=True),
        sa.Column("learning", sa.String(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("next_steps", sa.String(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["builds_on_id"],
            ["cycle.id"],
            name=op.f("fk_cycle_builds_on_id_cycle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["change_idea.id"],
            name=op.f("fk_cycle_idea_id_change_idea"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["logged_by_id"],
            ["member.id"],
            name=op.f("fk_cycle_logged_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_cycle_project_id_project"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
        sa.UniqueConstraint("project_id", "number", name=op.f("uq_cycle_project_id_number")),
    )
    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_builds_on_id"), ["builds_on_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_idea_id"), ["idea_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_logged_by_id"), ["logged_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cycle_project_id"), ["project_id"], unique=False)

    op.create_table(
        "cycle_measure",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
            name=op.f("fk_cycle_measure_cycle_id_cycle"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_cycle_measure_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "measure_id", name=op.f("pk_cycle_measure")),
    )
    with op.batch_alter_table("cycle_measure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cycle_measure_measure_id"), ["measure_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("cycle_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_measure_measure_id"))

    op.drop_table("cycle_measure")
    with op.batch_alter_table("cycle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_project_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_logged_by_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_idea_id"))
        batch_op.drop_index(batch_op.f("ix_cycle_builds_on_id"))

    op.drop_table("cycle")
    with op.batch_alter_table("change_idea", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_idea_project_id"))

    op.drop_table("change_idea")
