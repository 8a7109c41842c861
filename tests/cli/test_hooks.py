"""``prove hooks``: installed into real repositories and run by real ``git commit``/``git push``."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from pytest_prove.cli import main as cli
from pytest_prove.cli.commands.hooks import (
    BACKUP_SUFFIX,
    MARKER,
    HookInstallError,
    foreign_hooks,
    hooks_dir,
    install_hooks,
    run_commit_msg_hook,
    uninstall_hooks,
)
from tests.repo_builder import BuilderGitError, MakeRepo, RepoBuilder

FOREIGN = "#!/bin/sh\necho 'the team hook'\n"
SCISSORS = "------------------------ >8 ------------------------"


@pytest.fixture(autouse=True)
def _plain_pytest_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pre-push hook starts a pytest run of its own: this run's options
    # and xdist worker identity must not leak into it.
    for name in list(os.environ):
        if name == "PYTEST_ADDOPTS" or name.startswith("PYTEST_XDIST"):
            monkeypatch.delenv(name)


def _commit(repo: RepoBuilder, message: str) -> str:
    """``git commit`` with hooks enabled (the builder's own commits skip them)."""
    return repo.git("commit", "--allow-empty", "-m", message)


def _stderr(error: BuilderGitError) -> str:
    return bytes(error.stderr).decode("utf-8", "replace")


def _run_cli(repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    monkeypatch.chdir(repo.path)
    return cli.main(["hooks", *argv])


def test_install_writes_both_hooks_executable(make_repo: MakeRepo) -> None:
    repo = make_repo()
    written = install_hooks(repo.path)
    hooks = repo.path / ".git" / "hooks"
    assert written == [hooks / "commit-msg", hooks / "pre-push"]
    for path in written:
        assert path.stat().st_mode & stat.S_IXUSR
        text = path.read_text()
        assert text.startswith("#!/bin/sh\n")
        assert MARKER in text
        assert sys.executable in text
    assert 'pytest_prove hooks run commit-msg "$1"' in (hooks / "commit-msg").read_text()
    assert "pytest_prove --quick" in (hooks / "pre-push").read_text()
    # Installing again only updates our own hooks: nothing is backed up.
    assert install_hooks(repo.path) == written
    assert not list(hooks.glob(f"*{BACKUP_SUFFIX}"))


def test_hooks_dir_is_created_when_missing(make_repo: MakeRepo) -> None:
    repo = make_repo()
    hooks = repo.path / ".git" / "hooks"
    assert not hooks.exists()  # the session's empty GIT_TEMPLATE_DIR
    install_hooks(repo.path)
    assert (hooks / "commit-msg").is_file()


def test_commit_msg_hook_rejects_bad_message_and_accepts_good(make_repo: MakeRepo) -> None:
    repo = make_repo()
    install_hooks(repo.path)
    before = repo.head
    with pytest.raises(BuilderGitError) as rejected:
        _commit(repo, "bad message")
    stderr = _stderr(rejected.value)
    assert 'type-empty "bad message": type may not be empty' in stderr
    assert "Traceback" not in stderr
    assert repo.head == before
    _commit(repo, "feat: good")
    assert repo.git("log", "-1", "--format=%s") == "feat: good"


def test_hooks_never_run_a_prove_found_on_path(
    make_repo: MakeRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On many Linux machines `prove` on PATH is Perl's TAP harness (/usr/bin/prove).
    perl_prove = tmp_path / "bin" / "prove"
    perl_prove.parent.mkdir()
    perl_prove.write_text("#!/bin/sh\necho 'Perl prove ran' >&2\nexit 255\n")
    perl_prove.chmod(0o755)
    monkeypatch.setenv("PATH", f"{perl_prove.parent}{os.pathsep}{os.environ['PATH']}")
    repo = make_repo()
    install_hooks(repo.path)
    _commit(repo, "feat: good")
    with pytest.raises(BuilderGitError) as rejected:
        _commit(repo, "bad message")
    assert "Perl prove ran" not in _stderr(rejected.value)
    assert "type-empty" in _stderr(rejected.value)


def test_commit_msg_hook_uses_the_repository_settings(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("chore: config", files={"prove.yaml": "commit-msg:\n  require_scope: true\n"})
    install_hooks(repo.path)
    with pytest.raises(BuilderGitError) as rejected:
        _commit(repo, "feat: no scope")
    assert "scope-empty" in _stderr(rejected.value)
    _commit(repo, "feat(api): scoped")


def test_edited_message_with_comments_and_scissors(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    message = repo.write(
        ".git/COMMIT_EDITMSG",
        "feat: add the parser\n\nWhy it is needed.\n"
        "# Please enter the commit message for your changes. Lines starting\n"
        "# with '#' will be ignored, and an empty message aborts the commit.\n"
        f"# {SCISSORS}\n"
        "# Do not modify or remove the line above.\n"
        "diff --git a/x b/x\nBAD LINES BELOW THE SCISSORS ARE NOT THE MESSAGE\n",
    )
    assert _run_cli(repo, monkeypatch, "run", "commit-msg", ".git/COMMIT_EDITMSG") == 0
    assert capsys.readouterr().err == ""

    message.write_text("# a comment first\nBad subject\n# Please enter the commit message\n")
    assert _run_cli(repo, monkeypatch, "run", "commit-msg", str(message)) == 1
    lines = capsys.readouterr().err.splitlines()
    assert 'type-empty "Bad subject": type may not be empty' in lines
    assert all("# a comment" not in line for line in lines)


def test_comment_char_and_cleanup_come_from_git_config(make_repo: MakeRepo) -> None:
    repo = make_repo()
    message = repo.path / ".git" / "COMMIT_EDITMSG"
    repo.git("config", "core.commentChar", ";")
    message.write_text(f"; comment\nfix: handle #123\n; {SCISSORS}\nNot Conventional\n")
    assert run_commit_msg_hook(message, repo.path) == 0
    # With ";" as the comment char, a "#" line is part of the message.
    message.write_text("# Not a comment any more\n")
    assert run_commit_msg_hook(message, repo.path) == 1

    repo.git("config", "core.commentChar", "#")
    repo.git("config", "commit.cleanup", "verbatim")
    # git keeps "#" lines under verbatim cleanup, so the hook must judge them too.
    message.write_text("# kept by git\nfeat: x\n")
    assert run_commit_msg_hook(message, repo.path) == 1


def test_foreign_hook_refused_then_backed_up_with_force_and_restored(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    foreign = repo.write(".git/hooks/pre-push", FOREIGN)
    foreign.chmod(0o755)
    with pytest.raises(HookInstallError, match=r"pre-push exists .*--force"):
        install_hooks(repo.path)
    # A refusal writes nothing, not even the hook that had no conflict.
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()
    assert _run_cli(repo, monkeypatch, "install") == 1
    assert "--force" in capsys.readouterr().err

    assert _run_cli(repo, monkeypatch, "install", "--force") == 0
    backup = foreign.with_name("pre-push" + BACKUP_SUFFIX)
    assert backup.read_text() == FOREIGN
    assert MARKER in foreign.read_text()

    assert _run_cli(repo, monkeypatch, "uninstall") == 0
    assert foreign.read_text() == FOREIGN
    assert foreign.stat().st_mode & stat.S_IXUSR
    assert not backup.exists()
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()
    assert f"restored pre-push{BACKUP_SUFFIX}" in capsys.readouterr().out


def test_force_refuses_to_overwrite_an_existing_backup(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.write(".git/hooks/commit-msg", FOREIGN)
    repo.write(".git/hooks/commit-msg" + BACKUP_SUFFIX, "#!/bin/sh\n# older\n")
    with pytest.raises(HookInstallError, match="both exist"):
        install_hooks(repo.path, force=True)
    assert (repo.path / ".git" / "hooks" / "commit-msg").read_text() == FOREIGN


def test_uninstall_leaves_foreign_hooks(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    commit_msg, pre_push = install_hooks(repo.path)
    pre_push.write_text(FOREIGN)  # someone replaced ours since
    assert foreign_hooks(repo.path) == [pre_push]
    assert uninstall_hooks(repo.path) == [commit_msg]
    assert not commit_msg.exists()
    assert pre_push.read_text() == FOREIGN

    install_hooks(repo.path, force=True)
    assert _run_cli(repo, monkeypatch, "uninstall") == 0
    out = capsys.readouterr().out
    assert f"left {pre_push} alone" not in out  # it was ours again, and its backup is back
    assert pre_push.read_text() == FOREIGN
    assert _run_cli(repo, monkeypatch, "uninstall") == 0
    assert f"left {pre_push} alone" in capsys.readouterr().out


def test_core_hooks_path_is_honoured(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.git("config", "core.hooksPath", ".githooks")
    assert hooks_dir(repo.path) == repo.path / ".githooks"
    written = install_hooks(repo.path)
    assert written[0] == repo.path / ".githooks" / "commit-msg"
    assert not (repo.path / ".git" / "hooks" / "commit-msg").exists()
    with pytest.raises(BuilderGitError):
        _commit(repo, "bad message")


def test_linked_worktree_installs_into_the_common_hooks(make_repo: MakeRepo) -> None:
    repo = make_repo()
    worktree = repo.path.parent / "worktree"
    repo.git("worktree", "add", "--quiet", "-b", "feature", os.fspath(worktree))
    install_hooks(worktree)
    assert (repo.path / ".git" / "hooks" / "commit-msg").is_file()
    with pytest.raises(BuilderGitError):
        _commit(RepoBuilder(worktree), "bad message")


def _quick_gate_repo(make_repo: MakeRepo, tmp_path: Path, *, exit_code: int) -> RepoBuilder:
    repo = make_repo()
    argv = [sys.executable, "-c", f"raise SystemExit({exit_code})"]
    repo.commit(
        "chore: gates",
        files={
            "prove.yaml": "checks: [lint]\n"
            f"commands:\n  lint: {{argv: {json.dumps(argv)}, quick: true}}\n"
        },
    )
    remote = RepoBuilder(tmp_path / "remote.git")
    remote.path.mkdir()
    remote.git("init", "--quiet", "--bare")
    repo.git("remote", "add", "origin", os.fspath(remote.path))
    install_hooks(repo.path)
    return repo


def test_pre_push_blocks_when_a_quick_gate_fails(make_repo: MakeRepo, tmp_path: Path) -> None:
    repo = _quick_gate_repo(make_repo, tmp_path, exit_code=1)
    with pytest.raises(BuilderGitError) as blocked:
        repo.git("push", "--quiet", "origin", "main")
    assert "failed to push" in _stderr(blocked.value)
    assert "lint" in bytes(blocked.value.stdout).decode()  # pytest's report of the gate
    assert not RepoBuilder(tmp_path / "remote.git").git("branch", "--list", "main")


def test_pre_push_allows_the_push_when_quick_gates_pass(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    repo = _quick_gate_repo(make_repo, tmp_path, exit_code=0)
    repo.git("push", "--quiet", "origin", "main")
    assert RepoBuilder(tmp_path / "remote.git").git("rev-parse", "main") == repo.head


def test_bad_config_gives_one_clear_message_and_exit_4(
    make_repo: MakeRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo()
    repo.write("prove.yaml", "checks: [secuirty]\n")
    repo.write(".git/COMMIT_EDITMSG", "feat: fine\n")
    assert _run_cli(repo, monkeypatch, "run", "commit-msg", ".git/COMMIT_EDITMSG") == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("prove: prove.yaml")
    assert "unknown check 'secuirty'" in err

    install_hooks(repo.path)
    with pytest.raises(BuilderGitError) as rejected:
        _commit(repo, "feat: fine")
    stderr = _stderr(rejected.value)
    assert "unknown check 'secuirty'" in stderr
    assert "Traceback" not in stderr


def test_hooks_outside_a_repository_exit_2(
    not_a_repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(not_a_repo)
    assert cli.main(["hooks", "install"]) == 2
    assert "not inside a git work tree" in capsys.readouterr().err
