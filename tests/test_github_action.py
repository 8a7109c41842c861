"""The GitHub Action (``action.yml``): checked offline as GitHub reads it, and its gate step's
script run here the way a runner runs it, against real repositories.

GitHub itself is out of reach, so the parts that are GitHub's (setup-python, upload-sarif,
upload-artifact) are only checked for shape; the script between them is ours and runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.repo_builder import MakeRepo, RepoBuilder
from tests.security_samples import SAMPLES

ROOT = Path(__file__).resolve().parent.parent
ACTION_TEXT = (ROOT / "action.yml").read_text(encoding="utf-8")
ACTION: dict[str, Any] = yaml.safe_load(ACTION_TEXT)
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
INPUT = re.compile(r"\binputs\.([A-Za-z0-9_-]+)")
CI_DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
EXAMPLE = (ROOT / "examples" / "ci" / "github-actions.yml").read_text(encoding="utf-8")


def test_the_action_has_what_github_requires() -> None:
    assert {"name", "description", "runs"} <= set(ACTION)
    assert ACTION["runs"]["using"] == "composite"
    for step in STEPS:
        assert "name" in step
        assert ("run" in step) != ("uses" in step), step["name"]
        if "run" in step:
            assert step["shell"] == "bash", f"a composite run step needs a shell: {step['name']}"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]
    for name, spec in {**ACTION["inputs"], **ACTION["outputs"]}.items():
        assert spec.get("description"), f"{name} has no description"
    for spec in ACTION["inputs"].values():
        assert isinstance(spec.get("default"), str), "a default is a string to GitHub"


def test_every_input_used_is_declared_and_every_declared_input_used() -> None:
    # `if:` holds an expression without the ${{ }} around it.
    expressions = [*EXPRESSION.findall(ACTION_TEXT), *(s["if"] for s in STEPS if "if" in s)]
    used = {m for e in expressions for m in INPUT.findall(e)}
    assert used == set(ACTION["inputs"])


def test_scripts_take_inputs_from_the_environment_never_pasted_in() -> None:
    # A value pasted into a script is script injection (a branch name with `$(...)`).
    for step in STEPS:
        assert "${{" not in step.get("run", ""), step["name"]


def test_outputs_name_a_step_that_exists() -> None:
    ids = {step.get("id") for step in STEPS}
    for name, spec in ACTION["outputs"].items():
        step = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"])
        assert step is not None, name
        assert step.group(1) in ids, name
        assert f"{step.group(2)}=" in _gate_step()["run"], f"the gate step never sets {name}"


def test_every_input_and_output_is_documented() -> None:
    section = CI_DOC.split("## The GitHub Action", 1)[1].split("\n## ", 1)[0]
    for name in (*ACTION["inputs"], *ACTION["outputs"]):
        assert f"`{name}`" in section, f"docs/ci.md does not document {name}"


def test_the_example_workflow_uses_the_action_with_declared_inputs() -> None:
    workflow = yaml.safe_load(EXAMPLE)
    steps = [s for job in workflow["jobs"].values() for s in job.get("steps", [])]
    ours = [s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/pytest-prove")]
    assert ours, "examples/ci/github-actions.yml does not use the action"
    for step in ours:
        assert set(step.get("with", {})) <= set(ACTION["inputs"]), step["with"]


def _gate_step() -> dict[str, Any]:
    return next(step for step in STEPS if step.get("id") == "gates")


def run_gate_step(
    cwd: Path, tmp_path: Path, inputs: dict[str, str], github: dict[str, str] | None = None
) -> tuple[int, dict[str, str]]:
    """The gate step's script as a runner runs it: its env expressions filled in, bash with
    ``-e -o pipefail``; the outputs it wrote, and its exit status."""
    values = {k: spec["default"] for k, spec in ACTION["inputs"].items()} | inputs
    temp = tmp_path / "runner-temp"
    temp.mkdir(exist_ok=True)
    context = {"runner.temp": os.fspath(temp), "github.action_path": os.fspath(ROOT)}

    def fill(text: str) -> str:
        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            return values[name[len("inputs.") :]] if name.startswith("inputs.") else context[name]

        return EXPRESSION.sub(one, text)

    step = _gate_step()
    outputs = tmp_path / "github-output"
    outputs.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "GITHUB_"))}
    env |= {k: fill(str(v)) for k, v in step["env"].items()}
    env |= {"GITHUB_OUTPUT": os.fspath(outputs), **(github or {})}
    # `python` is the one setup-python put first on PATH: here, this test's.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
        cwd=cwd / fill(step["working-directory"]),
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    written = dict(line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return done.returncode, written


@pytest.fixture
def branch(make_repo: MakeRepo, tmp_path: Path) -> RepoBuilder:
    """A clone on a feature branch: one conventional commit, one that is not."""
    upstream = make_repo("upstream")
    upstream.commit(
        "chore: gates",
        files={"prove.yaml": "checks: [commit-msg, trunk, security, delivery-mode]\n"},
    )
    work = upstream.clone(tmp_path / "work")
    work.git("checkout", "-q", "-b", "feat/orders")
    work.commit("feat(orders): add orders", files={"orders.txt": "1\n"})
    work.commit("Added more orders.", files={"orders.txt": "2\n"})
    work.commit("fix(orders): the key", files={"src/keys.py": SAMPLES["aws-access-key-id"][0]})
    return work


def test_the_gate_step_runs_the_gates_and_keeps_every_report(
    branch: RepoBuilder, tmp_path: Path
) -> None:
    code, outputs = run_gate_step(
        branch.path,
        tmp_path,
        {"pytest-args": "-k 'commit or security' -p no:cacheprovider"},
        {"GITHUB_BASE_REF": "main"},
    )
    assert code == 0, "the step records the verdict; the last step fails the job"
    assert outputs["exit-code"] == "1"
    cases = ET.parse(outputs["junit"]).getroot().iter("testcase")
    by_check = {case.get("name"): case for case in cases}
    assert set(by_check) == {"commit-msg", "security"}  # the quoted -k stayed one argument
    failure = by_check["commit-msg"].find("failure")
    assert failure is not None
    props = {p.get("name"): p.get("value") for p in by_check["commit-msg"].iter("property")}
    assert props["base"] == "origin/main"  # a pull request's target branch
    sarif = json.loads(Path(outputs["sarif"]).read_text())
    assert sarif["version"] == "2.1.0"
    results = [r for run in sarif["runs"] for r in run["results"]]
    security = [r for r in results if r["ruleId"].startswith("security/")]
    # (security also warns, at prove.yaml, that no advisories are configured)
    (result,) = (r for r in security if r["ruleId"] == "security/aws-access-key-id")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "src/keys.py"
    assert SAMPLES["aws-access-key-id"][1] not in Path(outputs["sarif"]).read_text()
    assert (Path(outputs["junit"]).parent / "report.json").is_file()


def test_quick_and_base_inputs_reach_the_run(branch: RepoBuilder, tmp_path: Path) -> None:
    config = "checks: [commit-msg, trunk, security]\ntrunk: {max_age_days: 36500}\n"
    branch.commit("chore: gates", files={"prove.yaml": config})
    code, outputs = run_gate_step(
        branch.path,
        tmp_path,
        {"quick": "true", "base": "HEAD~1", "pytest-args": "-p no:cacheprovider"},
    )
    assert code == 0
    cases = list(ET.parse(outputs["junit"]).getroot().iter("testcase"))
    # security is not a quick gate
    assert sorted(c.get("name") for c in cases) == ["commit-msg", "trunk"]
    failures = [c.find("failure").get("message") for c in cases if c.find("failure") is not None]
    assert outputs["exit-code"] == "0", failures  # HEAD~1..HEAD: only a conventional commit
    assert not any(c.find("failure") is not None for c in cases)


def test_a_hostile_input_stays_a_value(branch: RepoBuilder, tmp_path: Path) -> None:
    code, outputs = run_gate_step(
        branch.path, tmp_path, {"config": "$(touch pwned).yaml", "pytest-args": "'$(touch pwned)'"}
    )
    assert code == 0
    assert outputs["exit-code"] == "4"  # no such config file: a usage error, said so
    assert not (branch.path / "pwned").exists()
    assert "junit" not in outputs
