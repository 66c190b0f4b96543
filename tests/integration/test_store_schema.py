"""Migrations build exactly the tables the code declares; the configuration round-trips."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from tests.flows import ROUTED, routed_center

from carecenter.adapters.center_yaml import parse_center, template
from carecenter.adapters.store.center_repo import SqlCenterRepository
from carecenter.adapters.store.engine import current_revision, migrate
from carecenter.adapters.store.tables import metadata


def test_migrations_match_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []
    assert current_revision(engine) == "0009"
    migrate(engine)  # running it again is harmless
    assert current_revision(engine) == "0009"


def test_center_configuration_round_trips(engine: Engine) -> None:
    repo = SqlCenterRepository(engine)
    assert repo.load() is None
    text = template().replace(
        "  # holidays: [2026-12-25, 2026-12-26]", "  holidays: [2026-12-25, 2026-12-26]"
    )
    center = parse_center(text + 'agent_aliases: {SIP/1127: a001, "1128": a002}\n')
    assert center.queues["billing"].hours.closed_on
    repo.save(center)
    repo.save(center)  # replacing works
    loaded = repo.load()
    assert loaded is not None
    assert loaded.name == center.name and loaded.timezone == center.timezone
    assert dict(loaded.skills) == dict(center.skills)
    assert dict(loaded.tiers) == dict(center.tiers)
    assert dict(loaded.agent_aliases) == {"SIP/1127": "a001", "1128": "a002"}
    for qid, queue in center.queues.items():
        got = loaded.queues[qid]
        assert (got.service_level, got.targets, got.channel, got.priority) == (
            queue.service_level,
            queue.targets,
            queue.channel,
            queue.priority,
        )
        assert dict(got.required_skills) == dict(queue.required_skills)
        assert dict(got.hours.weekly) == dict(queue.hours.weekly)
        assert got.hours.closed_on == queue.hours.closed_on
    for aid, agent in center.agents.items():
        got_agent = loaded.agents[aid]
        assert dict(got_agent.skills) == dict(agent.skills)
        assert dict(got_agent.capacity) == dict(agent.capacity)
        assert (got_agent.site, got_agent.team, got_agent.hourly_cost) == (
            agent.site,
            agent.team,
            agent.hourly_cost,
        )
    assert repo.count("agents") == len(center.agents)


def test_routing_profiles_customers_and_flows_round_trip(engine: Engine) -> None:
    repo = SqlCenterRepository(engine)
    center = routed_center(
        ROUTED.replace(
            "hold: {messages:", "sales: true\n      hold: {offers: [Gold card], messages:"
        )
        .replace("{action: message, message: We are closed}", "{action: queue, to_queue: general}")
        .replace("c2: {account_number: 555}", "c2: {account_number: 555, survey_opt_out: true}")
        + "      spare: {kind: self_service, text: Balance, share: 1, duration_s: 30}\n"
    )
    assert center.queues["billing"].routing.hold.offers == ("Gold card",)
    assert center.customers["c2"].survey_opt_out and not center.customers["c1"].survey_opt_out
    repo.save(center)
    loaded = repo.load()
    assert loaded == center
    assert list(loaded.flows["main"].nodes) == list(center.flows["main"].nodes)
    assert loaded.agents["a2"].call_blocks_chat
    assert repo.count("customers") == 2 and repo.count("flows") == 1
    assert loaded.customers["c2"].survey_opt_out
    plain = center.queues["general"]
    assert loaded.queues["general"].routing == plain.routing


SITES_AND_WORK = """\
center: {name: Sites, timezone: Europe/London}
skills: {billing: {}}
queues:
  billing: {skills: {billing: 1}}
sites:
  leeds: {name: Leeds, cost_per_hour: 21.5}
  manila: {name: Manila BPO, outsourcer: true, cost_per_contact: 2.75}
agents:
  a1: {name: Ann, site: leeds, skills: {billing: 3}, contract: full-time,
       hours_per_week: {min: 30, max: 38}, availability: {mon-fri: "07:00-19:00"},
       leave: [2026-12-24], prefers: {days_off: [sat, sun], start: "07:00-09:00"}}
  a2: {name: Bob, site: manila, skills: {billing: 3}}
"""


def test_sites_and_the_rostering_fields_round_trip(engine: Engine) -> None:
    repo = SqlCenterRepository(engine)
    center = parse_center(SITES_AND_WORK)
    assert center.sites["manila"].cost_per_contact == 2.75
    assert center.agents["a1"].work.availability is not None
    repo.save(center)
    loaded = repo.load()
    assert loaded == center
    assert loaded.hourly_cost_of(loaded.agents["a1"]) == 21.5  # the site's: Ann has none
    assert loaded.contact_fee_of(loaded.agents["a2"]) == 2.75
    assert loaded.hourly_cost_of(loaded.agents["a2"]) == 0.0
