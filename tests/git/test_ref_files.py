"""HEAD and the refs read from the files under .git are git's answers, or no answer at all."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pytest_prove.git import base_choice as base_choice_module
from pytest_prove.git import probe as probe_module
from pytest_prove.git.context import RepoContext
from pytest_prove.git.probe import RepoProbe
from pytest_prove.git.ref_files import (
    FileProbe,
    RepoFiles,
    probe_files,
    read_repo_files,
    refs_listing,
)
from pytest_prove.git.refs import REFS_ARGS
from tests.repo_builder import MakeRepo, RepoBuilder


def gits_probe(root: Path, monkeypatch: pytest.MonkeyPatch) -> FileProbe:
    """What ``git rev-parse`` says, in the shape of :class:`FileProbe`."""
    with monkeypatch.context() as patch:
        patch.setattr(probe_module, "probe_files", lambda root, env: None)
        probe = RepoProbe(root, name="r", env=None)._probe
    return FileProbe(
        toplevel=probe.toplevel,
        git_dir=probe.git_dir,
        common_dir=Path(os.path.realpath(probe.common_dir)),
        shallow=probe.shallow,
        head=probe.head,
        symbolic_head=probe.symbolic_head,
    )


def assert_as_git(root: Path, monkeypatch: pytest.MonkeyPatch) -> FileProbe:
    """The files give git's probe and git's refs listing, byte for byte."""
    found = probe_files(root, os.environ)
    assert found is not None, "the files should have been enough"
    assert found == gits_probe(root, monkeypatch)
    listing = refs_listing(found.git_dir, found.common_dir)
    assert listing is not None, "the refs should have been readable"
    assert listing == RepoBuilder(root).git(*REFS_ARGS).encode() + (b"\n" if listing else b"")
    return found


def two_branches(repo: RepoBuilder) -> RepoBuilder:
    repo.diverge("feat/x")
    repo.commit("feature", files={"f.txt": "f\n"})
    return repo


SHAPES: dict[str, Callable[[RepoBuilder], object]] = {
    "loose refs": lambda repo: None,
    "packed refs": lambda repo: repo.git("pack-refs", "--all"),
    "packed tags, one annotated": lambda repo: (
        repo.git("tag", "light"),
        repo.git("tag", "-a", "-m", "release", "v1.0", "main"),
        repo.git("pack-refs", "--all"),
    ),
    "a loose ref over a packed one": lambda repo: (
        repo.git("pack-refs", "--all"),
        repo.commit("more", files={"m.txt": "m\n"}),
    ),
    "detached HEAD": lambda repo: repo.checkout("HEAD~1"),
    "a stash": lambda repo: (repo.write("f.txt", "dirty\n"), repo.git("stash", "-q")),
    "a non-ASCII branch": lambda repo: repo.git("checkout", "-q", "-b", "feat/ünï"),
    "a dangling symref": lambda repo: repo.git(
        "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/gone"
    ),
}


@pytest.mark.parametrize("shape", SHAPES)
def test_the_files_answer_as_git(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    repo = two_branches(make_repo())
    SHAPES[shape](repo)
    assert_as_git(repo.path, monkeypatch)


def test_a_clone_with_origin_head(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    origin = two_branches(make_repo())
    origin.git("tag", "-a", "-m", "r", "v2", "main")
    origin.checkout("main")
    clone = origin.clone(tmp_path / "clone")
    clone.git("checkout", "-q", "-b", "topic")
    found = assert_as_git(clone.path, monkeypatch)
    assert b"refs/remotes/origin/HEAD\0refs/remotes/origin/main\0" in (
        refs_listing(found.git_dir, found.common_dir) or b""
    )


def test_a_shallow_clone(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    origin = two_branches(make_repo())
    clone = origin.clone(tmp_path / "shallow", depth=1, branch="feat/x")
    assert assert_as_git(clone.path, monkeypatch).shallow is True


def test_an_unborn_branch(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo()
    repo.git("checkout", "-q", "--orphan", "fresh")
    found = assert_as_git(repo.path, monkeypatch)
    assert (found.head, found.symbolic_head) == (None, None)


def test_a_linked_worktree(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = two_branches(make_repo())
    repo.git("worktree", "add", "-q", os.fspath(tmp_path / "wt"), "main")
    found = assert_as_git(tmp_path / "wt", monkeypatch)
    assert found.common_dir == Path(os.path.realpath(repo.path / ".git"))
    assert found.git_dir != found.common_dir


def test_a_symlinked_path_is_the_real_top(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    repo = two_branches(make_repo())
    (tmp_path / "link").symlink_to(repo.path)
    assert assert_as_git(tmp_path / "link", monkeypatch).toplevel == Path(
        os.path.realpath(repo.path)
    )


def test_sha256_objects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = RepoBuilder(tmp_path / "sha256")
    repo.path.mkdir()
    repo.git("init", "-q", "--object-format=sha256", "-b", "main")
    repo.commit("one", files={"a.txt": "a\n"})
    assert len(assert_as_git(repo.path, monkeypatch).head or "") == 64


# --- where git must answer ------------------------------------------------------------


def test_a_submodule_is_left_to_git(make_repo: MakeRepo) -> None:
    inner = make_repo("inner")
    outer = make_repo("outer")
    outer.git("-c", "protocol.file.allow=always", "submodule", "--quiet", "add",
              inner.path.absolute().as_uri(), "sub")  # fmt: skip
    # Its config sets core.worktree: git reads that, the files alone would not.
    assert probe_files(outer.path / "sub", os.environ) is None


@pytest.mark.parametrize(
    ("setting", "value"),
    [("core.worktree", "/elsewhere"), ("core.bare", "true"), ("include.path", "more.cfg")],
)
def test_settings_that_move_the_repository_are_left_to_git(
    make_repo: MakeRepo, setting: str, value: str
) -> None:
    repo = make_repo()
    repo.git("config", setting, value)
    assert probe_files(repo.path, os.environ) is None


def test_such_a_setting_in_the_environment_is_left_to_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    env = {**os.environ, "GIT_CONFIG_COUNT": "1"}
    env |= {"GIT_CONFIG_KEY_0": "core.worktree", "GIT_CONFIG_VALUE_0": "/x"}
    assert probe_files(repo.path, env) is None
    assert probe_files(repo.path, {**env, "GIT_CONFIG_KEY_0": "user.name"}) is not None


def test_a_subdirectory_is_left_to_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("deep", files={"pkg/mod.py": "x\n"})
    assert probe_files(repo.path / "pkg", os.environ) is None


def test_a_loose_annotated_tag_is_left_to_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("tag", "-a", "-m", "r", "v1")  # peeling it needs its object read
    assert refs_listing(repo.path / ".git", repo.path / ".git") is None


@pytest.mark.parametrize(
    "damage",
    [
        ("HEAD", "garbage\n"),
        ("refs/heads/main", "not a sha\n"),
        ("packed-refs", "# pack-refs with: peeled fully-peeled sorted\nzzz refs/heads/x\n"),
        ("packed-refs", "1111111111111111111111111111111111111111 refs/tags/t\n"),  # not peeled
        (
            "packed-refs",
            "# pack-refs with: peeled\n1111111111111111111111111111111111111111 refs/x\n",
        ),
        ("refs/heads/bad..name", "1111111111111111111111111111111111111111\n"),
        ("refs/heads/main.lock", "1111111111111111111111111111111111111111\n"),
    ],
)
def test_what_cannot_be_read_is_left_to_git(make_repo: MakeRepo, damage: tuple[str, str]) -> None:
    repo = make_repo()
    path, content = damage
    (repo.path / ".git" / path).write_text(content)
    git_dir = repo.path / ".git"
    found = probe_files(repo.path, os.environ)
    assert found is None or refs_listing(git_dir, git_dir) is None


def test_a_reftable_repository_is_left_to_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    (repo.path / ".git" / "reftable").mkdir()
    assert probe_files(repo.path, os.environ) is None


def test_a_symlinked_head_is_left_to_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    head = repo.path / ".git" / "HEAD"
    head.unlink()
    head.symlink_to("refs/heads/main")  # the layout of git before 1.5
    assert probe_files(repo.path, os.environ) is None


def test_packed_refs_are_read_once_and_again_when_git_rewrites_them(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_prove.git.ref_files import _read_packed

    repo = two_branches(make_repo())
    repo.git("pack-refs", "--all")  # HEAD's branch is only in packed-refs now
    before = _read_packed.cache_info().misses
    assert_as_git(repo.path, monkeypatch)  # the probe and the listing
    assert _read_packed.cache_info().misses == before + 1
    repo.commit("more", files={"m.txt": "m\n"})
    repo.git("pack-refs", "--all")
    assert_as_git(repo.path, monkeypatch)
    assert _read_packed.cache_info().misses == before + 2


def test_files_read_ahead_are_taken_instead_of_reading_them_here(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = two_branches(make_repo())
    repo.git("pack-refs", "--all")
    facts = ("toplevel", "head", "branch", "detached", "shallow", "_refs", "_ref_objects", "trunk")
    plain = RepoContext(repo.path)
    expected = [getattr(plain, fact) for fact in facts]
    ahead = read_repo_files(os.fspath(repo.path), os.environ)
    read_here: list[str] = []
    real_probe, real_listing = probe_module.probe_files, base_choice_module.refs_listing
    monkeypatch.setattr(
        probe_module, "probe_files", lambda *a: read_here.append("probe") or real_probe(*a)
    )
    monkeypatch.setattr(
        base_choice_module, "refs_listing", lambda *a: read_here.append("refs") or real_listing(*a)
    )

    taken = RepoContext(repo.path)
    taken.read_ahead(lambda: ahead)
    assert [getattr(taken, fact) for fact in facts] == expected
    assert read_here == []
    assert taken.git_calls == 0

    lost = RepoContext(repo.path)  # the helper ended before it answered
    lost.read_ahead(lambda: None)
    assert [getattr(lost, fact) for fact in facts] == expected
    assert read_here == ["probe", "refs"]
    assert lost.git_calls == 0

    # The helper was unsure of the probe: git is asked for it, as here, and the refs are
    # read here from the folders git named.
    unsure = RepoContext(repo.path)
    unsure.read_ahead(lambda: RepoFiles(None, None))
    assert [getattr(unsure, fact) for fact in facts] == expected
    assert read_here == ["probe", "refs", "refs"]
    assert unsure.git_calls == 1


@pytest.mark.parametrize("shape", ["packed refs", "detached HEAD", "a non-ASCII branch"])
def test_files_travel_to_the_run_unchanged(make_repo: MakeRepo, shape: str) -> None:
    repo = two_branches(make_repo())
    SHAPES[shape](repo)
    files = read_repo_files(os.fspath(repo.path), os.environ)
    assert files.probe is not None
    assert files.listing is not None
    fields, listing = files.to_wire()
    assert RepoFiles.from_wire(json.loads(json.dumps(fields)), listing) == files


@pytest.mark.parametrize(
    "fields", [None, [], ["a", "b"], ["/r", "/r/.git", "/r/.git", "no", None, None, True], 7]
)
def test_files_that_do_not_arrive_whole_are_unsure(fields: object) -> None:
    assert RepoFiles.from_wire(fields, b"x") == RepoFiles(None, None)
