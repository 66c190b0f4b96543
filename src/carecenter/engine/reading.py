"""Reading the engine: the offers ringing at an agent with their screen pops, and the whole
state as plain values (to compare a rebuilt engine with the original)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from carecenter.engine.records import Offer, ScreenPop

if TYPE_CHECKING:
    from carecenter.engine.engine import ContactEngine


def offers_for(self: ContactEngine, agent_id: str) -> list[Offer]:
    """The contacts ringing at ``agent_id``, each with its screen pop."""
    a = self.agent(agent_id)
    offers = []
    for cid in sorted(a.ringing):
        c = self.contact(cid)
        q = c.queue
        assert q is not None
        expires = self.state.at(c.offered_at + q.routing.offer_timeout_s)
        offers.append(Offer(cid, agent_id, q.queue_id, expires, self.screen_pop(cid)))
    return offers


def screen_pop(self: ContactEngine, contact_id: str) -> ScreenPop:
    """What an agent needs to help the contact from the get-go."""
    c = self.contact(contact_id)
    q = c.queue
    customer = self.center.customers.get(c.customer_id or "")
    value = (
        c.account_value
        if c.account_value is not None
        else (customer.account_value if customer else None)
    )
    promises = self.state.ledger.open_for(c.customer_id)
    return ScreenPop(
        contact_id=contact_id,
        queue_id=q.queue_id if q else "",
        channel=c.channel.value,
        customer_id=c.customer_id,
        tier=c.tier,
        account_value=value,
        top_account=c.customer_id in self.state.top_accounts,
        topic=c.topic,
        flow_path=tuple(c.path),
        expected_wait_told_s=c.ewt_told,
        open_promises=tuple((p.promise_id, p.kind.value, p.due_at) for p in promises),
        last_contacts=tuple(self.state.history.get(c.customer_id or "", ())),
        relaxation_step=c.step,
    )


def snapshot(self: ContactEngine) -> dict[str, Any]:
    """The engine's state as plain values (to compare a replayed engine with the original)."""
    st = self.state
    contacts = {
        cid: (
            c.state.value,
            c.queue.queue_id if c.queue else None,
            c.agent_id,
            c.level,
            c.step,
            round(c.key, 6),
            c.seq,
            sorted(c.offered_to),
            sorted(c.declined),
            c.preferred,
            c.ewt_told,
            sorted(c.announcements.items()),
            c.visits,
            c.target_agent,
            c.warm_from,
        )
        for cid, c in sorted(st.contacts.items())
    }
    agents = {
        aid: (
            a.state.value,
            a.reason,
            round(a.since, 6),
            sorted((k.value, v) for k, v in a.load.items() if v),
            sorted(a.ringing),
            sorted(a.talking),
            sorted(a.wrapping),
            round(a.standing.idle_since, 6),
            a.standing.contacts_today,
            a.standing.epoch,
        )
        for aid, a in sorted(st.agents.items())
    }
    queues = {
        qid: (
            q.line,
            q.signed_in,
            q.staffed,
            round(q.mean_handle_s, 6),
            round(q.waited_s, 6),
            q.abandons,
            q.last_wait_s,
            q.offers,
            sorted(q.last_offer.items()),
        )
        for qid, q in sorted(st.queues.items())
    }
    promises = {
        pid: (e.promise.status.value, e.promise.closed_at, list(e.attempts), e.kept_by)
        for pid, e in sorted(st.ledger.promises.items())
    }
    return {
        "contacts": contacts,
        "agents": agents,
        "queues": queues,
        "promises": promises,
        "last_agent": dict(sorted(st.last_agent.items())),
        "booked": dict(sorted(st.ledger.booked.items())),
    }
