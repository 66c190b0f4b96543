"""``carecenter serve`` and ``carecenter monitor``: the server and the Asterisk wallboard."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import WorkspaceOption, settings_for

HostOption = typer.Option("127.0.0.1", "--host", help="Address to listen on.")
PortOption = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on.")


def serve_command(
    workspace: Path | None = WorkspaceOption,
    host: str = HostOption,
    port: int = PortOption,
    queue_log: Path | None = typer.Option(
        None, "--queue-log", help="Also follow this Asterisk queue_log file."
    ),
) -> None:
    """Run the server: the contact engine (REST and WebSocket API, OpenAPI at /docs), the
    live wallboard at /wallboard and the alerts, on the workspace. Sign in with a user of
    `carecenter users add`; machine clients send an API token of `carecenter users token`."""
    from carecenter.services.serving import FollowSpec

    follow = FollowSpec(path=_log_file(queue_log)) if queue_log is not None else None
    _run(workspace, host, port, host_engine=True, follow=follow)


def monitor_command(
    workspace: Path | None = WorkspaceOption,
    queue_log: Path | None = typer.Option(
        None, "--queue-log", help="The queue_log file Asterisk writes (followed as it grows)."
    ),
    queue_log_table: str | None = typer.Option(
        None,
        "--queue-log-table",
        help="Database URL of the queue_log table Asterisk realtime writes, e.g. "
        "mysql+pymysql://user@host/asterisk (PostgreSQL: postgresql+psycopg://...).",
    ),
    table: str = typer.Option("queue_log", "--table", help="The queue_log table's name."),
    start: str = typer.Option(
        "beginning",
        "--start",
        help="Where a first run starts in the file: beginning or end (later runs resume).",
    ),
    callback_keys: list[str] = typer.Option(
        [], "--callback-key", help="EXITWITHKEY keys that request a callback (repeatable)."
    ),
    tz: str | None = typer.Option(
        None, "--tz", help="Zone of the table's date-times [default: the workspace's]."
    ),
    host: str = HostOption,
    port: int = PortOption,
) -> None:
    """A live wallboard for an existing Asterisk center: follow its queue_log (file or
    realtime table), import it as `carecenter import asterisk-queue-log` does, and serve the
    wallboard and alerts at /wallboard."""
    from carecenter.services.serving import FollowSpec

    if (queue_log is None) == (queue_log_table is None):
        raise InputError(
            "give one of --queue-log FILE and --queue-log-table URL", field="queue_log"
        )
    if start not in ("beginning", "end"):
        raise InputError("give beginning or end", field="start")
    if tz is not None:
        from carecenter.ingest.timezones import zone

        zone(tz)
    follow = FollowSpec(
        path=_log_file(queue_log) if queue_log is not None else None,
        url=queue_log_table,
        table=table,
        start=start,
        callback_keys=tuple(callback_keys),
        time_zone=tz,
    )
    _run(workspace, host, port, host_engine=False, follow=follow)


def _run(
    workspace: Path | None, host: str, port: int, *, host_engine: bool, follow: object
) -> None:
    import uvicorn

    from carecenter.interfaces.api.app import create_app
    from carecenter.services.serving import FollowSpec, open_server

    assert follow is None or isinstance(follow, FollowSpec)
    _check_port(host, port)
    server = open_server(settings_for(workspace), host_engine=host_engine, follow=follow)
    try:
        app = create_app(server)
        typer.echo(
            f"carecenter serving {server.workspace.settings.workspace} on http://{host}:{port}/wallboard",
            err=True,
        )
        uvicorn.run(app, host=host, port=port, log_level="warning", ws="websockets-sansio")
    finally:
        server.close()


def _log_file(path: Path) -> Path:
    """The queue_log to follow: a file that is there (Asterisk creates it when it starts)."""
    if path.is_dir():
        raise InputError("a directory, not a queue_log file", file=str(path))
    if not path.is_file():
        raise InputError("no such file (is this the queue_log Asterisk writes?)", file=str(path))
    return path


def _check_port(host: str, port: int) -> None:
    """One line instead of uvicorn's traceback when the port is taken."""
    if not host.strip():
        raise InputError("give an address to listen on, e.g. 127.0.0.1", field="host")
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            why = "is in use" if error.errno == errno.EADDRINUSE else f"cannot be used ({error})"
            raise InputError(f"{host}:{port} {why}", field="port") from None
