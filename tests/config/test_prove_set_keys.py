"""Every setting a message tells the user to set can be given with ``--prove-set`` (#20)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_prove.checks.registry import load_registry
from pytest_prove.config.load import Options, load_fleet, parse_sets
from pytest_prove.readers.errors import ConfigError
from tests.repo_builder import RepoBuilder

PACKAGE = Path(__file__).resolve().parents[2] / "pytest_prove"
REGISTRY = load_registry()
CHECKS = "checks: [trunk, coverage, contracts, feature-flags, killswitch, security]\n"


class Hint(NamedTuple):
    """A message naming a setting: where it is, the setting, and the item that sets it."""

    source: str
    named: str
    item: str
    value: Any


HINTS = [
    Hint("git/base_choice.py", "trunk_branch", "trunk_branch=mainline", "mainline"),
    Hint("checks/coverage.py", "reports", "coverage.reports=[cov.xml]", ["cov.xml"]),
    Hint("checks/coverage.py", "source_roots", "coverage.source_roots=[src]", ["src"]),
    Hint("checks/coverage.py", "missing", "coverage.missing=skip", "skip"),
    Hint("checks/contracts.py", "specs", "contracts.specs=[api.yaml]", ["api.yaml"]),
    Hint("checks/contracts.py", "missing", "contracts.missing=skip", "skip"),
    Hint("engines/flags/registry.py", "registry", "feature-flags.registry=f.yaml", "f.yaml"),
    Hint("engines/flags/registry.py", "registry", "killswitch.registry=f.yaml", "f.yaml"),
    Hint(
        "engines/security/audit.py",
        "dependencies.advisories",
        "security.dependencies.advisories=osv",
        "osv",
    ),
    Hint(
        "engines/security/audit.py",
        "dependencies.enabled",
        "security.dependencies.enabled=false",
        False,
    ),
]
# How messages name a setting: "set `x`", "set `x: NAME`", "set x.y to", "set x in the
# configuration", "set `check: {x: [PATH]}`", "`check: {x: skip}`", "the `x` setting",
# "or x.y: false".
HINT_PATTERNS = (
    re.compile(r"\bset `([a-z_]+)(?:`|: (?!\{))"),
    re.compile(r"`[a-z-]+: \{([a-z_]+): "),
    re.compile(r"\bset ([a-z_]+(?:\.[a-z_]+)?) (?:to|in the configuration)"),
    re.compile(r"`([a-z_]+)` setting"),
    re.compile(r"\bor ([a-z_]+\.[a-z_]+): "),
)
# Where gate messages are written; governance and commands speak of other files.
GATE_CODE = ("checks", "git", "engines", "runner")


def _messages(path: Path) -> list[str]:
    """The string literals of a module (f-strings' text included), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _hints_in_code() -> set[tuple[str, str]]:
    found = set()
    for folder in GATE_CODE:
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            source = path.relative_to(PACKAGE).as_posix()
            for message in _messages(path):
                for pattern in HINT_PATTERNS:
                    found.update((source, m.group(1)) for m in pattern.finditer(message))
    return found


def test_every_setting_a_message_names_is_listed() -> None:
    listed = {(hint.source, hint.named) for hint in HINTS}
    assert _hints_in_code() <= listed
    for hint in HINTS:  # and the list names only what the messages name
        assert hint.named in (PACKAGE / hint.source).read_text(encoding="utf-8"), hint


def _effective(fleet_root: Path, item: str) -> Any:
    fleet = load_fleet(None, fleet_root, Options(sets=[item]))
    plan = fleet.repos[0]
    key = item.partition("=")[0]
    if key == "trunk_branch":
        return plan.trunk
    check, *path = key.split(".")
    node: Any = next(g for g in plan.gates if g.name == check).settings
    for part in path:
        node = getattr(node, part)
    return list(node) if isinstance(node, tuple) else node


@pytest.mark.parametrize("hint", HINTS, ids=[h.item for h in HINTS])
def test_each_named_setting_can_be_given_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hint: Hint
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "prove.yaml").write_text(CHECKS, encoding="utf-8")
    assert _effective(tmp_path, hint.item) == hint.value


def test_trunk_branch_wins_over_every_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    (tmp_path / "a" / "prove.yaml").write_text("trunk_branch: develop\n", encoding="utf-8")
    (tmp_path / "m.yaml").write_text(
        "repositories:\n  - {name: a, path: a}\n  - {name: b, path: b, trunk_branch: main}\n",
        encoding="utf-8",
    )
    fleet = load_fleet(tmp_path / "m.yaml", tmp_path, Options(sets=["trunk_branch=mainline"]))
    assert [plan.trunk for plan in fleet.repos] == ["mainline", "mainline"]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (
            "trunk_branch=4",
            "command line (--prove-set): trunk_branch: Input should be a valid string (got 4)",
        ),
        (
            "trunk_branch.x=y",
            "command line (--prove-set): trunk_branch: Input should be a valid string",
        ),
        (
            "trunk-branch=main",
            "command line (--prove-set): trunk-branch: unknown key 'trunk-branch'"
            " (did you mean 'trunk_branch'?)",
        ),
        (
            "commit-msg.header_max_lenght=3",
            "command line (--prove-set): commit-msg.header_max_lenght: unknown key"
            " (did you mean 'header_max_length'?)",
        ),
    ],
)
def test_bad_command_line_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, item: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_fleet(None, tmp_path, Options(sets=[item]))
    assert str(info.value) == message


KEYS = st.sampled_from(["trunk_branch", "checks", "commit-msg", "trunk", "modes", "x", ""])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(KEYS, min_size=1, max_size=3), st.text(max_size=12)),
        max_size=4,
    )
)
def test_any_command_line_items_set_or_are_one_config_error(
    items: list[tuple[list[str], str]],
) -> None:
    sets = [f"{'.'.join(keys)}={value}" for keys, value in items]
    try:
        parse_sets(sets, REGISTRY)
    except ConfigError as exc:
        lines = str(exc).splitlines()
        assert lines
        assert all(line.startswith(("--prove-set", "command line (--prove-set)")) for line in lines)


XDIST = {"n0": (), "n2": ("-n", "2")}


@pytest.mark.parametrize("mode", sorted(XDIST))
def test_the_trunk_message_fix_works(pytester: pytest.Pytester, mode: str) -> None:
    repo = RepoBuilder(pytester.path / "svc").init(branch="mainline")
    repo.commit("chore: start", files={"README.md": "# svc\n"})
    repo.git("checkout", "-q", "-b", "feat/client")
    repo.commit("feat: client", files={"client.py": "x = 1\n"})
    pytester.makefile(
        ".yaml", multi="repositories:\n  - name: svc\n    path: svc\n    checks: [commit-msg]\n"
    )
    args = ("--prove-config", "multi.yaml", "-p", "no:cacheprovider", *XDIST[mode])
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot tell the trunk branch*set `trunk_branch: NAME`*"])
    fixed = pytester.runpytest_subprocess(*args, "-v", "--prove-set", "trunk_branch=mainline")
    fixed.assert_outcomes(passed=1)
    # -v shows what the pass compared on every pytest the project allows.
    (line,) = [line for line in fixed.outlines if "PASSED (mainline@" in line]
    assert "multi.yaml::svc::commit-msg" in line
    assert line.split("PASSED (", 1)[1].split(")", 1)[0].endswith(": 1 commit")
