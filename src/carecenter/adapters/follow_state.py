"""Where a follower got to: file positions and the JSON state files that keep them.

A :class:`FollowPosition` names a file by device and inode and by a fingerprint of its first
bytes (so a restart tells "the same file, grown" from "a new file in its place"), and the
offset of the end of the last complete line handed out. State files are written atomically.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from carecenter.errors import InputError

HEAD_BYTES = 256
"""How many first bytes of a file its fingerprint covers."""
_POSITION_INTS = ("device", "inode", "offset", "size_seen")


@dataclass(frozen=True)
class FollowPosition:
    """How far one file has been consumed: ``offset`` is the byte after the last complete line
    handed out. ``fingerprint`` is the SHA-256 (hex) of the file's first ``min(256, offset)``
    bytes, so a restart tells the same file grown from another file in its place;
    ``size_seen`` is the file's size at the last read (``size_seen - offset`` is the lag)."""

    device: int
    inode: int
    offset: int
    fingerprint: str
    size_seen: int = 0

    @property
    def key(self) -> tuple[int, int]:
        """(device, inode): which file."""
        return self.device, self.inode

    def to_json(self) -> dict[str, Any]:
        """The position as a JSON object."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FollowPosition:
        """The position of a JSON object written by :meth:`to_json` (``ValueError`` if not)."""
        values = {k: data.get(k, 0 if k == "size_seen" else None) for k in _POSITION_INTS}
        mark = data.get("fingerprint")
        if not all(type(v) is int and v >= 0 for v in values.values()) or not (
            isinstance(mark, str) and len(mark) == 64
        ):
            raise ValueError(f"not a file position: {dict(data)!r}")
        return cls(fingerprint=mark, **values)


def fingerprint(head: bytes) -> str:
    """The fingerprint of a file that starts with ``head``: SHA-256 (hex) of its first 256
    bytes."""
    return hashlib.sha256(head[:HEAD_BYTES]).hexdigest()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically: a temporary file in the same directory,
    flushed to disk, then renamed over ``path`` (a reader sees the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_json_state(path: Path) -> Any:
    """The JSON in the state file ``path``, ``None`` when there is none; a file that is not
    JSON is an :class:`~carecenter.errors.InputError`."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(
            f"cannot read the follow state ({exc}); delete it to start over", file=str(path)
        ) from None
