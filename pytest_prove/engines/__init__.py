"""What the checks judge with, one folder per engine, each free of pytest.

A check in :mod:`pytest_prove.checks` declares its settings and adapts a repository context
to its engine here: commit messages (``commits``), test mapping (``tdd``), coverage
(``coverage``), OpenAPI contracts (``contracts``), secrets and dependencies (``security``),
feature-flag registries (``flags``) and command reports (``command``).
"""
