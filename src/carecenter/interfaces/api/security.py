"""Who is calling: browser sessions (cookie + CSRF) and API tokens (bearer), and role checks.

* A browser signs in on ``/signin`` and gets the session cookie :data:`SESSION_COOKIE`
  (HttpOnly, SameSite=Lax, Secure when served over TLS). Every state-changing request it makes
  must repeat the session's CSRF token, in the ``X-CSRF-Token`` header or a ``csrf_token``
  form field; the sign-in form itself carries a token bound to a short-lived cookie
  (double submit), since there is no session yet.
* A machine client (a PBX, a script) sends ``Authorization: Bearer <token>`` (``carecenter
  users token NAME``) and acts with that user's role; no CSRF is asked of it (a browser
  never sends that header by itself).
* WebSockets authenticate the same way; a browser's WebSocket must come from the server's own
  origin (a page elsewhere cannot ride the cookie).
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, HTTPException, Request, WebSocket, status

from carecenter.domain.users import Role, User
from carecenter.services.serving import Server
from carecenter.services.users import WebSession, session_user, token_user

SESSION_COOKIE = "cc_session"
SIGNIN_COOKIE = "cc_signin"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Caller:
    """The authenticated caller of a request: the user and, for a browser, its session."""

    def __init__(self, user: User, session: WebSession | None) -> None:
        self.user = user
        self.session = session

    @property
    def name(self) -> str:
        return self.user.name


def server_of(request: Request) -> Server:
    """The server parts the app was created with."""
    server: Server = request.app.state.server
    return server


def _bearer(header: str | None) -> str | None:
    if header and header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def identify(server: Server, cookie: str | None, authorization: str | None) -> Caller | None:
    """The caller a session cookie or a bearer token names, if any."""
    ws = server.workspace
    token = _bearer(authorization)
    if token:
        user = token_user(ws, token)
        return Caller(user, None) if user is not None else None
    if cookie:
        session = session_user(ws, cookie, now=ws.clock.now())
        if session is not None:
            return Caller(session.user, session)
    return None


async def caller(request: Request) -> Caller:
    """Dependency: the signed-in caller (401 otherwise); a browser's changing request must
    carry its session's CSRF token (403 otherwise)."""
    server = server_of(request)
    found = identify(
        server, request.cookies.get(SESSION_COOKIE), request.headers.get("authorization")
    )
    if found is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "sign in, or send an API token as 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if found.session is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")
        ):
            form = await request.form()
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
        if not sent or not hmac.compare_digest(sent, found.session.csrf_token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "missing or wrong CSRF token")
    return found


CallerDep = Annotated[Caller, Depends(caller)]


def require(found: Caller, *roles: Role) -> None:
    """403 unless the caller has one of ``roles``."""
    if found.user.role not in roles:
        wanted = " or ".join(r.value for r in roles)
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {wanted} role")


def websocket_caller(websocket: WebSocket, server: Server) -> Caller | None:
    """The caller of a WebSocket handshake; ``None`` when unknown or, for a browser session,
    when the page that opened it is of another origin."""
    cookie = websocket.cookies.get(SESSION_COOKIE)
    found = identify(server, cookie, websocket.headers.get("authorization"))
    if found is None or found.session is None:
        return found
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    if origin is None or host is None or origin.split("://", 1)[-1] != host:
        return None
    return found


def client_address(request: Request) -> str:
    """The client's address (the key of the sign-in rate limit, with the name)."""
    return request.client.host if request.client else "unknown"
