"""SQLAlchemy table definitions of the operational store.

Schema changes go through Alembic migrations (``migrations/versions``); a test checks that the
migrations produce exactly these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

ID = 128

events = Table(
    "events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("contact_id", String(ID), index=True),
    Column("agent_id", String(ID), index=True),
    Column("payload", Text, nullable=False),
    sqlite_autoincrement=True,
)

center_settings = Table(
    "center_settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

skills = Table(
    "skills",
    metadata,
    Column("skill_id", String(ID), primary_key=True),
    Column("name", String(256), nullable=False),
)

tiers = Table(
    "tiers",
    metadata,
    Column("tier_id", String(ID), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("priority", Integer, nullable=False),
)

queues = Table(
    "queues",
    metadata,
    Column("queue_id", String(ID), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("channel", String(16), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("sl_threshold_s", Float, nullable=False),
    Column("sl_target", Float, nullable=False),
    Column("sl_formula", String(64), nullable=False),
    Column("short_abandon_s", Float, nullable=False),
    Column("exclude_short_abandons", Boolean, nullable=False),
    Column("include_flow_outs", Boolean, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("hours", Text, nullable=False),
    Column("asa_target_s", Float),
    Column("abandon_target", Float),
    Column("occupancy_target", Float),
    Column("response_time_target_s", Float),
    Column("resolution_time_target_s", Float),
    Column("priority_targets", Text),
    Column("routing", Text),
)

queue_skills = Table(
    "queue_skills",
    metadata,
    Column(
        "queue_id", String(ID), ForeignKey("queues.queue_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", String(ID), ForeignKey("skills.skill_id"), primary_key=True),
    Column("min_proficiency", Integer, nullable=False),
)

agents = Table(
    "agents",
    metadata,
    Column("agent_id", String(ID), primary_key=True),
    Column("name", String(256), nullable=False),
    Column("team", String(128), nullable=False),
    Column("site", String(128), nullable=False),
    Column("hourly_cost", Float, nullable=False),
    Column("capacity", Text, nullable=False),
    Column("routing_profile", Text),
    Column("call_blocks_chat", Boolean, nullable=False, server_default=false()),
)

agent_skills = Table(
    "agent_skills",
    metadata,
    Column(
        "agent_id", String(ID), ForeignKey("agents.agent_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("skill_id", String(ID), ForeignKey("skills.skill_id"), primary_key=True),
    Column("proficiency", Integer, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(ID), primary_key=True),
    Column("tier_id", String(ID), nullable=False),
    Column("account_value", Float, nullable=False),
    Column("owner_agent_id", String(ID)),
    Column("account_number", String(ID)),
    Column("survey_opt_out", Boolean, nullable=False, server_default=false()),
)

flows = Table(
    "flows",
    metadata,
    Column("flow_id", String(ID), primary_key=True),
    Column("definition", Text, nullable=False),
)

plan_versions = Table(
    "plan_versions",
    metadata,
    Column(
        "version",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    Column("kind", String(16), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("command", Text, nullable=False),
    Column("period_start", DateTime(timezone=True), nullable=False),
    Column("period_end", DateTime(timezone=True), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("replaced", Integer, nullable=False),
    sqlite_autoincrement=True,
)

plan_rows = Table(
    "plan_rows",
    metadata,
    Column(
        "version",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("plan_versions.version", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("queue_id", String(ID), primary_key=True),
    Column("interval_start", DateTime(timezone=True), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("replaced_by", BigInteger().with_variant(Integer, "sqlite")),
    Column("calls", Float),
    Column("calls_lo", Float),
    Column("calls_hi", Float),
    Column("aht_s", Float),
    Column("patience_s", Float),
    Column("model", String(64)),
    Column("agents", Integer),
    Column("scheduled_agents", Integer),
    Column("measures", Text),
    Index("ix_plan_rows_current", "kind", "queue_id", "interval_start"),
)

schedule_versions = Table(
    "schedule_versions",
    metadata,
    Column("version", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("command", Text, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("days", Integer, nullable=False),
    Column("interval_s", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("objective", Float, nullable=False),
    Column("lp_bound", Float, nullable=False),
    Column("bound", Float, nullable=False),
    Column("shifts", Integer, nullable=False),
    sqlite_autoincrement=True,
)

schedule_shifts = Table(
    "schedule_shifts",
    metadata,
    Column(
        "version",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("schedule_versions.version", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("row", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("shift", String(ID), nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("agents", Integer, nullable=False),
    Column("paid_hours", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("breaks", Text, nullable=False),
    Index("ix_schedule_shifts_day", "day", "version"),
)

roster_versions = Table(
    "roster_versions",
    metadata,
    Column("version", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("command", Text, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("days", Integer, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("schedule_version", BigInteger().with_variant(Integer, "sqlite"), nullable=False),
    Column("status", String(32), nullable=False),
    Column("open_places", Integer, nullable=False),
    Column("shifts", Integer, nullable=False),
    sqlite_autoincrement=True,
)

roster_shifts = Table(
    "roster_shifts",
    metadata,
    Column(
        "version",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("roster_versions.version", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("row", Integer, primary_key=True),
    Column("day", Date, nullable=False),
    Column("agent_id", String(ID), nullable=False),
    Column("shift", String(ID), nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("paid_hours", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("breaks", Text, nullable=False),
    Index("ix_roster_shifts_day", "day", "version"),
)

NAME = 128
"""Length of a user name column (names are at most 64 characters; room to grow)."""
HASH = 64
"""Length of a SHA-256 hex digest."""

users = Table(
    "users",
    metadata,
    Column("name", String(NAME), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("agent_id", String(ID)),
    Column("team", String(128)),
    Column("password_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(HASH), primary_key=True),
    Column(
        "user_name",
        String(NAME),
        ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("label", String(256)),
    Column("last_used_at", DateTime(timezone=True)),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(HASH), primary_key=True),
    Column(
        "user_name",
        String(NAME),
        ForeignKey("users.name", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(NAME), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("detail", Text, nullable=False),
    sqlite_autoincrement=True,
)

expectations = Table(
    "expectations",
    metadata,
    Column("expectation_id", String(ID), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("statement", Text, nullable=False),
    Column("links", Text, nullable=False),
    Column("class", String(16)),
    Column("effort", Integer, nullable=False),
    Column("impact", Integer, nullable=False),
    Column("owner", Text, nullable=False),
    Column("notes", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

expectation_sources = Table(
    "expectation_sources",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("name", Text, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("content", Text, nullable=False),
)
