"""Property tests of the contact engine on random command streams (hypothesis).

A stream is a list of abstract commands ("a contact arrives for queue 2", "the first ringing
offer is accepted", "ten seconds pass"...). A driver turns each into a legal engine command
from the engine's state, so the same stream can be played on several engines: the heap engine,
the naive scanning one, and an engine rebuilt from the first one's events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.engine.builders import T0, agent, center, frozen, queue

from carecenter.adapters.memory import FakeClock
from carecenter.domain.center import Center, Customer
from carecenter.domain.enums import AgentStatus, Channel, ContactState
from carecenter.domain.events import (
    ContactOffered,
    ContactQueued,
    ContactSkillsRelaxed,
    ContactTransferred,
    Event,
)
from carecenter.domain.routing_policy import (
    AgentQueue,
    CallbackPolicy,
    HoldTreatment,
    Overflow,
    RelaxationStep,
    Strategy,
)
from carecenter.engine.engine import ContactEngine

V, CHAT, EMAIL = Channel.VOICE, Channel.CHAT, Channel.EMAIL
S = ContactState
KINDS = [
    "arrive", "arrive", "arrive", "wait", "wait", "accept", "accept", "decline", "abandon",
    "wrap", "end", "end", "sign_in", "sign_out", "break", "back", "callback", "transfer",
]  # fmt: skip


@st.composite
def centers(draw: st.DrawFn) -> Center:
    strategies = st.sampled_from(list(Strategy))
    relax = RelaxationStep(draw(st.sampled_from([5.0, 20.0])), frozen({"billing": 1}))
    queues = [
        queue(
            "billing",
            skills={"billing": 3},
            strategy=draw(strategies),
            relaxation=(relax,),
            aging_rate=draw(st.sampled_from([0.0, 0.5, 2.0])),
            offer_timeout_s=draw(st.sampled_from([5.0, 15.0])),
            preferred_agent_s=draw(st.sampled_from([0.0, 12.0])),
            overflow=Overflow("general", after_s=40.0),
            hold=HoldTreatment(announce_position_every_s=15.0, callback_offer_after_s=30.0),
        ),
        queue("general", strategy=draw(strategies), missed_pause_s=draw(st.sampled_from([0, 8]))),
        queue("chat", CHAT, skills={"cards": 2}, strategy=draw(strategies)),
        queue("mail", EMAIL, strategy=draw(strategies), callback=CallbackPolicy(enabled=False)),
    ]
    agents = []
    for i in range(draw(st.integers(2, 5))):
        skills = {s: draw(st.integers(1, 5)) for s in ("billing", "cards") if draw(st.booleans())}
        capacity = {V: 1, CHAT: draw(st.integers(0, 3)), EMAIL: draw(st.integers(0, 2))}
        profile = {}
        if draw(st.booleans()):
            profile = {
                q.queue_id: AgentQueue(draw(st.integers(0, 2)), draw(st.sampled_from([0.0, 10.0])))
                for q in queues
                if draw(st.booleans())
            }
        agents.append(
            agent(
                f"a{i}",
                skills,
                capacity=capacity,
                queues=profile,
                call_blocks_chat=draw(st.booleans()),
            )
        )
    customers = [Customer("k1", "vip", 1000.0, owner_agent_id="a1"), Customer("k2")]
    return center(queues, agents, customers=customers)


Command = tuple[str, int, int]


@dataclass
class Driver:
    """Plays abstract commands on one engine; records events and checks invariants."""

    center: Center
    scan: bool = False
    clock: FakeClock = field(default_factory=lambda: FakeClock(T0))
    events: list[Event] = field(default_factory=list)
    arrivals: int = 0
    steps: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Contact id -> (queue, relaxation step) it is at, from the events so far."""

    def __post_init__(self) -> None:
        self.engine = ContactEngine(self.center, self.clock, scan=self.scan)

    def play(self, commands: list[Command], check: bool = True) -> None:
        for command in commands:
            out = self.step(command)
            self.events += out
            if check:
                check_invariants(self.engine, out, self.steps)

    def step(self, command: Command) -> list[Event]:
        kind, x, y = command
        e = self.engine
        contacts = sorted(e.state.contacts.values(), key=lambda c: c.seq)
        agents = list(e.state.agents.values())
        a = agents[x % len(agents)]

        def pick(states: tuple[ContactState, ...]) -> Any:
            found = [c for c in contacts if c.state in states]
            return found[x % len(found)] if found else None

        if kind == "wait":
            self.clock.advance(timedelta(seconds=[1, 3, 7, 16, 45][y % 5]))
            return e.advance()
        if kind == "arrive":
            self.arrivals += 1
            q = list(self.center.queues.values())[x % 4]
            customer = [None, "k1", "k2"][y % 3]
            return e.arrive(f"c{self.arrivals}", q.channel, q.queue_id, customer_id=customer)
        if kind in ("accept", "decline"):
            c = pick((S.OFFERED,))
            if c is None:
                return []
            return getattr(e, kind)(c.contact_id, c.offered_to[y % len(c.offered_to)])
        if kind == "abandon":
            c = pick((S.QUEUED, S.OFFERED))
            return (
                e.abandon(c.contact_id)
                if c is not None and c.channel is not Channel.CALLBACK
                else []
            )
        if kind in ("wrap", "end"):
            c = pick((S.ANSWERED, S.AFTER_CALL_WORK) if kind == "end" else (S.ANSWERED,))
            if c is None:
                return []
            return e.wrap_up(c.contact_id) if kind == "wrap" else e.end(c.contact_id)
        if kind == "callback":
            c = pick((S.QUEUED,))
            ok = c is not None and c.queue is not None and c.queue.queue.offers_callbacks
            return e.request_callback(c.contact_id) if ok else []
        if kind == "transfer":
            c = pick((S.ANSWERED,))
            if c is None:
                return []
            same_channel = {CHAT: "chat", EMAIL: "mail"}.get(c.channel, "general")
            kind = ["blind", "warm"][y % 2]
            return e.transfer(c.contact_id, to_queue=same_channel, kind=kind)
        busy = a.ringing or a.talking or a.wrapping
        if kind == "sign_in" and a.state is AgentStatus.LOGGED_OUT:
            return e.sign_in(a.agent_id)
        if kind == "sign_out" and a.state is not AgentStatus.LOGGED_OUT and not busy:
            return e.sign_out(a.agent_id)
        if kind == "break" and a.state is AgentStatus.AVAILABLE and not busy:
            return e.start_break(a.agent_id, "lunch")
        if kind == "back" and a.state is AgentStatus.BREAK:
            return e.end_break(a.agent_id)
        return []


