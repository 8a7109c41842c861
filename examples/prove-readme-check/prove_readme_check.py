"""An example third-party check for pytest-prove: the repository has a README worth reading.

Installing this package is all it takes: pytest-prove finds it through the
``pytest_prove`` entry-point group, and ``readme`` becomes a check name usable in
any ``checks:`` list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pytest_prove import hookimpl
from pytest_prove.api import Check, CheckResult, CheckSettings, Finding
from pytest_prove.git import RepoContext

NAMES = ("README.md", "README.rst", "README.txt", "README")


class ReadmeSettings(CheckSettings):
    min_words: int = 20


def check_readme(context: RepoContext, settings: ReadmeSettings) -> CheckResult:
    for name in NAMES:
        path = context.root / name
        if path.is_file():
            words = len(path.read_text(encoding="utf-8", errors="replace").split())
            if words < settings.min_words:
                finding = Finding(
                    rule="readme-too-short",
                    message=f"{words} words, at least {settings.min_words} expected",
                    file=name,
                )
                return CheckResult(findings=[finding], metrics={"words": words})
            return CheckResult(metrics={"words": words})
    return CheckResult(
        findings=[Finding(rule="readme-missing", message=f"none of {', '.join(NAMES)} exists")]
    )


README = Check(
    name="readme",
    run=check_readme,
    settings_model=ReadmeSettings,
    quick=True,
    description="The repository has a README of some substance",
)


@hookimpl
def prove_checks() -> Sequence[Check[Any]]:
    return [README]
