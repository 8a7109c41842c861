"""Gate time limits: ``global.timeout`` and a check's ``timeout`` stop it and what it started."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pytest_prove.runner.deadline import GateTimeoutError, deadline
from tests.plugin_site import install_check

# An installed third-party check that hangs: git runs a shell alias that sleeps.
SLOW_CHECK = """
from pytest_prove import hookimpl
from pytest_prove.api import Check, CheckResult, CheckSettings
from pytest_prove.git.runner import run_git


def hang(context, settings):
    pid_file = context.root / "sleeper.pid"
    run_git(context.root, "-c", f"alias.nap=!echo $$ > {pid_file}; exec sleep 60", "nap")
    return CheckResult()


@hookimpl
def prove_checks():
    return [Check(name="slow", run=hang, settings_model=CheckSettings)]
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return install_check(tmp_path / "site", "slowcheck", SLOW_CHECK)


def _gone(pid: int) -> bool:
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
@pytest.mark.parametrize(
    "text",
    ["global:\n  timeout: 700\n", "global:\n  slow: {timeout: 700}\n"],
    ids=["global-timeout", "check-timeout"],
)
def test_a_gate_past_its_limit_fails_and_its_processes_die(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    site: Path,
    xdist: list[str],
    text: str,
) -> None:
    repo = pytester.path / "repo"
    repo.mkdir()
    pytester.run("git", "init", "-q", str(repo))
    pytester.makefile(
        ".yaml", multi=f"repositories:\n  - {{name: r, path: repo, checks: [slow]}}\n{text}"
    )
    monkeypatch.setenv("PYTHONPATH", str(site))  # "installs" the slow check
    started = time.monotonic()
    result = pytester.runpytest_subprocess("--prove-config", "multi.yaml", *xdist)
    took = time.monotonic() - started
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["r::slow: timed out after 700 ms", "timeout timed out after 700 ms"]
    )
    assert took < 30
    assert _gone(int((repo / "sleeper.pid").read_text()))


def test_deadline_raises_in_the_block() -> None:
    started = time.monotonic()
    with pytest.raises(GateTimeoutError, match="timed out after 200 ms"), deadline(200):
        time.sleep(5)
    assert time.monotonic() - started < 2
    with deadline(None):
        time.sleep(0.01)  # no limit: nothing raised


def test_deadline_puts_back_the_handler_it_found() -> None:
    import signal

    def theirs(signum: int, frame: object) -> None:
        raise AssertionError("not ours")

    before = signal.signal(signal.SIGALRM, theirs)
    try:
        for _ in range(2):  # twice: the second finds its own handler's predecessor again
            with deadline(60_000):
                assert signal.getsignal(signal.SIGALRM) is not theirs
            assert signal.getsignal(signal.SIGALRM) is theirs
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        with deadline(60_000):
            pass
        assert signal.getsignal(signal.SIGALRM) is signal.Handlers.SIG_DFL
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    finally:
        signal.signal(signal.SIGALRM, before)
