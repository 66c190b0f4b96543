"""Administration over the API: users, the center configuration, the audit log (admins only).

Every change is written to the audit log with the caller as its actor.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from carecenter.domain.users import Role
from carecenter.interfaces.api.security import CallerDep, require, server_of
from carecenter.services.users import (
    add_user,
    audit,
    audit_log,
    issue_token,
    list_users,
    remove_user,
    user_row,
)

router = APIRouter(prefix="/api", tags=["administration"])


class NewUser(BaseModel):
    """A user to add (or, with ``replace``, to change)."""

    name: str = Field(min_length=1, max_length=64)
    role: Role
    password: str = Field(min_length=8, max_length=1024)
    agent_id: str | None = None
    team: str | None = None
    replace: bool = False


@router.get("/users")
def users(request: Request, caller: CallerDep) -> list[dict[str, Any]]:
    """Every user: name, role, agent, team, whether disabled."""
    require(caller, Role.ADMIN)
    return [user_row(u) for u in list_users(server_of(request).workspace)]


@router.post("/users", status_code=201)
def create_user(request: Request, caller: CallerDep, body: NewUser) -> dict[str, Any]:
    """Add a user (or replace one with ``replace``)."""
    require(caller, Role.ADMIN)
    user = add_user(
        server_of(request).workspace,
        body.name,
        body.role,
        body.password,
        agent_id=body.agent_id,
        team=body.team,
        replace=body.replace,
        actor=caller.name,
    )
    return user_row(user)


@router.delete("/users/{name}", status_code=204)
def delete_user(request: Request, caller: CallerDep, name: str) -> None:
    """Remove a user with their tokens and sessions."""
    require(caller, Role.ADMIN)
    remove_user(server_of(request).workspace, name, actor=caller.name)


@router.post("/users/{name}/tokens", status_code=201)
def new_token(request: Request, caller: CallerDep, name: str) -> dict[str, str]:
    """A new API token of the user, shown this once."""
    require(caller, Role.ADMIN)
    return {"token": issue_token(server_of(request).workspace, name, actor=caller.name)}


@router.post("/config/apply")
def apply_configuration(request: Request, caller: CallerDep) -> dict[str, Any]:
    """Validate the workspace's ``center.yaml`` and apply it: the wallboard and the hosted
    engine use it from now on (the engine is rebuilt from its events with it)."""
    from carecenter.services.workspace import apply_config

    require(caller, Role.ADMIN)
    server = server_of(request)
    center = apply_config(server.workspace)
    server.reload_center()
    audit(
        server.workspace,
        caller.name,
        "config.applied",
        center.name,
        {"queues": len(center.queues), "agents": len(center.agents)},
    )
    return {"center": center.name, "queues": len(center.queues), "agents": len(center.agents)}


@router.get("/audit")
def audit_entries(
    request: Request, caller: CallerDep, limit: int = Query(100, ge=1, le=10_000)
) -> list[dict[str, Any]]:
    """The newest entries of the audit log: who changed what, when."""
    require(caller, Role.ADMIN)
    return audit_log(server_of(request).workspace, limit=limit)
