"""`prove sync`: dry-run diffs, all-or-nothing apply on branches, exact rollback, refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_prove.cli.main import main
from pytest_prove.governance.audit.log import verify_log
from tests.repo_builder import RepoBuilder

CONFIG = """\
# team settings: keep this comment
checks:
  - trunk   # always
  - commit-msg-convention
trunk:
  max_age_days: 3   # short-lived
  branch_pattern: '^(feat|fix)/'
"""
UPDATES = """\
orchestrator: multi.yaml
message: "chore(prove): raise the branch age limit"
updates:
  - set: {trunk.max_age_days: 5}
    add_checks: [delivery-mode]
"""


class Fleet:
    def __init__(self, root: Path, names: list[str]) -> None:
        self.root = root
        self.repos = {}
        for name in names:
            repo = RepoBuilder(root / name).init()
            repo.commit("chore: init", files={"prove.yaml": CONFIG, "README.md": "x\n"})
            self.repos[name] = repo
        entries = "".join(f"  - {{name: {n}, path: {n}}}\n" for n in names)
        (root / "multi.yaml").write_text(
            f"repositories:\n{entries}access:\n  admins: [lead@example.com]\n"
        )
        (root / "updates.yaml").write_text(UPDATES)

    def snapshot(self) -> dict[str, tuple[str, str, str, bytes]]:
        return {
            name: (
                repo.git("for-each-ref"),
                repo.git("symbolic-ref", "HEAD"),
                repo.git("status", "--porcelain", "--untracked-files=all"),
                (repo.path / "prove.yaml").read_bytes(),
            )
            for name, repo in self.repos.items()
        }

    def audit(self) -> list[dict[str, object]]:
        path = self.root / ".prove" / "audit.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fleet:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PROVE_ACTOR", "lead@example.com")
    return Fleet(tmp_path, ["r1", "r2", "r3", "r4", "r5"])


def _run_id(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("sync run ")).split()[2][:-1]


def test_dry_run_prints_a_diff_and_changes_nothing(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fleet.snapshot()
    assert main(["sync", "--config", "updates.yaml"]) == 0
    out = capsys.readouterr().out
    assert out.count("--- a/prove.yaml\n+++ b/prove.yaml\n") == 5
    assert "-  max_age_days: 3   # short-lived\n+  max_age_days: 5   # short-lived\n" in out
    assert "+  - delivery-mode\n" in out
    assert fleet.snapshot() == before
    assert not (fleet.root / ".prove").exists()


def test_apply_then_rollback_restores_every_repository_exactly(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fleet.snapshot()
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 0
    run_id = _run_id(capsys.readouterr().out)
    branch = f"prove/sync-{run_id}"
    for repo in fleet.repos.values():
        assert repo.git("symbolic-ref", "--short", "HEAD") == "main"  # checkout untouched
        assert repo.git("status", "--porcelain") == ""
        committed = repo.git("show", f"{branch}:prove.yaml")
        assert committed == CONFIG.replace("max_age_days: 3 ", "max_age_days: 5 ").replace(
            "  - commit-msg-convention\n", "  - commit-msg-convention\n  - delivery-mode\n"
        ).rstrip("\n")
        message = repo.git("log", "-1", "--format=%B", branch)
        assert message.splitlines()[0] == "chore(prove): raise the branch age limit"
        assert f"Prove-Sync-Run: {run_id}" in message
    assert main(["sync", "--rollback", run_id]) == 0
    out = capsys.readouterr().out
    assert out.count(f"deleted-branch: branch {branch} deleted") == 5
    assert fleet.snapshot() == before
    assert [e["kind"] for e in fleet.audit()] == ["sync", "rollback"]
    assert verify_log(fleet.root / ".prove" / "audit.jsonl").bad_line is None
    assert main(["sync", "--rollback", run_id]) == 4
    assert "already rolled back" in capsys.readouterr().err


def test_a_failure_in_repo_3_of_5_undoes_repos_1_and_2(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    (fleet.root / "updates.yaml").write_text(UPDATES + "branch: prove/raise-age\n")
    before = fleet.snapshot()
    # Another git process holds the branch's lock in r3: its update-ref fails.
    lock = fleet.repos["r3"].path / ".git" / "refs" / "heads" / "prove" / "raise-age.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text("")
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 1
    err = capsys.readouterr().err
    assert "prove sync: failed in r3: `git update-ref" in err
    assert err.rstrip().endswith("; undone in r2, r1")
    lock.unlink()
    assert fleet.snapshot() == before
    assert not (fleet.root / ".prove" / "sync-runs").exists()
    failed = fleet.audit()[-1]
    assert failed["kind"] == "sync-failed"
    assert failed["data"]["undone"] == ["r2", "r1"]


def test_a_dirty_repository_stops_the_whole_sync(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    fleet.repos["r4"].write("prove.yaml", CONFIG + "# local edit\n")
    before = fleet.snapshot()
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 1
    err = capsys.readouterr().err
    assert "r4: refused: uncommitted changes (M prove.yaml): commit or stash them first" in err
    assert "nothing applied" in err
    assert fleet.snapshot() == before
    assert fleet.audit()[-1]["kind"] == "refused"


def test_a_repository_mid_rebase_is_refused(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fleet.repos["r2"]
    repo.branch("other")
    repo.commit("fix: ours", files={"README.md": "ours\n"})
    repo.checkout("other")
    repo.commit("fix: theirs", files={"README.md": "theirs\n"})
    repo.git("rebase", "main", check=False)
    assert main(["sync", "--config", "updates.yaml"]) == 1
    assert "r2: refused: a rebase is in progress: finish or abort it first" in (
        capsys.readouterr().err
    )


def test_a_merged_change_is_reverted_on_a_new_branch(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 0
    run_id = _run_id(capsys.readouterr().out)
    merged = fleet.repos["r1"]
    merged.git("merge", "--ff-only", f"prove/sync-{run_id}")
    merged_head = merged.head
    assert main(["sync", "--rollback", run_id]) == 0
    out = capsys.readouterr().out
    assert "r1: reverted: the change reached refs/heads/main" in out
    rollback = f"prove/sync-{run_id}-rollback"
    assert merged.git("show", f"{rollback}:prove.yaml") == CONFIG.rstrip("\n")
    assert merged.git("rev-parse", f"{rollback}^") == merged_head
    assert merged.git("log", "-1", "--format=%s", rollback).startswith("revert: undo prove sync")


def test_a_repository_without_a_config_gets_one(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = fleet.repos["r5"]
    repo.git("rm", "-q", "prove.yaml")
    repo.commit("chore: drop config")
    (fleet.root / "updates.yaml").write_text(
        "orchestrator: multi.yaml\nupdates:\n  - repos: [r5]\n    add_checks: [delivery-mode]\n"
    )
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 0
    run_id = _run_id(capsys.readouterr().out)
    # Without a list of its own, r5 ran prove:recommended's checks: the new list keeps them.
    assert repo.git("show", f"prove/sync-{run_id}:prove.yaml") == (
        "checks: [trunk, delivery-mode, commit-msg]"
    )
    assert main(["sync", "--rollback", run_id]) == 0
    assert not (repo.path / "prove.yaml").exists()
    assert "prove/sync" not in repo.git("branch")


def test_checks_listed_by_the_orchestrator_are_refused(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    multi = fleet.root / "multi.yaml"
    multi.write_text(multi.read_text().replace("path: r1}", "path: r1, checks: [trunk]}"))
    assert main(["sync", "--config", "updates.yaml"]) == 1
    assert (
        "r1: refused: its entry in multi.yaml lists checks, which win over its own file"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        (
            "updates:\n  - rename: {a: b}\n",
            "updates.yaml:2: updates[0].rename: unknown operation 'rename'"
            " (known: set, unset, add_checks, remove_checks; and repos)",
        ),
        (
            "updates:\n  - add_checks: [secuirty]\n",
            "updates.yaml:2: updates[0].add_checks[0]: unknown check 'secuirty'",
        ),
        ("updates:\n  - set: {checks: [a]}\n", "use add_checks / remove_checks to change 'checks'"),
        ("updates: []\n", "updates.yaml:1: updates: List should have at least 1 item"),
        (
            "message: raise limits\nupdates:\n  - unset: [a.b]\n",
            "'raise limits' is not a Conventional Commit header",
        ),
        ("updates:\n  - repos: [nope]\n    unset: [a]\n", "no repository named 'nope'"),
        ("updates: [\n", "YAML syntax error"),
    ],
)
def test_bad_updates_files_are_clear_errors(
    fleet: Fleet, capsys: pytest.CaptureFixture[str], updates: str, message: str
) -> None:
    (fleet.root / "updates.yaml").write_text(updates)
    assert main(["sync", "--config", "updates.yaml", "--orchestrator", "multi.yaml"]) == 4
    assert message in capsys.readouterr().err


def test_missing_identity_and_non_admins_are_refused_and_audited(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = fleet.snapshot()
    monkeypatch.delenv("PROVE_ACTOR")
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 4
    assert "needs to know who you are: set PROVE_ACTOR or `git config user.email`" in (
        capsys.readouterr().err
    )
    monkeypatch.setenv("PROVE_ACTOR", "dev@example.com")
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 4
    assert "refused: prove sync --apply is for admins only; dev@example.com is not one" in (
        capsys.readouterr().err
    )
    assert main(["sync", "--rollback", "20260101T000000Z-abcdef"]) == 4
    assert fleet.snapshot() == before
    assert [(e["kind"], e["actor"]) for e in fleet.audit()] == [
        ("refused", None),
        ("refused", "dev@example.com"),
        ("refused", "dev@example.com"),
    ]


def test_rollback_of_an_unknown_run(fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sync", "--rollback", "20260101T000000Z-abcdef"]) == 4
    assert capsys.readouterr().err.endswith("(no sync has been applied)\n")
    assert main(["sync", "--rollback", "../../etc/passwd"]) == 4
    assert "no sync run '../../etc/passwd'" in capsys.readouterr().err


def test_a_setting_the_check_rejects_is_refused_before_writing(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    (fleet.root / "updates.yaml").write_text(
        "orchestrator: multi.yaml\nupdates:\n  - set: {trunk.max_age_days: soon}\n"
    )
    before = fleet.snapshot()
    assert main(["sync", "--config", "updates.yaml", "--apply"]) == 1
    err = capsys.readouterr().err
    assert (
        "r1: refused: prove.yaml would become invalid: trunk.max_age_days: Input should be" in err
    )
    assert fleet.snapshot() == before
