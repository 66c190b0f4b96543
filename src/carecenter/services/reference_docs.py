"""Reference pages generated from the code: events, the configuration file, the metrics.

``python -m carecenter.services.reference_docs docs/reference`` (or ``make docs``) writes them
(the metric catalog page too);
a test fails when the committed pages differ from what the code says.
"""

from __future__ import annotations

import inspect
import sys
import typing
from dataclasses import MISSING, fields
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from carecenter.adapters.center_schema import (
    AgentSection,
    CenterFile,
    CenterSection,
    QueueSection,
    ServiceLevelSection,
    SkillSection,
    TargetsSection,
    TierSection,
)
from carecenter.adapters.center_yaml import template
from carecenter.domain.events import EVENT_TYPES


def _type_name(hint: Any) -> str:
    if isinstance(hint, type) and issubclass(hint, Enum):
        return " \\| ".join(f"`{m.value}`" for m in hint)
    text = getattr(hint, "__name__", None) if not typing.get_args(hint) else None
    return text or str(hint).replace("typing.", "").replace("datetime.", "").replace("|", "\\|")


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
        "agents.<id>",
        AgentSection,
        "An agent. `skills` maps skill id to proficiency 1-5; "
        "`capacity` maps channel to how many contacts at once.",
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
        out += [f"## `{path}`", "", text, "", "| field | type | default |", "|---|---|---|"]
        hints = typing.get_type_hints(model)
        for name, info in model.model_fields.items():
            out.append(f"| `{name}` | {_type_name(hints[name])} | {_default(info)} |")
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
