"""Build real git repositories for tests: the one builder every test uses.

Usage::

    repo = make_repo()                       # tests/conftest.py fixture
    repo.write("src/app.py", "print(1)\\n")
    sha = repo.commit("add app")
    repo.branch("feature"); repo.checkout("feature")

Commits get fixed, increasing dates, so the same steps give the same SHAs in
every run.  The identity and config come from the hermetic environment the
session fixture in ``tests/conftest.py`` installs (:data:`HERMETIC_ENV`).
"""

from __future__ import annotations

import datetime
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Final, Protocol

__all__ = [
    "BINARY_CONTENT",
    "DEFAULT_EPOCH",
    "HERMETIC_ENV",
    "LATIN1_CONTENT",
    "NON_UTF8_NAME",
    "REDIRECTING_VARIABLES",
    "BuilderGitError",
    "MakeRepo",
    "RepoBuilder",
]

# The first default commit date; each later default commit is an hour later.
DEFAULT_EPOCH: Final = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)

# Installed on os.environ for the whole session (subprocesses and pytester
# runs inherit it; pytester resets HOME, so ~/.gitconfig must not matter).
HERMETIC_ENV: Final[Mapping[str, str]] = {
    "GIT_AUTHOR_NAME": "Prove Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Prove Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    # Config through the environment (git >= 2.31), since there is no global file.
    "GIT_CONFIG_COUNT": "5",
    "GIT_CONFIG_KEY_0": "init.defaultBranch",
    "GIT_CONFIG_VALUE_0": "main",
    "GIT_CONFIG_KEY_1": "commit.gpgsign",
    "GIT_CONFIG_VALUE_1": "false",
    "GIT_CONFIG_KEY_2": "tag.gpgsign",
    "GIT_CONFIG_VALUE_2": "false",
    # Local submodule URLs are refused since git 2.38.1 (CVE-2022-39253).
    "GIT_CONFIG_KEY_3": "protocol.file.allow",
    "GIT_CONFIG_VALUE_3": "always",
    "GIT_CONFIG_KEY_4": "advice.detachedHead",
    "GIT_CONFIG_VALUE_4": "false",
}

# Content git classifies as binary (a NUL in the first 8000 bytes).
BINARY_CONTENT: Final = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
# Text that is not UTF-8 ("café" in Latin-1, without a final newline).
LATIN1_CONTENT: Final = "caf\u00e9\nna\u00efve".encode("latin-1")
# A file name that is not UTF-8; os.fsdecode gives the str that opens it.
NON_UTF8_NAME: Final = os.fsdecode(b"caf\xe9.txt")

# Variables that would point the builder's own git at another repository
# when the tests run from a git hook; the session fixture removes them.
REDIRECTING_VARIABLES: Final = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)


class BuilderGitError(subprocess.CalledProcessError):
    """A git command of the builder failed; the message shows git's stderr."""

    def __str__(self) -> str:
        stderr = self.stderr.decode("utf-8", "replace").strip()
        return f"{super().__str__()}\n{stderr}"


class MakeRepo(Protocol):
    """The type of the ``make_repo`` fixture."""

    def __call__(self, name: str = "repo") -> RepoBuilder: ...


