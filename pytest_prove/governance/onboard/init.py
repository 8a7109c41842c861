"""``prove init``: the gates and settings that fit a repository, each choice explained."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Final

from ...checks.registry import Registry
from .config_writer import GateChoice, render_config
from .inspect_repo import RepoFacts, inspect_repository
from .settings_filter import accepted_settings

COVERAGE_THRESHOLD = 80  # the coverage check's documented default, written out to be seen


@dataclasses.dataclass(frozen=True)
class Scaffold:
    text: str
    gates: tuple[str, ...]
    facts: RepoFacts


def _sample(paths: tuple[str, ...]) -> str:
    shown = ", ".join(paths[:3])
    return shown + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def _always() -> list[GateChoice]:
    return [
        GateChoice(name="trunk", why=["short-lived branches off the trunk: fits every repository"]),
        GateChoice(name="delivery-mode", why=["resolves trunk / pr / release for the other gates"]),
        GateChoice(name="commit-msg", why=["Conventional Commits on every commit since the base"]),
        GateChoice(
            name="security",
            why=["secrets in added lines and forbidden files: worth it everywhere"],
        ),
    ]


def _found(facts: RepoFacts) -> tuple[list[GateChoice], list[str]]:
    gates: list[GateChoice] = []
    skipped: list[str] = []
    if facts.test_files:
        gates.append(
            GateChoice(
                name="tdd",
                why=[
                    f"test files found: {_sample(facts.test_files)}",
                    f"tests are found by: {facts.test_layout}",
                    *facts.test_mapping,
                ],
            )
        )
    else:
        skipped.append("tdd: no test files found; add it once the repository has tests")
    if facts.coverage_tools:
        gates.append(
            GateChoice(
                name="coverage",
                why=[f"coverage tooling found: {', '.join(facts.coverage_tools)}"],
                settings={"threshold": COVERAGE_THRESHOLD},
                notes=["Share of changed lines that tests must cover (percent)."],
            )
        )
    else:
        skipped.append("coverage: no coverage tool found (coverage.py, pytest-cov, c8, nyc, ...)")
    if facts.flag_registry:
        why = [f"flag registry {facts.flag_registry} found"]
        gates += [
            GateChoice(name="feature-flags", why=why),
            GateChoice(name="killswitch", why=[*why, "new features must ship behind a switch"]),
        ]
    else:
        skipped.append("feature-flags, killswitch: no feature-flags.yaml / .json at the root")
    if facts.openapi_files:
        gates.append(
            GateChoice(
                name="contracts", why=[f"OpenAPI files found: {_sample(facts.openapi_files)}"]
            )
        )
    else:
        skipped.append("contracts: no OpenAPI file found")
    return gates, skipped


# Command gates: (name, does it fit, why, argv).
_COMMANDS: Final[tuple[tuple[str, Callable[[RepoFacts], bool], str, tuple[str, ...]], ...]] = (
    (
        "typecheck",
        lambda facts: facts.typescript,
        "tsconfig.json found: the TypeScript compiler as a gate (the project's own, from "
        "node_modules: npx would look up an unrelated `tsc` package when it is missing)",
        ("node_modules/.bin/tsc", "--noEmit"),
    ),
    (
        "lint",
        lambda facts: facts.eslint,
        "an ESLint config found (the project's own, from node_modules)",
        ("node_modules/.bin/eslint", "."),
    ),
    (
        "vet",
        lambda facts: "go" in facts.languages,
        "go.mod found: go vet as a gate",
        ("go", "vet", "./..."),
    ),
)


def _commands(facts: RepoFacts) -> list[GateChoice]:
    return [
        GateChoice(name=name, why=[why], settings={"argv": list(argv)}, command=True)
        for name, fits, why, argv in _COMMANDS
        if fits(facts)
    ]


def scaffold_config(root: Path, registry: Registry) -> Scaffold:
    """The ``prove.yaml`` text for the repository at ``root``."""
    facts = inspect_repository(root)
    found, skipped = _found(facts)
    gates = []
    notes = list(facts.problems)
    for gate in [*_always(), *found]:
        settings, dropped = accepted_settings(gate.name, gate.settings, registry)
        notes += dropped
        gates.append(dataclasses.replace(gate, settings=settings))
    gates += _commands(facts)
    languages = ", ".join(facts.languages) or "none recognised"
    header = [
        "Written by `prove init`: the gates that fit what this repository holds.",
        f"Languages: {languages}.",
        "Edit freely; `prove config show` prints the effective settings.",
    ]
    footer = []
    if skipped:
        footer += ["Not enabled:", *(f"- {line}" for line in skipped)]
    if notes:
        footer += ["Notes:", *(f"- {line}" for line in notes)]
    if "go" in facts.languages and not facts.coverage_tools:
        footer.append(
            "Go: the coverage gate reads Cobertura XML (e.g. gocover-cobertura of a coverprofile)."
        )
    text = render_config(header, gates, footer=footer)
    return Scaffold(text, tuple(g.name for g in gates), facts)
