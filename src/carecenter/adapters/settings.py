"""Settings: one typed object built at the edge (environment variables ``CARECENTER_*``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

STORE_FILE = "carecenter.db"
CACHE_DIR = ".cache"
WAREHOUSE_FILE = "warehouse.duckdb"
CONFIG_FILE = "center.yaml"


class Settings(BaseSettings):
    """Where the workspace is and which databases it uses.

    ``CARECENTER_WORKSPACE`` (default: the current directory), ``CARECENTER_DATABASE_URL``
    (default: SQLite file ``carecenter.db`` in the workspace; a ``postgresql+psycopg://`` URL for
    production), ``CARECENTER_WAREHOUSE`` (default: ``warehouse.duckdb`` in the workspace) and
    ``CARECENTER_LOCK_TIMEOUT`` (seconds a command waits for a warehouse another process holds;
    default 30).
    """

    model_config = SettingsConfigDict(env_prefix="CARECENTER_", extra="ignore")

    workspace: Path = Path(".")
    database_url: str | None = None
    warehouse: Path | None = None
    lock_timeout: float = Field(default=30.0, ge=0)

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
