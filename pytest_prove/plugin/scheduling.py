"""xdist scheduling for ``depends_on``: a dependency group runs on one worker, in order.

Workers cannot see each other's results, so a dependent's gates could run before, or
beside, the gates they wait for.  Rather than a locked result store that workers poll,
each group of repositories tied by ``depends_on`` is one xdist work unit: one worker
runs it, in collection order, which the planner made dependency order.  Node ids stay
as they are (``--dist loadgroup`` would append ``@group`` to them).  Other repositories
are one unit each, so a repository's context is built on one worker only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from xdist.scheduler import LoadScopeScheduling

if TYPE_CHECKING:
    import pytest

_GROUP_PREFIX = "prove-depends-on:"


class DependencyScheduling(LoadScopeScheduling):  # type: ignore[misc]
    def __init__(
        self, config: pytest.Config, log: Any = None, *, groups: Mapping[str, str]
    ) -> None:
        super().__init__(config, log)
        self._groups = groups

    def _split_scope(self, nodeid: str) -> str:
        parts = nodeid.split("::")
        if len(parts) >= 3 and parts[-2] in self._groups:
            return _GROUP_PREFIX + self._groups[parts[-2]]
        return str(super()._split_scope(nodeid))


class DependencySchedulerPlugin:
    """Registered on the controller when xdist runs a fleet with ``depends_on``."""

    def __init__(self, groups: Mapping[str, str]) -> None:
        self.groups = groups

    def pytest_xdist_make_scheduler(
        self, config: pytest.Config, log: Any
    ) -> DependencyScheduling | None:
        if config.getoption("dist") == "each":  # every test on every worker: nothing to order
            return None
        return DependencyScheduling(config, log, groups=self.groups)
