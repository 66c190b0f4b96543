"""The operational store: SQLAlchemy tables, the event log and the configuration repository."""
