"""``carecenter alerts``: the alert rules of ``center.yaml`` run over the past."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

app = typer.Typer(help="Service-level alerts: try the rules on past days.", no_args_is_help=True)


@app.command("replay")
def replay_command(
    start: str = typer.Option(
        ..., "--from", help="First day or time (YYYY-MM-DD[THH:MM], center time)."
    ),
    end: str = typer.Option(..., "--to", help="Last day (included) or end time (excluded)."),
    workspace: Path | None = WorkspaceOption,
    fmt: str = FormatOption,
) -> None:
    """Run the alert rules of center.yaml over past days, minute by minute, as they would have
    run live (for_s, hysteresis and repeats included): how often each rule fired for each
    queue or agent, how long it stayed firing, and its longest spell. Tune the rules before
    going live."""
    from carecenter.services.alert_replay import COLUMNS, replay_alerts
    from carecenter.services.reporting import Period

    replay = replay_alerts(settings_for(workspace), period=Period(start, end))
    emit(replay.rows, fmt, title=f"alerts over {replay.minutes} minutes", columns=COLUMNS)