class RepoBuilder:
    """A git repository under construction at :attr:`path`.

    Methods that change the repository return ``None`` except those whose
    result you need (``commit``/``merge`` return the new sha, ``clone`` a
    builder for the clone).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._commits = 0

    def __repr__(self) -> str:
        return f"RepoBuilder({str(self.path)!r})"

    def git(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run ``git <args>`` here; stdout without its final newline.

        :param env: variables added to the (hermetic) environment
        :param check: raise when git fails; otherwise return its stdout anyway
        :raises BuilderGitError: git failed (its stderr is in the message)
        """
        completed = subprocess.run(
            ("git", *args),
            cwd=self.path,
            env={**os.environ, **(env or {})},
            capture_output=True,
            check=False,
        )
        if check and completed.returncode != 0:
            raise BuilderGitError(
                completed.returncode, ("git", *args), completed.stdout, completed.stderr
            )
        return completed.stdout.decode("utf-8", "surrogateescape").removesuffix("\n")

    def init(self, branch: str = "main") -> RepoBuilder:
        """``git init`` with ``branch`` as the unborn branch; returns ``self``."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", f"--initial-branch={branch}")
        return self

    def write(self, relpath: str, content: str | bytes) -> Path:
        """Write a file (creating directories); ``str`` is written as UTF-8, as is."""
        target = self.path / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(
            content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content
        )
        return target

    def write_files(self, files: Mapping[str, str | bytes]) -> None:
        for relpath, content in files.items():
            self.write(relpath, content)

    def delete(self, relpath: str) -> None:
        """Remove a file from the work tree (not from the index)."""
        (self.path / relpath).unlink()

    def stage(self, *paths: str) -> None:
        """``git add`` the paths, or everything (``-A``) when none are given."""
        if paths:
            self.git("add", "--", *paths)
        else:
            self.git("add", "-A")

    def commit(
        self,
        message: str,
        *,
        date: str | None = None,
        files: Mapping[str, str | bytes] | None = None,
        all: bool = True,
    ) -> str:
        """Write ``files``, stage everything (unless ``all=False``), commit; the new sha.

        :param date: any date git accepts (``2024-05-01T12:00:00+02:00``);
            by default the next fixed date after the previous default commit
        """
        if files:
            self.write_files(files)
        if all:
            self.stage()
        self.git(
            "commit",
            "--quiet",
            "--allow-empty",
            "--no-verify",
            # Keep "#" lines and spacing: commit-message checks need exact messages.
            "--cleanup=verbatim",
            "-m",
            message,
            env=self._dates(date),
        )
        return self.head

    def branch(self, name: str, start: str | None = None) -> None:
        """Create a branch (without switching to it)."""
        self.git("branch", name, *([start] if start else []))

    def diverge(self, branch: str, trunk_file: str = "trunk.txt") -> None:
        """Cut ``branch`` here, commit once more on the current branch (the trunk moves on),
        and switch to ``branch``: a feature branch whose trunk has a commit it lacks."""
        self.branch(branch)
        self.commit("Trunk moves on", files={trunk_file: "trunk\n"})
        self.checkout(branch)

    def checkout(self, name: str) -> None:
        """Switch to a branch, or detach at a sha or tag."""
        self.git("checkout", "--quiet", name)

    def tag(self, name: str) -> None:
        self.git("tag", name)

    def merge(self, name: str, message: str, *, date: str | None = None) -> str:
        """Merge ``name`` into the current branch with a merge commit; the new sha."""
        self.git("merge", "--no-ff", "--quiet", "-m", message, name, env=self._dates(date))
        return self.head

    def clone(
        self, dest: Path | str, *, depth: int | None = None, branch: str | None = None
    ) -> RepoBuilder:
        """Clone this repository through a ``file://`` URL (so ``depth`` is honoured)."""
        args = ["clone", "--quiet"]
        if depth is not None:
            args += ["--depth", str(depth)]
        if branch is not None:
            args += ["--branch", branch]
        self.git(*args, self.path.absolute().as_uri(), os.fspath(Path(dest).absolute()))
        clone = RepoBuilder(dest)
        clone._commits = self._commits
        return clone

    def add_submodule(self, source: RepoBuilder, relpath: str) -> None:
        """Add ``source`` as a submodule at ``relpath`` (staged, not committed)."""
        self.git("submodule", "--quiet", "add", source.path.absolute().as_uri(), relpath)

    def released_branch(self, branch: str, path: str) -> None:
        """Cut ``branch`` from a trunk that moves on, commit ``path`` on it, tag the trunk
        with an annotated ``v1.0`` and pack every ref: the refs of a released project."""
        self.diverge(branch)
        self.commit(f"feat: {path}", files={path: "x\n"})
        self.git("tag", "-a", "-m", "release", "v1.0", "main")
        self.git("pack-refs", "--all")

    @property
    def head(self) -> str:
        """The full sha of ``HEAD``."""
        return self.git("rev-parse", "HEAD")

    def _dates(self, date: str | None) -> dict[str, str]:
        if date is None:
            stamp = DEFAULT_EPOCH + datetime.timedelta(hours=self._commits)
            self._commits += 1
            date = stamp.isoformat()
        return {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
