"""The web application of ``carecenter serve`` and ``carecenter monitor`` (FastAPI).

:func:`create_app` builds it over a :class:`~carecenter.services.serving.Server`. Its
lifespan starts the live loop in a thread (and the engine's timer task when the server hosts
the engine) and stops them. Open without signing in: ``GET /healthz``, ``/signin`` and
``/static``; everything else needs a session or an API token (:mod:`.security`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException, Query, Request, WebSocket, WebSocketDisconnect, status
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from carecenter.domain.users import Role
from carecenter.errors import CareCenterError
from carecenter.interfaces.api import admin, engine_api, pages, voc_api
from carecenter.interfaces.api.hub import AgentHub, BoardHub
from carecenter.interfaces.api.security import CallerDep, websocket_caller
from carecenter.services.serving import Server

TICK_S = 0.25
"""How often the hosted engine's timers are run."""
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def static_dir() -> str:
    """The directory of the web pages' files (shipped in the package)."""
    return str(resources.files("carecenter.interfaces.web") / "static")


def create_app(server: Server) -> FastAPI:
    """The web application over ``server``."""
    boards = BoardHub(server.live)
    agents = AgentHub()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        boards.loop = agents.loop = loop
        await asyncio.to_thread(server.live.start, boards.publish)
        ticker = loop.create_task(_tick(server)) if server.engine is not None else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
            await asyncio.to_thread(server.live.stop)

    app = FastAPI(
        title="carecenter",
        summary="Route contacts, watch the center live, be told when it goes wrong.",
        version=_version(),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.server = server
    app.state.boards = boards
    app.state.agents = agents

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    @app.exception_handler(CareCenterError)
    async def domain_error(request: Request, error: CareCenterError) -> JSONResponse:
        return JSONResponse({"detail": str(error)}, status_code=status.HTTP_409_CONFLICT)

    @app.get("/healthz", tags=["server"])
    def healthz() -> dict[str, Any]:
        """Whether the server runs, and how its live loop and sources are doing (no sign-in)."""
        return {
            "status": "ok",
            "engine": server.engine is not None,
            "wallboards": boards.count,
            **server.live.health(),
        }

    @app.get("/api/board", tags=["wallboard"])
    async def board(caller: CallerDep, team: str | None = Query(None)) -> dict[str, Any]:
        """The wallboard's figures now: the whole center, or one ``team``'s (a supervisor or
        agent with a team sees only theirs)."""
        team = board_team(caller.user, team)
        found = await asyncio.to_thread(boards.board, team)
        if found is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no board yet; try again")
        return found

    @app.websocket("/ws/wallboard")
    async def wallboard_socket(websocket: WebSocket) -> None:
        """Pushes ``{"type": "board", "board": ...}`` on every change."""
        found = websocket_caller(websocket, server)
        if found is None:
            await websocket.close(code=4401)
            return
        try:
            team = board_team(found.user, websocket.query_params.get("team"))
        except HTTPException:
            await websocket.close(code=4403)
            return
        await websocket.accept()
        await boards.join(websocket, team)
        try:
            while True:
                await websocket.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            boards.leave(websocket)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(caller: CallerDep) -> dict[str, Any]:
        return app.openapi()

    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(voc_api.router)
    if server.engine is not None:
        app.include_router(engine_api.router)
        app.include_router(engine_api.sockets)
        engine_api.connect(server, agents)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    app.mount("/docs-assets", StaticFiles(directory=_swagger_dir()), name="docs-assets")
    return app


def _swagger_dir() -> str:
    import swagger_ui_bundle  # type: ignore[import-untyped]

    return str(swagger_ui_bundle.swagger_ui_path)


def board_team(user: Any, asked: str | None) -> str | None:
    """The team whose board ``user`` gets when asking for ``asked`` (``None``: the center):
    their own team when they have one; 403 when they may not see what they asked for."""
    team = asked if asked else user.team
    if user.role is Role.AGENT and user.team is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an agent without a team has no board")
    if not user.may_see_team(team):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not see team {team or 'all'}")
    return team


async def _tick(server: Server) -> None:
    engine = server.engine
    assert engine is not None
    while True:
        await asyncio.sleep(TICK_S)
        with contextlib.suppress(CareCenterError):
            await asyncio.to_thread(engine.tick)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("carecenter")
    except PackageNotFoundError:
        return "0"
