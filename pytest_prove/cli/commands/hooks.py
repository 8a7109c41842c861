"""Git hooks that run prove: ``commit-msg`` lints the message, ``pre-push`` runs the quick gates.

``prove hooks install`` writes small POSIX sh scripts that call back into the
Python that installed them, so a hook keeps working when the virtualenv is not
activated (a GUI client, an IDE) and never picks up another environment's prove.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pytest_prove.errors import ProveError

from ...api import Severity
from ...checks.commit_msg import COMMIT_MSG, CommitMsgSettings, check_message_file
from ...git.runner import GitCommandError, run_git
from ...readers.errors import ConfigError

__all__ = [
    "BACKUP_SUFFIX",
    "HOOK_NAMES",
    "MARKER",
    "HookInstallError",
    "foreign_hooks",
    "hooks_dir",
    "install_hooks",
    "run_commit_msg_hook",
    "uninstall_hooks",
]

# Any version of our marker identifies a hook as ours, so a newer prove can
# update or remove hooks an older one wrote.
_MARKER_PREFIX: Final = "# pytest-prove hook"
MARKER: Final = f"{_MARKER_PREFIX} v1"
BACKUP_SUFFIX: Final = ".pre-prove"
HOOK_NAMES: Final = ("commit-msg", "pre-push")
USAGE_ERROR: Final = 4  # pytest's ExitCode.USAGE_ERROR

# The characters git tries, in order, for core.commentChar=auto (builtin/commit.c).
_AUTO_COMMENT_CHARS: Final = "#;@!$%^&|:"
_SCISSORS: Final = "------------------------ >8 ------------------------"


class HookInstallError(ProveError):
    """A hook cannot be installed without losing someone else's hook."""


def _script(name: str, python: str) -> str:
    command = {
        "commit-msg": 'hooks run commit-msg "$1"',
        # pre-push reads the pushed refs on stdin, but the quick gates judge
        # the checkout as `prove --quick` does, so stdin is left unread.
        "pre-push": "--quick",
    }[name]
    return f"""#!/bin/sh
{MARKER}: {name}
# Installed by `pytest-prove hooks install`; `pytest-prove hooks uninstall` removes it.
# Skip it once with `git {"commit" if name == "commit-msg" else "push"} --no-verify`.
PROVE_PYTHON={shlex.quote(python)}
if [ ! -x "$PROVE_PYTHON" ]; then
    echo "prove: $PROVE_PYTHON is gone; run 'pytest-prove hooks install' again" >&2
    exit 1
fi
exec "$PROVE_PYTHON" -m pytest_prove {command}
"""


def hooks_dir(repo_root: Path) -> Path:
    """The directory git runs hooks from: ``core.hooksPath``, else the common ``.git/hooks``.

    :param repo_root: the top level of the repository's work tree
    :raises GitCommandError: ``repo_root`` is not in a git repository
    """
    raw = run_git(repo_root, "rev-parse", "--git-path", "hooks").decode("utf-8", "surrogateescape")
    # git answers relative to the cwd it ran in (``.git/hooks``, ``../.githooks``).
    return repo_root / raw.rstrip("\n")


