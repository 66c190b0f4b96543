"""``carecenter users``: the people who sign in to ``carecenter serve``, the API tokens of
machine clients, and the audit log.

Passwords come from standard input (``--password-stdin``), never from an option or a prompt,
so scripts and CI create users without leaving the password in a command line. A token is
printed alone on standard output, once: ``TOKEN=$(carecenter users token pbx)``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

app = typer.Typer(
    help="The users of carecenter serve, their API tokens, and the audit log of changes.",
    no_args_is_help=True,
)

NameArgument = typer.Argument(..., help="The user's name (letters, digits, '.', '_', '-', '@').")
PASSWORD_FIELD = "password_stdin"


def _password_from_stdin() -> str:
    """The first line of standard input, without its line ending."""
    stream = sys.stdin
    if stream is None:
        raise InputError("no standard input to read the password from", field=PASSWORD_FIELD)
    buffer = getattr(stream, "buffer", None)
    raw = buffer.readline() if buffer is not None else stream.readline()
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(
                "the password on standard input is not UTF-8 text", field=PASSWORD_FIELD
            ) from None
    line = str(raw).rstrip("\r\n")
    if not line:
        raise InputError("no password on the first line of standard input", field=PASSWORD_FIELD)
    return line


@app.command("add")
def add_command(
    name: str = NameArgument,
    role: str = typer.Option(..., "--role", "-r", help="agent, supervisor or admin."),
    agent: str | None = typer.Option(
        None,
        "--agent",
        help="The agent of center.yaml this user is (required for the agent role); the user "
        "gets the agent's team.",
    ),
    team: str | None = typer.Option(
        None,
        "--team",
        help="Limit what the user sees to this team of center.yaml [default: the agent's team; "
        "none: every team].",
    ),
    password_stdin: bool = typer.Option(
        False,
        "--password-stdin",
        help="Read the password (at least 8 characters) from the first line of standard input "
        "(required).",
    ),
    replace: bool = typer.Option(
        False, "--replace", help="Change the role, team and password of an existing user."
    ),
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Add a user who signs in to carecenter serve. The password is the first line of standard
    input, e.g. piped from a secrets file."""
    from carecenter.services import users

    if not password_stdin:
        raise InputError(
            "give the password on standard input with --password-stdin", field=PASSWORD_FIELD
        )
    password = _password_from_stdin()
    user = users.add_user(
        settings_for(workspace), name, role, password, agent_id=agent, team=team, replace=replace
    )
    where = ", ".join(
        part
        for part in (
            user.role.value,
            f"agent {user.agent_id}" if user.agent_id else "",
            f"team {user.team}" if user.team else "every team",
        )
        if part
    )
    typer.echo(f"{'replaced' if replace else 'added'} user {user.name} ({where})")


@app.command("token")
def token_command(
    name: str = NameArgument,
    label: str | None = typer.Option(
        None, "--label", "-l", help="What the token is for, e.g. pbx (to revoke it by label)."
    ),
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Issue an API token for a user (a PBX, a script) and print it alone on standard output.
    It is shown only this once: the workspace keeps its hash."""
    from carecenter.services import users

    token = users.issue_token(settings_for(workspace), name, label=label)
    typer.echo(token)
    typer.echo(f"note: the token of {name} is shown only this once; keep it safe", err=True)


@app.command("tokens")
def tokens_command(
    name: str = NameArgument, workspace: Path | None = WorkspaceOption, fmt: str = FormatOption
) -> None:
    """List a user's API tokens (their ids and labels, never the tokens) and when each was
    last used."""
    from carecenter.services import users

    rows = users.user_tokens(settings_for(workspace), name)
    emit(rows, fmt, title=f"tokens of {name}", columns=users.TOKEN_COLUMNS)


@app.command("revoke")
def revoke_command(
    name: str = NameArgument,
    label: str | None = typer.Option(
        None, "--label", "-l", help="Only the tokens with this label [default: every token]."
    ),
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Revoke a user's API tokens."""
    from carecenter.services import users

    count = users.revoke_tokens(settings_for(workspace), name, label=label)
    typer.echo(f"revoked {count} token{'s' if count != 1 else ''} of {name}")


@app.command("list")
def list_command(workspace: Path | None = WorkspaceOption, fmt: str = FormatOption) -> None:
    """List the users: name, role, agent, team, whether disabled."""
    from carecenter.services import users

    rows = [users.user_row(u) for u in users.list_users(settings_for(workspace))]
    if not rows:
        typer.echo("note: no users yet (add one with `carecenter users add`)", err=True)
    emit(rows, fmt, title="users", columns=users.USER_COLUMNS)


@app.command("remove")
def remove_command(name: str = NameArgument, workspace: Path | None = WorkspaceOption) -> None:
    """Remove a user with their API tokens and web sessions."""
    from carecenter.services import users

    users.remove_user(settings_for(workspace), name)
    typer.echo(f"removed user {name}")


@app.command("disable")
def disable_command(name: str = NameArgument, workspace: Path | None = WorkspaceOption) -> None:
    """Disable a user: they cannot sign in, their web sessions end and their API tokens stop
    working, until the user is enabled again."""
    from carecenter.services import users

    users.set_disabled(settings_for(workspace), name, True)
    typer.echo(f"disabled user {name}")


@app.command("enable")
def enable_command(name: str = NameArgument, workspace: Path | None = WorkspaceOption) -> None:
    """Enable a disabled user again (their API tokens work again)."""
    from carecenter.services import users

    users.set_disabled(settings_for(workspace), name, False)
    typer.echo(f"enabled user {name}")


@app.command("audit")
def audit_command(
    limit: int = typer.Option(100, "--limit", "-n", min=1, help="How many entries, newest first."),
    workspace: Path | None = WorkspaceOption,
    fmt: str = FormatOption,
) -> None:
    """Show the audit log: who changed what and when (users, tokens, sign-ins), newest first."""
    from carecenter.services import users

    rows = users.audit_log(settings_for(workspace), limit=limit)
    if fmt != "json":
        rows = [_flat(r) for r in rows]
    emit(rows, fmt, title="audit log", columns=users.AUDIT_COLUMNS)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its detail as compact JSON text (for a table or CSV)."""
    return {**row, "detail": json.dumps(row["detail"], sort_keys=True, separators=(",", ":"))}
