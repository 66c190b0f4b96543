"""The metric reference page, generated from the catalog's docstrings.

``make docs`` writes it (:mod:`carecenter.services.reference_docs`); a test fails when the
committed page differs from what the catalog says.
"""

from __future__ import annotations

from carecenter.metrics.engine import metric_columns
from carecenter.metrics.registry import (
    AGENT,
    BACKLOG,
    CATALOG,
    PERCENTILE,
    PROMISE,
    RATIO,
    SOURCES,
    SURVEY,
    TICKET,
    TICKET_PERCENTILE,
    TICKET_RATIO,
    VISIT,
)

PAGE = "metrics.md"
_SECTIONS = (
    (RATIO, "Benchmarks", "Ratios of the summed metrics below, so they re-aggregate exactly."),
    (VISIT, "Contact counts and times", "Summed over the queue visits in `contact_facts`."),
    (
        PERCENTILE,
        "Percentiles",
        "Exact quantiles (linear interpolation between the two nearest values: Excel's "
        "PERCENTILE.INC, numpy's default) over the queue visits in `contact_facts` that count, "
        "on DuckDB, PostgreSQL and Spark alike: Spark runs its exact `percentile`, not "
        "`percentile_approx`, so no backend approximates (measured over 10 million facts: "
        "within 1.4e-9 relative, 4.8e-7 s, of DuckDB; docs/how-to/spark.md); "
        "`--no-percentiles` leaves them out (they sort each interval's visits).",
    ),
    (AGENT, "Agent time", "Summed over `agent_state_intervals` cut at interval boundaries."),
    (
        SURVEY,
        "Survey answers",
        "Summed over the answers in `survey_answers`; by queue, channel, tier, topic, agent, team "
        "or "
        "site an answer belongs to its contact's last queue visit in `contact_facts` (without "
        "a contact or a visit, to the empty group). CSAT reads question `csat` on a 1-5 scale "
        "(satisfied: 4-5); NPS reads question `nps` on a 0-10 scale (promoters 9-10, "
        "detractors 0-6).",
    ),
    (
        PROMISE,
        "Promises",
        "Counted over the promises in `promises`: a promise counts as made in the interval it "
        "was made, and as kept or broken in the interval its fate was sealed (kept: when it "
        "was kept; broken: when it fell due, or was closed if that was earlier). By queue a "
        "promise belongs to the queue it was made for, by agent, team or site to the agent "
        "who made it; promises have no channel, tier or topic, so grouped by those the "
        "promise metrics are empty.",
    ),
    (
        TICKET_RATIO,
        "Tickets: benchmarks (`report --tickets`)",
        "Ratios of the summed ticket metrics below. A ticket counts in the interval it was "
        "created in; times are business hours of its queue (`hours` and `holidays` in "
        "`center.yaml`), computed when the ticket is imported.",
    ),
    (TICKET, "Tickets: counts and times", "Summed over the tickets in `ticket_facts`."),
    (
        TICKET_PERCENTILE,
        "Tickets: percentiles",
        "Exact quantiles over the tickets in `ticket_facts` that have the value.",
    ),
    (BACKLOG, "Tickets: backlog", "Counted over the open spells in `ticket_spells`."),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def metrics_reference() -> str:
    """Markdown for every metric: key, meaning, formula, unit and counting interval."""
    from carecenter.metrics.ticket_engine import ticket_columns

    order = {k: n for n, k in enumerate([*metric_columns(), *ticket_columns()])}
    out = [
        "# Metric reference",
        "",
        "Generated from `carecenter.metrics` (the catalog's docstrings); do not edit.",
        "",
        "`carecenter report` prints every metric below for each interval and group; the key is "
        "the JSON and CSV column. Intervals are in the center's time zone (`center.timezone`), "
        "weeks start on Monday. The service-level threshold, formula and short-abandon limit "
        "are each queue's `service_level` policy in `center.yaml`. An empty value means the "
        "denominator was 0 or the metric does not apply to that grouping.",
        "",
        'Times "in business hours" (the e-mail response time, ticket times) count only the '
        "open hours of the queue: `hours` and `holidays` in `center.yaml`; a queue without "
        "`hours` is open around the clock.",
        "",
    ]
    for kind, title, text in _SECTIONS:
        metrics = sorted(
            (m for m in CATALOG.values() if m.kind == kind), key=lambda m: order[m.key]
        )
        out += [f"## {title}", "", f"{text} Source: {SOURCES[kind]}.", ""]
        out += ["| key | meaning | formula | unit | interval |", "|---|---|---|---|---|"]
        for m in metrics:
            cells = [f"`{m.key}`", m.summary, m.formula, m.unit, m.interval]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    return "\n".join(out)
