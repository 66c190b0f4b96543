"""Small dimension tables the catalog joins to the facts, built from the center configuration.

* ``queue_policy``: one row per queue with its service-level policy (threshold, formula,
  short-abandon limit and whether short abandons and flow-outs count as offered);
* ``agent_dim``: one row per agent with team, site and hourly cost.

They travel as Arrow tables and become Ibis memtables, so any backend can join them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import ibis  # type: ignore[import-untyped]
import pyarrow as pa

from carecenter.domain.center import Center, ServiceLevelPolicy

DEFAULT_POLICY = ServiceLevelPolicy()

POLICY_SCHEMA = pa.schema(
    [
        ("p_queue_id", pa.string()),
        ("p_threshold_s", pa.float64()),
        ("p_short_abandon_s", pa.float64()),
        ("p_exclude_short", pa.bool_()),
        ("p_include_flow_outs", pa.bool_()),
        ("p_formula", pa.string()),
    ]
)
AGENT_SCHEMA = pa.schema(
    [
        ("d_agent_id", pa.string()),
        ("d_team", pa.string()),
        ("d_site", pa.string()),
        ("d_hourly_cost", pa.float64()),
    ]
)
GROUP_SCHEMA = pa.schema([("g_group", pa.string()), ("g_agent_id", pa.string())])


@dataclass(frozen=True)
class Dimensions:
    """The configuration the catalog needs: queue policies and agents.

    A queue missing here (e.g. removed from ``center.yaml``) is counted with the default
    policy; an agent missing here has no team, no site and no cost.
    """

    policies: Mapping[str, ServiceLevelPolicy]
    agents: Mapping[str, tuple[str, str, float]]
    """agent id -> (team, site, hourly cost)."""

    @classmethod
    def from_center(cls, center: Center | None) -> Dimensions:
        """The dimensions of ``center`` (empty without a configuration)."""
        if center is None:
            return cls({}, {})
        return cls(
            {q.queue_id: q.service_level for q in center.queues.values()},
            {a.agent_id: (a.team, a.site, a.hourly_cost) for a in center.agents.values()},
        )

    def policy_table(self) -> ibis.Table:
        """``queue_policy`` as an Ibis memtable."""
        ids = sorted(self.policies)
        pols = [self.policies[q] for q in ids]
        data = pa.table(
            [
                ids,
                [p.threshold_s for p in pols],
                [p.short_abandon_s for p in pols],
                [p.exclude_short_abandons for p in pols],
                [p.include_flow_outs for p in pols],
                [p.formula.value for p in pols],
            ],
            schema=POLICY_SCHEMA,
        )
        return ibis.memtable(data)

    def agent_table(self) -> ibis.Table:
        """``agent_dim`` as an Ibis memtable."""
        ids = sorted(self.agents)
        data = pa.table(
            [
                ids,
                [self.agents[a][0] for a in ids],
                [self.agents[a][1] for a in ids],
                [float(self.agents[a][2]) for a in ids],
            ],
            schema=AGENT_SCHEMA,
        )
        return ibis.memtable(data)


def group_table(groups: Mapping[str, Sequence[str]]) -> ibis.Table:
    """Agent-group membership (group name, agent id) as an Ibis memtable."""
    pairs = sorted((g, a) for g, agents in groups.items() for a in agents)
    data = pa.table([[g for g, _ in pairs], [a for _, a in pairs]], schema=GROUP_SCHEMA)
    return ibis.memtable(data)
