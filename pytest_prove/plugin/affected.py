"""``--prove-affected``: gate only what a change touches, in a monorepo and across a fleet.

An entry is affected when its folder has changes against its base (committed on the branch,
staged, unstaged or untracked: the diff the gates judge), or when it depends on an affected
entry: through ``depends_on``, or through the dependencies its workspace manifests declare
between members (``uses``).  The other entries' gates are deselected the way ``-k`` does,
so pytest counts them and every report shows the run's real scope.

An entry whose changes cannot be told (no base, not a repository) is kept: its gates say
why, rather than a run that silently judged less.  Every process decides alike (an xdist
worker collects for itself), from the repository's one shared context, so a monorepo's 200
projects cost one diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

import pytest

from ..git.context import RepoContextError
from ..support.wording import count
from .nodes import context_of, deselect_gates

if TYPE_CHECKING:
    from ..config.fleet import Fleet, RepoPlan

__all__ = ["Affected", "affected_entries", "register"]

# Names listed in the header; the JSON and JUnit reports have every gate that ran.
_SHOWN: Final = 10


def _changed(config: pytest.Config, plan: RepoPlan) -> bool:
    try:
        return bool(context_of(config, plan).changed_files)
    except RepoContextError:
        return True  # cannot tell: its gates run and say why


def affected_entries(plans: Sequence[RepoPlan], changed: Iterable[str]) -> dict[str, str]:
    """Entry name -> why it is affected, for every entry ``changed`` names and every entry
    that depends on one of those, however indirectly."""
    why = dict.fromkeys(changed, "changed")
    grew = True
    while grew:  # a fixpoint: chains of uses are short, fleets are at most thousands
        grew = False
        for plan in plans:
            if plan.name in why:
                continue
            cause = next((d for d in (*plan.depends_on, *plan.uses) if d in why), None)
            if cause is not None:
                verb = "uses" if cause in plan.uses else "depends on"
                why[plan.name] = f"{verb} {cause}"
                grew = True
    return why


class Affected:
    """The deselection, and the header that says how many entries remain."""

    def __init__(self, config: pytest.Config, fleet: Fleet) -> None:
        changed = [plan.name for plan in fleet.repos if _changed(config, plan)]
        why = affected_entries(fleet.repos, changed)
        # in the file's order, as the run collects them
        self.why = {plan.name: why[plan.name] for plan in fleet.repos if plan.name in why}
        self.total = len(fleet.repos)

    def pytest_report_header(self) -> str:
        kept = list(self.why)
        shown = ", ".join(f"{name} ({self.why[name]})" for name in kept[:_SHOWN])
        more = f", and {len(kept) - _SHOWN} more" if len(kept) > _SHOWN else ""
        listed = f": {shown}{more}" if kept else ""
        return (
            f"prove --prove-affected: {len(kept)} of "
            f"{count(self.total, 'repository or project', 'repositories and projects')} "
            f"affected{listed}"
        )

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        deselect_gates(config, items, lambda gate: gate.repo.name not in self.why)


def register(config: pytest.Config, fleet: Fleet) -> None:
    """Add the deselection when ``--prove-affected`` is given."""
    if config.getoption("prove_affected"):
        config.pluginmanager.register(Affected(config, fleet), "prove-affected")
