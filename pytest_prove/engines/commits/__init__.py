"""Conventional Commits: the spec-level parse, commitlint's parser and its rules."""
