"""Helpers with no knowledge of gates: files, globs, clock, wording, processes, text."""
