"""Metrics: pure functions over stored facts (no I/O)."""
