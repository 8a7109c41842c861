"""A git call that hangs holds up only what needs its answer, and dies with the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pytest_prove.git import base_choice, inflight
from pytest_prove.git import probe as probe_module
from pytest_prove.git.context import RepoContext
from pytest_prove.git.launcher import GitCall, GitLauncher
from pytest_prove.git.lazy import lazy
from pytest_prove.git.runner import GitCommandError, run_git, start_git
from pytest_prove.runner import cache
from pytest_prove.runner.cache import PassCache
from pytest_prove.support.clock import NOW_VARIABLE
from tests.repo_builder import MakeRepo, RepoBuilder

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="process groups are read from /proc"
)


def hanging_hook(repo: RepoBuilder, groups: Path, seconds: int) -> None:
    """An fsmonitor hook (git diff and status run it) that notes its process group and sleeps."""
    hook = repo.path.parent / f"{repo.path.name}-fsmonitor.sh"
    hook.write_text(f"#!/bin/sh\ncut -d' ' -f5 /proc/$$/stat >> {groups}\nexec sleep {seconds}\n")
    hook.chmod(0o755)
    repo.git("config", "core.fsmonitor", str(hook))


def noted(groups: Path, count: int = 1) -> set[int]:
    """The process groups the hook noted, once ``count`` of them are (10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if groups.exists() and len(lines := groups.read_text().split()) >= count:
            return {int(line) for line in lines}
        time.sleep(0.02)
    raise AssertionError(f"the hook did not run {count} times")


def alive_in(groups: set[int]) -> list[int]:
    """Processes of ``groups`` still running (a zombie is dead: it waits to be reaped)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if int(fields[2]) in groups and fields[0] not in ("Z", "X"):
            alive.append(int(stat.parent.name))
    return alive


def all_dead(groups: set[int]) -> bool:
    deadline = time.monotonic() + 3  # SIGKILL is delivered at once; the exit takes a moment
    while alive_in(groups) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not alive_in(groups)


class _Facts:
    """A lazy owner whose ``slow`` fact waits until released."""

    def __init__(self) -> None:
        self._memo: dict[str, object] = {}
        self._computing: dict[str, threading.RLock] = {}
        self.release = threading.Event()
        self.computed: list[str] = []

    @lazy
    def slow(self) -> int:
        self.computed.append("slow")
        self.release.wait(10)
        return 1

    @lazy
    def quick(self) -> int:
        self.computed.append("quick")
        return 2

    @lazy
    def needs_slow(self) -> int:
        return self.slow + 1


def test_a_fact_being_computed_holds_up_only_the_facts_that_need_it() -> None:
    facts = _Facts()
    answers: dict[str, int] = {}
    slow = threading.Thread(target=lambda: answers.update(slow=facts.slow))
    slow.start()
    deadline = time.monotonic() + 5
    while "slow" not in facts.computed and time.monotonic() < deadline:
        time.sleep(0.001)
    assert facts.computed == ["slow"]
    needs_slow = threading.Thread(target=lambda: answers.update(needs=facts.needs_slow))
    needs_slow.start()
    assert facts.quick == 2  # not behind the slow one
    needs_slow.join(0.1)
    assert needs_slow.is_alive()  # waits for the slow answer rather than computing it again
    facts.release.set()
    slow.join(5)
    needs_slow.join(5)
    assert answers == {"slow": 1, "needs": 2}
    assert facts.computed == ["slow", "quick"]


def test_stop_kills_a_threads_git_call_under_way_and_its_next(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo()
    groups = tmp_path / "groups"
    hanging_hook(repo, groups, 60)
    errors: list[int] = []

    def hang_twice() -> None:
        for _ in range(2):
            try:
                run_git(repo.path, "status", "--porcelain")
            except GitCommandError as err:
                errors.append(err.returncode)

    thread = threading.Thread(target=hang_twice, daemon=True)
    thread.start()
    group = noted(groups)
    started = time.monotonic()
    inflight.stop([thread])
    thread.join(10)
    assert not thread.is_alive()
    assert errors == [-9, -9]  # the second call was killed as it started
    assert time.monotonic() - started < 10
    assert all_dead(group)
    # Only the stopped thread's calls are killed.
    assert run_git(repo.path, "rev-parse", "--is-inside-work-tree") == b"true\n"


def test_a_pass_cache_state_that_hangs_holds_up_no_fact_nor_other_repository(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    calls: list[str] = []

    def state(context: RepoContext, written: object = (), status_call: object = None) -> str:
        calls.append(context.name)
        if context.name == "a":
            release.wait(10)
        return context.name

    monkeypatch.setattr(cache, "repo_state", state)
    passes = PassCache(_EmptyCache())  # type: ignore[arg-type]
    a, b = RepoContext(make_repo("a").path), RepoContext(make_repo("b").path)
    hung = threading.Thread(target=passes.state, args=(a,))
    hung.start()
    waiting = threading.Thread(target=passes.state, args=(a,))
    waiting.start()
    asking = threading.Thread(target=lambda: a.head)
    asking.start()
    asking.join(5)
    assert not asking.is_alive()  # the repository's facts are not behind the state
    assert lazy.computed(a, "head")
    assert passes.state(b) == "b"
    assert waiting.is_alive()  # the same state is asked once, not twice
    release.set()
    hung.join(5)
    waiting.join(5)
    assert passes.state(a) == "a"
    assert calls == ["a", "b"]


class _EmptyCache:
    def get(self, key: str, default: object) -> object:
        return default


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["n0", "n2"])
def test_a_hanging_diff_times_out_its_gate_only_and_dies_with_the_run(
    pytester: pytest.Pytester,
    make_repo: MakeRepo,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    workers: list[str],
) -> None:
    monkeypatch.setenv(NOW_VARIABLE, "2024-01-01T03:00:00+00:00")  # the branch is young
    repo = make_repo("r")
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: a", files={"a.py": "x = 1\n"})
    groups = tmp_path / "groups"
    # Longer than the run: without the kill at its end, the hook would outlive it.
    hanging_hook(repo, groups, 15)
    pytester.makefile(
        ".yaml",
        # Under xdist a worker looks one gate ahead: while commit-msg runs, tdd's diff is
        # asked in the background, and it hangs there; trunk comes after and needs no diff.
        multi=f"repositories:\n  - {{name: r, path: {repo.path}, "
        "checks: [commit-msg, tdd, trunk]}\nglobal: {timeout: 1000}\n",
    )
    result = pytester.runpytest_subprocess(
        "--prove-config", "multi.yaml", "-p", "no:cacheprovider", "--prove-no-history", *workers
    )
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["FAILED multi.yaml::r::tdd - r::tdd: timed out after 1000 ms"])
    started = noted(groups)
    assert all_dead(started), f"left running: {alive_in(started)}"


def test_a_pass_cache_lookup_that_hangs_is_bounded_by_the_gates_timeout(
    pytester: pytest.Pytester, make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo("r")
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: a", files={"a.py": "x = 1\n"})
    pytester.makefile(
        ".yaml",
        multi=f"repositories:\n  - {{name: r, path: {repo.path}, checks: [commit-msg]}}\n"
        "global: {timeout: 1000}\n",
    )
    run = ("--prove-config", "multi.yaml", "--prove-no-history", "-p", "no:randomly")
    pytester.runpytest_subprocess(*run).assert_outcomes(passed=1)  # a pass to look up
    hanging_hook(repo, tmp_path / "groups", 15)  # `git status` of the lookup runs it
    started = time.monotonic()
    result = pytester.runpytest_subprocess(*run)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["FAILED multi.yaml::r::commit-msg - *timed out after 1000 ms"])
    assert time.monotonic() - started < 10


def test_a_started_call_gives_what_run_git_gives_and_keeps_it(make_repo: MakeRepo) -> None:
    repo = make_repo("r")
    repo.write("new.txt", "x\n")
    started = start_git(repo.path, "status", "--porcelain=v1", "-z")
    assert started.result() == run_git(repo.path, "status", "--porcelain=v1", "-z")
    assert started.result() == b"?? new.txt\0"  # read once, kept
    started.close()  # after reading: nothing left to end
    failing = start_git(repo.path, "rev-parse", "--verify", "nowhere")
    with pytest.raises(GitCommandError, match="exit code 128"):
        failing.result()
    assert failing.result((128,)) == b""
    with pytest.raises(GitCommandError, match="does not exist"):
        start_git(repo.path / "gone", "status")


@pytest.fixture
def hung_status(make_repo: MakeRepo, tmp_path: Path) -> tuple[RepoBuilder, Path]:
    """A repository whose `git status` hangs (30 s), and the file its hook notes groups in."""
    repo = make_repo("r")
    groups = tmp_path / "groups"
    hanging_hook(repo, groups, 30)
    return repo, groups


@pytest.fixture(params=["here", "launcher"])
def starter(request: pytest.FixtureRequest) -> Iterator[Callable[..., GitCall]]:
    """Starts a git call in this process (``start_git``), or by the launcher's helper."""
    if request.param == "here":
        yield start_git
        return
    yield request.getfixturevalue("launcher").start


def test_a_started_call_nobody_reads_dies_with_what_it_started(
    hung_status: tuple[RepoBuilder, Path], starter: Callable[..., GitCall], make_repo: MakeRepo
) -> None:
    repo, groups = hung_status
    started = starter(repo.path, "status", "--porcelain=v1", "-z")
    group = noted(groups)
    began = time.monotonic()
    started.close()
    assert time.monotonic() - began < 5
    assert all_dead(group)
    with pytest.raises(GitCommandError, match="not needed"):
        started.result()
    # The next call is not held up (the launcher skips the killed call's late answer).
    assert starter(make_repo("plain").path, "status", "--porcelain=v1", "-z").result() == b""


@pytest.mark.parametrize("helper", [False, True], ids=["here", "helper"])
def test_the_pass_cache_reads_the_status_it_started(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, helper: bool
) -> None:
    repo = make_repo("r")
    repo.write("new.txt", "x\n")
    plain = RepoContext(repo.path)
    expected = cache.repo_state(plain)
    launcher = GitLauncher()
    if helper:  # which reads the probe and refs too
        assert launcher.warm()
        monkeypatch.setattr(probe_module, "probe_files", lambda *a: pytest.fail("read here"))
        monkeypatch.setattr(base_choice, "refs_listing", lambda *a: pytest.fail("read here"))
    passes = PassCache(_EmptyCache(), launcher=launcher)  # type: ignore[arg-type]
    context = RepoContext(repo.path)
    passes.start(context)
    passes.start(context)  # once per repository
    assert context.git_calls == 1
    statuses: list[tuple[str, ...]] = []
    real = cache._git
    monkeypatch.setattr(cache, "_git", lambda c, *a, **k: statuses.append(a) or real(c, *a, **k))
    assert passes.state(context) == expected
    assert [args[0] for args in statuses] == ["status", "diff"]  # dirty: the diff is asked
    assert context.git_calls == plain.git_calls  # the status not asked a second time
    passes.start(context)  # known: nothing started
    assert context.git_calls == plain.git_calls
    passes.close()


def test_a_status_that_hangs_holds_up_no_fact_the_helper_read(
    hung_status: tuple[RepoBuilder, Path], launcher: GitLauncher
) -> None:
    repo, groups = hung_status
    passes = PassCache(_EmptyCache(), launcher=launcher)  # type: ignore[arg-type]
    context = RepoContext(repo.path)
    passes.start(context)  # the helper reads the files, then starts the status, which hangs
    group = noted(groups)
    began = time.monotonic()
    assert (context.head, context.branch) == (repo.head, "main")
    assert context.trunk == "main"
    assert time.monotonic() - began < 5  # not the status's 30 s
    assert context.git_calls == 1  # the status; the rest came from the files
    passes.close()
    assert all_dead(group)


def test_the_pass_cache_ends_the_status_no_gate_read(
    hung_status: tuple[RepoBuilder, Path], make_repo: MakeRepo
) -> None:
    repo, groups = hung_status
    passes = PassCache(_EmptyCache())  # type: ignore[arg-type]
    context = RepoContext(repo.path)
    passes.start(context)
    group = noted(groups)
    passes.close()  # the run ended before a gate asked
    assert all_dead(group)
    assert passes.state(RepoContext(make_repo("plain").path)) is not None
    not_a_repo = RepoContext(groups)  # a file
    passes.start(not_a_repo)  # left for state to meet, which gives no key
    assert passes.state(not_a_repo) is None
