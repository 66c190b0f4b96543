"""The ``carecenter`` command line. Commands parse options, call a service and render.

Services are imported inside the commands so that ``carecenter --help`` stays fast.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from typer.core import HAS_RICH, TyperGroup
from typer.exceptions import TyperException

from carecenter.errors import CareCenterError, ConfigError, InputError
from carecenter.interfaces.cli import alerts, erlang, export, flow, plan, users, voc
from carecenter.interfaces.cli.adherence import adherence_command
from carecenter.interfaces.cli.forecast import forecast_command
from carecenter.interfaces.cli.help import tidy_help
from carecenter.interfaces.cli.importing import import_command
from carecenter.interfaces.cli.intraday import intraday_command
from carecenter.interfaces.cli.options import (
    FormatOption,
    WorkspaceOption,
    flag_for,
    settings_for,
)
from carecenter.interfaces.cli.output import emit
from carecenter.interfaces.cli.promises import promises_command
from carecenter.interfaces.cli.report import report_command
from carecenter.interfaces.cli.roster import roster_command
from carecenter.interfaces.cli.schedule import schedule_command
from carecenter.interfaces.cli.serve import monitor_command, serve_command
from carecenter.interfaces.cli.simulate import simulate_command


def _line(problem: CareCenterError, flags: set[str]) -> str:
    if isinstance(problem, InputError) and problem.file is None and problem.field:
        return f"{flag_for(problem.field, flags)}: {problem.message}"
    return str(problem)


def report(error: CareCenterError, flags: set[str] | None = None) -> None:
    """Print a user error: one line per problem on stderr, no traceback. A problem with a
    field and no file was given on the command line: its field is shown as its flag
    (``flags``: the program's flags)."""
    problems = error.problems if isinstance(error, ConfigError) else [error]
    for problem in problems:
        typer.echo(f"error: {shorten(_line(problem, flags or set()))}", err=True)


def command_flags(command: Any) -> set[str]:
    """The long flags of the (Click) ``command`` and of every command under it."""
    flags = {o for p in command.params for o in p.opts if o.startswith("--")}
    for sub in getattr(command, "commands", {}).values():
        flags |= command_flags(sub)
    return flags


INTERNAL_ERROR_EXIT = 70
"""Exit code of an unexpected exception (``EX_SOFTWARE``): a bug, not the user's input."""
DEBUG_VARIABLE = "CARECENTER_DEBUG"


class Group(TyperGroup):
    """Reports every :class:`CareCenterError` a command raises and exits with its code; any
    other exception is a one-line internal error with exit code 70, or its traceback when
    ``CARECENTER_DEBUG=1``. Tidies every help text when the command tree is built."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        tidy_help(self, rich=HAS_RICH and self.rich_markup_mode == "rich")

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CareCenterError as error:
            report(error, command_flags(self))
            raise typer.Exit(code=error.exit_code) from None
        except (TyperException, typer.Exit, typer.Abort):
            raise  # usage errors and exits: Typer reports them
        except Exception as error:
            if os.environ.get(DEBUG_VARIABLE) == "1":
                raise
            typer.echo(f"error: {internal_error_line(error)}", err=True)
            raise typer.Exit(code=INTERNAL_ERROR_EXIT) from None


def internal_error_line(error: BaseException) -> str:
    """The one line shown for an unexpected exception."""
    message = shorten(" ".join(str(error).split()))
    what = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return f"internal error: {what} (run with {DEBUG_VARIABLE}=1 for the traceback)"


MAX_LINE = 400
"""Longest message printed (characters): a message quoting a huge CSV field is cut."""


def shorten(text: str, limit: int = MAX_LINE) -> str:
    """``text``, or its start and how long it was when longer than ``limit``."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


app = typer.Typer(
    cls=Group,
    name="carecenter",
    help="carecenter: run and measure a customer care center.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
config_app = typer.Typer(
    help="Check and apply the center configuration (center.yaml).", no_args_is_help=True
)
app.add_typer(config_app, name="config")
app.add_typer(erlang.app, name="erlang")
app.add_typer(flow.app, name="flow")
app.add_typer(plan.app, name="plan")
app.add_typer(users.app, name="users")
app.add_typer(alerts.app, name="alerts")
app.add_typer(voc.app, name="voc")
app.add_typer(export.app, name="export")
app.command("staff")(erlang.staff_plan)
app.command("schedule")(schedule_command)
app.command("roster")(roster_command)
app.command("adherence")(adherence_command)
app.command("intraday")(intraday_command)
app.command("forecast")(forecast_command)
app.command("report")(report_command)
app.command("import")(import_command)
app.command("promises")(promises_command)
app.command("simulate")(simulate_command)
app.command("serve")(serve_command)
app.command("monitor")(monitor_command)


def _summary(info: dict[str, Any], fmt: str) -> None:
    if fmt == "table":
        emit([{"item": k, "value": v} for k, v in info.items()], fmt, title="workspace")
    else:
        emit([info], fmt)


@app.command()
def init(
    directory: Path | None = typer.Argument(None, help="Where to create the workspace."),
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Create a workspace: example center.yaml, operational store and warehouse."""
    from carecenter.services.workspace import init_workspace

    report = init_workspace(settings_for(directory or workspace))
    wrote = "wrote" if report.config_written else "kept"
    typer.echo(
        f"initialised {report.workspace} ({wrote} center.yaml: "
        f"{len(report.center.queues)} queues, {len(report.center.agents)} agents)"
    )


@app.command()
def upgrade(workspace: Path | None = WorkspaceOption) -> None:
    """Migrate the operational store to this version's schema and create missing warehouse
    tables (after installing a newer carecenter)."""
    from carecenter.services.workspace import upgrade_workspace

    report = upgrade_workspace(settings_for(workspace))
    if report.changed:
        typer.echo(
            f"upgraded {report.store} from schema {report.before or '(none)'} to {report.after}"
        )
    else:
        typer.echo(f"{report.store} is at schema {report.after}: nothing to upgrade")


@app.command()
def info(workspace: Path | None = WorkspaceOption, fmt: str = FormatOption) -> None:
    """Summarise the workspace: queues, agents, events, facts."""
    from carecenter.services.workspace import workspace_info

    _summary(workspace_info(settings_for(workspace)), fmt)


@app.command()
def demo(
    workspace: Path | None = WorkspaceOption,
    days: int = typer.Option(5, min=1, max=60, help="Live weekdays recorded as events."),
    history_days: int = typer.Option(
        10, min=0, max=120, help="Earlier weekdays imported from a generated Asterisk queue_log."
    ),
    seed: int = typer.Option(7, help="Random seed."),
    fmt: str = FormatOption,
) -> None:
    """Demo workspace: imported PBX history, live events, projected facts, HTML report."""
    from carecenter.services.demo import run_demo

    result = run_demo(settings_for(workspace), days=days, history_days=history_days, seed=seed)
    if result.report is not None:
        from carecenter.interfaces.reports.report_html import write_html

        write_html(result.report, result.report_path)
    _summary(result.info, fmt)
    from datetime import timedelta

    from carecenter.services.demo import DEMO_SUPERVISOR

    where = settings_for(workspace).workspace
    name, password = DEMO_SUPERVISOR
    monday = result.next_week
    typer.echo(
        f"\nNext week's plans: carecenter plan show -w {where} --kind schedule --from "
        f"{monday} --to {monday + timedelta(days=4)} (also --kind roster, --kind staff, "
        "--kind forecast)"
        f"\nWatch it live: carecenter serve -w {where}\n"
        f"then open http://127.0.0.1:8000/wallboard and sign in as {name} / {password}",
        err=True,
    )


@app.command()
def project(workspace: Path | None = WorkspaceOption) -> None:
    """Project new events from the event log into the warehouse facts."""
    from carecenter.services.events import project_workspace

    report = project_workspace(settings_for(workspace))
    typer.echo(
        f"projected {report.events} events in {report.batches} batches "
        f"(checkpoint {report.checkpoint})"
    )


@config_app.command("check")
def config_check(
    file: Path | None = typer.Argument(None, help="File to check [default: the workspace's]."),
    workspace: Path | None = WorkspaceOption,
) -> None:
    """Validate center.yaml; each mistake is one line with file, line and field."""
    from carecenter.services.workspace import check_config

    path = file or settings_for(workspace).config_path
    center = check_config(path)
    typer.echo(
        f"{path}: ok ({len(center.queues)} queues, {len(center.agents)} agents, "
        f"{len(center.skills)} skills, {len(center.tiers)} tiers)"
    )


@config_app.command("apply")
def config_apply(workspace: Path | None = WorkspaceOption) -> None:
    """Validate center.yaml and load it into the workspace store."""
    from carecenter.services.workspace import apply_config

    center = apply_config(settings_for(workspace))
    typer.echo(f"applied {center.name}: {len(center.queues)} queues, {len(center.agents)} agents")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("carecenter")
    except PackageNotFoundError:  # run from a source tree that is not installed
        import carecenter

        return str(getattr(carecenter, "__version__", "unknown"))


@app.command()
def version() -> None:
    """Print the carecenter version."""
    typer.echo(_version())


def _print_version(value: bool) -> None:
    if value:
        typer.echo(_version())
        raise typer.Exit()


@app.callback()
def main_options(
    show_version: bool = typer.Option(
        False,
        "--version",
        help="Print the carecenter version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    """carecenter: run and measure a customer care center."""


def main() -> None:
    """Console-script entry point."""
    app()
