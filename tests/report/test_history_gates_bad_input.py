"""Bad repositories for the git-history gates (trunk, delivery-mode, commit-msg).

Each gives a clear finding or error on its own items; the rest of the run goes on.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pytest_prove.checks.commit_msg import CommitMsgSettings, check_commit_messages
from pytest_prove.git.context import RepoContext
from tests.repo_builder import MakeRepo, RepoBuilder

GATES = "[trunk, delivery-mode, commit-msg]"
NOW = "2024-01-02T00:00:00+00:00"  # a day after the builder's first commit date


def fleet(pytester: pytest.Pytester, bad: Path, good: Path, extra: str = "") -> pytest.RunResult:
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: bad, path: {bad}, checks: {GATES}{extra}}}
  - {{name: good, path: {good}, checks: {GATES}}}
""",
    )
    return pytester.runpytest("--prove-config", "multi.yaml", "-rA")


@pytest.fixture
def good(make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch) -> RepoBuilder:
    monkeypatch.setenv("PROVE_NOW", NOW)
    repo = make_repo("good")
    repo.git("checkout", "-q", "-b", "feat/fine")
    repo.commit("feat: fine", files={"f.py": "x = 1\n"})
    return repo


def test_empty_repository(
    pytester: pytest.Pytester, empty_repo: RepoBuilder, good: RepoBuilder
) -> None:
    result = fleet(pytester, empty_repo.path, good.path)
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            "bad::trunk: the repository has no commits yet: commit first",
            "repository the repository has no commits yet: commit first",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_orphan_branch_without_common_ancestor(
    pytester: pytest.Pytester, make_repo: MakeRepo, good: RepoBuilder
) -> None:
    repo = make_repo("orphan")
    repo.git("checkout", "-q", "--orphan", "feat/alone")
    repo.commit("feat: unrelated history", files={"x.txt": "x\n"})
    result = fleet(pytester, repo.path, good.path)
    # delivery-mode needs no merge-base: the branch alone says pr
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*bad::commit-msg*no merge-base*"])
    assert "Traceback" not in result.stdout.str()


def test_configured_trunk_that_does_not_exist(
    pytester: pytest.Pytester, make_repo: MakeRepo, good: RepoBuilder
) -> None:
    repo = make_repo("notrunk")
    result = fleet(pytester, repo.path, good.path, ", trunk_branch: nope")
    result.assert_outcomes(passed=4, failed=2)
    result.stdout.fnmatch_lines(["*base ref 'nope' (from trunk) not found in bad*fetch-depth: 0*"])


def test_non_utf8_and_empty_messages(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "-q", "-b", "feat/odd")
    repo.write("a.txt", "a\n")
    repo.stage()
    message = repo.path / "msg"
    message.write_bytes(b"fix: caf\xe9 cr\xe8me\n")
    repo.git("-c", "i18n.commitEncoding=latin-1", "commit", "-q", "--no-verify", "-F", str(message))
    repo.write("b.txt", "b\n")
    repo.stage()
    repo.git("commit", "-q", "--no-verify", "--allow-empty-message", "-m", "")
    context = RepoContext(repo.path, env={})
    result = check_commit_messages(context, CommitMsgSettings())
    # the latin-1 message is read as text (re-encoded by git's log) and passes; the empty one
    # is dropped unread, as commitlint does, unless allow_empty is off
    assert result.findings == ()
    assert (result.metrics["commits"], result.metrics["ignored"]) == (2, 1)
    result = check_commit_messages(context, CommitMsgSettings(allow_empty=False))
    assert sorted(f.rule for f in result.findings) == ["subject-empty", "type-empty"]


def test_thousands_of_commits(make_repo: MakeRepo) -> None:
    repo = make_repo()
    base = repo.head
    lines = []
    for i in range(3000):
        text = f"feat: change {i}" if i % 1000 else f"Change {i}"
        lines += [
            "commit refs/heads/feat/many",
            f"mark :{i + 1}",
            f"committer A <a@example.com> {1704067200 + i} +0000",
            f"data {len(text)}",
            text,
            f"from {base}" if i == 0 else f"from :{i}",
        ]
    subprocess.run(
        ["git", "fast-import", "--quiet"],
        cwd=repo.path,
        input=("\n".join(lines) + "\n").encode(),
        check=True,
    )
    repo.git("checkout", "-q", "feat/many")
    # Every commit is judged, however long the range (commitlint's verdicts on all of it).
    everything = check_commit_messages(RepoContext(repo.path, env={}), CommitMsgSettings())
    assert everything.metrics["commits"] == 3000
    assert everything.summary == "3 of 3,000 commits break Conventional Commits (0 ignored)"
    assert sorted({f.message.split('"')[1] for f in everything.findings}) == [
        "Change 0",
        "Change 1000",
        "Change 2000",
    ]


def test_max_commits_still_cuts_the_range_when_asked(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("checkout", "-q", "-b", "feat/few")
    for i in range(5):
        repo.commit("Change" if i == 0 else f"feat: change {i}", files={f"{i}.txt": "x\n"})
    result = check_commit_messages(RepoContext(repo.path, env={}), CommitMsgSettings(max_commits=4))
    assert result.metrics["commits"] == 4
    assert [f.rule for f in result.findings] == ["max-commits"]
    assert result.findings[0].message == (
        "checked the newest 4 of 5 commits in range (max_commits=4)"
    )
