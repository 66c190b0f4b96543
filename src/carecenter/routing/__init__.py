"""Routing policies as small strategy objects behind one Protocol: who is served next, and by
whom."""
