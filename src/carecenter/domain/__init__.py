"""Pure domain model: entities, life cycles and events. No I/O, no clock, no global random state."""

import carecenter.domain.alerts  # noqa: F401  (registers the alert events by name)
