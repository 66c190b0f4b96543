"""The Python examples of the engine's docs run, and their assertions hold."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[3] / "docs"
PAGES = ["explanation/routing.md", "how-to/vip-service.md", "how-to/callbacks-and-promises.md"]


@pytest.mark.parametrize("page", PAGES)
def test_python_examples_run(page: str) -> None:
    text = (DOCS / page).read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, f"{page} has no Python example"
    namespace: dict[str, object] = {}
    for block in blocks:  # later blocks may use what earlier ones defined
        exec(compile(block, page, "exec"), namespace)
