"""The built-in consumers of run records, registered on the controlling process only.

Each module named in :data:`CONSUMER_MODULES` has ``plugin(config, fleet) -> object | None``:
the pytest plugin implementing the hooks of :mod:`.sinks` (and any other pytest hook it
needs, such as ``pytest_terminal_summary``), or ``None`` when its options turn it off.
Importing those modules is deferred to here, so a run without ``--prove`` pays nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    import pytest

    from ..config.fleet import Fleet

CONSUMER_MODULES: Final[tuple[str, ...]] = (
    "pytest_prove.report.sinks.durations",
    "pytest_prove.report.sinks.notify.sink",
    "pytest_prove.report.sinks.github",
    "pytest_prove.report.sinks.gitlab",
    "pytest_prove.report.sinks.sarif_file",
    "pytest_prove.governance.audit.run_sink",
    "pytest_prove.report.sinks.history",
    "pytest_prove.report.sinks.dashboard",
    "pytest_prove.report.sinks.terminal",
)


def register_consumers(config: pytest.Config, fleet: Fleet) -> None:
    for name in CONSUMER_MODULES:
        plugin = importlib.import_module(name).plugin(config, fleet)
        if plugin is not None:
            config.pluginmanager.register(plugin, f"prove-{name.rsplit('.', 1)[-1]}")