def _is_ours(path: Path) -> bool:
    try:
        text = path.read_bytes()
    except OSError:  # a directory or a dangling symlink is not ours either
        return False
    return any(line.startswith(_MARKER_PREFIX.encode()) for line in text.splitlines())


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def install_hooks(repo_root: Path, *, force: bool = False) -> list[Path]:
    """Write the ``commit-msg`` and ``pre-push`` hooks.

    Nothing is written unless every hook can be: a refusal leaves the
    repository as it was.

    :param repo_root: the top level of the repository's work tree
    :param force: move a foreign hook aside to ``<name>.pre-prove`` instead of refusing
    :returns: the hooks written
    :raises HookInstallError: a hook exists that is not ours (and ``force`` is off),
        or it is and a ``.pre-prove`` backup exists already
    :raises GitCommandError: ``repo_root`` is not in a git repository
    """
    directory = hooks_dir(repo_root)
    targets = [directory / name for name in HOOK_NAMES]
    foreign = [path for path in targets if _exists(path) and not _is_ours(path)]
    for path in foreign:
        if not force:
            raise HookInstallError(
                f"{path} exists and was not written by prove; move it away, or run "
                f"`prove hooks install --force` to keep it as {path.name}{BACKUP_SUFFIX} "
                "(it is not run while prove's hook is installed)"
            )
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        if _exists(backup):
            raise HookInstallError(
                f"{path} and its backup {backup} both exist; move one of them away first"
            )
    directory.mkdir(parents=True, exist_ok=True)
    for path in foreign:
        os.replace(path, path.with_name(path.name + BACKUP_SUFFIX))
    for path in targets:
        temporary = path.with_name(f".{path.name}.prove-tmp")
        temporary.write_text(_script(path.name, sys.executable), encoding="utf-8")
        temporary.chmod(0o755)
        # A rename never leaves git a half-written hook to run, and replaces a
        # symlink rather than writing through it into someone else's file.
        os.replace(temporary, path)
    return targets


def foreign_hooks(repo_root: Path) -> list[Path]:
    """The ``commit-msg``/``pre-push`` hooks present that prove did not write.

    :raises GitCommandError: ``repo_root`` is not in a git repository
    """
    directory = hooks_dir(repo_root)
    paths = (directory / name for name in HOOK_NAMES)
    return [path for path in paths if _exists(path) and not _is_ours(path)]


def uninstall_hooks(repo_root: Path) -> list[Path]:
    """Remove prove's hooks, putting back the hooks ``--force`` moved aside.

    Hooks prove did not write are left alone (see :func:`foreign_hooks`).

    :returns: the hooks removed
    :raises GitCommandError: ``repo_root`` is not in a git repository
    """
    directory = hooks_dir(repo_root)
    removed: list[Path] = []
    for name in HOOK_NAMES:
        path = directory / name
        if not (_exists(path) and _is_ours(path)):
            continue
        path.unlink()
        removed.append(path)
        backup = path.with_name(name + BACKUP_SUFFIX)
        if _exists(backup):
            os.replace(backup, path)
    return removed


def _parse_config(raw: bytes) -> Mapping[str, str]:
    values: dict[str, str] = {}
    for entry in raw.decode("utf-8", "replace").split("\0"):
        key, _, value = entry.partition("\n")
        if key:
            values[key] = value  # later entries win, as they do for git
    return values


def _comment_char(repo_root: Path, message: str) -> str | None:
    """The comment prefix git will strip from this message, or None when it strips none."""
    try:
        raw = run_git(
            repo_root,
            "config",
            "-z",
            "--get-regexp",
            r"^(core\.commentchar|core\.commentstring|commit\.cleanup)$",
            ok_returncodes=(0, 1),  # 1: none of them is set
        )
    except GitCommandError:
        return "#"
    config = _parse_config(raw)
    # Only "strip" (the default when an editor ran) and "scissors" remove comment
    # lines; with these two, git keeps a "#" line, so it is part of the message.
    if config.get("commit.cleanup", "").lower() in {"verbatim", "whitespace"}:
        return None
    char = config.get("core.commentstring") or config.get("core.commentchar") or "#"
    if char.lower() != "auto":
        return char
    # git picked a character no message line started with; its scissors line
    # (from `commit -v`) tells which, and without one "#" is the likeliest.
    for candidate in _AUTO_COMMENT_CHARS:
        if f"\n{candidate} {_SCISSORS}" in f"\n{message}":
            return candidate
    return "#"


def _commit_msg_settings(repo_root: Path) -> CommitMsgSettings:
    from ...config.load import load_fleet

    fleet = load_fleet(None, repo_root)
    for gate in fleet.repos[0].gates:
        if gate.check.name == COMMIT_MSG.name and isinstance(gate.settings, CommitMsgSettings):
            return gate.settings
    return CommitMsgSettings()


