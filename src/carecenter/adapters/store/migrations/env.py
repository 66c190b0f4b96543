"""Alembic environment: runs on the connection handed over by ``engine.migrate``."""

from __future__ import annotations

from alembic import context

from carecenter.adapters.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always called through engine.migrate
    raise RuntimeError("run migrations through carecenter.adapters.store.engine.migrate")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
