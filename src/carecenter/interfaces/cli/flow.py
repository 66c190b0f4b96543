"""``carecenter flow``: check the entry flows (IVR) of a center file, and walk one as a
caller would, before they go live."""

from __future__ import annotations

from pathlib import Path

import typer

from carecenter.errors import InputError
from carecenter.interfaces.cli.options import FormatOption, WorkspaceOption, settings_for
from carecenter.interfaces.cli.output import emit

app = typer.Typer(help="Check and walk the entry flows (IVR) of center.yaml.", no_args_is_help=True)

ConfigOption = typer.Option(
    None,
    "--config",
    "-c",
    help="A center file to read instead of the workspace's center.yaml.",
    dir_okay=False,
)


def _path(workspace: Path | None, config: Path | None) -> Path:
    """The center file to read: ``--config``, else the workspace's."""
    if config is None:
        return settings_for(workspace).config_path
    if workspace is not None:
        raise InputError("give --workspace or --config, not both", field="config")
    return config


@app.command("check")
def check(
    workspace: Path | None = WorkspaceOption,
    config: Path | None = ConfigOption,
    vip_words: str | None = typer.Option(
        None,
        "--vip-words",
        help="Words that mark a message as about a VIP-only service, comma-separated "
        "[default: VIP, priority line, premium, premier; and the names of the tiers above "
        "standard].",
    ),
    fmt: str = FormatOption,
) -> None:
    """Find unreachable nodes, dead ends, loops, queues that are closed with no closed
    action, required skills no agent has, overflow cycles, and VIP-only messages (a node's
    audience, or its words) that callers of another tier can hear, with the path they take.
    Exit code 1 when there is a problem."""
    from carecenter.services.flows import CHECK_COLUMNS, check_flows, parse_words

    found = check_flows(_path(workspace, config), parse_words(vip_words))
    if found.problems:
        emit(found.rows(), fmt, title="flow problems", columns=CHECK_COLUMNS)
        raise typer.Exit(code=1)
    if fmt == "table":
        typer.echo(found.summary())
        return
    emit([], fmt, columns=CHECK_COLUMNS)
    typer.echo(found.summary(), err=True)


@app.command("walk")
def walk(
    entry: str = typer.Argument(..., help="A flow id, or an entry point (dialled number)."),
    choices: str | None = typer.Option(
        None,
        "--choices",
        help="The keys the caller presses at the menus, in order, e.g. 2,1 (hangup hangs up).",
    ),
    account: str | None = typer.Option(
        None, "--account", help="The account number the caller keys in when asked."
    ),
    self_service: str | None = typer.Option(
        None,
        "--self-service",
        help="Whether the caller ends at each self-service step, in order, e.g. no,yes "
        "[default: goes on].",
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Draw self-service endings with each step's share, seeded."
    ),
    workspace: Path | None = WorkspaceOption,
    config: Path | None = ConfigOption,
    fmt: str = FormatOption,
) -> None:
    """Print the path a caller takes through the flow of ENTRY, step by step, and how it
    ends."""
    from carecenter.services.flows import (
        WALK_COLUMNS,
        parse_answers,
        parse_choices,
        walk_flow,
        walk_rows,
    )

    walked = walk_flow(
        _path(workspace, config),
        entry,
        choices=parse_choices(choices),
        account=account,
        answers=parse_answers(self_service),
        seed=seed,
    )
    emit(walk_rows(walked), fmt, title=f"flow {walked.flow_id}", columns=WALK_COLUMNS)


@app.command("test")
def try_command(
    callers: int = typer.Option(1000, "--callers", min=1, help="Simulated callers per flow."),
    seed: int = typer.Option(1, "--seed", help="Seed of the callers' choices."),
    scenario: Path | None = typer.Option(
        None,
        "--scenario",
        help="Take the center and the callers' menu shares from this SCENARIO.yaml (callers:).",
        show_default=False,
    ),
    workspace: Path | None = WorkspaceOption,
    config: Path | None = ConfigOption,
    fmt: str = FormatOption,
) -> None:
    """Send simulated callers through each entry flow and show, per path, how many reach
    which queue, serve themselves, hang up, or hit a dead end (each menu key alike, 80% key
    in a known account number, self-service steps end with their share; --scenario: as its
    callers: say)."""
    from carecenter.services.flows import TEST_COLUMNS, try_flows

    if scenario is not None and (workspace is not None or config is not None):
        raise InputError("--scenario names the center: drop --workspace and --config")
    path = scenario if scenario is not None else _path(workspace, config)
    rows = try_flows(path, callers=callers, seed=seed, scenario=scenario)
    if fmt == "table":
        rows = [dict(r, share=f"{r['share']:.1%}") for r in rows]
    emit(rows, fmt, title=f"{callers} callers per flow", columns=TEST_COLUMNS)
