"""The expectation register of ``carecenter voc table``: each expectation (``expectations``:
its statement, its links to themes, attributes, peer metrics and features as JSON, the class,
effort, impact, owner and notes a manager gives it) and the evidence it was last evaluated
with (``expectation_sources``: the register's own settings, the theme summary, the drivers and
the peers, one JSON document each).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = 128


def upgrade() -> None:
    op.create_table(
        "expectations",
        sa.Column("expectation_id", sa.String(ID), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("links", sa.Text, nullable=False),
        sa.Column("class", sa.String(16)),
        sa.Column("effort", sa.Integer, nullable=False),
        sa.Column("impact", sa.Integer, nullable=False),
        sa.Column("owner", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "expectation_sources",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("expectation_sources")
    op.drop_table("expectations")
