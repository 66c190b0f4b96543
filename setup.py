"""Build hook: with ``CARECENTER_COMPILE=1``, the contact engine's hot path is compiled to C.

Everything else about the package is in ``pyproject.toml``. The compiled build is the same
Python source turned into C extension modules by mypyc (which ships with mypy), the way black
and mypy ship theirs: it routes the same contacts to the same agents, several times faster.
Without the variable (the default, and every editable install) the package is pure Python.

    CARECENTER_COMPILE=1 pip install --no-build-isolation .   # needs mypy and a C compiler
    make compiled                                             # into build/compiled, for tests

The modules listed in ``COMPILED`` must type-check under ``mypy --strict`` (they do: CI checks
every module) and avoid what mypyc does not support (``functools.cached_property``,
``ClassVar`` fields in dataclasses, monkeypatching a compiled module's functions).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

COMPILED = ("engine", "routing", "commitments", "sim/customers.py", "sim/twin.py")
"""Packages under ``src/carecenter`` compiled whole (their ``__init__`` modules stay Python),
and single modules. The simulator's scenario stays Python: its frozen dataclasses go to
worker processes by pickle, which a compiled frozen class refuses."""

ext_modules = []
if os.environ.get("CARECENTER_COMPILE") == "1":
    from mypyc.build import mypycify

    here = Path(__file__).parent
    root = here / "src" / "carecenter"
    sources = sorted(
        str(p.relative_to(here))
        for entry in COMPILED
        for p in ((root / entry).glob("*.py") if (root / entry).is_dir() else [root / entry])
        if p.name != "__init__.py"
    )
    ext_modules = mypycify(
        ["--config-file", str(here / "pyproject.toml"), *sources],
        opt_level="3",
        target_dir=str(here / "build" / "mypyc"),
    )

setup(ext_modules=ext_modules)
