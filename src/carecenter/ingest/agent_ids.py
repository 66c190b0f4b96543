"""One agent, one id: the names a phone system logs for an agent, normalised.

A PBX names the same person in several ways: the agent channel ``Agent/1127``, the phone it
rings ``SIP/1127``, ``PJSIP/1127-0000a1b2`` (a channel, with its unique suffix), ``IAX2/1127``,
or a local channel ``Local/1127@callback-agent`` (with its dialplan context). Counted apart,
one person's staffed time doubles and occupancy falls. So every name is normalised by these
rules, in order:

1. a name listed in ``agent_aliases`` (``center.yaml``) becomes the id it is mapped to;
2. otherwise the channel technology prefix is removed (``SIP/``, ``PJSIP/``, ``IAX2/``,
   ``Agent/``, ``Local/``...: letters and digits before the first ``/``), then everything from
   the first ``@`` (the dialplan context, and a local channel's ``/n`` or ``;1``), and, when
   there was a technology prefix, a channel's unique suffix (``-`` and 8 hex digits at the
   end): ``PJSIP/1127-0000a1b2`` -> ``1127``;
3. the result, if it is listed in ``agent_aliases``, becomes the id it is mapped to (so
   ``1127: ann`` names every channel of agent 1127 ``ann``).

A plain name (``Ann``, ``Ann Smith``) is kept as it is, and so is a name the rules would leave
empty. Names are only normalised once per distinct name, never per record.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

_CHANNEL = re.compile(r"^(?P<tech>[A-Za-z][A-Za-z0-9_]*/)?(?P<rest>[^@]*)")
_UNIQUE = re.compile(r"-[0-9a-fA-F]{8}$")


def agent_id(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The id of the agent a PBX logs as ``name`` (see the module's rules)."""
    aliases = aliases or {}
    if name in aliases:
        return aliases[name]
    match = _CHANNEL.match(name)
    rest = match.group("rest") if match else name
    if match and match.group("tech"):
        rest = _UNIQUE.sub("", rest)
    rest = rest.strip() or name
    return aliases.get(rest, rest)


def agent_ids(
    names: Iterable[str], aliases: Mapping[str, str] | None = None
) -> tuple[dict[str, str], dict[str, int]]:
    """Each of ``names`` with its id, and the notes on the ids with their counts: one per id
    that several names were merged into, e.g. ``agents 'Agent/1127',
    'Local/1127@callback-agent' counted as '1127'``, and one for the names renamed alone
    (counting them)."""
    ids = {name: agent_id(name, aliases) for name in names}
    merged: dict[str, list[str]] = defaultdict(list)
    for name, id_ in ids.items():
        merged[id_].append(name)
    notes: dict[str, int] = {}
    renamed = []
    for id_, group in sorted(merged.items()):
        if len(group) > 1:
            notes[f"agents {', '.join(repr(n) for n in sorted(group))} counted as {id_!r}"] = 1
        elif group[0] != id_:
            renamed.append((group[0], id_))
    if renamed:
        name, id_ = renamed[0]
        notes[f"agent names counted by their id, e.g. {name!r} as {id_!r}"] = len(renamed)
    return ids, notes
