"""``HEAD`` and the refs read from the files under ``.git``, where that is certain.

A fleet run asks every repository for its probe (``git rev-parse``) and its refs
(``git for-each-ref``) before anything else, and an unchanged re-run with the pass cache
asks nothing more but ``git status``: two of its three processes only read a few small
files.  This module reads them itself, in the layout git documents
(gitrepository-layout(5): ``HEAD``, loose refs under ``refs/``, ``packed-refs``,
``commondir`` for a linked worktree, ``gitdir:`` files for worktrees and submodules).

It answers only when it is certain to answer as git would, and returns ``None``
otherwise, so the caller asks git: a ``.git`` not at the given directory itself, a
repository configured (in its files or ``GIT_CONFIG_KEY_<n>``) with ``core.worktree``,
``core.bare``, includes or the reftable format, a directory owned by another user (git
may refuse it), a symlinked ``HEAD``, a per-worktree ref, a loose tag (an annotated tag
is peeled by reading its object), a ``packed-refs`` that does not peel every ref, or
anything it cannot parse.
A loose ref outside ``refs/tags/`` is taken to name a commit, as git's own commands write
branches and remote-tracking refs.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from pytest_prove.support.files import read_up_to

__all__ = ["FileProbe", "RepoFiles", "probe_files", "read_repo_files", "refs_listing"]

_SHA: Final = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
# Settings that move the work tree or the refs, or bring in more configuration: git decides.
_UNSURE_CONFIG: Final = re.compile(
    r"^\s*(?:worktree|refstorage)\b|^\s*\[\s*include"
    r"|^[ \t]*bare[ \t]*(?:$|=[ \t]*+(?!(?:false|no|off|0)[ \t]*(?:[#;].*)?$))",
    re.IGNORECASE | re.MULTILINE,
)
# The same settings given in the environment (GIT_CONFIG_KEY_<n>, git-config(1)).
_UNSURE_KEY: Final = re.compile(r"core\.(?:worktree|bare)|extensions\.refstorage|include", re.I)
# What git-check-ref-format(1) rejects in a ref name: for-each-ref skips such a file.
_BAD_NAME: Final = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]|\.\.|@\{|/\.|\.$|^@$|//")
# HEAD, a ref, a config: none is near this; a file that is goes to git.
_MAX_BYTES: Final = 16 * 1024 * 1024
# Refs kept per worktree (gitrepository-layout(5)): in a linked worktree they live apart.
_PER_WORKTREE: Final = ("refs/bisect/", "refs/worktree/", "refs/rewritten/")


@dataclasses.dataclass(frozen=True)
class FileProbe:
    """What ``git rev-parse`` would tell of a repository whose ``.git`` is at its top."""

    toplevel: Path
    git_dir: Path
    common_dir: Path
    shallow: bool
    head: str | None
    symbolic_head: str | None


@dataclasses.dataclass(frozen=True)
class RepoFiles:
    """The probe and the refs listing of one repository, read together.

    ``probe`` is ``None`` when :func:`probe_files` is unsure, ``listing`` when
    :func:`refs_listing` is (or the probe was): then git is asked, as without them.
    """

    probe: FileProbe | None
    listing: bytes | None

    def to_wire(self) -> tuple[list[str | bool | None] | None, bytes]:
        """The probe's fields as JSON values, the last saying whether the listing is known,
        and the listing's bytes: what the launcher's helper sends back (see :func:`from_wire`)."""
        probe = self.probe
        if probe is None:
            return None, b""
        fields: list[str | bool | None] = [
            os.fspath(probe.toplevel),
            os.fspath(probe.git_dir),
            os.fspath(probe.common_dir),
            probe.shallow,
            probe.head,
            probe.symbolic_head,
        ]
        return [*fields, self.listing is not None], self.listing or b""

    @classmethod
    def from_wire(cls, fields: object, listing: bytes) -> RepoFiles:
        """The inverse of :meth:`to_wire`; anything else reads as unsure (git is asked)."""
        match fields:
            case [
                str(top),
                str(git_dir),
                str(common_dir),
                bool(shallow),
                str() | None as head,
                str() | None as symbolic,
                bool(listed),
            ]:
                probe = FileProbe(
                    Path(top), Path(git_dir), Path(common_dir), shallow, head, symbolic
                )
                return cls(probe, listing if listed else None)
        return cls(None, None)


def read_repo_files(root: str, env: Mapping[str, str]) -> RepoFiles:
    """:func:`probe_files` and, when it is sure, :func:`refs_listing` of ``root``."""
    probe = probe_files(Path(root), env)
    if probe is None:
        return RepoFiles(None, None)
    return RepoFiles(probe, refs_listing(probe.git_dir, probe.common_dir))


def probe_files(root: Path, env: Mapping[str, str]) -> FileProbe | None:
    """The probe of the repository whose top is ``root``, from its files; ``None`` if unsure."""
    try:
        return _probe(root, env)
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _probe(root: Path, env: Mapping[str, str]) -> FileProbe | None:
    # Paths are plain strings here: pathlib's objects cost more than the system calls
    # (1,000 repositories are probed on a fleet run's main thread).
    # By key first: os.environ decodes every value it is asked for.
    if any(k.startswith("GIT_CONFIG_KEY_") and _UNSURE_KEY.match(env[k]) for k in env):
        return None
    toplevel = os.path.realpath(root)
    dirs = _git_dirs(toplevel)
    if dirs is None or not _plain(toplevel, *dirs):
        return None
    git_dir, common_dir = dirs
    shallow = os.path.exists(_join(common_dir, "shallow"))
    head = _read(_join(git_dir, "HEAD"))
    paths = Path(toplevel), Path(git_dir), Path(common_dir)
    if _SHA.fullmatch(head):
        return FileProbe(*paths, shallow, head, "HEAD")
    if not head.startswith("ref: refs/heads/"):
        return None
    branch = head[len("ref: ") :]
    target = _resolve(branch, git_dir, common_dir)
    if isinstance(target, _Unsure):
        return None
    # An unborn branch: git's probe gives no HEAD, and no branch name either.
    symbolic = branch if target is not None else None
    return FileProbe(*paths, shallow, target, symbolic)


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}"


def _read(path: str) -> str:
    """A small file's text (newlines as ``Path.read_text`` reads them), without the last.

    Through :func:`~pytest_prove.support.files.read_up_to`: a text file object costs eight
    system calls to open, where three do (probing 1,000 repositories reads 4,000 such
    files on the main thread).

    :raises ValueError: larger than any git writes there (the caller asks git instead)
    """
    data = read_up_to(path, _MAX_BYTES + 1)
    if len(data) > _MAX_BYTES:
        raise ValueError(f"{path}: larger than {_MAX_BYTES} bytes")
    text = data.decode("utf-8")
    if "\r" in text:  # universal newlines, as text mode reads them
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.rstrip("\n")


def _git_dirs(toplevel: str) -> tuple[str, str] | None:
    """The git directory and the common one of the work tree ``toplevel``, by its ``.git``."""
    dot_git = _join(toplevel, ".git")
    try:
        mode = os.lstat(dot_git).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode):
        git_dir = dot_git
    elif stat.S_ISREG(mode):
        text = _read(dot_git)
        if not text.startswith("gitdir: "):
            return None
        git_dir = os.path.realpath(os.path.join(toplevel, text[len("gitdir: ") :]))
    else:
        return None  # a symbolic link, or something stranger
    commondir = _join(git_dir, "commondir")
    if not os.path.exists(commondir):
        return git_dir, git_dir
    return git_dir, os.path.realpath(os.path.join(git_dir, _read(commondir)))


def _plain(toplevel: str, git_dir: str, common_dir: str) -> bool:
    """A repository git would open as it is laid out, with nothing to reinterpret."""
    if os.path.exists(_join(common_dir, "reftable")) or not os.path.isdir(
        _join(common_dir, "refs")
    ):
        return False
    if os.path.islink(_join(git_dir, "HEAD")):
        return False  # an old layout: HEAD a link to the branch's file
    owner = os.geteuid() if hasattr(os, "geteuid") else None
    if owner is not None and any(os.stat(p).st_uid != owner for p in (toplevel, git_dir)):
        return False  # git's safe.directory check may refuse it: let git say so
    for config in (_join(common_dir, "config"), _join(git_dir, "config.worktree")):
        try:
            text = _read(config)
        except FileNotFoundError:
            continue
        if _UNSURE_CONFIG.search(text):
            return False
    return True


class _Unsure:
    pass


_UNSURE: Final = _Unsure()


def _resolve(name: str, git_dir: str, common_dir: str) -> str | _Unsure | None:
    """The sha a plain (not symbolic) ref names, ``None`` if it does not exist."""
    if git_dir != common_dir and name.startswith(_PER_WORKTREE):
        return _UNSURE
    loose = _join(common_dir, name)
    if os.path.isfile(loose):
        content = _read(loose)
        return content if _SHA.fullmatch(content) else _UNSURE
    if os.path.exists(loose):
        return _UNSURE  # a directory where a ref would be
    packed = _packed(common_dir)
    if packed is None:
        return _UNSURE
    entry = packed.get(name)
    return entry[0] if entry is not None else None


def _packed(common_dir: str) -> Mapping[str, tuple[str, str]] | None:
    """``packed-refs``: each ref's sha and peeled sha ('' when not a tag object); ``None``
    when it does not say it peels every ref (``fully-peeled``, written since git 1.8).

    Read once for the probe and the listing alike: a clone's branches are all in it, and
    it may hold 100,000 tags.  git replaces the file by renaming a new one over it, so
    its inode, time and size tell a new version.
    """
    path = _join(common_dir, "packed-refs")
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return {}
    return _read_packed(path, found.st_ino, found.st_mtime_ns, found.st_size)


@functools.lru_cache(maxsize=8)
def _read_packed(
    path: str, inode: int, mtime_ns: int, size: int
) -> Mapping[str, tuple[str, str]] | None:
    refs: dict[str, tuple[str, str]] = {}
    peeled = False
    last = ""
    for line in Path(path).read_bytes().decode("utf-8").split("\n"):
        if line.startswith("# pack-refs with:"):
            peeled = " fully-peeled" in line
        elif line.startswith("^"):
            if not last or not _SHA.fullmatch(line[1:]):
                return None
            refs[last] = (refs[last][0], line[1:])
        elif line:
            sha, _, name = line.partition(" ")
            if not _SHA.fullmatch(sha) or not name.startswith("refs/"):
                return None
            refs[name] = (sha, "")
            last = name
    return refs if peeled or not refs else None


def refs_listing(git_dir: Path, common_dir: Path) -> bytes | None:
    """What ``git for-each-ref`` prints with :data:`~pytest_prove.git.refs.REFS_ARGS`'s
    format (name, symref target, object, peeled object), from the files; ``None`` if unsure."""
    try:
        return _listing(git_dir, common_dir)
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _listing(git_dir: Path, common_dir: Path) -> bytes | None:
    common = os.fspath(common_dir)
    if git_dir != common_dir and os.path.exists(_join(os.fspath(git_dir), "refs")):
        return None  # per-worktree refs: where git lists them from is git's to say
    packed = _packed(common)
    loose: dict[str, str] = {}
    if packed is None or not _gather_loose(_join(common, "refs"), "refs", loose):
        return None
    records = {name: ("", sha, peeled) for name, (sha, peeled) in packed.items()}
    for name, content in loose.items():
        if _SHA.fullmatch(content):
            if name.startswith("refs/tags/"):
                return None  # an annotated tag would need its object read to be peeled
            records[name] = ("", content, "")
            continue
        if not content.startswith("ref: refs/"):
            return None
        target = content[len("ref: ") :]
        plain = loose.get(target)
        if plain is not None and not _SHA.fullmatch(plain):
            return None  # a symref to a symref
        sha, peeled = (plain, "") if plain is not None else packed.get(target, ("", ""))
        if sha:  # a dangling one is left out, as for-each-ref does
            records[name] = (target, sha, peeled)
    lines = (f"{n}\0{s}\0{o}\0{p}" for n, (s, o, p) in sorted(records.items()))
    return os.fsencode("".join(f"{line}\n" for line in lines))


def _gather_loose(folder: str, prefix: str, loose: dict[str, str]) -> bool:
    """Add each loose ref below ``folder`` (named ``prefix``) to ``loose`` by its name and
    content; False when one is for git to read."""
    with os.scandir(folder) as entries:
        for entry in entries:
            name = f"{prefix}/{entry.name}"
            if entry.is_dir(follow_symlinks=False):
                if not _gather_loose(entry.path, name, loose):
                    return False
            elif entry.name.endswith(".lock") or entry.is_symlink() or _BAD_NAME.search(name):
                return False  # being written, read git's own way, or a name git ignores
            else:
                loose[name] = _read(entry.path)
    return True
