"""Reference pages generated from the code: events, the configuration file, the metrics.

``python -m carecenter.services.reference_docs docs/reference`` (or ``make docs``) writes them
(the metric catalog page too);
a test fails when the committed pages differ from what the code says.
"""

from __future__ import annotations

import inspect
import re
import sys
import typing
from dataclasses import MISSING, fields
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from carecenter.adapters.alert_schema import MailSection, RuleSection, WebhookSection
from carecenter.adapters.center_schema import (
    AgentSection,
    CenterFile,
    CenterSection,
    QueueSection,
    ServiceLevelSection,
    SiteSection,
    SkillSection,
    TargetsSection,
    TierSection,
)
from carecenter.adapters.center_yaml import template
from carecenter.adapters.flow_schema import (
    AnnouncementSection,
    FlowSection,
    IdentifySection,
    MenuSection,
    RouteSection,
    SelfServiceSection,
)
from carecenter.adapters.routing_schema import (
    AgentQueueSection,
    CallbackSection,
    ClosedSection,
    CustomerSection,
    HoldSection,
    OverflowSection,
    RelaxationSection,
    RoutingSection,
)
from carecenter.domain.events import EVENT_TYPES


def _type_name(hint: Any) -> str:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return " \\| ".join(f"`{m.value}`" for m in hint)
    if typing.get_origin(hint) is typing.Literal:
        return " \\| ".join(f"`{v}`" for v in typing.get_args(hint))
    name = getattr(hint, "__name__", None) if not typing.get_args(hint) else None
    if name:
        return str(name)
    text = re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(hint).replace("typing.", ""))
    text = re.sub(r"^Optional\[(.*)\]$", r"\1 | None", text)
    return text.replace("|", "\\|")


def events_reference() -> str:
    """Markdown for every event, from the class docstrings and fields."""
    out = [
        "# Event reference",
        "",
        "Generated from `carecenter.domain.events` by `make docs`; do not edit by hand.",
        "",
        "Every event has `occurred_at` (timezone-aware timestamp). Contact events also carry "
        "`contact_id`.",
        "",
    ]
    for name in sorted(EVENT_TYPES):
        cls = EVENT_TYPES[name]
        hints = typing.get_type_hints(cls)
        out += [
            f"## `{name}`",
            "",
            f"Class `{cls.__name__}`.",
            "",
            inspect.cleandoc(cls.__doc__ or ""),
            "",
            "| field | type | default |",
            "|---|---|---|",
        ]
        for f in fields(cls):
            default = "required" if f.default is MISSING else f"`{f.default!r}`"
            out.append(f"| `{f.name}` | {_type_name(hints[f.name])} | {default} |")
        out.append("")
    return "\n".join(out)


SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    (
        "center",
        CenterSection,
        "The center itself. `holidays` lists local dates (`[2026-12-25, 2026-12-26]`) on which "
        "every queue is closed all day; a queue's own `holidays` add to them.",
    ),
    ("skills.<id>", SkillSection, "A skill agents can have and queues can require."),
    ("tiers.<id>", TierSection, "A customer tier; higher priority is served earlier."),
    (
        "queues.<id>",
        QueueSection,
        "A queue. `skills` maps skill id to minimum proficiency (1-5); "
        "`hours` maps weekdays (`mon`, `mon-fri`, `sat,sun`) to `HH:MM-HH:MM` spans, a list of "
        "them, or `closed`; a missing weekday is closed. `holidays` lists local dates "
        "(`[2026-12-25, 2026-12-26]`) on which the queue is closed all day, besides the "
        "center's `holidays`. Opening hours are wall-clock times in the queue's `timezone` "
        "(default: the center's).",
    ),
    ("queues.<id>.service_level", ServiceLevelSection, "How the queue counts service level."),
    ("queues.<id>.targets", TargetsSection, "Targets besides the service level."),
    (
        "queues.<id>.routing",
        RoutingSection,
        "How the contact engine routes the queue's contacts. A waiting contact's score is its "
        "tier's priority plus its wait times `aging_rate`; the highest score is served first, "
        "equal scores first come, first served. Every field is optional.",
    ),
    (
        "queues.<id>.routing.relaxation[]",
        RelaxationSection,
        "A list of steps, e.g. `[{after_s: 60, skills: {billing: 1}}]`: from `after_s` of "
        "waiting on, the queue requires only these skills instead of its `skills`; each step "
        "replaces the one before. `carecenter flow check` checks that some agent has the "
        "skills of the base step and of the last step.",
    ),
    ("queues.<id>.routing.overflow", OverflowSection, "Overflow to another queue."),
    (
        "queues.<id>.routing.closed",
        ClosedSection,
        "The closed action: `message` (play `message` and end), `voicemail`, `callback` "
        "(book one at the first open time with capacity), `queue` (send to `to_queue`) or "
        "`wait` (e-mail waits for the queue to open).",
    ),
    ("queues.<id>.routing.hold", HoldSection, "Hold treatment: what a waiting customer gets."),
    (
        "queues.<id>.routing.callback",
        CallbackSection,
        "Callbacks: a caller may leave the line and keep their place, or book a time; each "
        "callback is a promise that is kept or broken.",
    ),
    (
        "sites.<id>",
        SiteSection,
        "A site agents work at (an agent's `site` names one; with `sites` given, an agent's "
        "site must be one of them). `cost_per_hour` is the hourly cost of the site's agents "
        "who have no `hourly_cost` of their own. An `outsourcer` (a partner company) is paid "
        "by the hour the same way, or per contact its agents handle (`cost_per_contact`, the "
        "metric `outsourced_cost`, added to the staff cost in `cost_per_contact`). `carecenter "
        "report --by site` and the HTML report compare the sites side by side.",
    ),
    (
        "agents.<id>",
        AgentSection,
        "An agent. `skills` maps skill id to proficiency 1-5; "
        "`capacity` maps channel to how many contacts at once. `queues` is the agent's "
        "routing profile (see below); without one the agent serves every queue whose skills "
        "they have. `call_blocks_chat`: while on a call the agent is offered no new chat. "
        "For `carecenter roster`: `contract` names a contract of `shifts.yaml`; "
        "`hours_per_week` (`{min, max}` paid hours) overrides the contract's; `availability` "
        "is like a queue's `hours` (`{mon-fri: '07:00-19:00'}`; a weekday left out: not "
        "available); `leave` lists dates away (each takes a day's share of the least hours "
        "off); `prefers` (`{days_off: [sat, sun], start: '07:00-09:00'}`) is honoured where "
        "it costs no open shift.",
    ),
    (
        "agents.<id>.queues.<queue>",
        AgentQueueSection,
        "One queue of the agent's routing profile. `queues` is a mapping from queue id to "
        "these fields (`{billing: {priority: 0}, cards: {priority: 1, delay_s: 30}}`) or a "
        "plain list of queue ids (`[billing, cards]`: each at priority 0, no delay).",
    ),
    (
        "customers.<id>",
        CustomerSection,
        "A customer the entry flows can identify, with the tier that orders their contacts "
        "and the value the agent sees. Account numbers are text; two customers cannot share "
        "one.",
    ),
    (
        "flows.<id>",
        FlowSection,
        "An entry flow (IVR): what a contact goes through from an entry point to a queue. "
        "`entry` is one entry point or a list (dialled numbers, chat entries); two flows "
        "cannot share one. `start` is the first node [default: the first node listed]. Each "
        "node is a mapping with a `kind` and that kind's fields (below); every node it "
        "leads to must be in the flow, every queue under `queues`. `carecenter flow check` "
        "finds unreachable nodes, dead ends, loops, closed queues with no closed action and "
        "skills no agent has; `carecenter flow walk` prints a caller's path (see "
        "docs/how-to/call-flows.md).",
    ),
    (
        "flows.<id>.nodes.<id> (kind: menu)",
        MenuSection,
        "A menu: `choices` maps the key a caller presses (`1`, `2`...) to the next node. An "
        "invalid key or no input plays the menu again, at most `retries` times; then the "
        "contact goes to `invalid`, or ends when there is none.",
    ),
    (
        "flows.<id>.nodes.<id> (kind: identify)",
        IdentifySection,
        "Asks for an account number and looks it up in `customers`: the contact carries the "
        "customer, tier and account value from then on.",
    ),
    (
        "flows.<id>.nodes.<id> (kind: self_service)",
        SelfServiceSection,
        "A self-service step: `share` (0-1) of the contacts end here after `duration_s`; the "
        "rest go on to `next`.",
    ),
    (
        "flows.<id>.nodes.<id> (kind: announcement)",
        AnnouncementSection,
        "An announcement; with no `next` the contact ends after it (e.g. a holiday message).",
    ),
    (
        "flows.<id>.nodes.<id> (kind: route)",
        RouteSection,
        "The contact joins `queue` with `topic`; the flow ends here.",
    ),
    (
        "alerts.rules.<id>",
        RuleSection,
        "A service-level alert rule, run on the live figures by `carecenter serve` and "
        "`carecenter monitor` (and over past days by `carecenter alerts replay`). It fires "
        "when its figure has passed `threshold` for `for_s` seconds, shows on the wallboard, "
        "is logged as an `alert.fired` event and told to its `notify` channels; it clears "
        "when the figure is back past `clear` (`alert.cleared`). A `service_level` rule fires "
        "below its threshold, the others above.",
    ),
    (
        "alerts.webhooks.<name>",
        WebhookSection,
        "A webhook: each alert that fires, clears or repeats is posted as JSON, signed when "
        "it has a secret (see docs/how-to/wallboard.md), and tried again after 1, 2 and 4 s "
        "when the receiver does not answer or answers 5xx or 429.",
    ),
    (
        "alerts.mail.<name>",
        MailSection,
        "A mail channel: alerts e-mailed through an SMTP relay.",
    ),
]


