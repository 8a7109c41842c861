"""The ``contracts`` gate through the plugin: an orchestrator file, real repositories, ``-n 2``."""

from __future__ import annotations

import re

import pytest

from tests.contracts_samples import branch_repo, mutated, pet_store
from tests.repo_builder import MakeRepo


def test_gate_fails_on_breaking_change_and_passes_when_declared(
    pytester: pytest.Pytester, make_repo: MakeRepo
) -> None:
    base = pet_store()
    head = mutated(base, lambda s: s["paths"].pop("/pets/{id}"))
    broken = branch_repo(make_repo, base, head)
    declared = branch_repo(make_repo, base, head, message="feat!: drop it", name="declared")
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: broken, path: {broken.path}, checks: [contracts]}}
  - {{name: declared, path: {declared.path}, checks: [contracts]}}
global:
  contracts: {{specs: [openapi.yaml]}}
""",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml", "-n", "2", "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "broken::contracts: 1 problem(s): 1 spec(s), 1 breaking, 0 safe change(s)",
            "openapi.yaml:5 path-removed paths./pets/{id}: path removed",
            "FAILED multi.yaml::broken::contracts - *",
        ]
    )
    # pytest 9 appends a pass's evidence to its summary line; earlier pytest shows none.
    (passed,) = [line for line in result.outlines if line.startswith("PASSED")]
    assert passed.startswith("PASSED multi.yaml::declared::contracts")
    if int(pytest.__version__.split(".")[0]) >= 9:
        assert re.search(r" - main@[0-9a-f]{10}\.\.[0-9a-f]{10}: 1 spec\b", passed)


def test_bad_setting_is_a_config_error(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = make_repo()
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: app, path: {repo.path}, checks: [contracts]}}
global:
  contracts:
    max_spec_bytes: lots
""",
    )
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-prove: multi.yaml:5: global.contracts.max_spec_bytes: *"]
    )
