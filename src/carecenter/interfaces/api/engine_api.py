"""The hosted contact engine over HTTP: commands from a PBX, a chat system or a script, and
offers pushed to agents over WebSocket.

Every command answers with the events it caused, each with its sequence number in the event
log: they are committed there before the answer is sent. A command the engine refuses (an
illegal transition, an unknown contact) answers 409 with the reason. Who may do what:

* contact commands (arrive, abandon, hold, transfer, end, the post-contact survey's
  answers...): supervisors and admins (a PBX, an IVR or a chat widget uses a token of such a
  user); an agent may hold, resume, wrap up, transfer and end the contacts they are on;
* agent commands (sign in, breaks, sign out, accept or decline an offer): the agent
  themselves, a supervisor of their team, an admin.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, Field, model_validator

from carecenter.adapters.codec import encode
from carecenter.domain.enums import Channel
from carecenter.domain.events import Event, subject_of
from carecenter.domain.surveys import CES_SCALE, CSAT_SCALE, NPS_SCALE
from carecenter.domain.users import Role
from carecenter.engine import ContactEngine
from carecenter.interfaces.api.hub import AgentHub
from carecenter.interfaces.api.security import Caller, CallerDep, server_of, websocket_caller
from carecenter.services.engine_host import Appended, EngineHost
from carecenter.services.serving import Server

router = APIRouter(prefix="/api", tags=["contact engine"])
sockets = APIRouter()
"""The agents' desktop socket, ``/ws/agent``."""


class Arrival(BaseModel):
    """A contact arriving for a queue (or at an entry flow, an IVR)."""

    contact_id: str | None = Field(None, description="Your id of the contact; made up if left out.")
    channel: Channel = Channel.VOICE
    queue_id: str | None = None
    entry: str | None = Field(None, description="Entry flow (IVR) start, instead of a queue.")
    choices: list[str] = Field(default_factory=list, description="Keys pressed in the flow.")
    account: str | None = None
    customer_id: str | None = None
    tier: str | None = None
    topic: str | None = None


class Transfer(BaseModel):
    """Where a contact is transferred: a queue, an agent, or (neither) out of the center."""

    to_queue: str | None = None
    to_agent: str | None = None
    kind: str = "blind"
    reason: str | None = None


class Ending(BaseModel):
    """How a contact ended."""

    resolved: bool | None = None
    reason: str | None = None
    disposition: str | None = Field(
        None, description="The agent's wrap-up code (`complaint` makes the contact a complaint)."
    )
    note: str | None = Field(None, description="The agent's wrap-up note.")


class SurveyAnswers(BaseModel):
    """A customer's answers to the post-contact survey (at least one score)."""

    csat: int | None = Field(None, ge=1, le=CSAT_SCALE, description="Satisfaction, 1 to 5.")
    ces: int | None = Field(None, ge=1, le=CES_SCALE, description="Effort, 1 (easy) to 7.")
    nps: int | None = Field(None, ge=0, le=NPS_SCALE, description="Would recommend, 0 to 10.")
    comment: str | None = Field(
        None, max_length=2000, description="Free text, stored with the first answer given."
    )
    survey_id: str | None = Field(
        None, max_length=200, description="Default `post-contact:<contact_id>`."
    )

    @model_validator(mode="after")
    def _answered(self) -> SurveyAnswers:
        if self.csat is None and self.ces is None and self.nps is None:
            raise ValueError("give at least one score: csat, ces or nps")
        return self

    def scores(self) -> dict[str, int]:
        """question -> score of the questions answered."""
        given = {"csat": self.csat, "ces": self.ces, "nps": self.nps}
        return {q: s for q, s in given.items() if s is not None}


class Away(BaseModel):
    """A break or a sign-out: why, and whether only once the agent is free."""

    reason: str = "break"
    when_free: bool = False


def _events(appended: Appended) -> dict[str, Any]:
    return {
        "events": [
            {"seq": seq, "name": event.name, **json.loads(encode(event))}
            for event, seq in zip(appended.events, appended.seqs, strict=True)
        ]
    }


def _host(request: Request) -> EngineHost:
    engine = server_of(request).engine
    if engine is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this server hosts no contact engine")
    return engine


def _supervises(caller: Caller, server: Server, agent_id: str) -> bool:
    user = caller.user
    center = server.center
    agent = center.agents.get(agent_id) if center else None
    team = (agent.team or None) if agent else None
    return user.may_see_agent(agent_id, team)


