"""Rebase phases, dated notes and baselines of measures; meetings (schema 0004).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_meeting_team_id_team"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_held_on"), ["held_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_meeting_team_id"), ["team_id"], unique=False)

    op.create_table(
        "measure_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_measure_note_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_note_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_note")),
    )
    with op.batch_alter_table("measure_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_note_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measure_note_measure_id"), ["measure_id"], unique=False
        )

    op.create_table(
        "measure_phase",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["member.id"],
            name=op.f("fk_measure_phase_created_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycle.id"],
            name=op.f("fk_measure_phase_cycle_id_cycle"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measure.id"],
            name=op.f("fk_measure_phase_measure_id_measure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_phase")),
        sa.UniqueConstraint(
            "measure_id", "starts_on", name=op.f("uq_measure_phase_measure_id_starts_on")
        ),
    )
    with op.batch_alter_table("measure_phase", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_measure_phase_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_measure_phase_cycle_id"), ["cycle_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_measure_phase_measure_id"), ["measure_id"], unique=False
        )

    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("baseline_until", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measure", schema=None) as batch_op:
        batch_op.drop_column("baseline_until")

    with op.batch_alter_table("measure_phase", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_phase_measure_id"))
        batch_op.drop_index(batch_op.f("ix_measure_phase_cycle_id"))
        batch_op.drop_index(batch_op.f("ix_measure_phase_created_by_id"))

    op.drop_table("measure_phase")
    with op.batch_alter_table("measure_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_note_measure_id"))
        batch_op.drop_index(batch_op.f("ix_measure_note_created_by_id"))

    op.drop_table("measure_note")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_team_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_held_on"))

    op.drop_table("meeting")
