"""Every secret rule finds its secret in a real repository, and not its look-alike."""

from __future__ import annotations

import pytest

from pytest_prove.checks.security import RULE_IDS, SecuritySettings, check_security
from pytest_prove.engines.security.secrets import SecretScanner
from pytest_prove.git.context import RepoContext
from pytest_prove.redact.mask import mask
from tests.repo_builder import MakeRepo
from tests.security_samples import SAMPLES

NO_AUDIT = SecuritySettings.model_validate({"dependencies": {"enabled": False}})


def test_every_rule_has_samples() -> None:
    assert sorted(SAMPLES) == sorted(RULE_IDS)


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_rule_on_a_real_repository(make_repo: MakeRepo, rule: str) -> None:
    line, secret, look_alike = SAMPLES[rule]
    repo = make_repo()
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat: look-alike", files={"app.py": f"import os\n{look_alike}\n"})
    clean = check_security(RepoContext(repo.path, env={}), NO_AUDIT)
    assert clean.passed, clean.findings
    assert clean.metrics["secrets"] == 0

    repo.write("app.py", f"import os\n{look_alike}\n\n{line}\n")
    result = check_security(RepoContext(repo.path, env={}), NO_AUDIT)
    assert [(f.rule, f.file, f.line) for f in result.errors] == [(rule, "app.py", 4)]
    message = result.errors[0].message
    assert secret not in message
    assert mask(secret) in message
    assert message.endswith(secret[: min(4, len(secret) // 3)] + "****")


@pytest.mark.parametrize("rule", sorted(SAMPLES))
def test_rule_can_be_disabled(rule: str) -> None:
    line, _, _ = SAMPLES[rule]
    scanner = SecretScanner(disabled=[rule])
    assert rule not in {hit.rule for hit in scanner.scan("app.py", line)}
