"""No raw secret reaches any artifact of a failing run (issue 6's no-leak test)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.repo_builder import MakeRepo
from tests.security_samples import SAMPLES

SECRETS = {rule: secret for rule, (_, secret, _) in SAMPLES.items()}


def _artifacts(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["n0", "n2"])
def test_no_secret_in_any_artifact(
    pytester: pytest.Pytester, make_repo: MakeRepo, xdist: list[str]
) -> None:
    repo = make_repo("app")
    repo.git("checkout", "-q", "-b", "feat/leak")
    lines = "\n".join(line for line, _, _ in SAMPLES.values())
    repo.commit("feat: planted", files={"planted.py": f"{lines}\n", ".env": "A=1\n"})
    other = make_repo("other")
    other.write("more.yaml", f"{lines}\n")
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: app, path: {repo.path}, checks: [security]}}
  - {{name: other, path: {other.path}, checks: [security]}}
""",
    )
    result = pytester.runpytest(
        "--prove-config",
        "multi.yaml",
        "-rA",
        "-vv",
        "--junitxml=junit.xml",
        "--json-report",
        "--json-report-file=report.json",
        "--prove-sarif=prove.sarif",
        "--prove-gitlab-codequality=codequality.json",
        *xdist,
    )
    result.assert_outcomes(failed=2)
    report = json.loads((pytester.path / "report.json").read_text())
    rules = {
        finding["rule"]
        for test in report["tests"]
        for finding in test["metadata"]["prove"]["findings"]
    }
    assert set(SECRETS) | {"forbidden-file"} <= rules  # every secret was found...
    artifacts = _artifacts(pytester.path)
    assert {"junit.xml", "report.json", "prove.sarif", "codequality.json"} <= set(artifacts)
    artifacts["<stdout>"] = "\n".join(result.outlines).encode()
    artifacts["<stderr>"] = "\n".join(result.errlines).encode()
    assert "ghp_****" in artifacts["<stdout>"].decode()
    for name, content in artifacts.items():
        for rule, secret in SECRETS.items():
            # ...and none is in any file the run wrote, nor in its output.
            assert secret.encode() not in content, f"{rule} secret leaked into {name}"
            if rule != "private-key":  # its "secret" is a fixed header
                assert secret[4:16].encode() not in content, f"{rule} part leaked into {name}"