def check_invariants(
    engine: ContactEngine, out: list[Event], steps: dict[str, tuple[str, int]]
) -> None:
    st_ = engine.state
    for e in out:
        if isinstance(e, ContactQueued):
            steps[e.contact_id] = (e.queue_id, 0)
        elif isinstance(e, ContactSkillsRelaxed):
            steps[e.contact_id] = (e.queue_id, e.step)
        elif isinstance(e, ContactTransferred) and e.to_agent_id is not None:
            steps.pop(e.contact_id, None)  # a named agent takes it whatever their skills
        elif isinstance(e, ContactOffered) and e.contact_id in steps:
            a = st_.agents[e.agent_id].agent
            queue_id, step = steps[e.contact_id]
            assert queue_id == e.queue_id
            # never offered to an agent lacking the skills of the step the contact is at
            required = st_.queues[queue_id].queue.skills_at(step)
            assert all(a.proficiency(s) >= lv for s, lv in required.items()), (e, step)
    for a in st_.agents.values():
        held: dict[Channel, int] = {}
        for cid in a.ringing | a.talking | a.wrapping:
            ch = st_.contacts[cid].capacity_channel
            held[ch] = held.get(ch, 0) + 1
        assert held == {k: v for k, v in a.load.items() if v}, a.agent_id
        for ch, n in held.items():  # never over capacity
            assert n <= a.agent.capacity.get(ch, 0), (a.agent_id, ch, n)
    # work conserving: no agent free for a waiting contact they may take
    from carecenter.engine.dispatch import may_take

    for c in st_.contacts.values():
        if c.state is not S.QUEUED or c.queue is None:
            continue
        if c.preferred is not None or c.target_agent is not None:
            continue
        for a in c.queue.members:
            assert not may_take(a, c, c.queue), (c.contact_id, a.agent_id)
    # first come, first served within a score: the line is ordered by (key, arrival)
    for q in st_.queues.values():
        assert q.line == sorted(q.line)


commands = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 30), st.integers(0, 30)),
    min_size=5,
    max_size=80,
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(centers(), commands)
def test_invariants_hold_on_random_streams(c: Center, cmds: list[Command]) -> None:
    Driver(c).play(cmds)


@SETTINGS
@given(centers(), commands)
def test_the_same_commands_give_the_same_events(c: Center, cmds: list[Command]) -> None:
    first, second = Driver(c), Driver(c)
    first.play(cmds, check=False)
    second.play(cmds, check=False)
    assert first.events == second.events


@SETTINGS
@given(centers(), commands)
def test_heaps_choose_as_a_full_scan_does(c: Center, cmds: list[Command]) -> None:
    heap, scan = Driver(c), Driver(c, scan=True)
    heap.play(cmds, check=False)
    scan.play(cmds, check=False)
    assert heap.events == scan.events


@SETTINGS
@given(centers(), commands, commands)
def test_replaying_the_events_rebuilds_the_state(
    c: Center, cmds: list[Command], more: list[Command]
) -> None:
    original = Driver(c)
    original.play(cmds, check=False)
    rebuilt = Driver(c)
    rebuilt.clock.set(original.clock.now())
    rebuilt.engine = ContactEngine.replay(c, original.events, rebuilt.clock)
    rebuilt.arrivals = original.arrivals
    assert rebuilt.engine.snapshot() == original.engine.snapshot()
    # and it goes on exactly as the original does
    n = len(original.events)
    original.play(more, check=False)
    rebuilt.play(more, check=False)
    assert rebuilt.events == original.events[n:]
