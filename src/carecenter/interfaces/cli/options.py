"""Options shared by the commands, the settings built from them, and the one mapping from
the neutral field names of errors (``by``, ``interval``, ``time_zone``) to command-line flags."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from carecenter.errors import InputError

if TYPE_CHECKING:
    from carecenter.adapters.settings import Settings

WorkspaceOption = typer.Option(
    None,
    "--workspace",
    "-w",
    help="Workspace directory [default: $CARECENTER_WORKSPACE, else the current directory].",
    show_default=False,
)
FormatOption = typer.Option("table", "--format", "-f", help="Output format: table, json or csv.")

FLAG_OF_FIELD = {
    "start": "--from",
    "end": "--to",
    "time_zone": "--tz",
    "callback_keys": "--callback-key",
}
"""Fields whose flag is not ``--`` and the field name with dashes for underscores."""


def flag_for(field: str, flags: set[str]) -> str:
    """The flag of the error field ``field`` when ``flags`` (the program's) has one, else
    ``field`` itself (e.g. a CSV column)."""
    flag = FLAG_OF_FIELD.get(field, "--" + field.replace("_", "-"))
    return flag if flag in flags else field


def settings_for(workspace: Path | None) -> Settings:
    """Build the settings at the edge: the option wins over the environment. A bad value
    (e.g. ``CARECENTER_LOCK_TIMEOUT=soon``) is an :class:`InputError` naming the variable."""
    from carecenter.adapters.settings import Settings

    try:
        return Settings(workspace=workspace) if workspace is not None else Settings()
    except ValueError as exc:  # pydantic's ValidationError
        errors = getattr(exc, "errors", None)
        first = errors()[0] if callable(errors) and errors() else {}
        name = "_".join(str(part) for part in first.get("loc", ())).upper()
        variable = f"CARECENTER_{name}" if name else "CARECENTER_*"
        message = first.get("msg", str(exc).splitlines()[0])
        raise InputError(f"{variable}: {message}") from None
