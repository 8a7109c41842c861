"""``prove``: the old tool's command line, as a thin layer over ``pytest.main``.

Every run builds an argv (never plugin objects: xdist workers rebuild their config
from argv alone) and returns pytest's exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..config.locate import require_orchestrator
from ..errors import USAGE_ERROR, UsageError
from .commands import register_all


def _add_run_options(parser: argparse.ArgumentParser, *, repo: bool) -> None:
    parser.add_argument("--config", metavar="FILE", help="orchestrator or repository config file")
    parser.add_argument("--quick", action="store_true", help="run only the quick gates")
    parser.add_argument(
        "-n",
        "--workers",
        metavar="N",
        help="parallel workers (default: global.concurrency of the orchestrator file)",
    )
    parser.add_argument("--base", metavar="REF", help="compare against this ref")
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="override a check setting"
    )
    if repo:
        parser.add_argument(
            "--repo", action="append", default=[], metavar="NAME", help="only this repository"
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="prove",
        description="Repository quality gates as pytest tests. Arguments prove does not know "
        "are passed to pytest (e.g. -k api, --junitxml out.xml).",
    )
    _add_run_options(parser, repo=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    orchestrate = sub.add_parser("orchestrate", help="run the gates of every repository in a file")
    _add_run_options(orchestrate, repo=True)
    check = sub.add_parser("check", help="run the gates of one repository of the orchestrator file")
    _add_run_options(check, repo=True)
    config = sub.add_parser("config", help="inspect configuration")
    config.set_defaults(handler=_config_show)
    config_sub = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_sub.add_parser("show", help="effective settings and where each value came from")
    show.add_argument("--config", metavar="FILE", help="orchestrator or repository config file")
    show.add_argument("--repo", metavar="NAME", help="only this repository")
    show.add_argument("--format", choices=("text", "json"), default="text")
    schema = sub.add_parser("schema", help="print the JSON Schema of the configuration files")
    schema.add_argument("--kind", choices=("orchestrator", "repository"), default="orchestrator")
    schema.set_defaults(handler=_schema)
    demo = sub.add_parser("demo", help="build a demo fleet of git repositories and gate it")
    demo.add_argument("directory", nargs="?", default="prove-demo", help="default: ./prove-demo")
    demo.add_argument("--no-run", action="store_true", help="only build the fleet")
    demo.set_defaults(handler=_demo)
    hooks = sub.add_parser("hooks", help="git hooks: commit-msg lint, quick gates before a push")
    hooks.set_defaults(handler=_hooks)
    hooks_sub = hooks.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)
    install = hooks_sub.add_parser("install", help="install the commit-msg and pre-push hooks")
    install.add_argument(
        "--force", action="store_true", help="move existing hooks aside to <name>.pre-prove"
    )
    hooks_sub.add_parser("uninstall", help="remove prove's hooks, restoring moved-aside ones")
    run = hooks_sub.add_parser("run", help="what an installed hook runs")
    run.add_argument("hook", choices=("commit-msg",))
    run.add_argument("file", help="the commit message file git passes to the hook")
    register_all(sub)
    return parser


def _concurrency(config: Path | None) -> int:
    """``global.concurrency`` as the model reads it (``"4"`` is 4); 1 if it cannot.

    Only the ``global`` block is validated here: pytest reports any problem of the file.
    """
    if config is None:
        return 1
    import pydantic

    from ..config.models import GlobalSettings
    from ..readers.errors import ConfigError
    from ..readers.yamlfile import load_yaml_file

    try:
        data = load_yaml_file(config).data
        section = data.get("global") if isinstance(data, dict) else None
        return GlobalSettings.model_validate(section or {}).concurrency
    except (ConfigError, pydantic.ValidationError):
        return 1


def pytest_args(args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The pytest argv for a run command."""
    argv: list[str] = []
    config: Path | None = None
    if args.command in {"orchestrate", "check"}:
        config = require_orchestrator(args.config, "prove")
        if args.command == "check" and not args.repo:
            raise UsageError("prove check: --repo NAME is required")
    elif args.config:
        config = Path(args.config)
    if config is not None:
        argv += ["--prove-config", str(config)]
    else:
        argv += ["--prove", "--prove-only"]
    for name in getattr(args, "repo", []):
        argv += ["--prove-repo", name]
    if args.quick:
        argv.append("--prove-quick")
    if args.base:
        argv += ["--prove-base", args.base]
    for item in args.set:
        argv += ["--prove-set", item]
    workers = args.workers or str(_concurrency(config))
    if workers not in {"0", "1"}:
        argv += ["-n", workers]
    return [*argv, *extra]


def _config_show(args: argparse.Namespace) -> int:
    from ..config.load import Options, load_fleet
    from ..config.show import show_fleet
    from ..readers.errors import ConfigError

    # --repo names a repository of an orchestrator file: look for one as `orchestrate` does.
    if args.repo:
        path: Path | None = require_orchestrator(
            args.config, f"prove config show --repo {args.repo}"
        )
    else:
        path = Path(args.config) if args.config else None
    try:
        fleet = load_fleet(path, Path.cwd(), Options(repos=[args.repo] if args.repo else []))
    except ConfigError as exc:
        print(f"prove: {exc}", file=sys.stderr)
        return USAGE_ERROR
    print(show_fleet(fleet, args.format))
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from ..checks.registry import load_registry
    from ..config.schema import json_schema

    print(json.dumps(json_schema(load_registry(), args.kind), indent=2))
    return 0


def _hooks(args: argparse.Namespace) -> int:
    from ..git.runner import GitCommandError, run_git
    from .commands import hooks

    try:
        top = run_git(Path.cwd(), "rev-parse", "--show-toplevel")
    except GitCommandError as exc:
        print(f"prove hooks: not inside a git work tree ({exc})", file=sys.stderr)
        return 2
    root = Path(top.decode("utf-8", "surrogateescape").rstrip("\n"))
    if args.hooks_command == "run":
        return hooks.run_commit_msg_hook(Path(args.file), root)
    if args.hooks_command == "install":
        try:
            written = hooks.install_hooks(root, force=args.force)
        except hooks.HookInstallError as exc:
            print(f"prove hooks: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"installed {path}")
        return 0
    foreign = hooks.foreign_hooks(root)
    for path in hooks.uninstall_hooks(root):
        restored = f", restored {path.name}{hooks.BACKUP_SUFFIX}" if path.exists() else ""
        print(f"removed {path}{restored}")
    for path in foreign:
        print(f"left {path} alone: prove did not write it")
    return 0


RUN_COMMANDS = frozenset({"orchestrate", "check"})


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
    _add_run_options(run, repo=False)
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
    if list(words[:1]) in (["--version"], ["-V"]):
        print(version_text())
        return 0
    try:
        return _run(words)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # `prove schema | head`: the reader left; what it read is all it wanted.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _demo(args: argparse.Namespace) -> int:
    from .commands.demo import run_demo

    return run_demo(Path(args.directory), run=not args.no_run)


def _run(argv: Sequence[str]) -> int:
    args, extra = parse(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is not None:
        return handler(args)
    import pytest

    return int(pytest.main(pytest_args(args, extra)))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
