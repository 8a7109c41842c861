"""``prove``: the old tool's command line, as a thin layer over ``pytest.main``.

Parsing and dispatch only: each subcommand is a module of :mod:`.commands` with
``register(sub)``, and a run without one builds a pytest argv (:mod:`.commands.run`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from ..errors import USAGE_ERROR, UsageError
from .commands import register_all
from .commands.run import RUN_COMMANDS, add_run_options, pytest_args


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prove",
        description="Repository quality gates as pytest tests. Arguments prove does not know "
        "are passed to pytest (e.g. -k api, --junitxml out.xml).",
    )
    add_run_options(parser, repo=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register_all(sub)
    return parser


def parse(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Arguments prove knows, and the rest (for pytest).

    A subcommand comes first.  Without one, argparse must not take the first word
    it does not know (``x`` of ``-k x``) for a subcommand: the run options are
    parsed alone and everything else goes to pytest.
    """
    parser = build_parser()
    argv = _subcommand_first(argv, _subcommands(parser))
    if argv and (argv[0] in _subcommands(parser) or argv[0] in {"-h", "--help"}):
        args, extra = parser.parse_known_args(argv)
        if extra and args.command not in RUN_COMMANDS:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        return args, extra
    run = argparse.ArgumentParser(prog="prove", add_help=False)
    add_run_options(run, repo=False)
    args, extra = run.parse_known_args(argv)
    args.command = None
    return args, extra


# prove's options that take a value: the word after them is never a subcommand.
_VALUE_OPTIONS = frozenset({"--config", "-n", "--workers", "--base", "--set", "--repo"})


def _subcommand_first(argv: Sequence[str], subcommands: set[str]) -> list[str]:
    """``--config m.yaml orchestrate`` -> ``orchestrate --config m.yaml``."""
    words = list(argv)
    index = 0
    while index < len(words):
        word = words[index]
        if word in subcommands:
            return [word, *words[:index], *words[index + 1 :]]
        if word == "--" or not word.startswith("-") or word not in _VALUE_OPTIONS | {"--quick"}:
            return words  # a pytest argument or path: what follows is pytest's
        index += 2 if word in _VALUE_OPTIONS else 1
    return words


def _subcommands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:  # argparse has no public accessor for subparsers
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def version_text() -> str:
    """``pytest-prove X.Y.Z`` and the pytest it runs on, as ``--version`` prints them."""
    import pytest

    from .. import __version__

    return f"pytest-prove {__version__}\npytest {pytest.__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    try:
        if list(words[:1]) in (["--version"], ["-V"]):
            print(version_text())
            return 0
        return _run(words)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # `prove schema | head`, `prove --version | grep -q`: the reader left; what it read
        # is all it wanted.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _run(argv: Sequence[str]) -> int:
    args, extra = parse(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    import pytest

    return int(pytest.main(pytest_args(args, extra)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
