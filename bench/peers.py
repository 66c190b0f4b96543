"""The peers a benchmark runs beside carecenter, each in its own virtual environment under
``bench/out`` (created and filled with ``pip install`` on first use), so a peer's
dependencies never mix with carecenter's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"


def peer_python(
    requirement: str, module: str, explicit: str | None = None
) -> tuple[str | None, str]:
    """The interpreter of the venv ``bench/out/venv-<module>`` holding ``requirement``
    (importable as ``module``), installing it if needed; or ``None`` and the reason why not.
    ``explicit``: an interpreter to use instead."""
    if explicit:
        return explicit, "given"
    venv = OUT / f"venv-{module}"
    python = venv / "bin" / "python"
    probe = [str(python), "-c", f"import {module}"]
    if python.exists() and subprocess.run(probe, capture_output=True, check=False).returncode == 0:
        return str(python), "reused"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", requirement],
            check=True,
            timeout=600,
            capture_output=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        return None, f"pip install {requirement} failed: {exc} {detail.decode()[-300:]}".strip()
    return str(python), "installed"


def run_peer(python: str, script: str, args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``script`` with the peer's interpreter; the JSON object it prints last, with
    ``status`` ok, or the status (timeout, error) and what went wrong."""
    try:
        done = subprocess.run(
            [python, "-c", script, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "timeout_s": timeout}
    if done.returncode != 0:
        return {"status": "error", "stderr": done.stderr[-500:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return {"status": "ok", **result}
