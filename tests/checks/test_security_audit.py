"""The ``security`` gate's dependency audit on real repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_prove.api import CheckResult, Severity
from pytest_prove.checks.security import SecuritySettings, check_security
from pytest_prove.git.context import RepoContext
from tests.repo_builder import MakeRepo, RepoBuilder

PACKAGE_LOCK = json.dumps(
    {"lockfileVersion": 3, "packages": {"": {}, "node_modules/lodash": {"version": "4.17.20"}}}
)


def _advisory(ident: str, ecosystem: str, name: str, fixed: str, severity: str) -> str:
    return json.dumps(
        {
            "id": ident,
            "summary": f"bad {name}",
            "affected": [
                {
                    "package": {"ecosystem": ecosystem, "name": name},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}
                    ],
                }
            ],
            "database_specific": {"severity": severity},
        }
    )


@pytest.fixture
def osv(tmp_path: Path) -> Path:
    directory = tmp_path / "osv"
    directory.mkdir()
    (directory / "a.json").write_text(_advisory("GHSA-aaaa", "npm", "lodash", "4.17.21", "HIGH"))
    (directory / "b.json").write_text(_advisory("PYSEC-1", "PyPI", "Django", "4.2.2", "LOW"))
    (directory / "c.json").write_text("{broken")
    return directory


@pytest.fixture
def repo(make_repo: MakeRepo) -> RepoBuilder:
    repo = make_repo()
    repo.commit(
        "chore: deps",
        files={
            "web/package-lock.json": PACKAGE_LOCK,
            "requirements.txt": "django==4.2.1\nrequests>=2\n",
            "node_modules/x/package-lock.json": PACKAGE_LOCK,  # vendored: excluded
        },
    )
    return repo


def _run(repo: RepoBuilder, **dependencies: object) -> CheckResult:
    settings = SecuritySettings.model_validate({"dependencies": dependencies})
    return check_security(RepoContext(repo.path, env={}), settings)


def test_not_configured_is_said_not_passed_silently(repo: RepoBuilder) -> None:
    result = _run(repo)
    assert result.passed
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("advisories-not-configured", Severity.WARNING)
    ]
    assert result.metrics["dependency_audit"] == "not configured"
    assert "dependency audit not configured" in (result.summary or "")
    assert _run(repo, enabled=False).findings == ()


def test_vulnerable_packages_in_both_ecosystems(repo: RepoBuilder, osv: Path) -> None:
    result = _run(repo, advisories=str(osv))
    errors = [(f.rule, f.file, f.line, f.message) for f in result.errors]
    assert errors == [
        (
            "vulnerable-dependency",
            "requirements.txt",
            1,
            "django 4.2.1 (PyPI) is affected by PYSEC-1 (low): bad Django; fixed in 4.2.2",
        ),
        (
            "vulnerable-dependency",
            "web/package-lock.json",
            None,
            "lodash 4.17.20 (npm) is affected by GHSA-aaaa (high): bad lodash; fixed in 4.17.21",
        ),
    ]
    warnings = [f.message for f in result.findings if f.severity is Severity.WARNING]
    assert len(warnings) == 1
    assert warnings[0].startswith("advisory c.json skipped: ")
    assert result.metrics["lockfiles"] == 2
    assert result.metrics["vulnerable_packages"] == 2
    assert result.valid_until is not None  # advisories change outside the repository


def test_severity_threshold(repo: RepoBuilder, osv: Path) -> None:
    result = _run(repo, advisories=str(osv), min_severity="high")
    assert [f.file for f in result.errors] == ["web/package-lock.json"]


def test_relative_advisories_and_missing_directory(repo: RepoBuilder, osv: Path) -> None:
    (repo.path / "osv").symlink_to(osv)
    assert len(_run(repo, advisories="osv").errors) == 2
    result = _run(repo, advisories="nowhere")
    assert [f.rule for f in result.errors] == ["advisories"]
    assert "does not exist" in result.errors[0].message


def test_malformed_lock_file_is_a_finding_and_others_are_audited(
    repo: RepoBuilder, osv: Path
) -> None:
    repo.write("poetry.lock", "[[package]\n")
    repo.write("pnpm-lock.yaml", b"\xff\xfe binary-ish")
    result = _run(repo, advisories=str(osv))
    assert sorted((f.rule, f.file) for f in result.errors) == [
        ("lockfile", "pnpm-lock.yaml"),
        ("lockfile", "poetry.lock"),
        ("vulnerable-dependency", "requirements.txt"),
        ("vulnerable-dependency", "web/package-lock.json"),
    ]
    messages = {f.file: f.message for f in result.errors if f.rule == "lockfile"}
    assert messages["poetry.lock"].startswith("malformed lock file, not audited: not valid TOML")
    assert messages["pnpm-lock.yaml"] == "lock file not readable: not-utf-8"


def test_unparseable_installed_version_is_a_warning(repo: RepoBuilder, osv: Path) -> None:
    repo.write("web/package-lock.json", PACKAGE_LOCK.replace("4.17.20", "latest"))
    result = _run(repo, advisories=str(osv))
    assert [f.file for f in result.errors] == ["requirements.txt"]
    assert any("not a semantic version" in f.message for f in result.findings)
