"""The merge-base read from the log (``RepoContext.reads_log``) is git's, or git is asked."""

from __future__ import annotations

import random

import pytest

from pytest_prove.git import RepoContext, RepoContextError
from tests.repo_builder import MakeRepo, RepoBuilder


def from_log(repo: RepoBuilder, **options: str) -> RepoContext:
    context = RepoContext(repo.path, **options)
    context.reads_log = True
    return context


def gits(repo: RepoBuilder, base: str = "main") -> str:
    return repo.git("merge-base", base, "HEAD")


def test_a_linear_branch_needs_no_merge_base_call(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.diverge("feature")
    repo.commit("one", files={"a.py": "a\n"})
    repo.commit("two", files={"a.py": "b\n"})
    context = from_log(repo)
    assert context.merge_base == gits(repo)
    assert context.git_calls == 1  # the log (the probe and refs come from the files)
    assert len(context.commits) == 2
    assert context.git_calls == 1


def test_an_empty_range_is_based_at_head(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("second", files={"b.txt": "b\n"})
    repo.checkout("HEAD~1")  # behind main: nothing in range
    context = from_log(repo)
    assert context.commits == ()
    assert context.merge_base == repo.head == gits(repo)
    assert context.git_calls == 1


def test_trunk_merged_into_the_branch_asks_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.diverge("feature")
    repo.commit("feature 1", files={"f.txt": "1\n"})
    repo.merge("main", "merge main")
    context = from_log(repo)
    # Two parents outside the range (the branch point and main's tip): git decides.
    assert context.merge_base == gits(repo) == repo.git("rev-parse", "main")
    assert context.git_calls == 2  # the log, then merge-base


def test_unrelated_histories_keep_their_message(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "--quiet", "--orphan", "island")
    repo.commit("unrelated", files={"island.txt": "x\n"})
    with pytest.raises(RepoContextError, match="histories are unrelated"):
        _ = from_log(repo, base="main").merge_base


def test_a_merged_unrelated_history_asks_git(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "--quiet", "--orphan", "vendor")
    repo.git("rm", "-rq", "--cached", ".")
    repo.commit("vendor import", files={"vendor.txt": "v\n"})
    repo.git("checkout", "--quiet", "-b", "feat/x", "main")
    repo.git("merge", "--quiet", "--allow-unrelated-histories", "-m", "merge vendor", "vendor")
    context = from_log(repo, base="main")
    assert context.merge_base == gits(repo)
    # The log, then git's merge-base once: the log's own check of the root commit asked it.
    assert context.git_calls == 2


def test_a_shallow_clone_asks_git(
    make_repo: MakeRepo, tmp_path_factory: pytest.TempPathFactory
) -> None:
    origin = make_repo()
    origin.branch("feature")
    for n in range(3):
        origin.commit(f"trunk {n}", files={"t.txt": f"{n}\n"})
    origin.checkout("feature")
    for n in range(3):
        origin.commit(f"feature {n}", files={"f.txt": f"{n}\n"})
    clone = origin.clone(tmp_path_factory.mktemp("shallow") / "clone", depth=2, branch="feature")
    clone.git("fetch", "--quiet", "--depth", "2", "origin", "main:main")
    # The shallow commits have no parents in the log: the merge-base is git's to tell.
    with pytest.raises(RepoContextError, match="no merge-base"):
        _ = from_log(clone, base="main").merge_base


@pytest.mark.parametrize("seed", range(12))
def test_random_histories_agree_with_git(make_repo: MakeRepo, seed: int) -> None:
    """Branches cut, committed to and merged at random: the same answer as git's."""
    chance = random.Random(seed)
    repo = make_repo()
    branches = ["main"]
    for step in range(14):
        action = chance.random()
        repo.checkout(chance.choice(branches))
        if action < 0.25:
            name = f"b{step}"
            repo.branch(name)
            branches.append(name)
        elif action < 0.45 and len(branches) > 1:
            other = chance.choice(
                [b for b in branches if b != repo.git("branch", "--show-current")]
            )
            repo.git("merge", "--no-ff", "--quiet", "-m", f"merge {other}", other, check=False)
            repo.git("merge", "--abort", check=False)
        else:
            repo.commit(f"c{step}", files={f"f{step}.txt": f"{step}\n"})
    for branch in branches:
        repo.checkout(branch)
        for base in branches:
            context = from_log(repo, base=base)
            assert context.merge_base == gits(repo, base), (seed, branch, base)
