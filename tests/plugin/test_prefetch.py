"""The next gates' git facts are computed in the background, once, and change no outcome."""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from pytest_prove.git.lazy import lazy
from pytest_prove.plugin.keys import CONTEXTS_KEY
from tests.fleet_file import entry, write_fleet
from tests.plugin_site import install_check
from tests.repo_builder import MakeRepo

# An installed check that reports whether its commits were there before it asked.
PROBE_CHECK = """
from pytest_prove import hookimpl
from pytest_prove.api import Check, CheckResult, CheckSettings, Finding
from pytest_prove.git.lazy import lazy
from pytest_prove.plugin.keys import CONTEXTS_KEY


def probe(context, settings):
    # Asked already: computed, or under way in the prefetcher (which made its lock).
    asked = lazy.computed(context, "commits") or "commits" in context._computing
    if context.name != "a" and not asked:
        return CheckResult(findings=[Finding(rule="prefetch", message="not prefetched")])
    return CheckResult(summary=f"{len(context.commits)} commits")


@hookimpl
def prove_checks():
    return [
        Check(name="probe", run=probe, settings_model=CheckSettings, prefetch=("commits",)),
        Check(name="plain", run=probe, settings_model=CheckSettings),
    ]
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The probe check, installed for pytest subprocesses."""
    root = install_check(tmp_path / "site", "probecheck", PROBE_CHECK)
    monkeypatch.setenv("PYTHONPATH", str(root))
    return root


def _fleet(pytester: pytest.Pytester, make_repo: MakeRepo, check: str, names: str = "abc") -> None:
    """Repositories ``names`` (a, b and c), each a branch with one commit, gated by ``check``
    alone."""
    entries = []
    for name in names:
        repo = make_repo(name)
        repo.branch("feat/x")
        repo.commit("feat: add x", files={"x.txt": "x\n"})
        entries.append(entry(name, repo.path, [check]))
    write_fleet(pytester, *entries)


@pytest.mark.parametrize(("check", "prefetched"), [("probe", True), ("plain", False)])
def test_the_next_gates_facts_are_ready_when_they_run(
    pytester: pytest.Pytester,
    make_repo: MakeRepo,
    site: Path,
    check: str,
    prefetched: bool,
) -> None:
    _fleet(pytester, make_repo, check)
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-p", "no:randomly")
    if prefetched:
        result.assert_outcomes(passed=3)
    else:  # a check that declares nothing gets only what every gate reads
        result.assert_outcomes(passed=1, failed=2)
        result.stdout.fnmatch_lines(
            ["FAILED multi.yaml::b::plain*", "FAILED multi.yaml::c::plain*"]
        )
        assert "not prefetched" in result.stdout.str()


def test_the_look_ahead_moves_on_with_the_run(
    pytester: pytest.Pytester, make_repo: MakeRepo, site: Path
) -> None:
    # Twice as many repositories as are looked at ahead: the later ones are submitted
    # as the run reaches them, each before its gate runs.
    _fleet(pytester, make_repo, "probe", names="abcdefghij")
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-p", "no:randomly")
    result.assert_outcomes(passed=10)


class _Facts:
    """What :class:`lazy` needs of its owner, counting how often a fact is computed."""

    def __init__(self) -> None:
        self._memo: dict[str, object] = {}
        self._computing: dict[str, threading.RLock] = {}
        self.computed = 0

    @lazy
    def slow(self) -> int:
        self.computed += 1
        time.sleep(0.05)  # long enough for the other threads to arrive meanwhile
        return self.computed

    @lazy
    def failing(self) -> int:
        self.computed += 1
        time.sleep(0.05)
        raise ValueError("no answer")


def _ask_from_threads(facts: _Facts, name: str) -> list[object]:
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(getattr(facts, name))
        except ValueError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_a_fact_asked_by_several_threads_is_computed_once() -> None:
    facts = _Facts()
    assert _ask_from_threads(facts, "slow") == [1, 1, 1, 1]
    assert facts.computed == 1


def test_a_failure_is_computed_once_and_raised_in_every_thread() -> None:
    facts = _Facts()
    assert _ask_from_threads(facts, "failing") == ["no answer"] * 4
    assert facts.computed == 1


