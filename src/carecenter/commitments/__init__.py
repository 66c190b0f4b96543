"""Promises made to customers (callbacks, follow-ups, resolution dates): the ledger that
knows which are due, kept or broken, and whether a promised time is realistic."""
