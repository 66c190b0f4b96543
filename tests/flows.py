"""A center with queue routing, routing profiles, customers and an entry flow, shared by the
configuration, flow walker, flow checker and store tests."""

from __future__ import annotations

from carecenter.adapters.center_yaml import parse_center
from carecenter.domain.center import Center

ROUTED = """\
center: {name: Test, timezone: Europe/London}
skills:
  billing: {}
  spanish: {}
tiers:
  standard: {}
  vip: {priority: 10}
queues:
  billing:
    skills: {billing: 3}
    hours: {mon-fri: "08:00-18:00"}
    routing:
      strategy: best_skilled
      aging_rate: 0.5
      relaxation:
        - {after_s: 60, skills: {billing: 2}}
        - {after_s: 120, skills: {billing: 1}}
      overflow: {to_queue: general, after_s: 300}
      closed: {action: message, message: We are closed}
      hold: {messages: [Thanks for waiting], announce_position_every_s: 60}
      callback: {window_s: 600, retries: 1}
  general:
    skills: {billing: 1}
agents:
  a1: {name: Ana, skills: {billing: 4}, queues: [billing, general]}
  a2: {name: Ben, skills: {billing: 2}, queues: {general: {priority: 1, delay_s: 10}}, call_blocks_chat: true}
customers:
  c1: {tier: vip, account_value: 120000, owner: a1, account_number: "12345"}
  c2: {account_number: 555}
flows:
  main:
    entry: "+442079460000"
    nodes:
      welcome: {kind: announcement, text: Welcome, next: menu}
      menu:
        kind: menu
        prompt: Press 1 for billing, 2 for balance
        choices: {1: who, 2: balance}
        invalid: to_general
      who: {kind: identify, found: to_billing, not_found: to_general}
      balance: {kind: self_service, share: 0.6, duration_s: 45, next: to_general}
      to_billing: {kind: route, queue: billing, topic: billing}
      to_general: {kind: route, queue: general}
"""  # noqa: E501


def routed_center(text: str = ROUTED) -> Center:
    """The center of ``text`` (default :data:`ROUTED`)."""
    return parse_center(text)
