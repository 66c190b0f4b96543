"""What ``carecenter serve`` and ``carecenter monitor`` run: one workspace, its live loop,
and (``serve``) the hosted contact engine or (``monitor``) the followed queue_log.

:func:`open_server` is the composition root of a server process: a long-lived
:class:`~carecenter.services.bootstrap.Workspace` (event log, center, plans, users), the
:class:`~carecenter.services.engine_host.EngineHost` when the server routes contacts itself,
the :class:`~carecenter.services.live_process.LiveProcess` that runs the live loop (the
warehouse's single writer: projection, the followed queue_log, the boards) in a child
process, and the sign-in rate limiter. The web interface (``carecenter.interfaces.api``)
only talks to these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carecenter.adapters.journal import LineJournal
from carecenter.adapters.settings import Settings
from carecenter.domain.center import Center
from carecenter.domain.users import SignInLimiter
from carecenter.errors import InputError
from carecenter.ingest import ImportOptions
from carecenter.services.bootstrap import Workspace, bootstrap
from carecenter.services.engine_host import EngineHost
from carecenter.services.live_feed import LineSource, QueueLogFeed
from carecenter.services.live_process import LiveProcess

LIVE_DIR = "live"
"""Directory of the workspace that holds the journals of followed sources."""
ENGINE_SOURCE = "carecenter engine"


@dataclass(frozen=True)
class FollowSpec:
    """A queue_log to follow: a file (``path``) or a database table (``url``, ``table``)."""

    path: Path | None = None
    url: str | None = None
    table: str = "queue_log"
    start: str = "beginning"
    callback_keys: tuple[str, ...] = ()
    time_zone: str | None = None


@dataclass
class Server:
    """The parts of one server process."""

    workspace: Workspace
    live: LiveProcess
    engine: EngineHost | None
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    center: Center | None = None
    """The center configuration as applied (read again by :meth:`reload_center`)."""

    def reload_center(self) -> None:
        """Read the applied configuration again, here, in the live loop and in the engine."""
        self.center = self.workspace.center.load()
        self.live.reload_center()
        if self.engine is not None:
            self.engine.reload()

    def close(self) -> None:
        """Stop the live loop and close the workspace."""
        self.live.stop()
        self.workspace.close()


def open_server(
    settings: Settings,
    *,
    host_engine: bool = True,
    follow: FollowSpec | None = None,
    period: float = 1.0,
) -> Server:
    """The parts of a server on ``settings``' workspace: hosting the engine, following a
    queue_log, or both. The live loop starts with :meth:`LiveProcess.start`."""
    ws = bootstrap(settings, long_lived=True)
    try:
        center = ws.applied_center()
        sources = [ENGINE_SOURCE] if host_engine else []
        if follow is not None:
            feed_for(settings, follow, center).close()  # a bad source fails here, not later
            sources.append(f"Asterisk queue_log {_label(follow)}")
        engine = EngineHost(ws) if host_engine else None
        options = {
            "follow": follow,
            "project_events": host_engine,
            "period": period,
            "source": ", ".join(sources) or ENGINE_SOURCE,
        }
        live = LiveProcess(settings, options)
        if engine is not None:
            engine.listen(lambda _appended: live.wake())
    except BaseException:
        ws.close()
        raise
    return Server(ws, live, engine, center=center)


def _label(follow: FollowSpec) -> str:
    return str(follow.path) if follow.path is not None else follow.table


def feed_for(settings: Settings, follow: FollowSpec, center: Center) -> QueueLogFeed:
    """The feed of the followed queue_log, with its journal in the workspace."""
    from carecenter.adapters.live_sources import followed_file, followed_table

    directory = settings.workspace / LIVE_DIR
    if follow.path is not None:
        name = f"file-{_slug(str(follow.path.resolve()))}"
    elif follow.url is not None:
        name = f"table-{_slug(follow.url + '/' + follow.table)}"
    else:
        raise InputError("give a queue_log file or table to follow", field="queue_log")
    journal = LineJournal(directory, name)
    state = directory / f"{name}.follow.json"
    source: LineSource
    if follow.path is not None:
        source = followed_file(follow.path, journal.position, state, start=follow.start)
    else:
        assert follow.url is not None
        zone = follow.time_zone or center.timezone
        source = followed_table(follow.url, follow.table, journal.position, state, time_zone=zone)
    options = ImportOptions(
        callback_keys=follow.callback_keys,
        time_zone=follow.time_zone,
        center_time_zone=center.timezone,
        agent_aliases=dict(center.agent_aliases),
    )
    return QueueLogFeed(name, source, journal, center.timezone, options, label=_label(follow))


def _slug(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
