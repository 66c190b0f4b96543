"""Use cases: one short function per command; the composition root."""
