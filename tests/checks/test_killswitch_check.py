"""The ``killswitch`` check on real repositories: feature commits and feature paths."""

from __future__ import annotations

from typing import Any

from pytest_prove.api import CheckResult
from pytest_prove.checks.killswitch import KillswitchSettings, check_killswitch
from pytest_prove.git import RepoContext
from tests.repo_builder import BINARY_CONTENT, LATIN1_CONTENT, MakeRepo, RepoBuilder

REGISTRY = """\
flags:
  checkout-kill:
    owner: team-payments
    expires: 2026-12-31
    killswitch: true
  dark-mode:
    owner: team-web
    expires: 2026-12-31
"""
HINT = "check one of the kill switches in feature-flags.yaml: checkout-kill"


def run(repo: RepoBuilder, **settings: Any) -> CheckResult:
    return check_killswitch(RepoContext(repo.path), KillswitchSettings(**settings))


def rules(result: CheckResult) -> list[tuple[str, str | None]]:
    return [(f.rule, f.file) for f in result.findings]


def on_branch(make_repo: MakeRepo, base: dict[str, str | bytes] | None = None) -> RepoBuilder:
    repo = make_repo()
    repo.commit("chore: registry", files={"feature-flags.yaml": REGISTRY, **(base or {})})
    repo.branch("feat/x")
    repo.checkout("feat/x")
    return repo


# --- feature commits -------------------------------------------------------------------


