"""A database URL that cannot be used, or a store that cannot be reached, is one line (issue 8):
no SQLAlchemy ``ArgumentError`` or ``psycopg.OperationalError`` traceback, no password shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from carecenter.adapters.store.engine import make_engine, stored_revisions
from carecenter.errors import StoreError, StoreUnavailableError


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "cannot use this database URL (check CARECENTER_DATABASE_URL): Could not"),
        ("nosuchdriver://host/db", "nosuchdriver://host/db: cannot use this database URL"),
    ],
)
def test_a_url_that_cannot_be_used(url: str, message: str) -> None:
    with pytest.raises(StoreUnavailableError) as caught:
        make_engine(url)
    assert message in str(caught.value)
    assert isinstance(caught.value, StoreError) and caught.value.exit_code == 69


def test_a_server_that_does_not_answer() -> None:
    engine = make_engine("postgresql+psycopg://someone:secret@127.0.0.1:9/none")
    with pytest.raises(StoreUnavailableError) as caught:
        stored_revisions(engine)
    text = str(caught.value)
    assert text.startswith("postgresql+psycopg://someone:***@127.0.0.1:9/none: cannot connect")
    assert "secret" not in text and "\n" not in text


def test_a_database_file_that_cannot_be_opened(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'missing' / 'store.db'}")
    with pytest.raises(StoreUnavailableError, match="unable to open database file"):
        stored_revisions(engine)