def test_collect_only_asks_git_nothing(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = make_repo("a")
    pytester.makefile(".yaml", multi=f"repositories:\n  - {{name: a, path: {repo.path}}}\n")
    recorder = pytester.inline_run("--prove-config", "multi.yaml", "--co", "-p", "no:cacheprovider")
    (call,) = recorder.getcalls("pytest_collection_finish")
    assert call.session.items  # the gates were collected
    assert call.session.config.stash.get(CONTEXTS_KEY, {}) == {}


# Waits (a while) for what the prefetcher asks before the session starts; notes what is known.
EARLY_CONFTEST = """
import time

from pytest_prove.git.lazy import lazy
from pytest_prove.plugin.keys import CONTEXTS_KEY

COMMITS = {commits!r}


def pytest_sessionstart(session):
    contexts = session.config.stash.get(CONTEXTS_KEY, {{}})

    def known(fact):
        return sorted(name for name, c in contexts.items() if lazy.computed(c, fact))

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        known("_base_choice") != list("abcd") or known("commits") != COMMITS
    ):
        time.sleep(0.01)
    session.config.prefetched = (known("_base_choice"), known("commits"))
"""


@pytest.mark.parametrize(
    ("cache", "expected"), [([], []), (["--prove-no-cache"], ["a", "b", "c", "d"])]
)
def test_the_first_repositories_facts_are_asked_for_at_configure(
    pytester: pytest.Pytester, make_repo: MakeRepo, cache: list[str], expected: list[str]
) -> None:
    _fleet(pytester, make_repo, "commit-msg", names="abcdef")
    pytester.makeconftest(EARLY_CONFTEST.format(commits=expected))
    recorder = pytester.inline_run("--prove-config", "multi.yaml", *cache)
    recorder.assertoutcome(passed=6)
    (call,) = recorder.getcalls("pytest_sessionstart")
    # The first four repositories. With the pass cache on, a gate may be answered without
    # its commits: only the facts every gate reads are asked for before collection.
    assert call.session.config.prefetched == (["a", "b", "c", "d"], expected)


# In each xdist worker: whether the prefetcher found the worker's queue, and what it saw.
QUEUE_CONFTEST = """
import json, os

def pytest_runtest_call(item):
    prefetcher = item.config.pluginmanager.get_plugin("prove-prefetch")
    worker = getattr(item.config, "workerinput", {{}}).get("workerid", "none")
    seen = [i.name for i in prefetcher._queued()] if prefetcher._queue is not None else None
    with open(os.path.join({out!r}, worker + ".jsonl"), "a") as stream:
        stream.write(json.dumps({{"item": item.name, "queued": seen}}) + "\\n")
"""


def test_an_xdist_worker_looks_ahead_at_the_items_queued_for_it(
    pytester: pytest.Pytester, make_repo: MakeRepo, tmp_path: Path
) -> None:
    # xdist sends each worker a first batch of a quarter of the items
    _fleet(pytester, make_repo, "commit-msg", names="abcdefghijklmnopqrstuvwx")
    out = tmp_path / "seen"
    out.mkdir()
    pytester.makeconftest(QUEUE_CONFTEST.format(out=str(out)))
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "-n", "2")
    result.assert_outcomes(passed=24)
    lines = [json.loads(line) for f in out.glob("gw*.jsonl") for line in f.read_text().splitlines()]
    assert len(lines) == 24
    # Found in every worker (pytest-xdist offers no API for it: a new version could move it).
    assert all(line["queued"] is not None for line in lines)
    # Some gate ran with more of its worker's batch queued than the next item.
    assert any(line["queued"] for line in lines)


class _Queue:
    def __init__(self, pending: object) -> None:
        self._items = pending


def test_the_worker_queue_is_read_with_care(pytester: pytest.Pytester) -> None:
    from pytest_prove.plugin.prefetch import Prefetcher

    prefetcher = Prefetcher(pytester.parseconfig(), worker=True)
    prefetcher._items = ["i0", "i1", "i2"]  # type: ignore[list-item]
    for pending, expected in [
        ([2, 1], ["i2", "i1"]),
        ([5, -1, "shutdown", 0], ["i0"]),  # out of range, a marker: left out
        ([], []),
    ]:
        prefetcher._queue = _Queue(pending)
        assert prefetcher._queued() == expected

    class Mutating:
        def __iter__(self) -> object:
            raise RuntimeError("deque mutated during iteration")

    prefetcher._queue = _Queue(Mutating())
    assert prefetcher._queued() == []
    prefetcher._queue = None  # no queue found: only the next item is looked at
    assert prefetcher._queued() == []


def test_a_git_call_that_hangs_in_the_background_does_not_hang_the_run(
    pytester: pytest.Pytester, make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_git = shutil.which("git")
    assert real_git is not None
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    # `git log` (what commit-msg's facts need) hangs; everything else is git itself.
    hang = 'for a in "$@"; do [ "$a" = log ] && exec sleep 30; done'
    wrapper.write_text(f'#!/bin/sh\n{hang}\nexec {real_git} "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{wrapper.parent}{os.pathsep}{os.environ['PATH']}")
    _fleet(pytester, make_repo, "commit-msg")
    (pytester.path / "multi.yaml").write_text(
        (pytester.path / "multi.yaml").read_text() + "\nglobal:\n  timeout: 700\n"
    )
    started = time.monotonic()
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", "--prove-no-cache")
    took = time.monotonic() - started
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*a::commit-msg: timed out after 700 ms*"])
    assert took < 20, took
