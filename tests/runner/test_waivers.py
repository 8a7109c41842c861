"""Waivers: a covered failing gate becomes xfail; expired and stale waivers are reported."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

LINT = "[python3, -c, 'import sys; print(\"src/a.py:3: E1 bad\"); sys.exit(1)']"
NOW = "2026-11-24T12:00:00+00:00"


@pytest.fixture
def fleet(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PROVE_NOW", NOW)
    for name in ("api", "web"):
        (pytester.path / name).mkdir()
    return pytester


def write(pytester: pytest.Pytester, waivers: str) -> None:
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: api, path: api, checks: [lint]}}
  - {{name: web, path: web, checks: [ok]}}
global:
  commands:
    lint: {{argv: {LINT}}}
    ok: [python3, -c, pass]
{waivers}""",
    )


WAIVER = """\
  - repo: api
    check: lint
    reason: legacy code, rewrite planned in Q1
    approved_by: lead@example.com
    expires: {expires}
"""


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_a_covered_failure_becomes_xfail(fleet: pytest.Pytester, xdist: list[str]) -> None:
    write(fleet, "waivers:\n" + WAIVER.format(expires="2026-12-31"))
    result = fleet.runpytest("--prove-config", "multi.yaml", "-rx", "--junitxml=o.xml", *xdist)
    result.assert_outcomes(passed=1, xfailed=1)
    result.stdout.fnmatch_lines(
        ["XFAIL multi.yaml::api::lint - *waived by lead@example.com until 2026-12-31:"
         " legacy code, rewrite planned in Q1"]
    )  # fmt: skip
    assert "pytest-prove waivers" not in result.stdout.str()
    case = next(
        c
        for c in ET.parse(fleet.path / "o.xml").getroot().iter("testcase")
        if c.get("name") == "lint"
    )
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["waivers"] == "api::lint"


def test_an_expired_waiver_no_longer_applies(fleet: pytest.Pytester) -> None:
    write(fleet, "waivers:\n" + WAIVER.format(expires="2026-11-23"))
    result = fleet.runpytest("--prove-config", "multi.yaml")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*= pytest-prove waivers =*",
            "expired: api::lint (approved by lead@example.com, expired 2026-11-23):"
            " no longer applies",
        ]
    )


def test_the_last_day_still_applies(fleet: pytest.Pytester) -> None:
    write(fleet, "waivers:\n" + WAIVER.format(expires="2026-11-24"))
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, xfailed=1)


def test_a_waiver_for_another_rule_or_file_does_not_cover(fleet: pytest.Pytester) -> None:
    narrow = WAIVER.format(expires="2026-12-31") + "    rule: timeout\n"
    write(fleet, "waivers:\n" + narrow)
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, failed=1)
    by_rule = WAIVER.format(expires="2026-12-31") + "    rule: exit-code\n"
    write(fleet, "waivers:\n" + by_rule)
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, xfailed=1)
    by_file = WAIVER.format(expires="2026-12-31") + "    file: 'src/**'\n"
    write(fleet, "waivers:\n" + by_file)
    # the exit-code finding has no file: a file-bound waiver cannot cover it
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, failed=1)


def test_a_waiver_that_matches_nothing_is_stale(fleet: pytest.Pytester) -> None:
    stale = (
        WAIVER.format(expires="2026-12-31")
        .replace("repo: api", "repo: web")
        .replace("check: lint", "check: ok")
    )
    write(fleet, "waivers:\n" + stale)
    result = fleet.runpytest("--prove-config", "multi.yaml", "-n", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["stale: web::ok: the gate ran and nothing needed waiving; remove it"]
    )


def test_waivers_from_a_file(fleet: pytest.Pytester) -> None:
    write(fleet, "")
    fleet.makefile(".yaml", **{"prove-waivers": "waivers:\n" + WAIVER.format(expires="2026-12-31")})
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, xfailed=1)
    fleet.makefile(
        ".yaml",
        team="- {repo: api, check: lint, reason: r, approved_by: a@b.c, expires: 2026-12-31}\n",
    )
    write(fleet, "waivers: team.yaml\n")
    (fleet.path / "prove-waivers.yaml").unlink()
    fleet.runpytest("--prove-config", "multi.yaml").assert_outcomes(passed=1, xfailed=1)


@pytest.mark.parametrize(
    ("files", "waivers", "message"),
    [
        (
            {},
            "waivers: missing.yaml\n",
            "multi.yaml:8: waivers: waivers file not found: missing.yaml",
        ),
        (
            {"team": "- {repo: api, check: lint, reason: x, approved_by: y}\n"},
            "waivers: team.yaml\n",
            "team.yaml:1: [0].expires: required key is missing",
        ),
        (
            {
                "team": "waivers:\n  - {repo: api, check: lint, reason: '', approved_by: y,"
                " expires: 2026-01-01}\n"
            },
            "waivers: team.yaml\n",
            "team.yaml:2: waivers[0].reason: String should have at least 1 character (got '')",
        ),
        (
            {"team": "just text\n"},
            "waivers: team.yaml\n",
            "team.yaml: expected a list of waivers, or a mapping with 'waivers: [...]'",
        ),
        (
            {},
            "waivers:\n  - {repo: api, check: lint, reason: x, approved_by: y, expires: soon}\n",
            "multi.yaml:9: waivers[0].expires:"
            " Input should be a valid date or datetime, input is too short (got 'soon')",
        ),
    ],
)
def test_bad_waivers_are_config_errors(
    fleet: pytest.Pytester, files: dict[str, str], waivers: str, message: str
) -> None:
    for name, text in files.items():
        fleet.makefile(".yaml", **{name: text})
    write(fleet, waivers)
    result = fleet.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if line.startswith("ERROR:")] == [
        f"ERROR: pytest-prove: {message}"
    ]


def test_a_waiver_of_a_gate_that_did_not_run_is_not_stale(fleet: pytest.Pytester) -> None:
    stale = (
        WAIVER.format(expires="2026-12-31")
        .replace("repo: api", "repo: web")
        .replace("check: lint", "check: ok")
    )
    write(fleet, "waivers:\n" + stale)
    multi = fleet.path / "multi.yaml"
    # web's gate is skipped by its condition: the waiver cannot be judged
    multi.write_text(
        multi.read_text().replace(
            "checks: [ok]}", "checks: [ok], when: {env: {NEVER_SET_X: true}}}"
        )
    )
    result = fleet.runpytest("--prove-config", "multi.yaml")
    result.assert_outcomes(failed=1, skipped=1)
    assert "stale:" not in result.stdout.str()
