"""Access roles: only a repository's maintainers or an admin can approve its waivers."""

from __future__ import annotations

import json

import pytest

from pytest_prove.config.access import AccessDeniedError, require_admin, role_of, waiver_refusal
from pytest_prove.config.models import Access, Waiver
from pytest_prove.governance.audit.log import verify_log
from tests.fleet_file import write_waived_fleet

ACCESS = Access(
    admins=["Lead@Example.com"],
    maintainers={"api": ["alice@example.com"]},
    viewers=["bob@example.com"],
)


def _waiver(approver: str, repo: str = "api") -> Waiver:
    return Waiver.model_validate(
        {
            "repo": repo,
            "check": "lint",
            "reason": "legacy",
            "approved_by": approver,
            "expires": "2026-12-31",
        }
    )


@pytest.mark.parametrize(
    ("identity", "repo", "role"),
    [
        ("lead@example.com", "api", "admin"),
        ("ALICE@example.com", "api", "maintainer"),
        ("alice@example.com", "web", "none"),
        ("bob@example.com", "api", "viewer"),
        ("eve@example.com", None, "none"),
    ],
)
def test_roles(identity: str, repo: str | None, role: str) -> None:
    assert role_of(ACCESS, identity, repo) == role


def test_who_may_approve() -> None:
    assert waiver_refusal(_waiver("alice@example.com"), ACCESS) is None
    assert waiver_refusal(_waiver("lead@example.com", "web"), ACCESS) is None
    assert waiver_refusal(_waiver("alice@example.com", "web"), ACCESS) == (
        "approved by alice@example.com, who is neither a maintainer of web nor an admin"
    )
    assert waiver_refusal(_waiver("bob@example.com"), ACCESS) is not None
    assert waiver_refusal(_waiver("anyone"), None) is None  # no access block: as before


def test_only_admins_may_sync() -> None:
    require_admin(ACCESS, "lead@example.com", "prove sync --apply")
    require_admin(None, "anyone", "prove sync --apply")
    with pytest.raises(AccessDeniedError, match=r"^prove sync --apply is for admins only"):
        require_admin(ACCESS, "alice@example.com", "prove sync --apply")


def _fleet(pytester: pytest.Pytester, approver: str, audit: bool = True) -> None:
    reporting = {"reporting": {"audit": ".prove/audit.jsonl"}} if audit else {}
    write_waived_fleet(pytester, approver, global_extra=reporting)


@pytest.fixture
def now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVE_NOW", "2026-11-24T12:00:00+00:00")
    monkeypatch.setenv("PROVE_ACTOR", "ci@example.com")


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_a_waiver_approved_by_a_maintainer_applies(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    _fleet(pytester, "alice@example.com")
    result = pytester.runpytest("--prove-config", "multi.yaml", *xdist)
    result.assert_outcomes(passed=1, xfailed=1)
    entries = [
        json.loads(line) for line in (pytester.path / ".prove/audit.jsonl").read_text().splitlines()
    ]
    assert [e["kind"] for e in entries] == ["run"]  # once, by the controller
    data = entries[0]["data"]
    assert entries[0]["actor"] == "ci@example.com"
    assert data["counts"]["waived"] == 1
    assert data["waivers_applied"] == [
        {"waiver": "api::lint", "gate": "api::lint", "approved_by": "alice@example.com"}
    ]
    assert len(data["config_digest"]) == 64


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_a_waiver_approved_by_someone_else_is_refused_and_audited(
    pytester: pytest.Pytester, xdist: list[str]
) -> None:
    _fleet(pytester, "mallory@example.com")
    result = pytester.runpytest("--prove-config", "multi.yaml", *xdist)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*waiver api::lint refused: approved by mallory@example.com, who is neither a"
            " maintainer of api nor an admin*",
            "*refused: api::lint: approved by mallory@example.com*",
        ]
    )
    log = pytester.path / ".prove/audit.jsonl"
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["kind"] for e in entries] == ["run", "waiver-refused"]
    assert entries[1]["data"]["waiver"] == "api::lint"
    assert verify_log(log).bad_line is None


@pytest.mark.usefixtures("now")
def test_without_an_audit_setting_nothing_is_written(pytester: pytest.Pytester) -> None:
    _fleet(pytester, "mallory@example.com", audit=False)
    pytester.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, failed=1)
    assert not (pytester.path / ".prove" / "audit.jsonl").exists()


def test_maintainers_of_an_unknown_repository_are_a_config_error(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "api").mkdir()
    pytester.makefile(
        ".yaml",
        multi="""
repositories:
  - {name: api, path: api, checks: [trunk]}
access:
  maintainers: {apii: [alice@example.com]}
""",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == 4
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest-prove: multi.yaml:4: access.maintainers.apii:"
            " no repository named 'apii' (known: api)"
        ]
    )
