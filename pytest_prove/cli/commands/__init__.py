"""Subcommands that live in modules of their own.

Each module named in :data:`COMMAND_MODULES` has ``register(sub)``: it adds its
parser to ``sub`` and sets ``handler=`` (``(args) -> exit code``) as a default,
so ``prove`` dispatches to it without knowing it.  Registering must stay cheap
(it runs on every ``prove`` start): heavy imports belong inside the handler.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any, Final

# In the order `prove --help` lists them.
COMMAND_MODULES: Final[tuple[str, ...]] = (
    "pytest_prove.cli.commands.run",
    "pytest_prove.cli.commands.config",
    "pytest_prove.cli.commands.schema",
    "pytest_prove.cli.commands.demo",
    "pytest_prove.cli.commands.hooks",
    "pytest_prove.cli.commands.audit",
    "pytest_prove.cli.commands.init",
    "pytest_prove.cli.commands.migrate",
    "pytest_prove.cli.commands.report",
    "pytest_prove.cli.commands.status",
    "pytest_prove.cli.commands.security",
    "pytest_prove.cli.commands.sync",
)


def register_all(sub: argparse._SubParsersAction[Any]) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
