"""Discrete-event simulator that drives the real routing policies (to come)."""
