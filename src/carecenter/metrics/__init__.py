"""The metric catalog: service benchmarks as Ibis expressions over the warehouse facts.

:mod:`.catalog`, :mod:`.agent_catalog` and :mod:`.ratios` define the metrics (each one
function with its formula, unit and interval in its docstring); :mod:`.engine` runs them per
interval and group on DuckDB or PostgreSQL; :mod:`.reference` writes the reference page.
"""
