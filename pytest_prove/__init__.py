"""pytest-prove: repository quality gates as pytest tests, across many git repositories.

PYTEST_DONT_REWRITE: ``prove`` imports this package before it calls ``pytest.main``, and
nothing here needs assertion rewriting.

The public API for third-party checks is :mod:`pytest_prove.api` (``Check``,
``CheckRef``, ``CheckSettings``, ``CheckResult``, ``Finding``, ``Severity``) and :data:`hookimpl`.
They are loaded lazily: pytest imports this package at every start-up, even when no
gate runs, so it must stay light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.2.0"

_PUBLIC = {
    "hookimpl": "pytest_prove.checks.hook",
    "Check": "pytest_prove.api",
    "CheckRef": "pytest_prove.api",
    "CheckResult": "pytest_prove.api",
    "CheckSettings": "pytest_prove.api",
    "Finding": "pytest_prove.api",
    "Severity": "pytest_prove.api",
}

__all__ = [
    "Check",
    "CheckRef",
    "CheckResult",
    "CheckSettings",
    "Finding",
    "Severity",
    "__version__",
    "hookimpl",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_prove' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
