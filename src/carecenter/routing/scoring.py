"""Who is served next: a waiting contact's score, and the channel whose capacity it uses.

A waiting contact's score at time ``t`` is ``priority + aging_rate * (t - place)``: its tier's
(and queue's, and a callback's) priority plus the time it has held its place in line times the
queue's aging rate, so a VIP is served earlier but a standard contact gains with every second
and nobody starves (Genesys' conversation score; TaskRouter's "priority, then age"). Within a
queue every contact ages at the same rate, so the order never changes while they wait: the
engine keeps them in a heap by :func:`waiting_key` and the arrival sequence number, which makes
equal scores first come, first served.
"""

from __future__ import annotations

from carecenter.domain.enums import Channel

CAPACITY_CHANNEL: dict[Channel, Channel] = {
    Channel.VOICE: Channel.VOICE,
    Channel.CALLBACK: Channel.VOICE,
    Channel.CHAT: Channel.CHAT,
    Channel.EMAIL: Channel.EMAIL,
    Channel.WEB_FORM: Channel.EMAIL,
    Channel.LETTER: Channel.EMAIL,
    Channel.REFERRAL: Channel.EMAIL,
}
"""Contact channel -> the agent capacity it takes: a callback is a call, a web form, letter or
referral is handled like an e-mail."""


def score(priority: float, aging_rate: float, place: float, now: float) -> float:
    """The score at ``now`` of a contact that has held its place since ``place``."""
    return priority + aging_rate * (now - place)


def waiting_key(priority: float, aging_rate: float, place: float) -> float:
    """The heap key of a waiting contact: smaller is served first, and for any ``now``
    ``waiting_key(a) < waiting_key(b)`` exactly when ``score(a, now) > score(b, now)``."""
    return aging_rate * place - priority
