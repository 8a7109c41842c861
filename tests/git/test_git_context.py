from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path

import pytest

from pytest_prove.git import ChangedFile, RepoContext, RepoContextError
from pytest_prove.git import base_choice as base_choice_module
from pytest_prove.git import probe as probe_module
from pytest_prove.git.log import LOG_FORMAT, parse_log
from pytest_prove.git.refs import find_trunk, requested_base, resolve_ref
from tests.repo_builder import (
    BINARY_CONTENT,
    LATIN1_CONTENT,
    NON_UTF8_NAME,
    MakeRepo,
    RepoBuilder,
)

FETCH_HINT = "fetch it (actions/checkout: fetch-depth: 0), or pass --prove-base REF"


def with_env(**variables: str) -> Mapping[str, str]:
    """os.environ plus CI variables, without touching os.environ."""
    return {**os.environ, **variables}


@pytest.fixture
def feature_repo(make_repo: MakeRepo) -> RepoBuilder:
    """main with two commits; `feature` branched after the first, two commits ahead."""
    repo = make_repo()
    repo.diverge("feature")
    repo.commit("Add app", files={"app.py": "a = 1\nb = 2\nc = 3\n"})
    repo.commit("Change app", files={"app.py": "a = 1\nb = 20\nc = 3\nd = 4\n"})
    return repo


def branch_point(repo: RepoBuilder) -> str:
    return repo.git("merge-base", "main", "HEAD")


# --- construction and the probe ---------------------------------------------------


