"""Settings: one typed object built at the edge (environment variables ``CARECENTER_*``)."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

STORE_FILE = "carecenter.db"
CACHE_DIR = ".cache"
WAREHOUSE_FILE = "warehouse.duckdb"
CONFIG_FILE = "center.yaml"
IMPORT_MEMORY_LIMIT = "1GB"
"""DuckDB's memory while it imports (its default is 80% of the machine's): staged records and
folded facts beyond it spill to the temporary directory beside the warehouse
(``warehouse.duckdb.tmp``), so an import's memory does not grow with its files. The process
peaks at about this plus 300 MB (the Python process and its buffers). Less makes the SQL fold of
a large queue_log spill more and run slower (256MB: a peak of about 580 MB and 1.4 times the
time for a million calls); too little for the fold's working set stops the import with a
one-line error saying so."""
MEMORY_SIZE = r"\s*[0-9]+(\.[0-9]+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*"
"""A DuckDB memory size: a number and a unit (``512MB``, ``1.5GB``, ``2GiB``)."""


class Settings(BaseSettings):
    """Where the workspace is and which databases it uses.

    ``CARECENTER_WORKSPACE`` (default: the current directory), ``CARECENTER_DATABASE_URL``
    (default: SQLite file ``carecenter.db`` in the workspace; a ``postgresql+psycopg://`` URL for
    production), ``CARECENTER_WAREHOUSE`` (default: ``warehouse.duckdb`` in the workspace),
    ``CARECENTER_LOCK_TIMEOUT`` (seconds a command waits for a warehouse another process holds;
    default 30) and ``CARECENTER_IMPORT_MEMORY`` (the memory DuckDB may use while it imports,
    e.g. ``512MB``; default :data:`IMPORT_MEMORY_LIMIT`).
    """

    model_config = SettingsConfigDict(env_prefix="CARECENTER_", extra="ignore")

    workspace: Path = Path(".")
    database_url: str | None = None
    warehouse: Path | None = None
    lock_timeout: float = Field(default=30.0, ge=0)
    import_memory: str = IMPORT_MEMORY_LIMIT
    warehouse_threads: int | None = Field(default=None, ge=1)
    """DuckDB's threads per connection (default: one per core). The server's live loop uses
    one: its queries are small, and it shares the cores with the server's requests."""

    @field_validator("import_memory")
    @classmethod
    def _memory_size(cls, value: str) -> str:
        if not re.fullmatch(MEMORY_SIZE, value):
            raise ValueError(f"{value!r} is not a memory size: a number and a unit, e.g. 512MB")
        return value.strip()

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of the operational store."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / STORE_FILE).resolve()}"

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file of the warehouse."""
        return self.warehouse if self.warehouse is not None else self.workspace / WAREHOUSE_FILE

    @property
    def cache_path(self) -> Path:
        """Directory of caches the workspace can lose at any time (compiled report SQL)."""
        return self.workspace / CACHE_DIR

    @property
    def config_path(self) -> Path:
        """The center configuration file."""
        return self.workspace / CONFIG_FILE
