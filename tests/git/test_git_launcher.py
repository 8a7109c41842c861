"""Git calls started by the launcher's helper process answer as run_git does, and end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_prove.git import launcher_process
from pytest_prove.git.launcher import GitLauncher
from pytest_prove.git.ref_files import RepoFiles, read_repo_files
from pytest_prove.git.runner import NOT_FOUND, GitCommandError, StartedGit, git_env, run_git
from pytest_prove.runner.deadline import GateTimeoutError, deadline
from tests.git.test_git_hangs import all_dead, hanging_hook, noted
from tests.repo_builder import MakeRepo

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="process groups are read from /proc"
)

STATUS = ("status", "--porcelain=v1", "-z", "--untracked-files=all")


def helper_pid(launcher: GitLauncher) -> int:
    proc = launcher._proc
    assert proc is not None, "the helper was not started"
    return proc.pid


def test_calls_answer_as_run_git_in_any_order_and_any_size(
    launcher: GitLauncher, make_repo: MakeRepo
) -> None:
    repo = make_repo("r")
    for i in range(30):  # a log far beyond a pipe's 64 KiB
        repo.commit(f"feat: change {i}\n\n" + "body line\n" * 300, files={f"f{i}.txt": "x\n"})
    repo.write("new.txt", "x\n")
    log = launcher.start(repo.path, "log", "--format=%H%n%B")
    status = launcher.start(repo.path, *STATUS)
    failing = launcher.start(repo.path, "rev-parse", "--verify", "nowhere")
    assert status.result() == b"?? new.txt\0" == run_git(repo.path, *STATUS)
    assert len(expected := run_git(repo.path, "log", "--format=%H%n%B")) > 1 << 16
    assert log.result() == expected
    assert log.result() == expected  # kept
    with pytest.raises(GitCommandError) as info:
        failing.result()
    assert info.value.returncode == 128
    assert str(info.value) == (
        "`git rev-parse --verify nowhere` failed with exit code 128: "
        "fatal: Needed a single revision"
    )
    assert failing.result((128,)) == b""


def test_calls_that_cannot_start_fail_as_run_git_does(
    launcher: GitLauncher, make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo("r")
    gone = launcher.start(repo.path / "gone", *STATUS)
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    no_git = launcher.start(repo.path, *STATUS, env={"PATH": os.fspath(empty_bin)})
    for call, message in ((gone, "does not exist"), (no_git, "git is not installed")):
        with pytest.raises(GitCommandError, match=message) as info:
            call.result()
        assert info.value.returncode == NOT_FOUND
    assert launcher.start(repo.path, *STATUS).result() == b""  # and it goes on


def test_the_helper_reads_a_repositorys_files_as_the_run_would(
    launcher: GitLauncher, make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo("r")
    repo.released_branch("feat/x", "src/more.txt")
    repo.write("docs/new.txt", "x\n")
    monkeypatch.chdir(repo.path.parent)
    call = launcher.start_in_repository(Path("r"), *STATUS)  # relative to where the run is
    assert call is not None
    assert call.result() == b"?? docs/new.txt\0" == run_git(repo.path, *STATUS)
    files = call.files()
    assert files is not None
    assert files.probe is not None
    assert files.listing is not None
    assert files == read_repo_files(os.fspath(repo.path), os.environ)
    assert files.probe.symbolic_head == "refs/heads/feat/x"
    assert b"refs/tags/v1.0" in files.listing


def test_a_repository_whose_path_is_not_utf8_is_read_by_the_helper_too(
    launcher: GitLauncher, make_repo: MakeRepo
) -> None:
    repo = make_repo(os.fsdecode(b"caf\xe9"))
    repo.write("new.txt", "x\n")
    call = launcher.start_in_repository(repo.path, *STATUS)
    assert call is not None
    assert call.result() == b"?? new.txt\0"
    files = call.files()
    assert files is not None
    assert files.probe is not None
    assert files == read_repo_files(os.fspath(repo.path), os.environ)


def test_where_the_files_are_not_enough_the_call_still_runs_and_git_is_asked(
    launcher: GitLauncher, make_repo: MakeRepo
) -> None:
    repo = make_repo("r")
    repo.write("docs/new.txt", "x\n")
    repo.write("src/also.txt", "x\n")
    # A subdirectory: only git knows where the top is.  The status is the whole
    # repository's, with paths from its top, as at the top.
    call = launcher.start_in_repository(repo.path / "src", *STATUS)
    assert call is not None
    assert call.result() == run_git(repo.path, *STATUS)
    assert call.files() == RepoFiles(None, None)
    gone = launcher.start_in_repository(repo.path / "gone", *STATUS)
    assert gone is not None
    with pytest.raises(GitCommandError, match="does not exist") as info:
        gone.result()
    assert info.value.returncode == NOT_FOUND
    assert gone.files() == RepoFiles(None, None)  # unsure: the run asks git, which fails


def test_a_helper_that_cannot_load_the_files_reader_still_runs_the_call(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo("r")
    alone = tmp_path / "alone" / "launcher_process.py"  # no ref_files.py beside it
    alone.parent.mkdir()
    shutil.copy(launcher_process.__file__, alone)
    helper = subprocess.Popen(
        [sys.executable, "-I", "-S", os.fspath(alone)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert helper.stdin is not None
    assert helper.stdout is not None
    try:
        assert helper.stdout.readline() == launcher_process.READY
        request = {"id": 0, "repo": os.fspath(repo.path), "argv": ["git", *STATUS]}
        helper.stdin.write(json.dumps({**request, "env": git_env(os.environ)}).encode() + b"\n")
        helper.stdin.flush()
        # No files: the run reads them itself; the call runs all the same.
        assert json.loads(helper.stdout.readline()) == {"id": 0, "files": False, "listing": 0}
        assert json.loads(helper.stdout.readline()) == {"id": 0, "rc": 0, "out": 0, "err": 0}
    finally:
        helper.stdin.close()
        assert helper.wait(10) == 0


def test_a_deadline_while_waiting_kills_the_call_and_loses_no_other_answer(
    launcher: GitLauncher, make_repo: MakeRepo, tmp_path: Path
) -> None:
    hung = make_repo("hung")
    hanging_hook(hung, tmp_path / "groups", 30)
    plain = make_repo("plain")
    plain.write("new.txt", "x\n")
    waiting = launcher.start(hung.path, *STATUS)
    after = launcher.start(plain.path, *STATUS)  # answered while the first one hangs
    with pytest.raises(GateTimeoutError), deadline(300):
        waiting.result()
    assert all_dead(noted(tmp_path / "groups"))
    assert after.result() == b"?? new.txt\0"
    assert launcher.start(plain.path, *STATUS).result() == b"?? new.txt\0"


def test_calls_are_made_here_when_the_helper_ends(
    launcher: GitLauncher, make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = make_repo("r")
    repo.write("new.txt", "x\n")
    launcher.start(repo.path, *STATUS).result()
    hung = make_repo("hung")
    hanging_hook(hung, tmp_path / "groups", 30)
    pending = launcher.start_in_repository(hung.path, *STATUS)  # keeps the helper busy
    assert pending is not None
    orphaned = noted(tmp_path / "groups")
    # The files came before git started: they do not wait for the status, which hangs.
    assert pending.files() == read_repo_files(os.fspath(hung.path), os.environ)
    pid = helper_pid(launcher)
    os.kill(pid, signal.SIGSTOP)
    lost = launcher.start_in_repository(repo.path, *STATUS)  # sent, never read
    assert lost is not None
    os.kill(pid, signal.SIGKILL)
    for group in orphaned:  # a killed helper cannot end its calls: the test does
        os.killpg(group, signal.SIGKILL)
    hung.git("config", "--unset", "core.fsmonitor")  # made here, the status does not hang
    assert pending.result() == b""
    assert lost.files() is None  # lost with the helper: the run reads them itself
    assert lost.result() == b"?? new.txt\0"
    after = launcher.start_in_repository(repo.path, *STATUS)
    assert after is None  # the run reads the files itself
    assert launcher.start(repo.path, *STATUS).result() == b"?? new.txt\0"


def test_calls_are_made_here_once_the_helper_stops_reading(
    launcher: GitLauncher, make_repo: MakeRepo
) -> None:
    repo = make_repo("r")
    repo.write("new.txt", "x\n")
    first = launcher.start(repo.path, *STATUS)
    assert first.result() == b"?? new.txt\0"
    pid = helper_pid(launcher)
    os.kill(pid, signal.SIGSTOP)  # stuck: its pipe fills up
    try:
        calls = []
        for n in range(8):  # each request carries its environment: 40 KB
            padded = {**os.environ, "PAD": str(n) * 40_000}
            calls.append(launcher.start(repo.path, *STATUS, env=padded))
        # Nothing waits on the stuck helper: the calls that found its pipe full, and all
        # after them, were made here.
        assert isinstance(calls[-1], StartedGit)
        assert calls[-1].result() == b"?? new.txt\0"
    finally:
        os.kill(pid, signal.SIGCONT)
    assert all(call.result() == b"?? new.txt\0" for call in calls)  # sent ones too


def test_calls_are_made_here_when_the_helper_cannot_start(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "executable", os.fspath(tmp_path / "no-python"))
    repo = make_repo("r")
    repo.write("new.txt", "x\n")
    launcher = GitLauncher()
    assert not launcher.warm()
    assert launcher.start(repo.path, *STATUS).result() == b"?? new.txt\0"
    assert launcher._proc is None
    launcher.close()


def test_a_one_repository_run_never_starts_the_helper_nor_waits_for_it(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo("r")
    launcher = GitLauncher()
    assert launcher.start_in_repository(repo.path, *STATUS) is None  # for the run to do
    first = launcher.start(repo.path, *STATUS)
    assert isinstance(first, StartedGit)  # made here: a run of one never starts the helper
    assert launcher._proc is None
    second = launcher.start(repo.path, *STATUS)  # starts the helper, which is not ready yet
    assert isinstance(second, StartedGit)
    assert launcher._proc is not None
    assert first.result() == second.result() == b""
    began = time.monotonic()
    launcher.close()  # nothing of ours in it: not waited for
    assert time.monotonic() - began < 1
    assert launcher._proc is None


def test_closing_ends_the_helper_and_its_calls(make_repo: MakeRepo, tmp_path: Path) -> None:
    hung = make_repo("hung")
    hanging_hook(hung, tmp_path / "groups", 30)
    launcher = GitLauncher()
    assert launcher.warm()
    launcher.start(hung.path, *STATUS)
    group = noted(tmp_path / "groups")
    pid = helper_pid(launcher)
    launcher.close()
    assert all_dead(group)
    assert not Path(f"/proc/{pid}").exists()  # exited and reaped
    plain = make_repo("plain")
    assert launcher.start(plain.path, *STATUS).result() == b""  # made here from now on