def test_constructing_starts_no_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    def forbidden(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("git was started while constructing")

    monkeypatch.setattr(probe_module, "run_git", forbidden)
    contexts = [RepoContext(tmp_path / f"repo{n}", base="main") for n in range(1000)]
    assert {ctx.git_calls for ctx in contexts} == {0}
    assert contexts[7].name == "repo7"
    assert RepoContext(tmp_path, name="custom").name == "custom"


@pytest.fixture(params=["files", "git"])
def probe_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways to the probe and the refs: the files under .git, and git (when the files
    leave a doubt, see tests/git/test_ref_files.py)."""
    if request.param == "git":
        monkeypatch.setattr(probe_module, "probe_files", lambda root, env: None)
        monkeypatch.setattr(base_choice_module, "refs_listing", lambda git_dir, common: None)
    return str(request.param)


def test_probe_answers_in_one_git_call(feature_repo: RepoBuilder, probe_by: str) -> None:
    ctx = RepoContext(feature_repo.path)
    assert ctx.toplevel == feature_repo.path
    assert ctx.head == feature_repo.head
    assert ctx.branch == "feature"
    assert ctx.detached is False
    assert ctx.shallow is False
    calls = {"files": 0, "git": 1}[probe_by]
    assert ctx.git_calls == calls
    assert (ctx.toplevel, ctx.head, ctx.branch, ctx.shallow) == (
        feature_repo.path,
        feature_repo.head,
        "feature",
        False,
    )
    assert ctx.git_calls == calls


def test_subdirectory_root_finds_the_toplevel(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write("pkg/sub/mod.py", "x = 1\n")
    ctx = RepoContext(repo.path / "pkg" / "sub")
    assert ctx.toplevel == repo.path
    assert ctx.name == "sub"


def test_detached_head_without_ci_variables(detached_repo: RepoBuilder) -> None:
    ctx = RepoContext(detached_repo.path, env=with_env())
    assert ctx.detached is True
    assert ctx.branch is None
    assert ctx.head == detached_repo.head


@pytest.mark.parametrize(
    ("variables", "branch"),
    [
        ({"GITHUB_HEAD_REF": "feat/gh"}, "feat/gh"),
        ({"CI_COMMIT_REF_NAME": "feat/gl"}, "feat/gl"),
        ({"BRANCH_NAME": "feat/jenkins"}, "feat/jenkins"),
        ({"GITHUB_HEAD_REF": "", "CI_COMMIT_REF_NAME": "feat/gl"}, "feat/gl"),
        ({"GITHUB_HEAD_REF": "first", "BRANCH_NAME": "last"}, "first"),
    ],
)
def test_detached_head_branch_from_ci(
    detached_repo: RepoBuilder, variables: dict[str, str], branch: str
) -> None:
    ctx = RepoContext(detached_repo.path, env=with_env(**variables))
    assert ctx.branch == branch
    assert ctx.detached is True


def test_ci_branch_variables_do_not_override_a_real_branch(make_repo: MakeRepo) -> None:
    ctx = RepoContext(make_repo().path, env=with_env(GITHUB_HEAD_REF="other"))
    assert ctx.branch == "main"


# --- errors ---------------------------------------------------------------------


def assert_one_line(err: RepoContextError, *fragments: str) -> None:
    message = str(err)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_missing_path(tmp_path: Path) -> None:
    ctx = RepoContext(tmp_path / "nope", name="svc")
    with pytest.raises(RepoContextError) as info:
        _ = ctx.head
    assert_one_line(info.value, "svc", "does not exist", "fix the repository path")
    assert ctx.git_calls == 0


def test_path_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(RepoContextError, match="is not a directory"):
        _ = RepoContext(tmp_path / "file").toplevel


def test_not_a_git_repository(not_a_repo: Path) -> None:
    ctx = RepoContext(not_a_repo, name="svc")
    with pytest.raises(RepoContextError) as info:
        _ = ctx.toplevel
    assert_one_line(info.value, "svc", "is not a git repository", "git init")
    assert ctx.git_calls == 1


def test_errors_are_memoised(not_a_repo: Path) -> None:
    ctx = RepoContext(not_a_repo)
    with pytest.raises(RepoContextError) as first:
        _ = ctx.head
    calls = ctx.git_calls
    with pytest.raises(RepoContextError) as second:
        _ = ctx.head
    with pytest.raises(RepoContextError) as through_other_attribute:
        _ = ctx.branch
    assert second.value is first.value
    assert through_other_attribute.value is first.value
    assert ctx.git_calls == calls


def test_repeated_failures_do_not_grow_the_traceback(not_a_repo: Path) -> None:
    ctx = RepoContext(not_a_repo)
    depths = []
    for _ in range(3):
        with pytest.raises(RepoContextError) as info:
            _ = ctx.head
        depths.append(len(info.traceback))
    assert depths[1] == depths[2]


def test_repository_without_commits(empty_repo: RepoBuilder, probe_by: str) -> None:
    ctx = RepoContext(empty_repo.path, name="fresh")
    assert ctx.toplevel == empty_repo.path
    with pytest.raises(RepoContextError) as info:
        _ = ctx.head
    assert_one_line(info.value, "fresh", "no commits yet")
    for attribute in ("branch", "detached", "merge_base", "changed_files", "commits"):
        with pytest.raises(RepoContextError, match="no commits yet"):
            getattr(ctx, attribute)
    # git: the probe, then the probe without HEAD; the files: HEAD names an unborn branch
    assert ctx.git_calls == {"files": 0, "git": 2}[probe_by]


def test_bare_repository(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo()
    origin.git("clone", "--quiet", "--bare", os.fspath(origin.path), os.fspath(tmp_path / "b.git"))
    with pytest.raises(RepoContextError, match="is a bare repository"):
        _ = RepoContext(tmp_path / "b.git").toplevel


def test_git_not_installed(make_repo: MakeRepo, tmp_path: Path, probe_by: str) -> None:
    ctx = RepoContext(make_repo().path, env={"PATH": os.fspath(tmp_path)}, base="main")
    with pytest.raises(RepoContextError) as info:
        _ = ctx.head, ctx.commits  # HEAD may come from the files; the log needs git
    assert_one_line(info.value, "repo: git is not installed or not on PATH: install git")


def test_shallow_clone_without_the_base(shallow_clone: RepoBuilder) -> None:
    ctx = RepoContext(shallow_clone.path, env=with_env(GITHUB_BASE_REF="main"))
    assert ctx.shallow is True
    with pytest.raises(RepoContextError) as info:
        _ = ctx.merge_base
    assert_one_line(
        info.value,
        "base ref 'main' (from GITHUB_BASE_REF) not found in shallow",
        "the clone may be shallow or lack the branch",
        FETCH_HINT,
    )
    with pytest.raises(RepoContextError):
        _ = ctx.changed_files


def test_shallow_clone_without_a_merge_base(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo("origin")
    origin.branch("feature")
    origin.commit("Trunk", files={"t": "t\n"})
    origin.checkout("feature")
    origin.commit("Feature", files={"f": "f\n"})
    clone = RepoBuilder(tmp_path / "clone")
    origin.git(
        "clone", "--quiet", "--depth=1", "--no-single-branch", "--branch=feature",
        origin.path.as_uri(), os.fspath(clone.path),
    )  # fmt: skip
    ctx = RepoContext(clone.path, base="main")
    assert ctx.base_ref == "origin/main"
    with pytest.raises(RepoContextError) as info:
        _ = ctx.merge_base
    assert_one_line(info.value, "no merge-base of 'origin/main' and HEAD in clone", FETCH_HINT)
    # The log of origin/main..HEAD stops at the shallow boundary, which looks like a root:
    # commits say why rather than lint a truncated range.
    with pytest.raises(RepoContextError) as info:
        _ = RepoContext(clone.path, base="main").commits
    assert_one_line(info.value, "no merge-base of 'origin/main' and HEAD in clone", FETCH_HINT)


def test_a_merged_unrelated_history_is_in_range(make_repo: MakeRepo) -> None:
    repo = make_repo()  # main: one commit
    repo.git("checkout", "--quiet", "--orphan", "vendor")
    repo.git("rm", "-rq", "--cached", ".")
    repo.commit("chore: vendor import", files={"vendor.txt": "v\n"})
    repo.git("checkout", "--quiet", "-b", "feat/x", "main")
    repo.git("merge", "--quiet", "--allow-unrelated-histories", "-m", "Merge vendor", "vendor")
    subjects = [c.subject for c in RepoContext(repo.path, base="main").commits]
    # A root commit in range with a merge-base: the range is what the branch added.
    assert subjects == ["chore: vendor import", "Merge vendor"]


def test_unrelated_histories(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "--quiet", "--orphan", "island")
    repo.commit("Unrelated", files={"island.txt": "x\n"})
    with pytest.raises(RepoContextError, match="histories are unrelated"):
        _ = RepoContext(repo.path, base="main").merge_base
    # The log of main..HEAD would be the island's whole history: commits say why instead.
    with pytest.raises(RepoContextError, match="histories are unrelated"):
        _ = RepoContext(repo.path, base="main").commits


def test_unknown_base(make_repo: MakeRepo) -> None:
    ctx = RepoContext(make_repo().path, base="nope", name="svc")
    with pytest.raises(RepoContextError) as info:
        _ = ctx.base_ref
    # Neither close to a ref nor in a clone a fetch would fill: the message says only that (#20).
    assert str(info.value) == "base ref 'nope' (from --prove-base) not found in svc"


def test_unexpected_git_failure_is_a_context_error(make_repo: MakeRepo) -> None:
    repo = make_repo()
    ctx = RepoContext(repo.path, base="main")
    _ = ctx.head, ctx.trunk  # HEAD and the refs come from the files under .git
    (repo.path / ".git" / "HEAD").write_text("garbage\n")  # corrupt it behind our back
    with pytest.raises(RepoContextError, match=r"git failed in repo: `git log"):
        _ = ctx.commits


# --- the environment of a git hook ------------------------------------------------


def hook_environment(other: RepoBuilder) -> dict[str, str]:
    git_dir = other.path / ".git"
    return {
        "GIT_DIR": os.fspath(git_dir),
        "GIT_WORK_TREE": os.fspath(other.path),
        "GIT_INDEX_FILE": os.fspath(git_dir / "index"),
        "GIT_OBJECT_DIRECTORY": os.fspath(git_dir / "objects"),
    }


def test_inherited_git_variables_do_not_redirect_the_context(feature_repo: RepoBuilder) -> None:
    other = RepoBuilder(feature_repo.path.parent / "other").init()
    other.commit("Other", files={"other.txt": "other\n", "app.py": "other\n"})
    other.write("staged.txt", "x\n")
    other.stage("staged.txt")
    ctx = RepoContext(feature_repo.path, env=with_env(**hook_environment(other)))
    assert ctx.toplevel == feature_repo.path
    assert ctx.head == feature_repo.head
    assert [f.path for f in ctx.changed_files] == ["app.py"]
    assert ctx.read_at_base("app.py") is None


def test_gitpython_repo_is_pinned(
    feature_repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = RepoBuilder(feature_repo.path.parent / "other").init()
    other.commit("Other", files={"other.txt": "other\n"})
    feature_repo.write("staged.txt", "s\n")
    feature_repo.stage("staged.txt")
    head = feature_repo.head  # the builder's git would follow the variables too
    for name, value in hook_environment(other).items():
        monkeypatch.setenv(name, value)
    ctx = RepoContext(feature_repo.path)
    repo = ctx.repo
    try:
        assert ctx.repo is repo
        assert repo.working_tree_dir == os.fspath(feature_repo.path)
        assert repo.head.commit.hexsha == head
        assert repo.git.rev_parse("HEAD") == head
        assert "staged.txt" in repo.git.ls_files().splitlines()
        assert repo.git.diff("--cached", "--name-only") == "staged.txt"
        assert os.environ["GIT_DIR"] == os.fspath(other.path / ".git"), "environment restored"
    finally:
        ctx.close()


# --- trunk and base ---------------------------------------------------------------


def test_explicit_trunk(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path, trunk="release")
    assert ctx.trunk == "release"
    assert ctx.git_calls == 0


@pytest.mark.parametrize("name", ["main", "master", "trunk", "develop"])
def test_trunk_from_usual_local_names(tmp_path: Path, name: str) -> None:
    repo = RepoBuilder(tmp_path / "r").init(branch=name)
    repo.commit("c")
    repo.branch("zzz")
    repo.checkout("zzz")
    assert RepoContext(repo.path).trunk == name


def test_trunk_from_origin_head(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = RepoBuilder(tmp_path / "origin").init(branch="production")
    origin.commit("c")
    clone = origin.clone(tmp_path / "clone")
    clone.branch("main")  # origin/HEAD beats the usual names
    clone.git("checkout", "-q", "-b", "feat/x")
    assert RepoContext(clone.path).trunk == "production"


def test_origin_head_naming_the_current_branch_is_no_trunk(tmp_path: Path) -> None:
    # Cloned while the origin had a feature branch checked out (`git clone --depth 5
    # --no-single-branch` of a developer's repository): origin/HEAD names that branch.
    origin = RepoBuilder(tmp_path / "origin").init(branch="mainline")
    origin.commit("chore: start")
    origin.git("checkout", "-q", "-b", "feat/x")
    origin.commit("feat: x", files={"aws.txt": "AKIA" + "Z" * 16 + "\n"})
    uri = origin.path.absolute().as_uri()
    origin.git("clone", "-q", "--depth=5", "--no-single-branch", uri, str(tmp_path / "clone"))
    clone = RepoBuilder(tmp_path / "clone")
    ctx = RepoContext(clone.path, env=with_env())
    with pytest.raises(RepoContextError) as raised:
        _ = ctx.changed_files
    assert str(raised.value) == (
        "clone: origin/HEAD names the current branch 'feat/x', which cannot be its own "
        "trunk, and no main/master/trunk/develop is here: set `trunk_branch: NAME` in "
        "prove.yaml (or the orchestrator entry), or pass --prove-base REF"
    )
    named = RepoContext(clone.path, env=with_env(), trunk="mainline")
    assert named.base_ref == "origin/mainline"
    assert [c.path for c in named.changed_files] == ["aws.txt"]
    # On a trunk of a usual name, origin/HEAD naming it is the plain case.
    origin.git("branch", "-q", "-m", "mainline", "main")
    origin.checkout("main")
    on_trunk = origin.clone(tmp_path / "on-trunk")
    assert RepoContext(on_trunk.path, env=with_env()).trunk == "main"


def test_trunk_from_origin_only(feature_repo: RepoBuilder, tmp_path: Path) -> None:
    clone = feature_repo.clone(tmp_path / "clone")  # checks out feature only
    clone.git("remote", "set-head", "origin", "--delete")
    ctx = RepoContext(clone.path)
    assert ctx.trunk == "main"
    assert ctx.base_ref == "origin/main"
    assert ctx.base_source == "trunk"


def test_a_single_branch_clone_of_a_feature_branch_has_no_trunk(
    feature_repo: RepoBuilder, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    uri = feature_repo.path.absolute().as_uri()
    feature_repo.git("clone", "-q", "--single-branch", "-b", "feature", uri, str(clone))
    ctx = RepoContext(clone)
    with pytest.raises(RepoContextError, match="a single-branch clone of feature lacks the trunk"):
        _ = ctx.changed_files
    # once the trunk is fetched and named, it works
    RepoBuilder(clone).git("fetch", "-q", "origin", "main:refs/remotes/origin/main")
    assert RepoContext(clone, base="origin/main").merge_base == branch_point(feature_repo)


@pytest.mark.parametrize("trunk", ["main", "production"])
def test_a_single_branch_clone_of_the_trunk(tmp_path: Path, trunk: str) -> None:
    origin = RepoBuilder(tmp_path / "origin").init(branch=trunk)
    origin.commit("c")
    clone = tmp_path / "clone"
    origin.git("clone", "-q", "--single-branch", origin.path.absolute().as_uri(), str(clone))
    # Locally it looks like a clone of a feature branch unless the name is a usual trunk's
    # or the configuration names it.
    ctx = RepoContext(clone, trunk=None if trunk == "main" else trunk)
    assert ctx.trunk == trunk
    assert ctx.changed_files == ()


@pytest.mark.parametrize("trunk", ["mainline", "trunk-2024"])
def test_an_unusual_trunk_is_never_guessed(tmp_path: Path, trunk: str) -> None:
    repo = RepoBuilder(tmp_path / "r").init(branch=trunk)
    repo.commit("chore: start")
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: x", files={"x.py": "x = 1\n"})
    with pytest.raises(RepoContextError) as raised:
        _ = RepoContext(repo.path, env=with_env()).changed_files
    assert str(raised.value) == (
        "r: cannot tell the trunk branch (no origin/HEAD, no main/master/trunk/develop; "
        "the current branch is 'feat/x'): set `trunk_branch: NAME` in prove.yaml (or "
        "the orchestrator entry), or pass --prove-base REF"
    )
    assert [c.path for c in RepoContext(repo.path, trunk=trunk).changed_files] == ["x.py"]
    assert [c.path for c in RepoContext(repo.path, base=trunk).changed_files] == ["x.py"]


def test_no_trunk_at_all(tmp_path: Path) -> None:
    repo = RepoBuilder(tmp_path / "r").init(branch="odd")
    repo.commit("c")
    repo.checkout(repo.head)
    repo.git("branch", "--quiet", "-D", "odd")
    with pytest.raises(RepoContextError, match="cannot tell the trunk branch"):
        _ = RepoContext(repo.path, env=with_env()).trunk


@pytest.mark.parametrize(
    ("variables", "source"),
    [
        ({"GITHUB_BASE_REF": "base"}, "GITHUB_BASE_REF"),
        ({"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "base"}, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
        ({"CHANGE_TARGET": "base"}, "CHANGE_TARGET"),
        ({"GITHUB_BASE_REF": "", "CHANGE_TARGET": "base"}, "CHANGE_TARGET"),
        ({"GITHUB_BASE_REF": "base", "CHANGE_TARGET": "other"}, "GITHUB_BASE_REF"),
    ],
)
def test_base_from_ci_variables(
    feature_repo: RepoBuilder, variables: dict[str, str], source: str
) -> None:
    feature_repo.branch("base", "main")
    ctx = RepoContext(feature_repo.path, env=with_env(**variables))
    assert (ctx.base_ref, ctx.base_source) == ("base", source)


def test_prove_base_beats_ci_variables(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path, base="main", env=with_env(GITHUB_BASE_REF="feature"))
    assert (ctx.base_ref, ctx.base_source) == ("main", "--prove-base")


def test_base_defaults_to_the_trunk(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path)
    assert (ctx.base_ref, ctx.base_source) == ("main", "trunk")


def test_base_name_resolves_to_origin(feature_repo: RepoBuilder, tmp_path: Path) -> None:
    clone = feature_repo.clone(tmp_path / "clone", branch="feature")
    ctx = RepoContext(clone.path, env=with_env(GITHUB_BASE_REF="main"))
    assert ctx.base_ref == "origin/main"
    assert ctx.merge_base == branch_point(feature_repo)


@pytest.mark.parametrize("base", ["v1", "HEAD~2", "refs/heads/main"])
def test_base_as_tag_sha_or_expression(feature_repo: RepoBuilder, base: str) -> None:
    feature_repo.git("tag", "v1", branch_point(feature_repo))
    ctx = RepoContext(feature_repo.path, base=base)
    assert ctx.base_ref == base
    assert ctx.merge_base == branch_point(feature_repo)


def test_base_as_full_sha(feature_repo: RepoBuilder) -> None:
    sha = branch_point(feature_repo)
    assert RepoContext(feature_repo.path, base=sha).merge_base == sha


def test_a_base_named_like_an_option_is_not_one(feature_repo: RepoBuilder, tmp_path: Path) -> None:
    # git refuses such branch names, but update-ref (or a fetched remote) makes them
    written = tmp_path / "OUT"
    name = f"--output={written}"
    feature_repo.git("update-ref", f"refs/heads/{name}", branch_point(feature_repo))
    ctx = RepoContext(feature_repo.path, base=name)
    assert ctx.base_ref == name
    assert [c.subject for c in ctx.commits] == ["Add app", "Change app"]
    assert ctx.merge_base == branch_point(feature_repo)
    assert ctx.behind == 0
    assert not list(tmp_path.glob("OUT*"))


def test_an_unknown_base_named_like_an_option_is_not_found(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path, base="--output=/tmp/x")
    with pytest.raises(RepoContextError, match=r"base ref '--output=/tmp/x' .* not found"):
        _ = ctx.commits


# --- merge base, changes, commits -------------------------------------------------


def test_merge_base_is_the_branch_point(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path)
    assert ctx.merge_base == branch_point(feature_repo)
    # merge-base once (the probe and the refs come from the files under .git)
    assert ctx.git_calls == 1
    assert ctx.merge_base == branch_point(feature_repo)
    assert ctx.git_calls == 1


def test_committed_changes_since_the_merge_base(feature_repo: RepoBuilder) -> None:
    ctx = RepoContext(feature_repo.path)
    assert ctx.changed_files == (
        ChangedFile(path="app.py", status="added", added_lines=frozenset({1, 2, 3, 4})),
    )
    assert ctx.git_calls == 3  # merge-base, diff, ls-files
    assert ctx.changed_file("app.py") is ctx.changed_files[0]
    assert ctx.changed_file("trunk.txt") is None  # changed on main only
    assert ctx.git_calls == 3


def test_every_kind_of_change_is_collected(feature_repo: RepoBuilder) -> None:
    repo = feature_repo
    repo.commit(
        "More files",
        files={"keep.txt": "1\n2\n3\n", "doomed.txt": "x\n", "moving.txt": "m\n" * 5},
    )
    repo.git("branch", "-f", "main", "HEAD")  # make those files part of the base
    repo.write("keep.txt", "1\ntwo\n3\n")  # unstaged
    repo.write("staged.txt", "s1\ns2\n")
    repo.stage("staged.txt")  # staged
    repo.delete("doomed.txt")  # deleted, unstaged
    repo.git("mv", "moving.txt", "moved.txt")  # renamed, staged
    repo.write("untracked.txt", "u1\nu2\nu3")  # untracked, no final newline
    repo.write(".gitignore", "*.log\n")
    repo.write("debug.log", "ignored\n")
    ctx = RepoContext(repo.path)

    by_path = {f.path: f for f in ctx.changed_files}
    assert list(by_path) == sorted(by_path)
    assert set(by_path) == {
        ".gitignore",
        "doomed.txt",
        "keep.txt",
        "moved.txt",
        "staged.txt",
        "untracked.txt",
    }
    assert by_path["keep.txt"].added_lines == by_path["keep.txt"].removed_lines == {2}
    assert by_path["staged.txt"].status == "added"
    assert by_path["doomed.txt"].status == "deleted"
    assert by_path["moved.txt"].status == "renamed"
    assert by_path["moved.txt"].old_path == "moving.txt"
    assert by_path["untracked.txt"] == ChangedFile(
        path="untracked.txt", status="added", added_lines=frozenset({1, 2, 3}), untracked=True
    )
    assert by_path[".gitignore"].untracked


def test_untracked_binary_and_empty_files(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write("blob.bin", BINARY_CONTENT)
    repo.write("empty.txt", "")
    repo.write("big.txt", "line\n" * 30_000)
    (repo.path / "link").symlink_to("README.md")
    by_path = {f.path: f for f in RepoContext(repo.path).changed_files}
    assert by_path["blob.bin"].binary
    assert by_path["blob.bin"].added_lines == frozenset()
    assert by_path["empty.txt"].added_lines == frozenset()
    assert len(by_path["big.txt"].added_lines) == 30_000
    assert by_path["link"].added_lines == {1}


def test_untracked_nested_repository_is_not_a_file(make_repo: MakeRepo) -> None:
    repo = make_repo()
    nested = RepoBuilder(repo.path / "nested").init()
    nested.commit("n", files={"n.txt": "n\n"})
    assert RepoContext(repo.path).changed_files == ()


def test_work_tree_files_and_untracked_changes_share_one_listing(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit(
        "files",
        files={".gitignore": "*.log\n", "kept.py": "k\n", "gone.py": "g\n", "unstaged.py": "u\n"},
    )
    (repo.path / "gone.py").unlink()  # deleted in the work tree, still in the index
    repo.git("rm", "--quiet", "--cached", "unstaged.py")  # untracked again, on disk
    repo.write("new.py", "n\n")
    repo.write("debug.log", "ignored\n")
    nested = RepoBuilder(repo.path / "nested").init()
    nested.commit("n", files={"n.txt": "n\n"})
    ctx = RepoContext(repo.path)
    assert ctx.work_tree_files == {"README.md", ".gitignore", "kept.py", "unstaged.py", "new.py"}
    calls = ctx.git_calls
    untracked = {f.path for f in ctx.changed_files if f.untracked}
    assert untracked == {"new.py", "unstaged.py"}
    assert ctx.git_calls == calls + 2  # merge-base, diff: the listing is shared


def test_removed_from_index_but_still_on_disk(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("rm", "--quiet", "--cached", "README.md")
    (changed,) = RepoContext(repo.path).changed_files
    assert changed == ChangedFile(
        path="README.md",
        status="modified",
        added_lines=frozenset({1}),
        removed_lines=frozenset({1}),
        untracked=True,
    )


def test_binary_and_non_utf8_files(odd_files_repo: RepoBuilder) -> None:
    repo = odd_files_repo
    repo.write("image.png", BINARY_CONTENT + b"more")
    repo.write("latin1.txt", LATIN1_CONTENT + b"\n\xe0 la carte\n")
    repo.write(NON_UTF8_NAME, "non-UTF-8 name\nsecond line\n")
    odd_name = 'dir with space/"quoted"\tname.txt'
    repo.write(odd_name, "changed\n")
    ctx = RepoContext(repo.path, base="HEAD")
    by_path = {f.path: f for f in ctx.changed_files}
    assert by_path["image.png"].binary
    assert by_path["latin1.txt"].added_lines == {2, 3}
    assert by_path["latin1.txt"].removed_lines == {2}
    assert by_path[NON_UTF8_NAME].added_lines == {2}
    assert by_path[odd_name].added_lines == by_path[odd_name].removed_lines == {1}
    assert ctx.read_at_base("latin1.txt") == LATIN1_CONTENT
    assert ctx.read_at_base(NON_UTF8_NAME) == b"non-UTF-8 name\n"
    assert ctx.read_at_base(odd_name) == b"odd name\n"
    assert ctx.read_at_base("image.png") == BINARY_CONTENT


def test_submodule_change(submodule_repo: RepoBuilder) -> None:
    repo = submodule_repo
    sub = RepoBuilder(repo.path / "vendor" / "lib")
    sub.commit("Move the submodule", files={"lib.txt": "new\n"})
    ctx = RepoContext(repo.path, base="HEAD")
    assert ctx.changed_files == (ChangedFile(path="vendor/lib", status="modified", submodule=True),)
    assert ctx.read_at_base("vendor/lib") is None
    assert ctx.read_at_base(".gitmodules") is not None


def test_conflicted_merge(conflict_repo: RepoBuilder) -> None:
    ctx = RepoContext(conflict_repo.path, base="HEAD")
    (changed,) = ctx.changed_files
    assert changed.path == "conflict.txt"
    assert changed.status == "modified"
    assert changed.added_lines


def test_no_changes(make_repo: MakeRepo) -> None:
    ctx = RepoContext(make_repo().path)
    assert ctx.changed_files == ()
    assert ctx.commits == ()


def test_commits_oldest_first(feature_repo: RepoBuilder) -> None:
    repo = feature_repo
    message = "Subject line\n\n# not a comment, %x00, ünïcödé, \x01 \n\ttrailing\n\nTrailer: y\n"
    repo.commit(message, date="2024-03-01T10:00:00+02:00")
    ctx = RepoContext(repo.path)
    commits = ctx.commits
    assert [c.subject for c in commits] == ["Add app", "Change app", "Subject line"]
    last = commits[-1]
    assert last.sha == repo.head
    assert last.parents == (commits[1].sha,)
    assert last.message == message
    assert last.committed_at == datetime.datetime.fromisoformat("2024-03-01T10:00:00+02:00")
    assert last.committed_at.utcoffset() == datetime.timedelta(0)
    assert not last.is_merge
    calls = ctx.git_calls
    assert ctx.commits is commits
    assert ctx.git_calls == calls


def test_merge_commits(feature_repo: RepoBuilder) -> None:
    repo = feature_repo
    repo.branch("side")
    repo.checkout("side")
    repo.commit("Side work", files={"side.txt": "s\n"})
    repo.checkout("feature")
    merge = repo.merge("side", "Merge side")
    commits = RepoContext(repo.path).commits
    assert commits[-1].sha == merge
    assert commits[-1].is_merge
    assert len(commits[-1].parents) == 2
    assert [c.subject for c in commits].index("Side work") < len(commits) - 1


def test_read_at_base(feature_repo: RepoBuilder) -> None:
    feature_repo.write("dir/file.txt", "x\n")
    feature_repo.commit("Dir")
    ctx = RepoContext(feature_repo.path, base="HEAD~1")
    assert ctx.read_at_base("README.md") == b"# Example\n"
    calls = ctx.git_calls
    assert ctx.read_at_base("README.md") == b"# Example\n"
    assert ctx.git_calls == calls
    assert ctx.read_at_base("dir/file.txt") is None  # added since the base
    assert ctx.read_at_base("app.py") == b"a = 1\nb = 20\nc = 3\nd = 4\n"
    assert ctx.read_at_base("dir") is None
    assert ctx.read_at_base("no\nsuch") is None


def test_close_without_repo_is_harmless(make_repo: MakeRepo) -> None:
    ctx = RepoContext(make_repo().path)
    ctx.close()
    assert ctx.git_calls == 0


# --- pure helpers ---------------------------------------------------------------


def test_find_trunk_prefers_origin_head_then_local_then_remote() -> None:
    assert find_trunk({}) is None
    assert find_trunk({"refs/remotes/origin/develop": ""}) == "develop"
    assert find_trunk({"refs/heads/master": "", "refs/remotes/origin/main": ""}) == "master"
    refs = {
        "refs/heads/main": "",
        "refs/remotes/origin/HEAD": "refs/remotes/origin/prod",
        "refs/remotes/origin/prod": "",
    }
    assert find_trunk(refs) == "prod"
    del refs["refs/remotes/origin/prod"]  # a dangling origin/HEAD is ignored
    assert find_trunk(refs) == "main"


def test_resolve_ref() -> None:
    refs = {"refs/heads/main": "", "refs/remotes/origin/dev": "", "refs/tags/v1": ""}
    assert resolve_ref("main", refs) == "main"
    assert resolve_ref("dev", refs) == "origin/dev"
    assert resolve_ref("v1", refs) == "v1"
    assert resolve_ref("origin/dev", refs) == "origin/dev"
    assert resolve_ref("refs/heads/main", refs) == "refs/heads/main"
    assert resolve_ref("missing", refs) is None


def test_requested_base() -> None:
    assert requested_base(None, {}) is None
    assert requested_base("", {"GITHUB_BASE_REF": ""}) is None
    assert requested_base("x", {"GITHUB_BASE_REF": "y"}) == ("x", "--prove-base")
    assert requested_base(None, {"CHANGE_TARGET": "z"}) == ("z", "CHANGE_TARGET")


def test_parse_log_of_nothing() -> None:
    assert parse_log(b"") == ()
    assert LOG_FORMAT.startswith("--format=")


def test_parse_log_tolerates_non_utf8() -> None:
    record = b"\0".join([b"a" * 40, b"", b"1704067200", b"caf\xe9\n"])
    (commit,) = parse_log(record + b"\0")
    assert commit.parents == ()
    assert commit.subject == "caf\ufffd"


def test_parse_log_of_a_merge() -> None:
    record = b"\0".join([b"m" * 40, b"p1 p2", b"1704067200", b"Merge x"])
    (commit,) = parse_log(record + b"\0" + record + b"\0")[1:]
    assert commit.is_merge
    assert commit.parents == ("p1", "p2")


def test_linked_worktree(feature_repo: RepoBuilder, tmp_path: Path) -> None:
    feature_repo.git("worktree", "add", "--quiet", os.fspath(tmp_path / "wt"), "-b", "wt", "main")
    worktree = RepoBuilder(tmp_path / "wt")
    worktree.write("README.md", "# Example\nmore\n")
    worktree.stage("README.md")
    ctx = RepoContext(worktree.path)
    assert ctx.toplevel == worktree.path
    assert ctx.branch == "wt"
    assert ctx.trunk == "main"
    (changed,) = ctx.changed_files
    assert changed.path == "README.md"
    assert changed.added_lines == {2}
    try:
        assert ctx.repo.git.diff("--cached", "--name-only") == "README.md"
        assert ctx.repo.active_branch.name == "wt"
    finally:
        ctx.close()


def test_behind_counts_base_commits_head_lacks(feature_repo: RepoBuilder) -> None:
    feature_repo.checkout("main")
    feature_repo.commit("Trunk again", files={"trunk.txt": "again\n"})
    feature_repo.checkout("feature")
    ctx = RepoContext(feature_repo.path)
    assert ctx.behind == 2
    # merge-base, rev-list: each once
    assert ctx.git_calls == 2
    assert ctx.behind == 2
    assert ctx.git_calls == 2
    assert RepoContext(feature_repo.path, base="feature").behind == 0


def test_a_branch_up_to_date_with_its_base_is_behind_by_none_without_a_count(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo()
    repo.branch("feature")  # at main's tip
    repo.checkout("feature")
    repo.commit("Add app", files={"app.py": "a = 1\n"})
    ctx = RepoContext(repo.path)
    assert ctx.merge_base == ctx.base_commit
    calls = ctx.git_calls
    assert ctx.behind == 0
    assert ctx.git_calls == calls  # no rev-list
    assert int(repo.git("rev-list", "--count", f"HEAD..{ctx.base_commit}")) == 0


def test_behind_without_the_base_fails_once(shallow_clone: RepoBuilder) -> None:
    ctx = RepoContext(shallow_clone.path, env=with_env(GITHUB_BASE_REF="main"))
    with pytest.raises(RepoContextError) as info:
        _ = ctx.behind
    assert_one_line(info.value, "base ref 'main' (from GITHUB_BASE_REF) not found", FETCH_HINT)
    calls = ctx.git_calls
    with pytest.raises(RepoContextError) as again:
        _ = ctx.behind
    assert again.value is info.value
    assert ctx.git_calls == calls


def test_tags_at_head_and_the_base_commit_agree_with_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.tag("v1")  # lightweight, at main
    repo.git("tag", "-a", "-m", "release", "v1-annotated")
    repo.git("tag", "-a", "-m", "old", "old", "HEAD")
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: x", files={"x.txt": "x\n"})
    repo.tag("at-head")
    repo.git("tag", "-a", "-m", "annotated", "at-head-annotated")
    repo.git("tag", "-a", "-m", "tag of a tag", "nested", "at-head-annotated")
    ctx = RepoContext(repo.path)
    points_at = repo.git("tag", "--points-at", "HEAD").split()
    assert ctx.tags_at_head == tuple(sorted(points_at)) == ("at-head", "at-head-annotated")
    for base in ("main", "v1", "v1-annotated", "HEAD~1", repo.head[:12]):
        expected = repo.git("rev-parse", "--verify", f"{base}^{{commit}}").strip()
        ctx = RepoContext(repo.path, base=base)
        _ = ctx.base_ref
        calls = ctx.git_calls
        assert ctx.base_commit == expected, base
        assert ctx.git_calls == calls, base  # known from choosing the base


def test_a_branch_name_with_a_unicode_line_separator_is_one_ref(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("branch", "x\u2028refs/tags/v9.9.9")  # U+2028: str.splitlines() splits there
    repo.git("branch", "y\x85refs/tags/v8")
    ctx = RepoContext(repo.path)
    assert ctx.tags_at_head == ()
    assert ctx.mode.mode != "release"


def test_a_gitattributes_binary_claim_is_checked_against_the_content(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("base", files={"old.py": "a = 1\nb = 2\n", "img.dat": b"\0x"})
    repo.branch("feature")
    repo.checkout("feature")
    repo.git("mv", "old.py", "moved.py")
    repo.commit(
        "change",
        files={
            ".gitattributes": "*.py -diff\n*.dat -diff\n",
            "pay.py": "def f():\n    return 1\n",
            "moved.py": "a = 1\nb = 3\n",
            "img.dat": b"\0y",
            "[ab]*.py": "glob = 1\n",  # a pathspec would read this name as a pattern
        },
    )
    files = {f.path: f for f in RepoContext(repo.path, base="main").changed_files}
    assert (files["pay.py"].binary, files["pay.py"].added_lines) == (False, {1, 2})
    moved = files["moved.py"]
    assert (moved.status, moved.old_path, moved.added_lines, moved.removed_lines) == (
        "renamed",
        "old.py",
        {2},
        {2},
    )
    assert files["[ab]*.py"].added_lines == {1}
    assert files["img.dat"].binary
    assert files["img.dat"].added_lines == frozenset()


def _clone_behind(tmp_path: Path, behind: int) -> tuple[RepoBuilder, RepoBuilder]:
    """A clone whose local main lags origin/main by ``behind`` commits (fetched, not pulled)."""
    origin = RepoBuilder(tmp_path / "origin").init()
    origin.commit("chore: start", files={"README.md": "x\n"})
    clone = origin.clone(tmp_path / "clone")
    for i in range(behind):
        origin.commit(f"feat: colleague's change {i}", files={f"theirs/{i}.py": f"x = {i}\n"})
    clone.git("fetch", "-q", "origin")
    return origin, clone


def test_a_stale_local_trunk_gives_way_to_its_remote_tracking_branch(tmp_path: Path) -> None:
    _, clone = _clone_behind(tmp_path, 45)
    clone.git("checkout", "-q", "-b", "feat/mine", "origin/main")
    clone.commit("feat: mine", files={"mine.py": "y = 1\n"})
    ctx = RepoContext(clone.path, env=with_env())
    assert ctx.base_ref == "origin/main"
    assert [c.subject for c in ctx.commits] == ["feat: mine"]
    assert [c.path for c in ctx.changed_files] == ["mine.py"]
    assert ctx.base_note == "local main is 45 behind origin/main: compared with origin/main"
    # --prove-base is taken as written.
    literal = RepoContext(clone.path, env=with_env(), base="main")
    assert (literal.base_ref, len(literal.commits), literal.base_note) == ("main", 46, "")


def test_a_local_trunk_ahead_of_its_remote_is_the_base(tmp_path: Path) -> None:
    _, clone = _clone_behind(tmp_path, 0)
    clone.commit("fix: unpushed on main", files={"base.py": "b = 1\n"})
    clone.git("checkout", "-q", "-b", "feat/mine")
    clone.commit("feat: mine", files={"mine.py": "y = 1\n"})
    ctx = RepoContext(clone.path, env=with_env())
    assert ctx.base_ref == "main"
    assert [c.subject for c in ctx.commits] == ["feat: mine"]
    assert ctx.base_note == (
        "local main is 1 ahead of origin/main (not pushed): compared with local main"
    )


def test_a_diverged_local_trunk_says_which_was_chosen(tmp_path: Path) -> None:
    _, clone = _clone_behind(tmp_path, 3)
    clone.commit("fix: local only", files={"base.py": "b = 1\n"})
    clone.git("checkout", "-q", "-b", "feat/mine", "origin/main")
    clone.commit("feat: mine", files={"mine.py": "y = 1\n"})
    ctx = RepoContext(clone.path, env=with_env())
    assert ctx.base_ref == "origin/main"
    assert [c.subject for c in ctx.commits] == ["feat: mine"]
    assert ctx.base_note == (
        "local main and origin/main have diverged (1 and 3 commits of their own): "
        "compared with origin/main, as a pull request would be"
    )


def test_the_origin_url_and_fetch_come_from_one_git_call(feature_repo: RepoBuilder) -> None:
    feature_repo.git(
        "remote", "add", "origin", "https://ci:glpat-abc123secret@gitlab.com/g/app.git"
    )
    ctx = RepoContext(feature_repo.path)
    before = (ctx.toplevel, ctx.git_calls)[1]  # the probe's own call first
    assert ctx.web_url == "https://gitlab.com/g/app"  # no credentials
    assert ctx._origin_fetch == b"+refs/heads/*:refs/remotes/origin/*"
    assert ctx.remote_url.endswith("@gitlab.com/g/app.git")
    assert ctx.git_calls == before + 1


def test_no_origin_or_an_unknown_forge_has_no_page(feature_repo: RepoBuilder) -> None:
    assert RepoContext(feature_repo.path).web_url == ""
    feature_repo.git("remote", "add", "origin", "git@bitbucket.org:o/r.git")
    assert RepoContext(feature_repo.path).web_url == ""
    feature_repo.git("remote", "set-url", "origin", "git@github.com:o/r.git")
    assert RepoContext(feature_repo.path).web_url == "https://github.com/o/r"
