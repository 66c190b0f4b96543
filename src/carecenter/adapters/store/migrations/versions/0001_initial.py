"""Initial schema: the event log and the center configuration.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = 128


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("contact_id", sa.String(ID)),
        sa.Column("agent_id", sa.String(ID)),
        sa.Column("payload", sa.Text, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_events_contact_id", "events", ["contact_id"])
    op.create_index("ix_events_agent_id", "events", ["agent_id"])
    op.create_table(
        "center_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "skills",
        sa.Column("skill_id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
    )
    op.create_table(
        "tiers",
        sa.Column("tier_id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
    )
    op.create_table(
        "queues",
        sa.Column("queue_id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("sl_threshold_s", sa.Float, nullable=False),
        sa.Column("sl_target", sa.Float, nullable=False),
        sa.Column("sl_formula", sa.String(64), nullable=False),
        sa.Column("short_abandon_s", sa.Float, nullable=False),
        sa.Column("exclude_short_abandons", sa.Boolean, nullable=False),
        sa.Column("include_flow_outs", sa.Boolean, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("hours", sa.Text, nullable=False),
        sa.Column("asa_target_s", sa.Float),
        sa.Column("abandon_target", sa.Float),
        sa.Column("occupancy_target", sa.Float),
        sa.Column("response_time_target_s", sa.Float),
    )
    op.create_table(
        "queue_skills",
        sa.Column(
            "queue_id",
            sa.String(ID),
            sa.ForeignKey("queues.queue_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("skill_id", sa.String(ID), sa.ForeignKey("skills.skill_id"), primary_key=True),
        sa.Column("min_proficiency", sa.Integer, nullable=False),
    )
    op.create_table(
        "agents",
        sa.Column("agent_id", sa.String(ID), primary_key=True),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("team", sa.String(128), nullable=False),
        sa.Column("site", sa.String(128), nullable=False),
        sa.Column("hourly_cost", sa.Float, nullable=False),
        sa.Column("capacity", sa.Text, nullable=False),
    )
    op.create_table(
        "agent_skills",
        sa.Column(
            "agent_id",
            sa.String(ID),
            sa.ForeignKey("agents.agent_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("skill_id", sa.String(ID), sa.ForeignKey("skills.skill_id"), primary_key=True),
        sa.Column("proficiency", sa.Integer, nullable=False),
    )
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(ID), primary_key=True),
        sa.Column("tier_id", sa.String(ID), nullable=False),
        sa.Column("account_value", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "customers",
        "agent_skills",
        "agents",
        "queue_skills",
        "queues",
        "tiers",
        "skills",
        "center_settings",
    ):
        op.drop_table(table)
    op.drop_index("ix_events_agent_id", table_name="events")
    op.drop_index("ix_events_contact_id", table_name="events")
    op.drop_table("events")
