"""Queues: ticket targets: resolution time (``targets.resolution_time_s``) and targets per
priority (``targets.by_priority``, JSON).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("resolution_time_target_s", sa.Float))
        batch.add_column(sa.Column("priority_targets", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("priority_targets")
        batch.drop_column("resolution_time_target_s")
