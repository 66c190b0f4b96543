"""The web pages: sign in, sign out, the wallboard, and ``/api/me``."""

from __future__ import annotations

import html
import math
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carecenter.errors import SignInRefused
from carecenter.interfaces.api.security import (
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    CallerDep,
    client_address,
    identify,
    server_of,
)
from carecenter.services.users import SESSION_IDLE, sign_in, sign_out

router = APIRouter()
SIGNIN_COOKIE_S = 3600


def _page(name: str) -> str:
    from carecenter.interfaces.api.app import static_dir

    return (Path(static_dir()) / name).read_text(encoding="utf-8")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/wallboard"
    return target


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def _signin_page(request: Request, target: str, error: str = "", code: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    text = (
        _page("signin.html")
        .replace("{{csrf_token}}", html.escape(token))
        .replace("{{next}}", html.escape(safe_next(target)))
        .replace("{{error}}", html.escape(error))
    )
    response = HTMLResponse(text, status_code=code)
    response.set_cookie(
        SIGNIN_COOKIE,
        token,
        max_age=SIGNIN_COOKIE_S,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/signin",
    )
    return response


@router.get("/", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse("/wallboard", status_code=status.HTTP_303_SEE_OTHER)


@router.get("/signin", include_in_schema=False)
def signin_form(request: Request, next: str = "/wallboard") -> Response:
    return _signin_page(request, next)


@router.post("/signin", include_in_schema=False)
def signin_submit(
    request: Request,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/wallboard",
) -> Response:
    expected = request.cookies.get(SIGNIN_COOKIE)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _signin_page(request, next, "The form expired; please sign in again.", 403)
    server = server_of(request)
    ws = server.workspace
    try:
        session = sign_in(
            ws,
            name,
            password,
            client=client_address(request),
            now=ws.clock.now(),
            limiter=server.limiter,
        )
    except SignInRefused as refused:
        if refused.retry_after_s:
            page = _signin_page(request, next, str(refused), 429)
            page.headers["Retry-After"] = str(math.ceil(refused.retry_after_s))
            return page
        return _signin_page(request, next, str(refused), 401)
    response = RedirectResponse(safe_next(next), status_code=status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=int(SESSION_IDLE.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    return response


@router.post("/signout", include_in_schema=False)
def signout(request: Request, caller: CallerDep) -> Response:
    if caller.session is not None:
        sign_out(server_of(request).workspace, caller.session.token)
    response = RedirectResponse("/signin", status_code=status.HTTP_303_SEE_OTHER)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/wallboard", include_in_schema=False)
def wallboard_page(request: Request) -> Response:
    found = identify(server_of(request), request.cookies.get(SESSION_COOKIE), None)
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"/signin?next={quote(target, safe='')}", status_code=status.HTTP_303_SEE_OTHER
        )
    from carecenter.interfaces.api.app import board_team

    board_team(found.user, request.query_params.get("team"))
    return HTMLResponse(_page("wallboard.html"))


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>carecenter API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/docs.js"></script></body></html>
"""


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """The API's documentation (Swagger UI, shipped in the package), for signed-in users."""
    if identify(server_of(request), request.cookies.get(SESSION_COOKIE), None) is None:
        return RedirectResponse("/signin?next=%2Fdocs", status_code=status.HTTP_303_SEE_OTHER)
    return HTMLResponse(DOCS_PAGE)


@router.get("/api/me", tags=["users"])
def me(caller: CallerDep) -> dict[str, Any]:
    """Who is signed in: name, role, agent, team, and the session's CSRF token (which every
    changing request of a browser must send as ``X-CSRF-Token``)."""
    user = caller.user
    return {
        "name": user.name,
        "role": user.role.value,
        "agent_id": user.agent_id,
        "team": user.team,
        "csrf_token": caller.session.csrf_token if caller.session else None,
    }


def forbidden(message: str) -> HTTPException:
    return HTTPException(status.HTTP_403_FORBIDDEN, message)