def _may_act_for(caller: Caller, server: Server, agent_id: str) -> None:
    if not _supervises(caller, server, agent_id):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"you may not act for agent {agent_id}")


def _contact_command(
    request: Request,
    caller: Caller,
    contact_id: str,
    command: Callable[[ContactEngine], list[Event]],
) -> dict[str, Any]:
    host = _host(request)
    if caller.user.role is Role.AGENT:

        def on_it(engine: ContactEngine) -> bool:
            c = engine.state.contacts.get(contact_id)
            return c is not None and c.agent_id == caller.user.agent_id

        if not host.read(on_it):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "you are not on this contact")
    return _events(host.run(command))


def _supervisor(caller: Caller) -> None:
    if caller.user.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the supervisor or admin role")


@router.post("/contacts", status_code=201)
def arrive(request: Request, caller: CallerDep, body: Arrival) -> dict[str, Any]:
    """A contact arrives; the engine queues it and offers it when an agent may take it."""
    _supervisor(caller)
    contact_id = body.contact_id or str(uuid.uuid4())
    if body.entry is not None:
        entry = body.entry

        def command(e: ContactEngine) -> list[Event]:
            return e.arrive_at_entry(
                contact_id, body.channel, entry, choices=body.choices, account=body.account
            )
    else:

        def command(e: ContactEngine) -> list[Event]:
            return e.arrive(
                contact_id,
                body.channel,
                body.queue_id,
                customer_id=body.customer_id,
                tier=body.tier,
                topic=body.topic,
            )

    return {"contact_id": contact_id, **_events(_host(request).run(command))}


@router.post("/contacts/{contact_id}/abandon")
def abandon(request: Request, caller: CallerDep, contact_id: str) -> dict[str, Any]:
    """The customer gave up waiting."""
    _supervisor(caller)
    return _events(_host(request).run(lambda e: e.abandon(contact_id)))


@router.post("/contacts/{contact_id}/callback")
def callback(request: Request, caller: CallerDep, contact_id: str) -> dict[str, Any]:
    """The waiting customer asks to be called back (as the queue's callback policy allows)."""
    _supervisor(caller)
    return _events(_host(request).run(lambda e: e.request_callback(contact_id)))


@router.post("/contacts/{contact_id}/hold")
def hold(request: Request, caller: CallerDep, contact_id: str) -> dict[str, Any]:
    """The agent puts the customer on hold."""
    return _contact_command(request, caller, contact_id, lambda e: e.hold(contact_id))


@router.post("/contacts/{contact_id}/resume")
def resume(request: Request, caller: CallerDep, contact_id: str) -> dict[str, Any]:
    """The agent takes the customer off hold."""
    return _contact_command(request, caller, contact_id, lambda e: e.resume(contact_id))


@router.post("/contacts/{contact_id}/wrap-up")
def wrap_up(request: Request, caller: CallerDep, contact_id: str) -> dict[str, Any]:
    """The conversation is over; the agent does after-call work."""
    return _contact_command(request, caller, contact_id, lambda e: e.wrap_up(contact_id))


@router.post("/contacts/{contact_id}/transfer")
def transfer(
    request: Request, caller: CallerDep, contact_id: str, body: Transfer
) -> dict[str, Any]:
    """Transfer the contact to a queue, an agent, or out of the center."""
    return _contact_command(
        request,
        caller,
        contact_id,
        lambda e: e.transfer(
            contact_id,
            to_queue=body.to_queue,
            to_agent=body.to_agent,
            kind=body.kind,
            reason=body.reason,
        ),
    )


@router.post("/contacts/{contact_id}/end")
def end(
    request: Request, caller: CallerDep, contact_id: str, body: Ending | None = None
) -> dict[str, Any]:
    """The contact is over."""
    ending = body or Ending()
    return _contact_command(
        request,
        caller,
        contact_id,
        lambda e: e.end(
            contact_id,
            resolved=ending.resolved,
            reason=ending.reason,
            disposition=ending.disposition,
            note=ending.note,
        ),
    )


@router.post("/contacts/{contact_id}/survey")
def survey(
    request: Request, caller: CallerDep, contact_id: str, body: SurveyAnswers
) -> dict[str, Any]:
    """The customer answered the post-contact survey (an IVR, a chat or an e-mail link posts
    it on their behalf): one ``survey.answered`` event per score. The contact may be over."""
    _supervisor(caller)
    return _events(
        _host(request).run(
            lambda e: e.answer_survey(
                contact_id, body.scores(), survey_id=body.survey_id, comment=body.comment
            )
        )
    )


