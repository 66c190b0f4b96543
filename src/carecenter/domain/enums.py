"""Enumerations shared by the domain model: channels, directions, states and outcomes."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How a contact reaches the center."""

    VOICE = "voice"
    CHAT = "chat"
    EMAIL = "email"
    CALLBACK = "callback"
    WEB_FORM = "web_form"
    """A form filled in on the web site (handled like an e-mail: a ticket)."""
    LETTER = "letter"
    """Paper mail, scanned in."""
    REFERRAL = "referral"
    """Passed on by another team, a regulator or an ombudsman (e.g. a complaint)."""


class Direction(StrEnum):
    """Who started the contact."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ContactState(StrEnum):
    """Where a contact is in its life cycle (see :mod:`carecenter.domain.contact`)."""

    ARRIVED = "arrived"
    QUEUED = "queued"
    OFFERED = "offered"
    ANSWERED = "answered"
    ON_HOLD = "on_hold"
    TRANSFERRED = "transferred"
    AFTER_CALL_WORK = "after_call_work"
    ENDED = "ended"
    ABANDONED = "abandoned"
    CALLBACK_REQUESTED = "callback_requested"


class AgentStatus(StrEnum):
    """What an agent is doing (see :mod:`carecenter.domain.agent_state`)."""

    LOGGED_OUT = "logged_out"
    AVAILABLE = "available"
    BUSY = "busy"
    AFTER_CALL_WORK = "after_call_work"
    BREAK = "break"


class VisitOutcome(StrEnum):
    """How one queue visit of a contact ended; a fact column, read by the metric catalog."""

    OPEN = "open"
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    CALLBACK = "callback"
    FLOWED_OUT = "flowed_out"
    EXITED = "exited"


class ServiceLevelFormula(StrEnum):
    """Which contacts count in the service-level denominator (a per-queue policy)."""

    ANSWERED_WITHIN_OVER_OFFERED = "answered_within_over_offered"
    """Answered within the threshold / offered. The default."""
    ABANDONS_EXCLUDED = "abandons_excluded"
    """Answered within the threshold / answered (abandons leave the denominator)."""
    ABANDONS_WITHIN_MET = "abandons_within_met"
    """(Answered within + abandoned within the threshold) / offered."""


class PromiseKind(StrEnum):
    """What was promised."""

    CALLBACK = "callback"
    RESOLUTION = "resolution"
    REPLY = "reply"
    OTHER = "other"


class PromiseStatus(StrEnum):
    """Where a promise stands."""

    OPEN = "open"
    KEPT = "kept"
    BROKEN = "broken"
    CANCELLED = "cancelled"
