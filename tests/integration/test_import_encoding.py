"""``carecenter import``: the text encoding is detected or named, and bytes that are not in it
are counted and warned about, never replaced silently."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from tests.helpers import run_import as run

T0 = 1764579600
LOG = (
    f"{T0}|c1|St\u00f6rung|NONE|ENTERQUEUE||5551001|1\n"
    f"{T0 + 12}|c1|St\u00f6rung|NONE|ABANDON|1|1|12\n"
)


def queues(workspace: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(workspace / "warehouse.duckdb"), read_only=True) as conn:
        return conn.execute("SELECT DISTINCT queue_id FROM contact_facts").fetchall()


def test_legacy_bytes_are_read_as_cp1252_with_a_warning(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(LOG.encode("cp1252"))
    code, out, err = run(workspace, "asterisk-queue-log", str(log), "-f", "json")
    assert code == 0
    assert queues(workspace) == [("St\u00f6rung",)]
    assert (
        f"warning: {log.resolve()}: 2 bytes are not utf-8; read as cp1252 "
        "(name the encoding with --encoding)"
    ) in err.splitlines()
    assert json.loads(out)[0]["contacts"] == 1


def test_a_named_encoding_reads_without_a_warning(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(LOG.encode("latin-1"))
    code, _, err = run(workspace, "asterisk-queue-log", str(log), "--encoding", "latin-1")
    assert code == 0
    assert "warning" not in err
    assert queues(workspace) == [("St\u00f6rung",)]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_byte_order_mark_names_the_encoding(
    workspace: Path, tmp_path: Path, encoding: str
) -> None:
    log = tmp_path / "queue_log"
    log.write_bytes(LOG.encode(encoding))
    code, _, err = run(workspace, "asterisk-queue-log", str(log))
    assert code == 0
    assert "warning" not in err
    assert queues(workspace) == [("St\u00f6rung",)]


def test_an_unknown_encoding_is_an_input_error(workspace: Path, tmp_path: Path) -> None:
    log = tmp_path / "queue_log"
    log.write_text(LOG)
    code, _, err = run(workspace, "asterisk-queue-log", str(log), "--encoding", "klingon")
    assert code == 2
    assert err.strip() == "error: --encoding: unknown encoding 'klingon'"
