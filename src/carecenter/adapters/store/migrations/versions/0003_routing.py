"""Routing: a queue's routing rules (``queues.routing``, JSON), an agent's routing profile
(``agents.routing_profile``, JSON) and ``call_blocks_chat``, a customer's account owner and
account number, and the entry flows (``flows``, one JSON definition each).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = 128


def upgrade() -> None:
    with op.batch_alter_table("queues") as batch:
        batch.add_column(sa.Column("routing", sa.Text))
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("routing_profile", sa.Text))
        batch.add_column(
            sa.Column("call_blocks_chat", sa.Boolean, nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("owner_agent_id", sa.String(ID)))
        batch.add_column(sa.Column("account_number", sa.String(ID)))
    op.create_table(
        "flows",
        sa.Column("flow_id", sa.String(ID), primary_key=True),
        sa.Column("definition", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("flows")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("account_number")
        batch.drop_column("owner_agent_id")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("call_blocks_chat")
        batch.drop_column("routing_profile")
    with op.batch_alter_table("queues") as batch:
        batch.drop_column("routing")