@router.post("/agents/{agent_id}/sign-in")
def agent_sign_in(request: Request, caller: CallerDep, agent_id: str) -> dict[str, Any]:
    """The agent signs in and becomes available."""
    _may_act_for(caller, server_of(request), agent_id)
    return _events(_host(request).run(lambda e: e.sign_in(agent_id)))


@router.post("/agents/{agent_id}/sign-out")
def agent_sign_out(
    request: Request, caller: CallerDep, agent_id: str, body: Away | None = None
) -> dict[str, Any]:
    """The agent signs out (``when_free``: once their contacts are done)."""
    _may_act_for(caller, server_of(request), agent_id)
    when_free = body.when_free if body else False
    return _events(_host(request).run(lambda e: e.sign_out(agent_id, when_free=when_free)))


@router.post("/agents/{agent_id}/break")
def agent_break(
    request: Request, caller: CallerDep, agent_id: str, body: Away | None = None
) -> dict[str, Any]:
    """The agent goes on a break (with a reason; ``when_free``: once free)."""
    _may_act_for(caller, server_of(request), agent_id)
    away = body or Away()
    return _events(
        _host(request).run(lambda e: e.start_break(agent_id, away.reason, when_free=away.when_free))
    )


@router.post("/agents/{agent_id}/available")
def agent_available(request: Request, caller: CallerDep, agent_id: str) -> dict[str, Any]:
    """The agent ends their break and is available again."""
    _may_act_for(caller, server_of(request), agent_id)
    return _events(_host(request).run(lambda e: e.end_break(agent_id)))


@router.post("/agents/{agent_id}/offers/{contact_id}/accept")
def accept(request: Request, caller: CallerDep, agent_id: str, contact_id: str) -> dict[str, Any]:
    """The agent accepts the contact ringing at them."""
    _may_act_for(caller, server_of(request), agent_id)
    return _events(_host(request).run(lambda e: e.accept(contact_id, agent_id)))


@router.post("/agents/{agent_id}/offers/{contact_id}/decline")
def decline(request: Request, caller: CallerDep, agent_id: str, contact_id: str) -> dict[str, Any]:
    """The agent declines the contact ringing at them; the engine offers it elsewhere."""
    _may_act_for(caller, server_of(request), agent_id)
    return _events(_host(request).run(lambda e: e.decline(contact_id, agent_id)))


@router.get("/agents/{agent_id}/offers")
def offers(request: Request, caller: CallerDep, agent_id: str) -> list[dict[str, Any]]:
    """The contacts ringing at the agent now, each with its screen pop."""
    _may_act_for(caller, server_of(request), agent_id)
    return offers_of(_host(request), agent_id)


def offers_of(host: EngineHost, agent_id: str) -> list[dict[str, Any]]:
    """The offers ringing at ``agent_id`` as JSON objects."""
    found = host.read(lambda e: e.offers_for(agent_id) if agent_id in e.state.agents else [])
    assert isinstance(found, list)
    return [json.loads(json.dumps(dataclasses.asdict(o), default=str)) for o in found]


def connect(server: Server, agents: AgentHub) -> None:
    """Push each agent's offers to their desktops when events about them are appended."""
    host = server.engine
    if host is None:
        return

    def pushed(appended: Appended) -> None:
        listening = agents.agents()
        touched = {subject_of(e)[1] for e in appended.events} & listening
        for agent_id in touched:
            if agent_id is not None:
                agents.push(agent_id, {"type": "offers", "offers": offers_of(host, agent_id)})

    host.listen(pushed)


@sockets.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket) -> None:
    """An agent's desktop: ``{"type": "offers", "offers": [...]}`` whenever their offers
    change (an agent user only)."""
    app = websocket.app
    server: Server = app.state.server
    hub: AgentHub = app.state.agents
    found = websocket_caller(websocket, server)
    if found is None or found.user.agent_id is None:
        await websocket.close(code=4403)
        return
    await websocket.accept()
    agent_id = found.user.agent_id
    hub.join(websocket, agent_id)
    try:
        if server.engine is not None:
            await websocket.send_text(
                json.dumps({"type": "offers", "offers": offers_of(server.engine, agent_id)})
            )
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        pass
    finally:
        hub.leave(websocket)
