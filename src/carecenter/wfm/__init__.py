"""Workforce management numerics: queueing formulas, staffing, forecasting. Pure numpy/scipy."""