def test_python_feat_commit_guarded_by_a_kill_switch(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit(
        "feat(pay): new checkout",
        files={"app/pay.py": 'if client.is_enabled("checkout-kill"):\n    new()\n'},
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.metrics == {
        "feature_commits": 1,
        "feature_files": 0,
        "guarded_files": 1,
        "files_skipped": 0,
    }
    assert result.summary == "feature change guarded by a kill switch in 1 files"


def test_python_feat_commit_without_kill_switch_fails(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    sha = repo.commit("feat(pay): new checkout", files={"app/pay.py": "new()\n"})
    repo.commit("fix: typo", files={"app/pay.py": "new2()\n"})
    result = run(repo)
    (finding,) = result.findings
    assert finding.rule == "unguarded-commit"
    assert finding.message == (
        f"commit {sha[:10]} 'feat(pay): new checkout' adds a feature, but no added line "
        f"references a kill switch: {HINT}"
    )
    assert result.summary == "1 feature commits/files lack a kill switch"


def test_a_flag_that_is_no_kill_switch_does_not_guard(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("feat: dark", files={"web/App.tsx": "const on = useFlag('dark-mode');\n"})
    assert rules(run(repo)) == [("unguarded-commit", None)]


def test_only_added_lines_guard(make_repo: MakeRepo) -> None:
    old = 'if client.is_enabled("checkout-kill"):\n    pass\n'
    repo = on_branch(make_repo, {"app/pay.py": old})
    repo.commit("feat: more", files={"app/pay.py": old + "more()\n"})
    assert rules(run(repo)) == [("unguarded-commit", None)]


def test_commit_types_are_configurable(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("fix: pay", files={"app/pay.py": "x()\n"})
    repo.commit("Merge-ish but not conventional", files={"app/pay.py": "y()\n"})
    result = run(repo)
    assert result.passed
    assert result.summary == "no feature added (no feat commit, no code added under feature_paths)"
    assert rules(run(repo, commit_types=["fix"])) == [("unguarded-commit", None)]


def test_no_feature_needs_no_registry(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("docs: readme", files={"README.md": "more\n"})
    assert run(repo).passed


# --- feature paths ---------------------------------------------------------------------


def test_js_feature_path_guarded(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    code = "export function Checkout() {\n  if (!ld.isEnabled('checkout-kill')) return null;\n}\n"
    repo.commit("chore: wip", files={"src/features/checkout/index.ts": code})
    result = run(repo)
    assert result.passed
    assert result.metrics["feature_files"] == 1


def test_js_feature_path_unguarded(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit("chore: wip", files={"src/features/checkout/index.ts": "export const a = 1;\n"})
    result = run(repo)
    assert rules(result) == [("unguarded-file", "src/features/checkout/index.ts")]
    assert result.findings[0].message == (
        f"src/features/checkout/index.ts adds feature code without a kill switch: {HINT}"
    )
    assert run(repo, feature_paths=["lib/**"]).passed


def test_per_file_guards(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit(
        "chore: wip",
        files={
            "src/features/a.py": 'if is_enabled("checkout-kill"):\n    a()\n',
            "src/features/b.py": "b()\n",
        },
    )
    assert run(repo).passed  # one guard covers the change
    assert rules(run(repo, per_file=True)) == [("unguarded-file", "src/features/b.py")]


def test_removed_lines_only_are_no_feature(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo, {"src/features/a.py": "a()\nb()\n"})
    repo.commit("refactor: trim", files={"src/features/a.py": "a()\n"})
    assert run(repo).metrics["feature_files"] == 0


def test_feature_moved_across_directories(make_repo: MakeRepo) -> None:
    body = "".join(f"line_{n} = {n}\n" for n in range(20))
    repo = on_branch(make_repo, {"lib/old/a.py": body})
    (repo.path / "src/features").mkdir(parents=True)
    repo.git("mv", "lib/old/a.py", "src/features/a.py")
    repo.commit("refactor: move")
    assert run(repo).passed  # a pure move adds no line
    repo.commit("refactor: edit", files={"src/features/a.py": body + "extra()\n"})
    assert rules(run(repo)) == [("unguarded-file", "src/features/a.py")]
    repo.commit(
        "refactor: guard",
        files={"src/features/a.py": body + "extra()\nif is_enabled('checkout-kill'): pass\n"},
    )
    assert run(repo).passed


# --- bad input -------------------------------------------------------------------------


def test_missing_registry_with_a_feature(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: a", files={"a.py": "is_enabled('checkout-kill')\n"})
    result = run(repo)
    assert [f.rule for f in result.findings] == ["registry-missing", "unguarded-commit"]
    assert result.findings[1].message.endswith(
        "feature-flags.yaml declares no flag with `killswitch: true`; declare one and check it"
    )


def test_invalid_registry_with_a_feature(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("chore: reg", files={"feature-flags.yaml": "flags:\n  a:\n    killswitch: 1\n"})
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: a", files={"a.py": "is_enabled('a')\n"})
    result = run(repo)
    assert (result.findings[0].rule, result.findings[0].line) == ("registry-invalid", 3)
    assert result.findings[0].message == (
        "flag registry feature-flags.yaml is invalid at flags.a.killswitch: "
        "Input should be a valid boolean (got 1)"
    )


def test_binary_and_non_utf8_changed_files_are_skipped(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    repo.commit(
        "feat: odd",
        files={
            "src/features/blob.py": BINARY_CONTENT,
            "src/features/latin.py": LATIN1_CONTENT,
            "src/features/ok.py": "if is_enabled('checkout-kill'):\n    pass\n",
        },
    )
    result = run(repo)
    assert result.passed
    # Binary files have no added lines; the Latin-1 file cannot be read.
    assert (result.metrics["feature_files"], result.metrics["files_skipped"]) == (2, 1)
    assert rules(run(repo, per_file=True)) == [("unguarded-file", "src/features/latin.py")]


def test_very_large_diff(make_repo: MakeRepo) -> None:
    repo = on_branch(make_repo)
    files: dict[str, str | bytes] = {
        f"src/features/m{n}.ts": f"export const a{n} = {n};\n" for n in range(1500)
    }
    files["src/features/m1499.ts"] = "if (isEnabled('checkout-kill')) {}\n"
    repo.commit("feat: many", files=files)
    result = run(repo)
    assert result.passed
    assert result.metrics["feature_files"] == 1500
    assert len(run(repo, per_file=True).findings) == 1499