AGENT_ALIASES = """\
A mapping from a name a phone system logs for an agent to the agent's id in the warehouse and
in reports, e.g. `SIP/1127: ann` or `1127: ann`. An `asterisk-queue-log` import gives every
logged agent name its id: the name itself when it is listed here, else the name without its
channel technology (`SIP/`, `PJSIP/`, `IAX2/`, `Agent/`, `Local/`...), `@context` and unique
channel suffix (`PJSIP/1127-0000a1b2` is `1127`; a plain name such as `Ann` stays), mapped
again when that is listed here. So `Agent/1127`, `SIP/1127` and `Local/1127@callback-agent` are
one agent, `1127`; the ids under `agents:` must be these ids for a report by team, site or
cost to find them. Names and ids are text (a number is read as its digits); an empty one is a
mistake. Default: none."""


def _default(info: Any) -> str:
    if info.is_required():
        return "required"
    if info.default_factory is not None:
        value = info.default_factory()
        return "see text" if isinstance(value, dict) and value and "mon" in value else f"`{value}`"
    value = info.default
    if isinstance(value, BaseModel):
        return "see section"
    return f"`{value.value if isinstance(value, Enum) else value}`"


def _fields_table(model: type[BaseModel]) -> list[str]:
    """The table of a section's fields; with a meaning column when its fields have
    docstrings."""
    hints = typing.get_type_hints(model)
    meanings = {n: " ".join((i.description or "").split()) for n, i in model.model_fields.items()}
    if not any(meanings.values()):
        rows = ["| field | type | default |", "|---|---|---|"]
        for name, info in model.model_fields.items():
            rows.append(f"| `{name}` | {_type_name(hints[name])} | {_default(info)} |")
        return rows
    rows = ["| field | type | default | meaning |", "|---|---|---|---|"]
    for name, info in model.model_fields.items():
        meaning = meanings[name].replace("|", "\\|")
        rows.append(f"| `{name}` | {_type_name(hints[name])} | {_default(info)} | {meaning} |")
    return rows


def configuration_reference() -> str:
    """Markdown for ``center.yaml``, from the schema, with the example file."""
    out = [
        "# Configuration reference: `center.yaml`",
        "",
        "Generated from `carecenter.adapters.center_schema` by `make docs`; do not edit.",
        "",
        "Times are in seconds, shares are fractions from 0 to 1. "
        "`carecenter config check` validates a file and names the file, line and field of "
        "every mistake (exit code 2).",
        "",
    ]
    for path, model, text in SECTIONS:
        out += [f"## `{path}`", "", text, ""]
        out += _fields_table(model)
        out.append("")
    out += [
        "## Top level",
        "",
        "Sections: "
        + ", ".join(f"`{n}`" for n in CenterFile.model_fields)
        + ". Only `center` is required.",
        "",
        "## `agent_aliases`",
        "",
        AGENT_ALIASES,
        "",
        "## Example",
        "",
        "The file `carecenter init` writes:",
        "",
        "```yaml",
        template().rstrip(),
        "```",
        "",
    ]
    return "\n".join(out)


def metrics_page() -> str:
    """The metric catalog reference (generated by the catalog itself)."""
    from carecenter.metrics.reference import metrics_reference

    return metrics_reference()


PAGES = {
    "events.md": events_reference,
    "configuration.md": configuration_reference,
    "metrics.md": metrics_page,
}


def main(argv: list[str]) -> int:
    """Write the reference pages into the directory ``argv[0]``."""
    target = Path(argv[0] if argv else "docs/reference")
    target.mkdir(parents=True, exist_ok=True)
    for name, build in PAGES.items():
        (target / name).write_text(build(), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
