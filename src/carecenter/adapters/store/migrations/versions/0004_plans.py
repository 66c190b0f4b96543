"""Plans: each save of a forecast or a staffing plan (``plan_versions``) and its rows per
queue and interval (``plan_rows``); a row replaced by a later save keeps its place in the
history with the version that replaced it (``replaced_by``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = 128
VERSION = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "plan_versions",
        sa.Column("version", VERSION, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("command", sa.Text, nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("replaced", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "plan_rows",
        sa.Column(
            "version",
            VERSION,
            sa.ForeignKey("plan_versions.version", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("queue_id", sa.String(ID), primary_key=True),
        sa.Column("interval_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("interval_s", sa.Integer, nullable=False),
        sa.Column("replaced_by", VERSION),
        sa.Column("calls", sa.Float),
        sa.Column("calls_lo", sa.Float),
        sa.Column("calls_hi", sa.Float),
        sa.Column("aht_s", sa.Float),
        sa.Column("patience_s", sa.Float),
        sa.Column("model", sa.String(64)),
        sa.Column("agents", sa.Integer),
        sa.Column("scheduled_agents", sa.Integer),
        sa.Column("measures", sa.Text),
    )
    op.create_index("ix_plan_rows_current", "plan_rows", ["kind", "queue_id", "interval_start"])


def downgrade() -> None:
    op.drop_index("ix_plan_rows_current", table_name="plan_rows")
    op.drop_table("plan_rows")
    op.drop_table("plan_versions")
