"""Turning gate results into what reports carry (terminal, JUnit, JSON)."""
