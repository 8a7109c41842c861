"""The controller's record of a run: one GateRecord per gate, the same with and without xdist."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.repo_builder import MakeRepo

FAIL = "[python3, -c, 'import sys; print(\"src/a.py:3: E1 bad\"); sys.exit(1)']"

MULTI = f"""
repositories:
  - {{name: api, path: api, checks: [lint, ok]}}
  - {{name: web, path: web, checks: [ok, broken]}}
  - {{name: docs, path: docs, checks: [ok], when: {{env: {{PROVE_TEST_NEVER_SET: true}}}}}}
global:
  commands:
    lint: {{argv: {FAIL}}}
    broken: {{argv: {FAIL}}}
    ok: [python3, -c, pass]
waivers:
  - repo: api
    check: lint
    reason: legacy code
    approved_by: lead@example.com
    expires: 2999-01-01
"""

# A consumer of the hooks, as a third-party plugin would write it.
SINK = """
import json
from pathlib import Path

def pytest_prove_gate_finished(config, gate):
    with open(Path(config.rootpath, "gates.jsonl"), "a") as out:
        out.write(json.dumps(gate.to_dict()) + "\\n")

def pytest_prove_run_finished(config, run):
    Path(config.rootpath, "run.json").write_text(json.dumps(run.to_dict()))
"""


@pytest.fixture
def fleet(pytester: pytest.Pytester) -> pytest.Pytester:
    for name in ("api", "web", "docs"):
        (pytester.path / name).mkdir()
    pytester.makefile(".yaml", multi=MULTI)
    pytester.makeconftest(SINK)
    return pytester


def _run(pytester: pytest.Pytester, *args: str) -> dict[str, Any]:
    (pytester.path / "gates.jsonl").unlink(missing_ok=True)
    pytester.runpytest("--prove-config", "multi.yaml", *args)
    run: dict[str, Any] = json.loads((pytester.path / "run.json").read_text())
    live = [json.loads(line) for line in (pytester.path / "gates.jsonl").read_text().splitlines()]
    assert sorted(g["nodeid"] for g in live) == sorted(g["nodeid"] for g in run["gates"])
    return run


def _outcomes(run: dict[str, Any]) -> dict[str, str]:
    return {f"{g['repo']}::{g['check']}": g["outcome"] for g in run["gates"]}


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_every_gate_is_recorded_once_with_its_outcome(
    fleet: pytest.Pytester, xdist: list[str]
) -> None:
    run = _run(fleet, "-p", "no:cacheprovider", *xdist)
    assert _outcomes(run) == {
        "api::lint": "waived",
        "api::ok": "passed",
        "web::ok": "passed",
        "web::broken": "failed",
        "docs::ok": "skipped",
    }
    assert run["exit_status"] == 1
    assert run["counts"] == {
        "passed": 2,
        "failed": 1,
        "waived": 1,
        "error": 0,
        "skipped": 1,
        "cached": 0,
    }
    assert len(run["config_digest"]) == 64
    gates = {f"{g['repo']}::{g['check']}": g for g in run["gates"]}
    broken = gates["web::broken"]
    assert [f["rule"] for f in broken["findings"]] == ["exit-code", "output"]
    assert "exited with 1" in broken["summary"]
    assert broken["duration"] > 0
    assert "when.env: PROVE_TEST_NEVER_SET is not set" in gates["docs::ok"]["reason"]
    assert gates["api::lint"]["waivers"]
    assert "lead@example.com" in gates["api::lint"]["reason"]


def test_a_cached_pass_is_recorded_as_cached(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    repo = make_repo("svc")
    repo.write("a.txt", "a\n")
    repo.commit("feat: a")
    pytester.makefile(".yaml", multi=f"repositories:\n  - {{name: svc, path: '{repo.path}', "
                      "checks: [delivery-mode]}\n")  # fmt: skip
    pytester.makeconftest(SINK)
    assert _outcomes(_run(pytester)) == {"svc::delivery-mode": "passed"}
    assert _outcomes(_run(pytester, "-n", "2")) == {"svc::delivery-mode": "cached"}


def test_runs_have_their_own_id_and_a_digest_of_what_the_config_means(
    fleet: pytest.Pytester,
) -> None:
    first = _run(fleet, "-p", "no:cacheprovider")
    # Reformatting the file does not change its meaning; a setting does.
    fleet.makefile(".yaml", multi=MULTI.replace("  - {name: api", "\n  - {name: api"))
    second = _run(fleet, "-p", "no:cacheprovider")
    fleet.makefile(".yaml", multi=MULTI.replace("[python3, -c, pass]", "[python3, -c, '1']"))
    third = _run(fleet, "-p", "no:cacheprovider")
    assert len({first["id"], second["id"], third["id"]}) == 3
    assert first["config_digest"] == second["config_digest"] != third["config_digest"]
