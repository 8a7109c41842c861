"""The ``security`` gate on real repositories: scopes, forbidden files, bad input, audit."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.security import SecuritySettings, check_security
from pytest_prove.cli.main import main
from pytest_prove.git.context import RepoContext
from tests.repo_builder import MakeRepo, RepoBuilder
from tests.security_samples import SAMPLES

GITHUB_LINE, GITHUB_TOKEN, _ = SAMPLES["github-token"]
JWT_LINE, JWT, _ = SAMPLES["jwt"]


def _settings(**sections: object) -> SecuritySettings:
    return SecuritySettings.model_validate({"dependencies": {"enabled": False}, **sections})


def _run(repo: RepoBuilder, settings: SecuritySettings | None = None) -> CheckResult:
    return check_security(RepoContext(repo.path, env={}), settings or _settings())


def _rules(
    result: CheckResult, severity: Severity = Severity.ERROR
) -> list[tuple[str, str | None]]:
    return [(f.rule, f.file) for f in result.findings if f.severity is severity]


@pytest.fixture
def branch(make_repo: MakeRepo) -> RepoBuilder:
    """A repository whose trunk already holds a secret, on a branch ``feat/x``."""
    repo = make_repo()
    repo.commit("chore: old", files={"old.py": f"{GITHUB_LINE}\n"})
    repo.git("checkout", "-q", "-b", "feat/x")
    return repo


def test_diff_scope_sees_added_lines_only(branch: RepoBuilder) -> None:
    branch.commit("feat: a", files={"a.py": "x = 1\n"})
    assert _run(branch).passed
    branch.write("old.py", f"{GITHUB_LINE}\n# more\n{JWT_LINE}\n")  # unstaged change
    result = _run(branch)
    assert [(f.rule, f.file, f.line) for f in result.errors] == [("jwt", "old.py", 3)]
    assert result.metrics["secrets"] == 1


def test_a_gitattributes_calling_code_binary_does_not_hide_it(branch: RepoBuilder) -> None:
    branch.commit("feat: a", files={"a.py": "x = 1\n"})
    branch.git("branch", "-f", "main")
    branch.commit(
        "feat: b", files={".gitattributes": "*.py -diff\n", "a.py": f"x = 1\n{GITHUB_LINE}\n"}
    )
    assert _rules(_run(branch)) == [("github-token", "a.py")]


def test_tree_scope_sees_every_file(branch: RepoBuilder) -> None:
    result = _run(branch, _settings(scope="tree"))
    assert _rules(result) == [("github-token", "old.py")]
    assert "1 secret in the tree" in (result.summary or "")


def test_untracked_and_staged_files_are_scanned(branch: RepoBuilder) -> None:
    branch.write("new.py", f"{JWT_LINE}\n")
    branch.write("staged.py", f"{GITHUB_LINE}\n")
    branch.stage("staged.py")
    assert sorted(_rules(_run(branch))) == [("github-token", "staged.py"), ("jwt", "new.py")]


def test_allow_paths_and_disabled_rules(branch: RepoBuilder) -> None:
    branch.write("fixtures/keys.py", f"{GITHUB_LINE}\n")
    branch.write("b.py", f"{JWT_LINE}\n")
    settings = _settings(secrets={"allow_paths": ["fixtures/**"], "disabled_rules": ["jwt"]})
    assert _run(branch, settings).passed


def test_custom_rule_from_settings(branch: RepoBuilder) -> None:
    branch.write("a.py", "acme = 'ACME-0123456789abcdef'\n")
    settings = _settings(
        secrets={"custom_rules": [{"id": "acme", "regex": r"ACME-(?P<secret>[0-9a-f]{16})"}]}
    )
    result = _run(branch, settings)
    assert [(f.rule, f.line, f.message) for f in result.errors] == [
        ("acme", 1, "custom rule acme: 0123****")
    ]


def test_baseline_accepts_known_findings_only(
    branch: RepoBuilder, capsys: pytest.CaptureFixture[str]
) -> None:
    branch.write("a.py", f"{GITHUB_LINE}\n")
    assert main(["security", "baseline", str(branch.path)]) == 0
    out = capsys.readouterr().out
    assert "2 findings accepted (github-token 2)" in out
    baseline = branch.path / ".prove-secrets-baseline.json"
    assert GITHUB_TOKEN not in baseline.read_text()
    result = _run(branch)
    assert result.passed
    assert result.metrics["secrets_in_baseline"] == 1
    salt = json.loads(baseline.read_text())["salt"]
    # A new secret is still found; rerunning keeps the salt.
    branch.write("b.py", f"{JWT_LINE}\n")
    assert _rules(_run(branch)) == [("jwt", "b.py")]
    assert main(["security", "baseline", str(branch.path)]) == 0
    assert json.loads(baseline.read_text())["salt"] == salt
    assert _run(branch).passed


def test_baseline_command_outside_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["security", "baseline", str(tmp_path / "missing")]) == 4
    assert "prove security baseline:" in capsys.readouterr().err


def test_malformed_baseline_is_a_finding_and_scanning_goes_on(branch: RepoBuilder) -> None:
    branch.write(".prove-secrets-baseline.json", "{oops")
    branch.write("a.py", f"{JWT_LINE}\n")
    assert sorted(_rules(_run(branch))) == [
        ("baseline", ".prove-secrets-baseline.json"),
        ("jwt", "a.py"),
    ]


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        (".env", True),
        ("config/.env.production", True),
        (".env.example", False),
        ("deploy/id_rsa", True),
        ("id_rsa.pub", False),
        ("certs/server.pem", True),
        ("store.p12", True),
        ("android/release.keystore", True),
        ("gcp/credentials.json", True),
        ("docs/credentials.md", False),
    ],
)
def test_forbidden_files(branch: RepoBuilder, path: str, forbidden: bool) -> None:
    branch.commit("feat: add", files={path: "harmless\n"})
    result = _run(branch)
    assert _rules(result) == ([("forbidden-file", path)] if forbidden else [])


def test_forbidden_files_are_configurable(branch: RepoBuilder) -> None:
    branch.write("secrets.txt", "x\n")
    branch.write(".env", "x\n")
    settings = _settings(forbidden_files={"patterns": ["**/secrets.txt"], "allowed": []})
    assert _rules(_run(branch, settings)) == [("forbidden-file", "secrets.txt")]
    assert _run(branch, _settings(forbidden_files={"enabled": False})).passed


def test_old_forbidden_file_is_not_reported_in_diff_scope(branch: RepoBuilder) -> None:
    branch.git("checkout", "-q", "main")
    branch.commit("chore: env", files={".env": "A=1\n"})
    branch.git("checkout", "-q", "-b", "feat/y")
    assert _run(branch).passed
    tree = _run(branch, _settings(scope="tree"))
    assert sorted(_rules(tree)) == [("forbidden-file", ".env"), ("github-token", "old.py")]


def test_bad_input_is_reported_and_the_rest_still_scanned(
    branch: RepoBuilder, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text(f"{GITHUB_LINE}\n")
    branch.write("image.png", b"\x89PNG\r\n\x1a\n\0\0" + GITHUB_TOKEN.encode())
    branch.write("latin1.py", f"# caf\xe9\n{JWT_LINE}\n".encode("latin-1"))
    branch.write("huge.js", "var a=1;" * 700_000)
    os.symlink(outside, branch.path / "link.txt")
    os.symlink("loop", branch.path / "loop")
    branch.write("minified.js", "var a=" + "x," * 600_000 + f"'{GITHUB_TOKEN}'")
    result = check_security(
        RepoContext(branch.path, env={}), _settings(secrets={"max_file_bytes": 4_000_000})
    )
    assert sorted(_rules(result)) == [("github-token", "minified.js"), ("jwt", "latin1.py")]
    assert sorted(_rules(result, Severity.WARNING)) == [("not-scanned", "huge.js")]
    notes = {f.file: f.message for f in result.findings if f.severity is Severity.INFO}
    assert notes == {
        "latin1.py": "not UTF-8: scanned as Latin-1",
        "link.txt": "symlink to a path outside the repository (or a loop): not followed",
        "loop": "symlink to a path outside the repository (or a loop): not followed",
    }
    assert result.metrics["files_not_scanned"] == 4  # the image, huge.js, the links


def test_bad_settings_are_a_config_error(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = make_repo("app")
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - name: app
    path: {repo.path}
    checks: [security]
global:
  security:
    secrets: {{disabled_rules: [no-such-rule]}}
""",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-prove: multi.yaml:*security.secrets.disabled_rules*unknown rule ids*"]
    )


