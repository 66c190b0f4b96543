"""Generated facts for the tests that run the whole metric catalog on two backends and compare
(DuckDB and PostgreSQL, DuckDB and Spark): every outcome, channel, tier, policy variant,
transfer kind, survey question and promise status, over five days around ``T0``."""

from __future__ import annotations

import random
from datetime import timedelta

from tests.helpers import T0
from tests.unit.metrics.builders import answer, promise, state, visit

from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula as F
from carecenter.domain.projection import AgentInterval, SurveyAnswerRow, VisitFact
from carecenter.domain.promise_facts import PromiseRow

POLICIES = {
    "billing": ServiceLevelPolicy(threshold_s=20.0, include_flow_outs=True),
    "cards": ServiceLevelPolicy(threshold_s=10.0, formula=F.ABANDONS_EXCLUDED),
    "chat": ServiceLevelPolicy(
        threshold_s=60.0, formula=F.ABANDONS_WITHIN_MET, exclude_short_abandons=False
    ),
}
AGENTS = {"a1": ("red", "Leeds", 24.0), "a2": ("blue", "Cardiff", 22.5), "a3": ("red", "", 0)}


def answers(seed: int = 5) -> list[SurveyAnswerRow]:
    """CSAT and NPS answers about some of the contacts of :func:`facts` (and some about none)."""
    rng = random.Random(seed)
    out = []
    for n in range(300):
        question = rng.choice(["csat", "nps"])
        out.append(
            answer(
                f"s{n:04d}",
                rng.randint(1, 5) if question == "csat" else rng.randint(0, 10),
                question=question,
                answered=T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400)),
                contact=rng.choice([None, f"c{rng.randrange(420):04d}"]),
            )
        )
    return out


def promises(seed: int = 7) -> list[PromiseRow]:
    """Promises made over the days of :func:`facts`, kept, broken, cancelled or open."""
    rng = random.Random(seed)
    out = []
    for n in range(200):
        made = T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400))
        due = made + timedelta(seconds=rng.uniform(0, 6 * 3600))
        status = rng.choice(["open", "kept", "broken", "broken", "cancelled"])
        closed = None
        if status == "kept":
            closed = made + (due - made) * rng.random()
        elif status != "open":
            closed = made + timedelta(seconds=rng.uniform(0, 8 * 3600))
        out.append(
            promise(
                f"p{n:03d}",
                made=made,
                due=due,
                status=status,
                closed=closed,
                queue=rng.choice([*sorted(POLICIES), None]),
                agent=rng.choice(["a1", "a2", "a3", None]),
            )
        )
    return out


def facts(seed: int = 3) -> tuple[list[VisitFact], list[AgentInterval]]:
    rng = random.Random(seed)
    visits = []
    for n in range(400):
        queue = rng.choice(sorted(POLICIES))
        outcome = rng.choices(
            ["answered", "abandoned", "flowed_out", "callback", "exited", "open"],
            [70, 15, 5, 4, 3, 3],
        )[0]
        wait = rng.choice([0.0, 4.999, 5.0, 10.0, 20.0, 60.0]) + rng.random() * 30
        visits.append(
            visit(
                f"c{n:04d}",
                queue=queue,
                outcome=outcome,
                wait=None if outcome == "open" else round(wait, 6),
                enqueued=T0 + timedelta(seconds=rng.uniform(-86400, 4 * 86400)),
                talk=round(rng.lognormvariate(5.3, 0.6), 6),
                hold=rng.choice([0.0, 30.5]),
                acw=round(rng.uniform(5, 60), 6),
                agent=rng.choice(["a1", "a2", "a3"]),
                channel="email" if queue == "billing" and n % 5 == 0 else "voice",
                tier=rng.choice(["standard", "vip"]),
                customer=f"k{rng.randrange(60)}",
                topic=rng.choice(["x", "y"]),
                transferred_out=(moved := rng.random() < 0.1),
                ewt=rng.choice([None, round(rng.uniform(0, 90), 3)]),
                transfer_kind=rng.choice(["blind", "escalation"]) if moved else None,
            )
        )
    intervals = []
    for a, agent in enumerate(["a1", "a2", "a3"]):
        t = T0 - timedelta(hours=2) + timedelta(minutes=7 * a)
        for k in range(300):
            length = timedelta(seconds=rng.uniform(30, 1500))
            name = rng.choice(["available", "busy", "after_call_work", "break"])
            intervals.append(state(agent, name, t, t + length, seq=a * 1000 + k + 1))
            t += length
    intervals.append(state("a1", "available", t, None, seq=999))
    return visits, intervals
