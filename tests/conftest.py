"""Shared fixtures: a hermetic git environment and the repository builder.

Every test gets the hermetic environment (session-wide, on ``os.environ`` so
subprocesses and pytester runs inherit it).  Repositories come from
``make_repo`` or from the ready-made awkward states below; build anything else
with :class:`tests.repo_builder.RepoBuilder`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Imported before any in-process pytester run: pytester drops modules a run imported,
# and PyYAML's C extension cannot be imported twice into one process.
import pytest_prove.config.load  # noqa: F401
from tests.repo_builder import (
    BINARY_CONTENT,
    HERMETIC_ENV,
    LATIN1_CONTENT,
    NON_UTF8_NAME,
    REDIRECTING_VARIABLES,
    MakeRepo,
    RepoBuilder,
)

# Hypothesis' per-example deadline measures the machine, not the code: under xdist on a
# loaded CI runner it fails tests at random.  Speed is measured by bench/, not here.
# Under CI the examples are derandomized, as Hypothesis' own CI profile does in its newer
# releases (the lowest-versions leg runs an older one): a landing is judged on the same
# examples every time, and new ones are searched on developers' machines.
settings.register_profile("prove", deadline=None, derandomize="CI" in os.environ)
settings.load_profile("prove")

# CI variables change how a repository context picks its base and branch; a
# test that wants them passes env= to RepoContext instead.
# So do prove's own variables: the clock, the actor, where notifications go.
_CI_PREFIXES = ("GITHUB_", "GITLAB_", "CI_", "CHANGE_", "PROVE_SMTP_")
_CI_NAMES = (
    *("CI", "BRANCH_NAME", "JENKINS_URL", "GIT_CONFIG_PARAMETERS"),
    *("PROVE_NOW", "PROVE_ACTOR", "PROVE_SLACK_WEBHOOK", "PROVE_TEAMS_WEBHOOK"),
)


@pytest.fixture(autouse=True, scope="session")
def hermetic_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Identity, no user/system config, no templates, no CI or hook variables."""
    template_dir = tmp_path_factory.mktemp("git-template")
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name in REDIRECTING_VARIABLES or name in _CI_NAMES or name.startswith(_CI_PREFIXES):
                patch.delenv(name)
        for name, value in HERMETIC_ENV.items():
            patch.setenv(name, value)
        patch.setenv("GIT_TEMPLATE_DIR", os.fspath(template_dir))
        # A test's "not a repository" directory must not find a repository
        # that happens to contain the temporary directory.
        patch.setenv("GIT_CEILING_DIRECTORIES", os.fspath(tmp_path_factory.getbasetemp()))
        yield


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """``make_repo(name="repo")``: ``tmp_path/name`` on ``main`` with one commit (README.md)."""

    def make(name: str = "repo") -> RepoBuilder:
        repo = RepoBuilder(tmp_path / name).init()
        repo.commit("Initial commit", files={"README.md": "# Example\n"})
        return repo

    return make


@pytest.fixture
def empty_repo(tmp_path: Path) -> RepoBuilder:
    """An initialised repository without any commit."""
    return RepoBuilder(tmp_path / "empty").init()


@pytest.fixture
def detached_repo(make_repo: MakeRepo) -> RepoBuilder:
    """Two commits on ``main``, ``HEAD`` detached at the second (as CI checks out)."""
    repo = make_repo("detached")
    repo.commit("Second commit", files={"app.py": "print('hello')\n"})
    repo.checkout(repo.head)
    return repo


@pytest.fixture
def shallow_clone(make_repo: MakeRepo, tmp_path: Path) -> RepoBuilder:
    """A depth-1 clone of branch ``feature`` that lacks ``main`` (and origin/main)."""
    origin = make_repo("origin")
    origin.commit("Trunk work", files={"trunk.txt": "trunk\n"})
    origin.branch("feature")
    origin.checkout("feature")
    origin.commit("Feature work", files={"feature.txt": "feature\n"})
    origin.checkout("main")
    return origin.clone(tmp_path / "shallow", depth=1, branch="feature")


@pytest.fixture
def not_a_repo(tmp_path: Path) -> Path:
    """A plain directory with a file, inside no repository."""
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "file.txt").write_text("not tracked\n")
    return plain


@pytest.fixture
def odd_files_repo(make_repo: MakeRepo) -> RepoBuilder:
    """Committed binary, non-UTF-8 content, a non-UTF-8 name, spaces and quotes in names."""
    repo = make_repo("odd")
    repo.commit(
        "Add odd files",
        files={
            "image.png": BINARY_CONTENT,
            "latin1.txt": LATIN1_CONTENT,
            NON_UTF8_NAME: "non-UTF-8 name\n",
            'dir with space/"quoted"\tname.txt': "odd name\n",
        },
    )
    return repo


@pytest.fixture
def submodule_repo(make_repo: MakeRepo) -> RepoBuilder:
    """A repository with the repository ``lib`` committed as submodule ``vendor/lib``."""
    lib = make_repo("lib")
    repo = make_repo("super")
    repo.add_submodule(lib, "vendor/lib")
    repo.commit("Add submodule")
    return repo


@pytest.fixture
def conflict_repo(make_repo: MakeRepo) -> RepoBuilder:
    """A merge of ``other`` into ``main`` stopped on a conflict in ``conflict.txt``."""
    repo = make_repo("conflict")
    repo.commit("Base", files={"conflict.txt": "base\n"})
    repo.branch("other")
    repo.commit("Ours", files={"conflict.txt": "ours\n"})
    repo.checkout("other")
    repo.commit("Theirs", files={"conflict.txt": "theirs\n"})
    repo.checkout("main")
    result = repo.git("merge", "other", "--no-edit", check=False)
    assert "CONFLICT" in result, result
    return repo
