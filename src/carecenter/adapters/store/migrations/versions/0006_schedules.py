"""Schedules: each save of ``carecenter schedule --save`` (``schedule_versions``: the days it
covers, how good it was) and its shifts with their breaks (``schedule_shifts``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = 128
VERSION = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "schedule_versions",
        sa.Column("version", VERSION, primary_key=True, autoincrement=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("objective", sa.Float, nullable=False),
        sa.Column("lp_bound", sa.Float, nullable=False),
        sa.Column("bound", sa.Float, nullable=False),
        sa.Column("shifts", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "schedule_shifts",
        sa.Column(
            "version",
            VERSION,
            sa.ForeignKey("schedule_versions.version", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("row", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("shift", sa.String(ID), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agents", sa.Integer, nullable=False),
        sa.Column("paid_hours", sa.Float, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("breaks", sa.Text, nullable=False),
    )
    op.create_index("ix_schedule_shifts_day", "schedule_shifts", ["day", "version"])


def downgrade() -> None:
    op.drop_index("ix_schedule_shifts_day", table_name="schedule_shifts")
    op.drop_table("schedule_shifts")
    op.drop_table("schedule_versions")
