"""Offline reports: self-contained HTML pages rendered from service results."""
