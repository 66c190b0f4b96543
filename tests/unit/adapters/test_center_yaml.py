"""center.yaml mistakes give one line with file, line and field: exact messages."""

from __future__ import annotations

from datetime import date

import pytest

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.errors import ConfigError

GOOD = """\
center:
  name: Test center
  timezone: Europe/Madrid
skills:
  billing: {name: Billing}
queues:
  billing:
    channel: voice
    skills: {billing: 2}
    service_level:
      threshold_s: 20
      target: 0.8
    hours: {mon-fri: "08:00-18:00", sat: closed}
agents:
  a1: {name: Ana, skills: {billing: 3}, capacity: {voice: 1, chat: 2}}
"""


def error_for(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_center(text)
    return info.value


def test_the_template_and_a_small_file_are_valid() -> None:
    center = parse_center(template())
    assert len(center.queues) == 4 and len(center.agents) == 6
    small = parse_center(GOOD)
    assert small.queues["billing"].hours.timezone == "Europe/Madrid"
    assert small.queues["billing"].hours.weekly["sat"] == ()
    assert "sun" not in small.queues["billing"].hours.weekly
    assert small.queues["billing"].name == "billing"
    assert set(small.tiers) == {"standard"}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "target: 0.8",
            "target: 80",
            "center.yaml:12: queues.billing.service_level.target: must be between 0 and 1, got 80",
        ),
        (
            "threshold_s: 20",
            "threshold_s: -1",
            "center.yaml:11: queues.billing.service_level.threshold_s: must be at least 0, got -1",
        ),
        (
            "threshold_s: 20",
            "threshold_s: soon",
            "center.yaml:11: queues.billing.service_level.threshold_s: must be a number, "
            "got 'soon'",
        ),
        (
            "channel: voice",
            "channel: fax",
            "center.yaml:8: queues.billing.channel: must be one of 'voice', 'chat', 'email', "
            "'callback', 'web_form', 'letter' or 'referral', got 'fax'",
        ),
        (
            "{billing: 3}, capacity",
            "{billing: 7}, capacity",
            "center.yaml:15: agents.a1.skills.billing: must be between 1 and 5, got 7",
        ),
        (
            "{billing: 3}, capacity",
            "{spanish: 3}, capacity",
            "center.yaml:15: agents.a1.skills.spanish: unknown skill 'spanish' (defined: billing)",
        ),
        ("  a1: {name: Ana, ", "  a1: {", "center.yaml:15: agents.a1.name: is required"),
        (
            "    channel: voice\n",
            "    channel: voice\n    colour: red\n",
            "center.yaml:9: queues.billing.colour: is not a known field",
        ),
        (
            "timezone: Europe/Madrid",
            "timezone: Mars/Olympus",
            "center.yaml:3: center.timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            '"08:00-18:00"',
            '"18:00-08:00"',
            "center.yaml:13: queues.billing.hours: opening hours close before they open: "
            "'18:00-08:00'",
        ),
        (
            "mon-fri:",
            "monday:",
            "center.yaml:13: queues.billing.hours: weekdays must be like mon, mon-fri or sat,sun, "
            "got 'monday'",
        ),
        (
            "  billing: {name: Billing}\n",
            "  billing: {name: Billing}\n  billing: {name: B}\n",
            "center.yaml:6: skills.billing: duplicate key 'billing'",
        ),
        (
            "    skills: {billing: 2}",
            "    skills: {billing: 2",
            "center.yaml:10: not valid YAML: expected ',' or '}', but got ':'",
        ),
    ],
)
def test_mistakes_are_reported_exactly(old: str, new: str, message: str) -> None:
    assert old in GOOD
    assert str(error_for(GOOD.replace(old, new, 1))) == message


def test_every_mistake_is_listed_in_line_order() -> None:
    text = GOOD.replace("target: 0.8", "target: 2").replace("channel: voice", "channel: pigeon")
    error = error_for(text)
    assert [p.line for p in error.problems] == [8, 12]
    assert error.exit_code == 2


def test_documents_that_are_not_a_center() -> None:
    assert str(error_for("")) == "center.yaml:1: the file is empty"
    assert str(error_for("- a\n- b\n")) == (
        "center.yaml:1: must be a mapping with a `center:` section"
    )
    assert str(error_for("skills: {}\n")) == "center.yaml:1: center: is required"


def test_agent_aliases_map_logged_names_to_agent_ids() -> None:
    text = GOOD + "agent_aliases:\n  SIP/1127: a1\n  1128: a1\n"
    assert dict(parse_center(text).agent_aliases) == {"SIP/1127": "a1", "1128": "a1"}
    assert dict(parse_center(GOOD).agent_aliases) == {}


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("agent_aliases: [a1]\n", "center.yaml:16: agent_aliases: must be a mapping, got ['a1']"),
        (
            "agent_aliases:\n  SIP/1127: ''\n",
            "center.yaml:17: agent_aliases.SIP/1127: must not be empty",
        ),
        (
            "agent_aliases:\n  SIP/1127: [a1]\n",
            "center.yaml:17: agent_aliases.SIP/1127: must be an agent name or id, got ['a1']",
        ),
    ],
)
def test_agent_alias_mistakes_are_one_line(aliases: str, message: str) -> None:
    assert str(error_for(GOOD + aliases)) == message


def with_holidays(center: str, queue: str) -> str:
    text = GOOD.replace("  timezone: Europe/Madrid\n", f"  timezone: Europe/Madrid\n{center}")
    return text.replace("    channel: voice\n", f"    channel: voice\n{queue}")


def test_holidays_of_the_center_and_of_a_queue_add_up() -> None:
    text = with_holidays(
        "  holidays: [2026-12-25, 2026-12-26]\n", '    holidays: [2026-12-24, "2026-12-25"]\n'
    )
    center = parse_center(text)
    assert center.queues["billing"].hours.closed_on == {
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 26),
    }
    only_center = parse_center(with_holidays("  holidays: [2026-01-01]\n", ""))
    assert only_center.queues["billing"].hours.closed_on == {date(2026, 1, 1)}
    assert parse_center(GOOD).queues["billing"].hours.closed_on == frozenset()
    empty = parse_center(with_holidays("  holidays: []\n", ""))
    assert empty.queues["billing"].hours.closed_on == frozenset()


@pytest.mark.parametrize(
    ("center", "queue", "message"),
    [
        (
            "  holidays: [2026-13-01]\n",
            "",
            "center.yaml:4: center.holidays.0: must be a date like 2026-12-25, got '2026-13-01'",
        ),
        (
            "",
            "    holidays: [2026-12-24, christmas]\n",
            "center.yaml:9: queues.billing.holidays.1: must be a date like 2026-12-25, "
            "got 'christmas'",
        ),
        (
            "",
            "    holidays: [2026-12-24 10:00:00]\n",
            "center.yaml:9: queues.billing.holidays.0: must be a date like 2026-12-25, "
            "got 2026-12-24 10:00:00",
        ),
        (
            "",
            "    holidays: [20261224]\n",
            "center.yaml:9: queues.billing.holidays.0: must be a date like 2026-12-25, "
            "got 20261224",
        ),
        (
            "  holidays: 2026-12-25\n",
            "",
            "center.yaml:4: center.holidays: must be a list, got 2026-12-25",
        ),
        (
            "  holidays:\n    - 2026-02-29\n",
            "",
            "center.yaml:5: center.holidays.0: must be a date like 2026-12-25, got '2026-02-29'",
        ),
    ],
)
def test_holiday_mistakes_are_one_line(center: str, queue: str, message: str) -> None:
    assert str(error_for(with_holidays(center, queue))) == message
