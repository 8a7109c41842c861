"""Sharded runs and ``prove report --merge``: shards cover every gate once, merged as one run."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.repo_builder import MakeRepo

PROVE = [sys.executable, "-m", "pytest_prove"]
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "ci"


def prove(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*PROVE, *argv], cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def sharded(tmp_path: Path, make_repo: MakeRepo) -> Path:
    lines = ["repositories:"]
    for i in range(5):
        repo = make_repo(f"r{i}")
        checks = "[ok, bad]" if i == 3 else "[ok]"
        lines.append(f"  - {{name: r{i}, path: {repo.path}, checks: {checks}}}")
    lines += [
        "global:",
        "  commands:",
        f"    ok: [{sys.executable}, -c, pass]",
        f"    bad: [{sys.executable}, -c, 'raise SystemExit(1)']",
    ]
    (tmp_path / "multi.yaml").write_text("\n".join(lines) + "\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    for k in (1, 2):
        subprocess.run(
            [sys.executable, "-m", "pytest", "--prove-config", "multi.yaml",
             "-p", "no:cacheprovider", f"--prove-shard={k}/2", f"--junitxml=shard-{k}.xml",
             "--json-report", f"--json-report-file=shard-{k}.json"],
            cwd=tmp_path, capture_output=True, check=False,
        )  # fmt: skip
    return tmp_path


def test_merged_json_is_every_gate_once(sharded: Path) -> None:
    run = prove(sharded, "report", "--merge", "shard-1.json", "shard-2.json", "-o", "all.json")
    assert run.returncode == 0, run.stderr
    merged = json.loads((sharded / "all.json").read_text())
    ids = sorted(t["nodeid"] for t in merged["tests"])
    assert ids == sorted([f"multi.yaml::r{i}::ok" for i in range(5)] + ["multi.yaml::r3::bad"])
    assert merged["summary"] == {"passed": 5, "failed": 1, "total": 6, "collected": 6}
    assert merged["exitcode"] == 1
    assert all("prove" in t["metadata"] for t in merged["tests"])


def test_merged_junit(sharded: Path) -> None:
    run = prove(sharded, "report", "--merge", "shard-1.xml", "shard-2.xml")
    assert run.returncode == 0, run.stderr
    root = ET.fromstring(run.stdout.encode())
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "0")
    names = sorted(f"{c.get('classname')}::{c.get('name')}" for c in root.iter("testcase"))
    assert len(names) == len(set(names)) == 6


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["shard-1.json", "shard-1.json"],
            "is in both shard-1.json and shard-1.json: the shards overlap",
        ),
        (["shard-1.json", "shard-1.xml"], "give either .json or .xml reports, not a mix"),
        (["missing.json"], "prove report: cannot read missing.json"),
        (["multi.yaml.json"], "is not a pytest-json-report file"),
    ],
)
def test_bad_merges_are_usage_errors(sharded: Path, argv: list[str], message: str) -> None:
    (sharded / "multi.yaml.json").write_text('{"tests": 3}')
    run = prove(sharded, "report", "--merge", *argv)
    assert run.returncode == 4
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_github_actions_example() -> None:
    workflow = yaml.safe_load((EXAMPLES / "github-actions-sharded.yml").read_text())
    gates = workflow["jobs"]["gates"]
    shards = gates["strategy"]["matrix"]["shard"]
    assert shards == [1, 2, 3]
    run = next(step["run"] for step in gates["steps"] if "prove orchestrate" in step.get("run", ""))
    assert f"--prove-shard ${{{{ matrix.shard }}}}/{len(shards)}" in run
    report = workflow["jobs"]["report"]
    assert report["needs"] == "gates"
    merge = next(s["run"] for s in report["steps"] if "prove report --merge" in s.get("run", ""))
    # Every shard balances from the one durations file; the merge records the next one.
    assert gates["needs"] == "durations"
    assert "--durations .prove/durations.json" in merge


def test_gitlab_example() -> None:
    pipeline = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())
    gates = pipeline["prove-gates"]
    assert gates["parallel"] == 3
    assert "--prove-shard ${CI_NODE_INDEX}/${CI_NODE_TOTAL}" in " ".join(gates["script"])
    assert pipeline["prove-report"]["needs"] == ["prove-gates"]
    assert gates["cache"]["policy"] == "pull"
    assert pipeline["prove-report"]["cache"]["policy"] == "pull-push"
    assert "--durations .prove/durations.json" in " ".join(pipeline["prove-report"]["script"])
    assert pipeline["stages"] == ["gates", "report"]


def test_jenkins_example() -> None:
    text = (EXAMPLES / "Jenkinsfile").read_text()
    code = "\n".join(line.split("//")[0] for line in text.splitlines())
    assert code.count("{") == code.count("}")
    assert code.count("(") == code.count(")")
    assert "parallel branches" in code
    assert "--prove-shard ${shard}/${SHARDS}" in code
    assert "report --merge reports/shard-*.json" in code
    assert code.count("unstash 'durations'") == 2