def run_commit_msg_hook(message_file: Path, repo_root: Path) -> int:
    """Lint the message file of a ``git commit``, as its ``commit-msg`` hook.

    Settings are the repository's effective ``commit-msg`` settings (its
    prove.yaml, prove.config.yaml or ``[tool.prove]`` over the recommended
    preset), or the defaults when the repository does not run that gate.
    Findings go to stderr, one ``rule message`` per line.

    :param message_file: the file git passes to the hook
    :param repo_root: the top level of the repository's work tree
    :returns: 0 to accept the commit, 1 when a finding is an error, 4 when the
        configuration or the message file cannot be read
    """
    try:
        settings = _commit_msg_settings(repo_root)
    except ConfigError as exc:
        print(f"prove: {exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        message = message_file.read_bytes().decode("utf-8", "replace")
        findings = check_message_file(
            message_file, settings, comment_char=_comment_char(repo_root, message)
        )
    except OSError as exc:
        print(f"prove: cannot read the commit message: {exc}", file=sys.stderr)
        return USAGE_ERROR
    for finding in findings:
        severity = "" if finding.severity is Severity.ERROR else f" ({finding.severity})"
        print(f"{finding.rule}{severity} {finding.message}", file=sys.stderr)
    if any(finding.severity is Severity.ERROR for finding in findings):
        print(
            "prove: commit message rejected (Conventional Commits: `type(scope): subject`); "
            f"it is kept in {message_file}",
            file=sys.stderr,
        )
        return 1
    return 0


def register(sub: argparse._SubParsersAction[Any]) -> None:
    hooks = sub.add_parser("hooks", help="git hooks: commit-msg lint, quick gates before a push")
    hooks.set_defaults(handler=_hooks)
    hooks_sub = hooks.add_subparsers(dest="hooks_command", metavar="ACTION", required=True)
    install = hooks_sub.add_parser("install", help="install the commit-msg and pre-push hooks")
    install.add_argument(
        "--force", action="store_true", help="move existing hooks aside to <name>.pre-prove"
    )
    hooks_sub.add_parser("uninstall", help="remove prove's hooks, restoring moved-aside ones")
    run = hooks_sub.add_parser(
        "run",
        help="what an installed hook (or the pre-commit hook prove-commit-msg) runs",
        description="Judge a commit message file: exit 0 to accept, 1 to reject (the rules "
        "broken go to stderr), 4 when the file or the config cannot be read. Outside a git "
        "work tree the nearest config upward from here applies, else the defaults.",
    )
    run.add_argument("hook", choices=("commit-msg",))
    run.add_argument(
        "file", help="the commit message file (git and pre-commit pass .git/COMMIT_EDITMSG)"
    )


def _hooks(args: argparse.Namespace) -> int:
    try:
        top = run_git(Path.cwd(), "rev-parse", "--show-toplevel")
    except GitCommandError as exc:
        if args.hooks_command == "run":
            # A message file judged where there is no checkout (a pull request's title in
            # a CI job, as `cz check --commit-msg-file` does): the nearest config upward
            # from here, else the defaults, and git's default comment character.
            from ...config.locate import nearest_config_dir

            return run_commit_msg_hook(Path(args.file), nearest_config_dir(Path.cwd().resolve()))
        print(f"prove hooks: not inside a git work tree ({exc})", file=sys.stderr)
        return 2
    root = Path(top.decode("utf-8", "surrogateescape").rstrip("\n"))
    if args.hooks_command == "run":
        return run_commit_msg_hook(Path(args.file), root)
    if args.hooks_command == "install":
        try:
            written = install_hooks(root, force=args.force)
        except HookInstallError as exc:
            print(f"prove hooks: {exc}", file=sys.stderr)
            return 1
        for path in written:
            print(f"installed {path}")
        return 0
    foreign = foreign_hooks(root)
    for path in uninstall_hooks(root):
        restored = f", restored {path.name}{BACKUP_SUFFIX}" if path.exists() else ""
        print(f"removed {path}{restored}")
    for path in foreign:
        print(f"left {path} alone: prove did not write it")
    return 0
