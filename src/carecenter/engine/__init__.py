"""The contact engine (ACD): queues, waiting contacts, agents, offers, callbacks and expected
wait; commands in, events out, driven by a clock it is given."""

from carecenter.engine.engine import ContactEngine

__all__ = ["ContactEngine"]
