"""A `--prove-base` naming no ref: the message suggests close names, not `--prove-base` (#20)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_prove.git import refs
from pytest_prove.git.context import RepoContext, RepoContextError
from tests.repo_builder import MakeRepo, RepoBuilder

FETCH = "the clone may be shallow or lack the branch — fetch it (actions/checkout: fetch-depth: 0)"


def base_error(path: Path, base: str) -> str:
    with pytest.raises(RepoContextError) as info:
        _ = RepoContext(path, base=base, name="svc").base_ref
    return str(info.value)


def test_a_typo_gets_the_close_names(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.branch("release/2.0")
    repo.tag("v1.0")
    assert base_error(repo.path, "mian") == (
        "base ref 'mian' (from --prove-base) not found in svc (did you mean 'main'?)"
    )
    assert base_error(repo.path, "release/2.O") == (
        "base ref 'release/2.O' (from --prove-base) not found in svc (did you mean 'release/2.0'?)"
    )
    assert base_error(repo.path, "v1.O") == (
        "base ref 'v1.O' (from --prove-base) not found in svc (did you mean 'v1.0'?)"
    )


def test_a_full_clone_gets_no_fetch_hint(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo("origin")
    clone = origin.clone(tmp_path / "clone")
    assert base_error(clone.path, "origin/mian") == (
        "base ref 'origin/mian' (from --prove-base) not found in svc (did you mean 'origin/main'?)"
    )


def test_a_shallow_clone_gets_the_fetch_hint(shallow_clone: RepoBuilder) -> None:
    assert base_error(shallow_clone.path, "main") == (
        f"base ref 'main' (from --prove-base) not found in svc: {FETCH}"
    )


def test_a_single_branch_clone_gets_the_fetch_hint(make_repo: MakeRepo, tmp_path: Path) -> None:
    origin = make_repo("origin")
    origin.branch("feature")
    clone = RepoBuilder(tmp_path / "clone")
    origin.git(
        "clone", "--quiet", "--single-branch", "--branch=feature",
        origin.path.as_uri(), str(clone.path),
    )  # fmt: skip
    assert base_error(clone.path, "mian") == (
        f"base ref 'mian' (from --prove-base) not found in svc: {FETCH}"
    )
    assert base_error(clone.path, "featur") == (
        "base ref 'featur' (from --prove-base) not found in svc"
        f" (did you mean 'feature' or 'origin/feature'?): {FETCH}"
    )


def test_other_sources_keep_the_hint_to_pass_a_base(make_repo: MakeRepo) -> None:
    ctx = RepoContext(make_repo().path, trunk="mian", name="svc")
    with pytest.raises(RepoContextError) as info:
        _ = ctx.base_ref
    assert str(info.value) == (
        f"base ref 'mian' (from trunk) not found in svc: {FETCH}, or pass --prove-base REF"
    )


def test_close_ref_names_skip_symbolic_heads() -> None:
    listing = {
        "refs/heads/main": "",
        "refs/remotes/origin/HEAD": "refs/remotes/origin/main",
        "refs/remotes/origin/main": "",
        "refs/tags/mainline-1": "",
    }
    assert refs.close_ref_names("mian", listing) == ["main"]
    assert refs.close_ref_names("origin/HEAD", listing) == ["origin/main"]
    assert refs.close_ref_names("zzz", listing) == []


XDIST = {"n0": (), "n2": ("-n", "2")}


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_the_gate_says_so(pytester: pytest.Pytester, make_repo: MakeRepo, mode: str) -> None:
    repo = make_repo("svc")
    pytester.makefile(
        ".yaml", multi=f"repositories:\n  - {{name: svc, path: '{repo.path}', checks: [trunk]}}\n"
    )
    result = pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-p", "no:cacheprovider", "--prove-base", "mian",
        *XDIST[mode],
    )  # fmt: skip
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["svc::trunk: base ref 'mian' (from --prove-base) not found in svc (did you mean 'main'?)"]
    )
    assert "pass --prove-base" not in result.stdout.str()
