"""The customer expectation evaluation table on the web: the ``/voc`` page and its JSON API.

Every signed-in supervisor or admin sees the table (``GET /api/voc/table``); they may edit an
expectation's class, effort, impact and owner (``PUT /api/voc/expectations/{id}``), which
writes the workspace's store and the audit log and answers with the table ranked again.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from carecenter.domain.users import Role
from carecenter.errors import InputError
from carecenter.interfaces.api.security import (
    SESSION_COOKIE,
    CallerDep,
    identify,
    require,
    server_of,
)

router = APIRouter(tags=["voice of the customer"])
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)


class ExpectationEdit(BaseModel):
    """A manager's changes to one expectation; fields left out stay as they are. ``class``
    empty (``""``) or null: the suggested class."""

    klass: Literal["now", "medium", "long", "guide", ""] | None = Field(None, alias="class")
    effort: int | None = Field(None, ge=1, le=5)
    impact: int | None = Field(None, ge=1, le=5)
    owner: str | None = Field(None, max_length=200)

    model_config = {"populate_by_name": True}


def _table(evaluation: Any) -> dict[str, Any]:
    """The table's rows (with ``manager_class``: the class the manager gave, or null), the
    peer comparison and the notes."""
    from carecenter.services.voc_table import table_row

    if evaluation is None:
        return {"rows": [], "peers": [], "notes": ["no expectation register saved yet"]}
    rows = [{**table_row(s), "manager_class": s.expectation.klass} for s in evaluation.scored]
    return {"rows": rows, "peers": evaluation.peer_rows, "notes": evaluation.notes}


@router.get("/voc", include_in_schema=False)
def voc_page(request: Request) -> Response:
    """The evaluation table page (sign-in first)."""
    from carecenter.interfaces.api.pages import _page

    if identify(server_of(request), request.cookies.get(SESSION_COOKIE), None) is None:
        return RedirectResponse("/signin?next=%2Fvoc", status_code=status.HTTP_303_SEE_OTHER)
    return HTMLResponse(_page("voc.html"))


@router.get("/api/voc/table")
def voc_table(request: Request, caller: CallerDep) -> dict[str, Any]:
    """The evaluation table, ranked (``rows``: as ``carecenter voc table --format json``, and
    ``manager_class``), the
    center against its peers (``peers``) and the notes."""
    from carecenter.services.voc_table import current

    require(caller, *MANAGERS)
    return _table(current(server_of(request).workspace))


@router.put("/api/voc/expectations/{expectation_id}")
def edit_expectation(
    request: Request, caller: CallerDep, expectation_id: str, body: ExpectationEdit
) -> dict[str, Any]:
    """Change an expectation's class, effort, impact or owner; the table ranked again."""
    from carecenter.services.users import audit
    from carecenter.services.voc_table import edit

    require(caller, *MANAGERS)
    changes = body.model_dump(by_alias=True, exclude_unset=True)
    ws = server_of(request).workspace
    try:
        evaluation = edit(ws, expectation_id, changes, now=ws.clock.now())
    except InputError as error:
        code = status.HTTP_404_NOT_FOUND if error.field == "id" else 422
        raise HTTPException(code, str(error)) from None
    audit(ws, caller.name, "expectation.edited", expectation_id, changes)
    return _table(evaluation)
