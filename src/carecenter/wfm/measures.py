"""The performance measures of a queueing model, and the conversion of its array inputs."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

MEASURE_NAMES = (
    "traffic_erlangs",
    "p_wait",
    "service_level",
    "service_level_answered",
    "asa_s",
    "mean_wait_s",
    "p_abandon",
    "occupancy",
    "queue_length",
)


@dataclass(frozen=True)
class QueueMeasures:
    """Steady-state measures of one queue model, one value per interval (numpy arrays).

    Every field has the broadcast shape of the inputs (a 0-d array for scalar inputs; use
    ``float(m.p_wait)`` or :meth:`row`). ``nan`` marks a measure that is undefined, e.g. the
    speed of answer when no contact is answered.
    """

    traffic_erlangs: FloatArray
    """Offered traffic ``A = calls × AHT / interval`` in erlangs."""
    p_wait: FloatArray
    """Probability that an arrival finds every agent busy (waits in C and A, is lost in B)."""
    service_level: FloatArray
    """Answered within the threshold / offered."""
    service_level_answered: FloatArray
    """Answered within the threshold / answered."""
    asa_s: FloatArray
    """Average speed of answer: mean wait of answered contacts, seconds."""
    mean_wait_s: FloatArray
    """Mean wait of all arrivals (answered or abandoned), seconds."""
    p_abandon: FloatArray
    """Probability that an arrival abandons (Erlang B: is blocked)."""
    occupancy: FloatArray
    """Carried traffic per agent: the fraction of time an agent is busy."""
    queue_length: FloatArray
    """Mean number of contacts waiting."""

    def as_dict(self) -> dict[str, FloatArray]:
        """The measures by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def row(self, index: int | tuple[int, ...] = ()) -> dict[str, float]:
        """The measures of one interval as plain floats (``index`` into the broadcast shape)."""
        return {name: float(value[index]) for name, value in self.as_dict().items()}


def as_array(value: npt.ArrayLike, name: str) -> FloatArray:
    """``value`` as a float64 array; ``ValueError`` naming ``name`` if any entry is ``nan``."""
    arr = np.asarray(value, dtype=np.float64)
    if np.any(np.isnan(arr)):
        raise ValueError(f"{name} must not be nan")
    return arr


def require(condition: npt.NDArray[np.bool_] | bool, name: str, rule: str) -> None:
    """Raise ``ValueError(f"{name} {rule}")`` unless ``condition`` holds everywhere."""
    if not np.all(condition):
        raise ValueError(f"{name} {rule}")


def broadcast(*arrays: FloatArray) -> tuple[tuple[int, ...], list[FloatArray]]:
    """The common shape of ``arrays`` and each broadcast to it and flattened (as a copy)."""
    shaped = np.broadcast_arrays(*arrays)
    shape = shaped[0].shape
    return shape, [np.array(a, dtype=np.float64).ravel() for a in shaped]
