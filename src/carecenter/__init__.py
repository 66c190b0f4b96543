"""carecenter: an operations platform for customer care centers.

The public surface is small and curated (``__all__``); everything is imported lazily so that
``import carecenter`` is cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Agent": "carecenter.domain.center",
    "Center": "carecenter.domain.center",
    "Customer": "carecenter.domain.center",
    "OpeningHours": "carecenter.domain.center",
    "Queue": "carecenter.domain.center",
    "ServiceLevelPolicy": "carecenter.domain.center",
    "Skill": "carecenter.domain.center",
    "Tier": "carecenter.domain.center",
    "Contact": "carecenter.domain.contact",
    "AgentSession": "carecenter.domain.agent_state",
    "Promise": "carecenter.domain.promise",
    "AgentStatus": "carecenter.domain.enums",
    "Channel": "carecenter.domain.enums",
    "ContactState": "carecenter.domain.enums",
    "Direction": "carecenter.domain.enums",
    "ServiceLevelFormula": "carecenter.domain.enums",
    "CareCenterError": "carecenter.errors",
    "ConfigError": "carecenter.errors",
    "DomainError": "carecenter.errors",
    "IllegalTransition": "carecenter.errors",
    "InputError": "carecenter.errors",
    "Settings": "carecenter.adapters.settings",
    "InMemoryEventLog": "carecenter.adapters.memory",
    "InMemoryWarehouse": "carecenter.adapters.memory",
    "project": "carecenter.services.projector",
    "ContactEngine": "carecenter.engine.engine",
    "QueueRouting": "carecenter.domain.routing_policy",
    "Strategy": "carecenter.domain.routing_policy",
    "FakeClock": "carecenter.adapters.memory",
    "events": "carecenter.domain.events",
}

__all__ = [
    "Agent",
    "AgentSession",
    "AgentStatus",
    "CareCenterError",
    "Center",
    "Channel",
    "ConfigError",
    "Contact",
    "ContactEngine",
    "ContactState",
    "Customer",
    "Direction",
    "DomainError",
    "FakeClock",
    "IllegalTransition",
    "InMemoryEventLog",
    "InMemoryWarehouse",
    "InputError",
    "OpeningHours",
    "Promise",
    "Queue",
    "QueueRouting",
    "ServiceLevelFormula",
    "ServiceLevelPolicy",
    "Settings",
    "Skill",
    "Strategy",
    "Tier",
    "__version__",
    "events",
    "project",
]

if TYPE_CHECKING:
    from carecenter.adapters.memory import FakeClock, InMemoryEventLog, InMemoryWarehouse
    from carecenter.adapters.settings import Settings
    from carecenter.domain import events
    from carecenter.domain.agent_state import AgentSession
    from carecenter.domain.center import (
        Agent,
        Center,
        Customer,
        OpeningHours,
        Queue,
        ServiceLevelPolicy,
        Skill,
        Tier,
    )
    from carecenter.domain.contact import Contact
    from carecenter.domain.enums import (
        AgentStatus,
        Channel,
        ContactState,
        Direction,
        ServiceLevelFormula,
    )
    from carecenter.domain.promise import Promise
    from carecenter.domain.routing_policy import QueueRouting, Strategy
    from carecenter.engine.engine import ContactEngine
    from carecenter.errors import (
        CareCenterError,
        ConfigError,
        DomainError,
        IllegalTransition,
        InputError,
    )
    from carecenter.services.projector import project


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'carecenter' has no attribute {name!r}")
    target = import_module(module)
    value = target if name == "events" else getattr(target, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
