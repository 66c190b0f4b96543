"""Pure domain model: entities, life cycles and events. No I/O, no clock, no global random state."""
