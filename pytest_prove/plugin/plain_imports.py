"""Import this package's modules without pytest's assertion rewriting.

pytest rewrites the asserts of every module of a distribution that registers a
``pytest11`` entry point, so each module of ``pytest_prove`` is parsed and
compiled again at start-up.  pytest caches the result beside the module, but not
where bytecode is not written (``PYTHONDONTWRITEBYTECODE``, common in CI images,
or a read-only site-packages): there that cost ~0.15 s on every start-up and on
every xdist worker.  Nothing here relies on rewritten asserts (gates report
through findings, not ``assert``), so the modules are loaded as plain Python
imports would load them.  pytest has no switch for this per package; a finder
placed before its hook on ``sys.meta_path`` is the documented import protocol.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Final

__all__ = ["install"]

_PREFIX: Final = "pytest_prove."


class _PlainFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith(_PREFIX):
            return None
        return importlib.machinery.PathFinder.find_spec(fullname, path, target)


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once per process)."""
    if not any(isinstance(finder, _PlainFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _PlainFinder())
