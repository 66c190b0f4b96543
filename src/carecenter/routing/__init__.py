"""Routing policies behind one Protocol (to come)."""
