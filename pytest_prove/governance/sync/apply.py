"""``prove sync``: one configuration update applied to many repositories' own files.

A sync is all-or-nothing.  Every selected repository is checked first (clean,
nothing in progress, the branch name free, the file editable); if any is refused,
nothing is written.  Then each repository gets the change as one commit on a new
branch, made without touching its work tree (see :mod:`.git_ops`).  If committing
fails in one repository, the branches already created in the ones before it are
deleted again, so a failed sync leaves every repository as it was.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
import yaml

from pytest_prove.errors import ProveError

from ...checks.registry import Registry
from ...config.fleet import REPO_CONFIG_NAMES
from ...config.merge import Layer, merge_layers
from ...config.models import TRUNK_BRANCH, WHEN, RepositoryEntry, RepositoryFile
from ...config.sections import COMMAND_CHECK, COMMANDS_KEY, MODES_KEY, normalise_sections
from ...git.runner import GitCommandError
from ...readers.errors import ConfigError, KeyPath, format_key_path
from ..orchestrator import Orchestrator
from . import git_ops
from .runs import RepoRecord
from .updates import Update, UpdatesFile
from .yaml_edit import EditError, apply_updates

_YAML_NAMES = tuple(n for n in REPO_CONFIG_NAMES if n.endswith((".yaml", ".yml")))
# The keys of a repository file that are not check sections, as the loader reads them.
_REPO_FILE_KEYS = frozenset({"extends", "checks", TRUNK_BRANCH, WHEN})


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepoChange:
    """The planned change of one repository (or why it is refused).

    :param root: the git work tree's top level
    :param file: the config file, relative to ``root``
    """

    name: str
    root: Path
    file: str
    before: bytes | None
    after: bytes | None
    problem: str | None = None

    @property
    def changed(self) -> bool:
        return self.problem is None and self.after is not None and self.after != self.before

    def diff(self) -> str:
        old = (self.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
        new = (self.after or b"").decode("utf-8", "replace").splitlines(keepends=True)
        source = f"a/{self.file}" if self.before is not None else "/dev/null"
        return "".join(difflib.unified_diff(old, new, source, f"b/{self.file}"))


class SyncFailedError(ProveError):
    """Committing failed in one repository; the ones before it were restored."""

    def __init__(
        self, repo: str, error: str, restored: Sequence[str], stuck: Sequence[str]
    ) -> None:
        self.repo, self.error, self.restored, self.stuck = repo, error, restored, stuck
        text = f"{repo}: {error}"
        if restored:
            text += f"; undone in {', '.join(restored)}"
        if stuck:
            text += f"; COULD NOT undo in {', '.join(stuck)}: see `prove sync --rollback`"
        super().__init__(text)


def _config_file(repo_path: Path, entry: RepositoryEntry) -> tuple[Path, str | None]:
    """The file to edit, and why it cannot be edited (None if it can)."""
    if entry.config is not None:
        path = repo_path / entry.config
        if path.name == "pyproject.toml" or path.suffix not in {".yaml", ".yml"}:
            return path, f"{entry.config} is not a YAML file: prove sync edits YAML only"
        return path, None
    for name in _YAML_NAMES:
        if (repo_path / name).is_file():
            return repo_path / name, None
    pyproject = repo_path / "pyproject.toml"
    if pyproject.is_file() and "[tool.prove]" in pyproject.read_text("utf-8", "replace"):
        return pyproject, "its config is [tool.prove] in pyproject.toml: prove sync edits YAML only"
    return repo_path / _YAML_NAMES[0], None


def _model_problem(where: KeyPath, value: object, model: type[pydantic.BaseModel]) -> str | None:
    """The first error of ``model`` for ``value`` found at key path ``where``, or None.

    A missing field is no error here: another layer (a preset, ``global``) may set it.
    """
    try:
        model.model_validate(value)
    except pydantic.ValidationError as exc:
        for error in exc.errors(include_url=False):
            if error["type"] != "missing":
                return f"{format_key_path((*where, *error['loc']))}: {error['msg']}"
    return None


def _refuse(problem: str, key_path: KeyPath) -> ConfigError:
    return ConfigError(problem, key_path=format_key_path(key_path))


def _over(base: Any, extra: Mapping[str, Any]) -> Mapping[str, Any]:
    """A mode's section on top of the file's own, as a run validates it."""
    if not isinstance(base, Mapping):
        return extra
    return merge_layers([Layer("", base), Layer("", extra)]).values


def _sections_problem(
    sections: Mapping[str, Any], where: KeyPath, registry: Registry, base: Mapping[str, Any]
) -> str | None:
    """The first invalid check section or command of normalised ``sections``, or None."""
    command = registry.checks[COMMAND_CHECK].settings_model
    for name, section in sections.items():
        if name in _REPO_FILE_KEYS:
            continue
        if name == MODES_KEY:
            found = [
                _sections_problem(v, (*where, name, m), registry, sections)
                for m, v in section.items()
            ]
        elif name == COMMANDS_KEY:
            under = base.get(COMMANDS_KEY, {})
            found = [
                _model_problem((*where, name, c), _over(under.get(c), v), command)
                for c, v in section.items()
            ]
        else:
            model = registry.checks[name].settings_model
            found = [_model_problem((*where, name), _over(base.get(name), section), model)]
        problem = next((f for f in found if f is not None), None)
        if problem is not None:
            return problem
    return None


def _invalid_file(text: str, registry: Registry) -> str | None:
    """Why the edited file would not load as a repository config (as a run loads it), or None.

    Unknown sections, modes and command names are refused as the loader refuses them;
    every check section (per mode too) and every command is validated by its model.
    """
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        return "expected a mapping of settings at the top level"
    own = {k: v for k, v in data.items() if k in _REPO_FILE_KEYS}
    problem = _model_problem((), own, RepositoryFile)
    if problem is not None:
        return problem
    body = {k: v for k, v in data.items() if k != "extends"}
    try:
        sections = normalise_sections(body, registry, _refuse, _REPO_FILE_KEYS)
    except ConfigError as exc:
        return str(exc)
    return _sections_problem(sections, (), registry, {})


def _inherited_checks(repo_path: Path) -> Callable[[], list[str]]:
    def inherited() -> list[str]:
        from ...config.load import load_fleet

        plan = load_fleet(None, repo_path).repos[0]
        checks = plan.merged.values.get("checks")
        return [str(c) for c in checks] if isinstance(checks, list) else []

    return inherited


class _RefusedError(ProveError):
    def __init__(self, why: str, root: Path, file: str) -> None:
        super().__init__(why)
        self.root, self.file = root, file


@dataclasses.dataclass(frozen=True)
class _Planner:
    orchestrator: Orchestrator
    branch: str
    registry: Registry

    def plan(self, entry: RepositoryEntry, updates: Sequence[Update]) -> RepoChange:
        try:
            return self._plan(entry, updates)
        except _RefusedError as exc:
            return RepoChange(
                name=entry.name,
                root=exc.root,
                file=exc.file,
                before=None,
                after=None,
                problem=str(exc),
            )

    def _where(self, entry: RepositoryEntry) -> tuple[Path, Path, str]:
        """The repository directory, its git top level and the config file below that."""
        repo_path = (self.orchestrator.path.parent / entry.path).resolve()
        path, problem = _config_file(repo_path, entry)
        if not repo_path.is_dir():
            raise _RefusedError(f"{repo_path} is not a directory", repo_path, path.name)
        if problem is not None:
            raise _RefusedError(problem, repo_path, path.name)
        try:
            root = git_ops.toplevel(repo_path)
        except GitCommandError:
            raise _RefusedError(
                f"{repo_path} is not a git repository", repo_path, path.name
            ) from None
        return repo_path, root, path.resolve().relative_to(root.resolve()).as_posix()

    def _plan(self, entry: RepositoryEntry, updates: Sequence[Update]) -> RepoChange:
        repo_path, root, file = self._where(entry)
        if entry.checks is not None and any(u.add_checks or u.remove_checks for u in updates):
            raise _RefusedError(
                f"its entry in {self.orchestrator.path.name} lists checks, which win over"
                " its own file: change them there",
                root,
                file,
            )
        state = git_ops.state_problem(root, file)
        if state is None and git_ops.branch_exists(root, self.branch):
            state = f"branch {self.branch} already exists"
        if state is not None:
            raise _RefusedError(state, root, file)
        path = root / file
        before = path.read_bytes() if path.is_file() else None
        try:
            text = apply_updates(
                (before or b"").decode("utf-8"),
                updates,
                _inherited_checks(repo_path),
                self.registry.resolve,
            )
        except UnicodeDecodeError:
            raise _RefusedError(f"{file} is not UTF-8", root, file) from None
        except (EditError, ConfigError) as exc:
            raise _RefusedError(f"{file}: {exc}", root, file) from None
        invalid = _invalid_file(text, self.registry)
        if invalid is not None:
            raise _RefusedError(f"{file} would become invalid: {invalid}", root, file)
        return RepoChange(name=entry.name, root=root, file=file, before=before, after=text.encode())


def plan_sync(
    orchestrator: Orchestrator, updates: UpdatesFile, branch: str, registry: Registry
) -> list[RepoChange]:
    """What each selected repository's file would become, or why it cannot be changed.

    :raises ConfigError: an update names a repository the orchestrator file lacks
    """
    names = [e.name for e in orchestrator.repos]
    for update in updates.updates:
        for name in update.repos or ():
            if name not in names:
                raise ConfigError(
                    f"updates: no repository named {name!r} in {orchestrator.path.name}"
                    f" (known: {', '.join(names)})"
                )
    planner = _Planner(orchestrator, branch, registry)
    changes = []
    for entry in orchestrator.repos:
        mine = [u for u in updates.updates if u.repos is None or entry.name in u.repos]
        if mine:
            changes.append(planner.plan(entry, mine))
    return changes


def apply_sync(changes: Sequence[RepoChange], branch: str, message: str) -> list[RepoRecord]:
    """Commit each change on ``branch``; all of them, or (on failure) none.

    :raises SyncFailedError: a repository failed; the branches made before it are deleted
    """
    done: list[RepoRecord] = []
    for change in changes:
        if not change.changed:
            continue
        try:
            base = git_ops.git_text(change.root, "rev-parse", "HEAD")
            commit = git_ops.commit_file(
                change.root,
                parent=base,
                path=change.file,
                content=change.after,
                message=message,
                branch=branch,
            )
        except GitCommandError as exc:
            restored, stuck = _undo(done)
            raise SyncFailedError(change.name, str(exc), restored, stuck) from None
        done.append(
            RepoRecord(
                name=change.name,
                root=str(change.root),
                file=change.file,
                branch=branch,
                base=base,
                commit=commit,
                created=change.before is None,
            )
        )
    return done


def _undo(done: Sequence[RepoRecord]) -> tuple[list[str], list[str]]:
    restored, stuck = [], []
    for record in reversed(done):
        try:
            git_ops.delete_branch(Path(record.root), record.branch, record.commit)
            restored.append(record.name)
        except GitCommandError:
            stuck.append(record.name)
    return restored, stuck
