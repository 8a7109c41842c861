from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_prove.git.runner import (
    GIT_OPTIONS,
    NOT_FOUND,
    GitCommandError,
    git_env,
    hidden_git_redirects,
    run_git,
)
from tests.repo_builder import MakeRepo

REDIRECTING = (
    "GIT_DIR",
    "GIT_INDEX_FILE",
    "GIT_WORK_TREE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
    "GIT_CONFIG_PARAMETERS",
)
KEPT = (
    "GIT_EXEC_PATH",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_SSL_CAINFO",
    "GIT_SSL_NO_VERIFY",
    "GIT_ASKPASS",
    "GIT_TERMINAL_PROMPT",
    "GIT_CONFIG_GLOBAL",
    "GIT_CONFIG_NOSYSTEM",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_KEY_0",
    "GIT_CONFIG_VALUE_0",
    "GIT_HTTP_PROXY_AUTHMETHOD",
    "GIT_ALLOW_PROTOCOL",
    "GIT_CEILING_DIRECTORIES",
)


@pytest.mark.parametrize("name", REDIRECTING)
def test_git_env_drops_variables_that_redirect_git(name: str) -> None:
    assert name not in git_env({name: "/elsewhere", "PATH": "/bin"})


@pytest.mark.parametrize("name", KEPT)
def test_git_env_keeps_transport_and_config_variables(name: str) -> None:
    assert git_env({name: "value"})[name] == "value"


def test_git_env_pins_locale_and_keeps_other_variables() -> None:
    inherited = {"PATH": "/bin", "HOME": "/home/x", "LANGUAGE": "de", "LC_ALL": "de_DE.UTF-8"}
    env = git_env(inherited)
    assert env["PATH"] == "/bin"
    assert env["HOME"] == "/home/x"
    assert env["LC_ALL"] == "C"
    assert "LANGUAGE" not in env
    assert env["GIT_OPTIONAL_LOCKS"] == "0"
    assert inherited["LC_ALL"] == "de_DE.UTF-8", "the input must not be modified"


def test_git_env_is_the_same_for_every_gate() -> None:
    # pytest names the gate under way in PYTEST_CURRENT_TEST; git's environment leaves it out
    first = git_env({"PATH": "/bin", "PYTEST_CURRENT_TEST": "multi.yaml::a::trunk (call)"})
    second = git_env({"PATH": "/bin", "PYTEST_CURRENT_TEST": "multi.yaml::b::tdd (setup)"})
    assert first == second
    assert "PYTEST_CURRENT_TEST" not in first


def test_run_git_returns_stdout_bytes(make_repo: MakeRepo) -> None:
    repo = make_repo()
    out = run_git(repo.path, "rev-parse", "HEAD")
    assert out == (repo.head + "\n").encode()


def test_run_git_feeds_input(make_repo: MakeRepo) -> None:
    repo = make_repo()
    out = run_git(repo.path, "cat-file", "--batch-check", input=b"HEAD:README.md\n")
    assert out.split()[1:] == [b"blob", b"10"]


def test_run_git_failure_carries_argv_code_and_stderr(make_repo: MakeRepo) -> None:
    repo = make_repo()
    with pytest.raises(GitCommandError) as info:
        run_git(repo.path, "rev-parse", "--verify", "no-such-ref")
    err = info.value
    assert err.argv == ("git", *GIT_OPTIONS, "rev-parse", "--verify", "no-such-ref")
    assert err.returncode == 128
    assert "Needed a single revision" in err.stderr
    assert str(err) == (
        "`git rev-parse --verify no-such-ref` failed with exit code 128: "
        "fatal: Needed a single revision"
    )


@pytest.mark.parametrize("memfd", ["refused", "absent"])
def test_stderr_is_read_where_no_in_memory_file_is_offered(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, memfd: str
) -> None:
    def refused(name: str, flags: int) -> int:
        raise OSError(38, "Function not implemented")

    if memfd == "refused":
        monkeypatch.setattr(os, "memfd_create", refused)
    else:
        monkeypatch.delattr(os, "memfd_create", raising=False)
    with pytest.raises(GitCommandError, match="Needed a single revision"):
        run_git(make_repo().path, "rev-parse", "--verify", "no-such-ref")