def test_baseline_command_uses_the_repository_settings(
    branch: RepoBuilder, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    branch.write(
        "prove.yaml", "checks: [security]\nsecurity:\n  secrets: {allow_paths: [old.py]}\n"
    )
    out = tmp_path / "elsewhere" / "baseline.json"
    assert main(["security", "baseline", str(branch.path), "-o", str(out)]) == 0
    assert json.loads(out.read_text())["accepted"] == []  # old.py is allowed, not baselined
    assert f"{out}: 0 findings accepted" in capsys.readouterr().out
    branch.write("prove.yaml", "checks: [security]\nsecurity: {secrets: {min_entropy: -1}}\n")
    assert main(["security", "baseline", str(branch.path)]) == 4
    assert "min_entropy" in capsys.readouterr().err


def test_a_changed_file_outside_a_sparse_checkout_is_a_warning(branch: RepoBuilder) -> None:
    branch.commit("feat: c", files={"svc/conf.py": f"{GITHUB_LINE}\n", "README.md": "hi\n"})
    branch.git("sparse-checkout", "set", "--no-cone", "/README.md")
    assert not (branch.path / "svc" / "conf.py").exists()
    result = _run(branch)
    assert _rules(result, Severity.WARNING) == [("not-scanned", "svc/conf.py")]
    assert "sparse checkout" in result.findings[0].message
