"""Properties of the catalog on random facts: offered adds up in every interval, under every
queue's policy, and the intervals add up to the whole period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import ibis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.helpers import T0
from tests.unit.metrics.builders import dims, state, visit, warehouse

from carecenter.domain.center import ServiceLevelPolicy
from carecenter.domain.enums import ServiceLevelFormula, VisitOutcome
from carecenter.metrics.engine import ReportSpec, run
from carecenter.metrics.registry import AGENT, VISIT, of_kind

QUEUES = ("q1", "q2", "q3")
SUMMED = [m.key for m in of_kind(VISIT) if m.key != "long_calls"] + [m.key for m in of_kind(AGENT)]

policies = st.builds(
    ServiceLevelPolicy,
    threshold_s=st.sampled_from([0.0, 5.0, 20.0, 60.0]),
    formula=st.sampled_from(list(ServiceLevelFormula)),
    short_abandon_s=st.sampled_from([0.0, 5.0, 10.0]),
    exclude_short_abandons=st.booleans(),
    include_flow_outs=st.booleans(),
)
visits = st.lists(
    st.tuples(
        st.sampled_from(QUEUES),
        st.sampled_from([o.value for o in VisitOutcome]),
        st.sampled_from([0.0, 4.999, 5.0, 10.0, 19.5, 20.0, 60.0, 300.0]),
        st.integers(0, 3 * 86400 - 1),
        st.sampled_from(["a1", "a2"]),
        st.sampled_from(["c1", "c2", None]),
    ),
    max_size=40,
)
agent_states = st.lists(
    st.tuples(
        st.sampled_from(["a1", "a2", "a3"]),
        st.sampled_from(["available", "busy", "after_call_work", "break"]),
        st.integers(0, 3 * 86400 - 1),
        st.integers(1, 8 * 3600),
    ),
    max_size=12,
)


def _build(rows: list[tuple[Any, ...]], states: list[tuple[Any, ...]]) -> tuple[Any, Any]:
    facts = [
        visit(
            f"c{n}",
            queue=q,
            outcome=o,
            wait=None if o == "open" else w,
            enqueued=T0 + timedelta(seconds=s),
            agent=a,
            customer=cust,
            topic="t",
        )
        for n, (q, o, w, s, a, cust) in enumerate(rows)
    ]
    intervals = [
        state(a, name, T0 + timedelta(seconds=s), T0 + timedelta(seconds=s + d), seq=n + 1)
        for n, (a, name, s, d) in enumerate(states)
    ]
    return facts, intervals


def _oracle_offered(facts: list[Any], queue: str, policy: ServiceLevelPolicy) -> int:
    """Offered, counted in plain Python from DESIGN.md §3."""
    n = 0
    for f in facts:
        if f.queue_id != queue:
            continue
        short = f.outcome == "abandoned" and f.wait_s < policy.short_abandon_s
        n += f.outcome == "answered"
        n += f.outcome == "abandoned" and not (short and policy.exclude_short_abandons)
        n += f.outcome == "flowed_out" and policy.include_flow_outs
    return n


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=visits,
    states=agent_states,
    pols=st.fixed_dictionaries(dict.fromkeys(QUEUES, policies)),
    interval=st.sampled_from(["15m", "1h", "1d"]),
    timezone=st.sampled_from(["UTC", "Europe/London", "Asia/Kolkata"]),
)
def test_offered_adds_up_and_intervals_add_up_to_the_period(
    rows: list[tuple[Any, ...]],
    states: list[tuple[Any, ...]],
    pols: dict[str, ServiceLevelPolicy],
    interval: str,
    timezone: str,
) -> None:
    facts, intervals = _build(rows, states)
    wh = warehouse(facts, intervals)
    try:
        con = ibis.duckdb.from_connection(wh.connection)
        d = dims(pols, {"a1": ("t", "s", 10.0), "a2": ("t", "s", 20.0)})
        start, end = T0 - timedelta(days=1), T0 + timedelta(days=5)
        by_queue = run(con, ReportSpec(interval, ("queue",), start, end), d, timezone)
        for r in by_queue.rows:
            policy = pols[r["queue"]]
            assert r["offered"] == r["answered"] + r["abandoned"] + r["flowed_out_offered"]
            assert r["flowed_out_offered"] == (r["flowed_out"] if policy.include_flow_outs else 0)
            if r["service_level"] is not None:
                assert 0.0 <= r["service_level"] <= 1.0
        per_interval = run(con, ReportSpec(interval, (), start, end), d, timezone)
        whole = run(con, ReportSpec("all", (), start, end), d, timezone)
        for r in per_interval.rows:
            assert r["offered"] == r["answered"] + r["abandoned"] + r["flowed_out_offered"]
        total = whole.rows[0] if whole.rows else None
        for key in SUMMED:
            summed = sum(r[key] for r in per_interval.rows)
            expected = total[key] if total else 0
            assert abs(summed - expected) <= 1e-6 * max(1.0, abs(expected)), key
        assert sum(r["offered"] for r in by_queue.rows) == (total["offered"] if total else 0)
        whole_by_queue = run(con, ReportSpec("all", ("queue",), start, end), d, timezone)
        for r in whole_by_queue.rows:
            assert r["offered"] == _oracle_offered(facts, r["queue"], pols[r["queue"]])
    finally:
        wh.close()