def test_run_git_accepts_listed_exit_codes(make_repo: MakeRepo) -> None:
    repo = make_repo()
    out = run_git(repo.path, "rev-parse", "--verify", "-q", "nope", ok_returncodes=(0, 1))
    assert out == b""


def test_missing_git_is_a_clear_error(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = make_repo()
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    with pytest.raises(GitCommandError) as info:
        run_git(repo.path, "status", env={"PATH": os.fspath(empty_bin)})
    assert info.value.returncode == NOT_FOUND
    assert "git is not installed or not on PATH" in str(info.value)


def test_missing_directory_is_not_reported_as_missing_git(tmp_path: Path) -> None:
    with pytest.raises(GitCommandError, match="does not exist"):
        run_git(tmp_path / "gone", "status")


def test_file_as_directory_is_a_clear_error(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(GitCommandError, match="is not a directory"):
        run_git(file, "status")


def test_inherited_git_dir_does_not_redirect(make_repo: MakeRepo) -> None:
    ours, other = make_repo("ours"), make_repo("other")
    other.commit("Other work", files={"other.txt": "x\n"})
    env = {
        **os.environ,
        "GIT_DIR": os.fspath(other.path / ".git"),
        "GIT_WORK_TREE": os.fspath(other.path),
        "GIT_INDEX_FILE": os.fspath(other.path / ".git" / "index"),
    }
    out = run_git(ours.path, "rev-parse", "HEAD", "--show-toplevel", env=env)
    assert out.decode().split() == [ours.head, os.fspath(ours.path)]
    assert run_git(ours.path, "ls-files", env=env) == b"README.md\n"


def test_user_config_cannot_change_the_diff_format(make_repo: MakeRepo) -> None:
    repo = make_repo()
    for key, value in [
        ("diff.noprefix", "true"),
        ("diff.mnemonicprefix", "true"),
        ("core.quotepath", "true"),
        ("color.ui", "always"),
        ("diff.relative", "true"),
        ("core.pager", "false"),
    ]:
        repo.git("config", key, value)
    repo.write("sub/ünï.txt", "x\n")
    repo.stage()
    out = run_git(repo.path / "sub", "diff", "--cached", "HEAD")
    assert out.startswith("diff --git a/sub/ünï.txt b/sub/ünï.txt\n".encode())
    assert b"\x1b[" not in out


def test_hidden_git_redirects_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_DIR", "/elsewhere/.git")
    monkeypatch.setenv("GIT_SSH_COMMAND", "ssh -v")
    with hidden_git_redirects():
        assert "GIT_DIR" not in os.environ
        assert os.environ["GIT_SSH_COMMAND"] == "ssh -v"
    assert os.environ["GIT_DIR"] == "/elsewhere/.git"


def test_git_env_survives_a_variable_removed_by_another_thread() -> None:
    # pytest sets and removes PYTEST_CURRENT_TEST on the main thread for every phase of
    # every test while prefetching threads start git with os.environ.
    import sys
    import threading

    from pytest_prove.git.runner import git_env

    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                git_env(os.environ)
            except BaseException as exc:  # noqa: BLE001 - what the gate would have met
                errors.append(exc)
                return

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # the old copy failed within a few hundred rounds here
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for round_ in range(20_000):
            os.environ["PROVE_TEST_RACE"] = str(round_)
            del os.environ["PROVE_TEST_RACE"]
            if errors:
                break
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
    assert errors == []


def test_git_env_keeps_what_is_left_when_keys_keep_vanishing() -> None:
    from collections.abc import Iterator, Mapping

    from pytest_prove.git.runner import git_env

    class Vanishing(Mapping[str, str]):
        """Lists a key it then cannot give, on every read."""

        def __getitem__(self, key: str) -> str:
            if key == "GONE":
                raise KeyError(key)
            return {"PATH": "/bin", "GIT_DIR": "/elsewhere"}[key]

        def __iter__(self) -> Iterator[str]:
            return iter(["PATH", "GONE", "GIT_DIR"])

        def __len__(self) -> int:
            return 3

    env = git_env(Vanishing())
    assert env["PATH"] == "/bin"
    assert "GONE" not in env
    assert "GIT_DIR" not in env  # still kept from git
