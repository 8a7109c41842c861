"""A FIFO, socket or device where a repository holds a file is skipped, never waited on."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_prove.api import Severity
from pytest_prove.checks.feature_flags import FeatureFlagsSettings, check_feature_flags
from pytest_prove.checks.security import SecuritySettings, check_security
from pytest_prove.engines.security.baseline import BaselineError, load_baseline
from pytest_prove.git.context import RepoContext
from pytest_prove.support.clock import NOW_VARIABLE
from pytest_prove.support.files import NotAFileError, digest_file, open_regular
from pytest_prove.support.text import read_text
from tests.repo_builder import MakeRepo, RepoBuilder
from tests.security_samples import SAMPLES

# A reader that waits on a FIFO is freed after this long, so a regression fails, not hangs.
RESCUE_S = 5.0
GITHUB_LINE = SAMPLES["github-token"][0]
REGISTRY = "flags:\n  new-checkout: {owner: team-a, expires: 2026-12-31}\n"


@contextlib.contextmanager
def rescued(fifo: Path) -> Iterator[None]:
    """Free any reader blocked opening ``fifo`` after :data:`RESCUE_S`; fail if one was."""
    done = threading.Event()
    freed = []

    def rescue() -> None:
        if done.wait(RESCUE_S):
            return
        while not done.is_set():
            try:  # succeeds only while a reader waits in open()
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                freed.append(True)
            except OSError:
                done.wait(0.05)

    thread = threading.Thread(target=rescue, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        yield
    finally:
        done.set()
        thread.join()
    assert not freed, "a reader waited on the FIFO"
    assert time.monotonic() - started < RESCUE_S


def fifo_in_place_of(repo: RepoBuilder, path: str) -> Path:
    """Replace the tracked file ``path`` by a FIFO with no writer."""
    target = repo.path / path
    target.unlink()
    os.mkfifo(target)
    return target


def test_open_regular_refuses_what_is_no_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "dir").mkdir()
    (tmp_path / "file").write_bytes(b"data")
    with rescued(fifo), pytest.raises(NotAFileError, match="not a regular file"):
        open_regular(fifo)
    with pytest.raises(IsADirectoryError):
        open_regular(tmp_path / "dir")
    with pytest.raises(FileNotFoundError):
        open_regular(tmp_path / "gone")
    with open_regular(tmp_path / "file") as stream:
        assert stream.read() == b"data"


def test_read_text_skips_a_fifo_and_a_socket(tmp_path: Path) -> None:
    fifo = tmp_path / "app.py"
    os.mkfifo(fifo)
    with rescued(fifo):
        assert read_text(tmp_path, "app.py").skipped == "not-a-file"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(os.fspath(tmp_path / "sock"))
        # told by its lstat, before open() would fail (ENXIO): no file, not a missing one
        assert read_text(tmp_path, "sock").skipped == "not-a-file"


def test_a_digest_of_a_fifo_names_it_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    digest = hashlib.sha256()
    with rescued(fifo):
        digest_file(digest.update, os.fspath(fifo))
    assert digest.hexdigest() == hashlib.sha256(b"<NotAFileError>").hexdigest()


def test_a_fifo_as_baseline_is_an_unusable_baseline(tmp_path: Path) -> None:
    fifo = tmp_path / ".secrets.baseline"
    os.mkfifo(fifo)
    with rescued(fifo), pytest.raises(BaselineError, match="cannot read: not a regular file"):
        load_baseline(fifo)


def _flag_repo(make_repo: MakeRepo) -> RepoBuilder:
    repo = make_repo()
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit(
        "feat: flags",
        files={
            "feature-flags.yaml": REGISTRY,
            "src/app.py": 'is_enabled("ghost")\n',
            "src/ok.py": 'is_enabled("new-checkout")\n',
        },
    )
    return repo


def test_feature_flags_skips_a_fifo_in_the_tree(make_repo: MakeRepo) -> None:
    repo = _flag_repo(make_repo)
    context = RepoContext(repo.path, env={**os.environ, NOW_VARIABLE: "2026-06-15"})
    before = check_feature_flags(context, FeatureFlagsSettings())
    assert [(f.rule, f.file) for f in before.findings] == [("undeclared-flag", "src/app.py")]
    fifo = fifo_in_place_of(repo, "src/app.py")
    context = RepoContext(repo.path, env={**os.environ, NOW_VARIABLE: "2026-06-15"})
    with rescued(fifo):
        after = check_feature_flags(context, FeatureFlagsSettings())
    # The FIFO is skipped like a binary file; the other files are still judged.
    assert after.passed, after.findings
    assert after.metrics["files_skipped"] == before.metrics["files_skipped"] + 1
    assert after.metrics["files_scanned"] == before.metrics["files_scanned"] - 1


def test_security_tree_scan_notes_a_fifo_and_scans_the_rest(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: a", files={"src/app.py": "x = 1\n", "src/leak.py": f"{GITHUB_LINE}\n"})
    fifo = fifo_in_place_of(repo, "src/app.py")
    settings = SecuritySettings.model_validate(
        {"dependencies": {"enabled": False}, "scope": "tree"}
    )
    with rescued(fifo):
        result = check_security(RepoContext(repo.path, env={}), settings)
    assert [(f.rule, f.file) for f in result.errors] == [("github-token", "src/leak.py")]
    notes = [(f.rule, f.file, f.severity) for f in result.findings if f.file == "src/app.py"]
    assert notes == [("not-scanned", "src/app.py", Severity.INFO)]
