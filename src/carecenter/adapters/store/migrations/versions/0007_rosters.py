"""Rosters: each save of ``carecenter roster --save`` (``roster_versions``: the days it covers,
the schedule version it rosters, the places left open) and its agents' shifts with their breaks
(``roster_shifts``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = 128
VERSION = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "roster_versions",
        sa.Column("version", VERSION, primary_key=True, autoincrement=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("schedule_version", VERSION, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("open_places", sa.Integer, nullable=False),
        sa.Column("shifts", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "roster_shifts",
        sa.Column(
            "version",
            VERSION,
            sa.ForeignKey("roster_versions.version", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("row", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("agent_id", sa.String(ID), nullable=False),
        sa.Column("shift", sa.String(ID), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_hours", sa.Float, nullable=False),
        sa.Column("cost", sa.Float, nullable=False),
        sa.Column("breaks", sa.Text, nullable=False),
    )
    op.create_index("ix_roster_shifts_day", "roster_shifts", ["day", "version"])


def downgrade() -> None:
    op.drop_index("ix_roster_shifts_day", table_name="roster_shifts")
    op.drop_table("roster_shifts")
    op.drop_table("roster_versions")
