"""What the catalog reads from the center configuration, as expressions over the facts.

* the queue's service-level policy (threshold, formula, short-abandon limit and whether
  short abandons and flow-outs count as offered), looked up by ``queue_id``;
* the agent's team, site and hourly cost (their own, else their site's), looked up by
  ``agent_id`` (or, for a center with many agents, joined from a small Ibis memtable), and
  what each contact they handle costs (their outsourcer's ``cost_per_contact``);
* agent groups (group name -> agent ids) as a small Ibis memtable to join;
* the queue's opening hours, for business time (:mod:`~carecenter.metrics.business_time`).

Each lookup is one ``CASE`` with a branch per distinct value (:func:`lookup`), written into
the query itself: no table to ship to the backend, and no join per fact row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from carecenter.domain.center import Center, OpeningHours, ServiceLevelPolicy
from carecenter.domain.enums import Channel

if TYPE_CHECKING:
    import ibis  # type: ignore[import-untyped]

DEFAULT_POLICY = ServiceLevelPolicy()
V = TypeVar("V", bool, float, str)


@dataclass(frozen=True)
class Dimensions:
    """The configuration the catalog needs: queue policies and agents.

    A queue missing here (e.g. removed from ``center.yaml``) is counted with the default
    policy; an agent missing here has no team, no site and no cost.
    """

    policies: Mapping[str, ServiceLevelPolicy]
    agents: Mapping[str, tuple[str, str, float]]
    """agent id -> (team, site, hourly cost)."""
    queue_agents: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """queue id -> the agents able to serve it: a queue's agent-time metrics (occupancy,
    utilization, staffed hours, cost) are those of its agents."""
    hours: Mapping[str, OpeningHours] = field(default_factory=dict)
    """queue id -> its opening hours, for the times counted in business hours (the e-mail
    response time); a queue missing here is open around the clock."""
    fees: Mapping[str, float] = field(default_factory=dict)
    """agent id -> what each contact the agent handles costs (their outsourcer's
    ``cost_per_contact``); an agent missing here costs nothing per contact."""

    @classmethod
    def from_center(cls, center: Center | None) -> Dimensions:
        """The dimensions of ``center`` (empty without a configuration); the opening hours
        are those of its e-mail queues, the only ones a contact time in business hours is
        reported for."""
        if center is None:
            return cls({}, {})
        return cls(
            {q.queue_id: q.service_level for q in center.queues.values()},
            {
                a.agent_id: (a.team, a.site, center.hourly_cost_of(a))
                for a in center.agents.values()
            },
            {q: tuple(a.agent_id for a in center.agents_for(q)) for q in sorted(center.queues)},
            {
                q.queue_id: q.hours
                for q in center.queues.values()
                if q.channel == Channel.EMAIL and not q.hours.always_open
            },
            {
                a.agent_id: fee
                for a in center.agents.values()
                if (fee := center.contact_fee_of(a)) > 0
            },
        )

    def policy(self, queue_id: Any) -> dict[str, Any]:
        """The policy columns (``threshold_s``, ``short_abandon_s``, ``exclude_short``,
        ``include_flow_outs``, ``formula``) of the queue ``queue_id``, as expressions."""
        pols, d = self.policies, DEFAULT_POLICY
        return {
            "threshold_s": lookup(
                queue_id, {q: p.threshold_s for q, p in pols.items()}, d.threshold_s
            ),
            "short_abandon_s": lookup(
                queue_id, {q: p.short_abandon_s for q, p in pols.items()}, d.short_abandon_s
            ),
            "exclude_short": lookup(
                queue_id,
                {q: p.exclude_short_abandons for q, p in pols.items()},
                d.exclude_short_abandons,
            ),
            "include_flow_outs": lookup(
                queue_id, {q: p.include_flow_outs for q, p in pols.items()}, d.include_flow_outs
            ),
            "formula": lookup(
                queue_id, {q: p.formula.value for q, p in pols.items()}, d.formula.value
            ),
        }

    def with_wait_limits(self, v: ibis.Table) -> ibis.Table:
        """``v`` (rows with a ``queue_id``) with ``threshold_s`` and ``short_abandon_s`` of
        their queue's policy, the two limits a visit is classified by.

        When every queue has the same limits they are literals. Otherwise they are joined from
        a small table written into the query (one ``SELECT`` of literals per queue): a hash
        join costs each of millions of rows less than a ``CASE`` of set lookups, and the
        query still needs no table shipped to the backend.
        """
        import ibis

        d = DEFAULT_POLICY
        limits = {q: (p.threshold_s, p.short_abandon_s) for q, p in self.policies.items()}
        if set(limits.values()) <= {(d.threshold_s, d.short_abandon_s)}:
            return v.mutate(
                threshold_s=ibis.literal(d.threshold_s, "float64"),
                short_abandon_s=ibis.literal(d.short_abandon_s, "float64"),
            )
        table = queue_table(
            "w_queue_id",
            [(q, {"w_threshold_s": t, "w_short_s": s}) for q, (t, s) in sorted(limits.items())],
        )
        j = v.left_join(table, v.queue_id == table.w_queue_id)
        return j.mutate(
            threshold_s=j.w_threshold_s.fill_null(_double(d.threshold_s)),
            short_abandon_s=j.w_short_s.fill_null(_double(d.short_abandon_s)),
        ).drop("w_queue_id", "w_threshold_s", "w_short_s")

    def agent(self, agent_id: Any) -> dict[str, Any]:
        """The ``team``, ``site`` and ``hourly_cost`` of the agent ``agent_id``, as
        expressions (``""``, ``""`` and 0 for an agent missing here)."""
        ags = self.agents
        return {
            "team": lookup(agent_id, {a: t for a, (t, _, _) in ags.items()}, ""),
            "site": lookup(agent_id, {a: s for a, (_, s, _) in ags.items()}, ""),
            "hourly_cost": lookup(agent_id, {a: float(c) for a, (_, _, c) in ags.items()}, 0.0),
        }

    def fee(self, agent_id: Any) -> Any:
        """What a contact the agent ``agent_id`` handles costs (see :attr:`fees`), as an
        expression (a literal 0 when no agent's site charges per contact)."""
        if not self.fees:
            return _double(0.0)
        # SQL reads the fees' literals as decimals: times a double, their sum is a double
        return lookup(agent_id, {a: float(f) for a, f in self.fees.items()}, 0.0) * _double(1.0)

    def agent_table(self) -> ibis.Table:
        """``agent_dim`` (``d_agent_id``, ``d_team``, ``d_site``, ``d_hourly_cost``) as an
        Ibis memtable, to join when there are too many agents for :meth:`agent`."""
        import ibis

        ids = sorted(self.agents)
        import pyarrow as pa

        schema = pa.schema(
            [
                ("d_agent_id", pa.string()),
                ("d_team", pa.string()),
                ("d_site", pa.string()),
                ("d_hourly_cost", pa.float64()),
            ]
        )
        data = pa.table(
            [
                ids,
                [self.agents[a][0] for a in ids],
                [self.agents[a][1] for a in ids],
                [float(self.agents[a][2]) for a in ids],
            ],
            schema=schema,
        )
        return ibis.memtable(data)


def queue_table(key: str, rows: Sequence[tuple[str, Mapping[str, float]]]) -> ibis.Table:
    """``rows`` (a queue id, then double columns by name) as a small table written into the
    query: one ``SELECT`` of literals per row, so it needs no table shipped to the backend."""
    import ibis

    selects = [
        ibis.literal(queue, "string")
        .name(key)
        .as_table()
        .mutate(**{name: _double(value) for name, value in values.items()})
        for queue, values in rows
    ]
    return ibis.union(*selects, distinct=False) if len(selects) > 1 else selects[0]


def _double(value: float) -> Any:
    """``value`` as a double-precision literal. SQL reads ``30.0`` as a decimal, which a
    comparison with a double column casts on every row; a cast of its text is folded once."""
    import ibis

    return ibis.literal(repr(float(value)), "string").cast("float64")


_TYPES = {bool: "boolean", int: "int64", float: "float64", str: "string"}


def lookup(key: Any, values: Mapping[str, V], default: V) -> Any:
    """``values[key]`` (``default`` when ``key`` is null or not in ``values``) as one ``CASE``
    with a branch per distinct value: ``WHEN key IN (...) THEN value``.

    A configuration has few distinct values (thresholds, formulas, teams), so this costs
    a row a handful of set lookups, less than a join with a table of the configuration
    would, and needs no table: it runs unchanged on every backend.
    """
    import ibis

    kind = _TYPES[type(default)]
    keys: dict[V, list[str]] = {}
    for k, v in values.items():
        if v != default:
            keys.setdefault(v, []).append(k)
    otherwise = ibis.literal(default, kind)
    if not keys:
        return otherwise
    branches = [(key.isin(sorted(ks)), ibis.literal(v, kind)) for v, ks in keys.items()]
    return ibis.cases(*branches, else_=otherwise)


def group_table(groups: Mapping[str, Sequence[str]]) -> ibis.Table:
    """Agent-group membership (``g_group``, ``g_agent_id``) as a table written into the query
    (an array of agent ids unnested per group), so that a report by group compiles to SQL that
    needs no table shipped to the backend."""
    import ibis

    parts = [
        ibis.literal(sorted(set(agents)), "array<string>")
        .name("g_agent_id")
        .as_table()
        .unnest("g_agent_id")
        .mutate(g_group=ibis.literal(group, "string"))
        .select("g_group", "g_agent_id")
        for group, agents in sorted(groups.items())
        if agents
    ]
    if not parts:
        empty = ibis.literal("", "string").name("g_group").as_table()
        return empty.mutate(g_agent_id=ibis.literal("", "string")).filter(ibis.literal(False))
    return ibis.union(*parts, distinct=False) if len(parts) > 1 else parts[0]
