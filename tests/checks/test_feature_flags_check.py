"""The ``feature-flags`` check and the flag registry on real repositories."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pydantic
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_prove.api import CheckResult, Finding
from pytest_prove.checks.feature_flags import FeatureFlagsSettings, check_feature_flags
from pytest_prove.engines.flags.registry import (
    DEFAULT_CALL_PATTERNS,
    FlagSpec,
    compile_patterns,
    find_references,
    load_registry,
)
from pytest_prove.git import RepoContext
from pytest_prove.support.clock import NOW_VARIABLE
from tests.repo_builder import BINARY_CONTENT, LATIN1_CONTENT, MakeRepo, RepoBuilder

TODAY = "2026-06-15"
REGISTRY = """\
flags:
  new-checkout:
    owner: team-payments
    expires: 2026-12-31
    killswitch: true
    description: Kill switch for the new checkout flow
  dark-mode:
    owner: team-web
    expires: 2026-09-01
"""
PY_CODE = 'if client.is_enabled("new-checkout"):\n    pass\n'
JS_CODE = "export const App = () => useFlag('dark-mode') ? 1 : 0;\n"


def run(repo: RepoBuilder, today: str = TODAY, **settings: Any) -> CheckResult:
    env = {**os.environ, NOW_VARIABLE: today}
    return check_feature_flags(RepoContext(repo.path, env=env), FeatureFlagsSettings(**settings))


def rules(result: CheckResult) -> list[tuple[str, str | None, int | None]]:
    return [(f.rule, f.file, f.line) for f in result.findings]


def make_flag_repo(make_repo: MakeRepo, files: dict[str, str | bytes]) -> RepoBuilder:
    repo = make_repo()
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: flags", files=files)
    return repo


def test_python_and_js_references_to_declared_flags_pass(make_repo: MakeRepo) -> None:
    repo = make_flag_repo(
        make_repo,
        {"feature-flags.yaml": REGISTRY, "app/shop.py": PY_CODE, "web/App.tsx": JS_CODE},
    )
    result = run(repo)
    assert result.passed, result.findings
    assert result.findings == ()
    assert result.metrics == {"flags": 2, "references": 2, "files_scanned": 2, "files_skipped": 0}
    assert result.summary == (
        "2 flags declared, 2 references: all declared, owned, unexpired and well named"
    )
    # The pass holds until the earliest expiry has passed.
    assert result.valid_until == datetime.datetime(2026, 9, 2, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("path", "code", "line"),
    [
        ("app/pay.py", 'x = 1\nif flags.is_enabled("new-pay"):\n    pass\n', 2),
        ("web/pay.ts", "const a = 1;\n\nif (client.isEnabled(`new-pay`)) {}\n", 3),
        ("web/pay.js", 'ld.variation("new-pay", ctx, false);\n', 1),
        ("web/pay.jsx", 'const on = ld.boolVariation("new-pay", ctx, false);\n', 1),
        ("app/pay.py", 'if settings.flags["new-pay"]:\n    pass\n', 1),
        ("web/pay.ts", "const x = 1;\nreturn flags.newPay && 2;\n", 2),
    ],
)
def test_undeclared_reference_is_reported_with_its_line(
    make_repo: MakeRepo, path: str, code: str, line: int
) -> None:
    registry = REGISTRY + "  new-pa:\n    owner: a\n    expires: 2026-12-31\n"
    repo = make_flag_repo(
        make_repo,
        {
            "feature-flags.yaml": registry,
            "app/shop.py": PY_CODE,
            "web/App.tsx": JS_CODE,
            path: code,
        },
    )
    result = run(repo)
    assert ("undeclared-flag", path, line) in rules(result)
    undeclared = next(f for f in result.findings if f.rule == "undeclared-flag")
    assert re.fullmatch(
        r"flag '(new-pay|newPay)' is not declared in feature-flags.yaml", undeclared.message
    )


def test_attribute_references_match_declarations_in_any_case(make_repo: MakeRepo) -> None:
    code = "const a = flags.newCheckout;\nconst b = flags.dark_mode;\n"
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": REGISTRY, "web/a.ts": code})
    assert run(repo).passed


def test_declarations_without_owner_or_expiry(make_repo: MakeRepo) -> None:
    registry = "flags:\n  lonely:\n    expires: 2026-12-31\n  forever:\n    owner: ' '\n  bare:\n"
    code = "is_enabled('lonely'); is_enabled('forever'); is_enabled('bare')\n"
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": registry, "a.py": code})
    result = run(repo)
    assert rules(result) == [
        ("missing-owner", "feature-flags.yaml", 6),
        ("missing-expiry", "feature-flags.yaml", 6),
        ("missing-owner", "feature-flags.yaml", 4),
        ("missing-expiry", "feature-flags.yaml", 4),
        ("missing-owner", "feature-flags.yaml", 2),
    ]
    assert result.findings[0].message == "flag 'bare' declares no owner"
    assert result.findings[1].message == "flag 'bare' declares no expiry date (expires)"
    relaxed = run(repo, require_owner=False, require_expiry=False)
    assert relaxed.passed


def test_expiry_follows_the_injected_clock(make_repo: MakeRepo) -> None:
    code = PY_CODE + JS_CODE
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": REGISTRY, "web/a.tsx": code})
    assert run(repo, today="2026-09-01T23:59:59").passed  # the expiry day itself still counts
    result = run(repo, today="2026-09-02")
    assert rules(result) == [("expired-flag", "feature-flags.yaml", 7)]
    assert result.findings[0].message == (
        "flag 'dark-mode' expired on 2026-09-01 (today is 2026-09-02): "
        "remove it or extend `expires`"
    )
    assert result.valid_until == datetime.datetime(2027, 1, 1, tzinfo=datetime.UTC)
    late = run(repo, today="2027-01-05")
    assert [f.rule for f in late.findings] == ["expired-flag", "expired-flag"]
    assert late.valid_until is None


def test_bad_clock_is_a_finding(make_repo: MakeRepo) -> None:
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": REGISTRY})
    result = run(repo, today="next tuesday")
    assert [f.rule for f in result.findings] == ["clock"]
    assert "PROVE_NOW='next tuesday' is not an ISO 8601 date" in result.findings[0].message


def test_unused_flags_are_found_in_the_whole_tree(make_repo: MakeRepo) -> None:
    repo = make_repo()
    # The reference to dark-mode is in an unchanged file on main.
    repo.commit("feat: web", files={"web/App.tsx": JS_CODE})
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit("feat: flags", files={"feature-flags.yaml": REGISTRY, "docs/x.md": PY_CODE})
    result = run(repo)
    assert rules(result) == [("unused-flag", "feature-flags.yaml", 2)]
    assert result.findings[0].message == (
        "flag 'new-checkout' is declared but referenced nowhere in code: "
        "remove it from feature-flags.yaml or reference it"
    )
    changed_only = run(repo, scan="changed")
    assert changed_only.passed
    assert changed_only.metrics["files_scanned"] == 0


def test_undeclared_reference_in_unchanged_code_with_tree_scan(make_repo: MakeRepo) -> None:
    repo = make_repo()
    repo.commit("feat: old", files={"legacy/old.py": 'is_enabled("ghost")\n'})
    repo.branch("feat/x")
    repo.checkout("feat/x")
    repo.commit(
        "feat: flags", files={"feature-flags.yaml": REGISTRY, "app/a.py": PY_CODE + JS_CODE}
    )
    assert ("undeclared-flag", "legacy/old.py", 1) in rules(run(repo))
    assert run(repo, scan="changed").passed


def test_naming_convention(make_repo: MakeRepo) -> None:
    registry = "flags:\n  NewCheckout: {owner: a, expires: 2026-12-31}\n"
    repo = make_flag_repo(
        make_repo, {"feature-flags.yaml": registry, "a.py": "is_enabled('NewCheckout')\n"}
    )
    result = run(repo)
    assert rules(result) == [("flag-name", "feature-flags.yaml", 2)]
    assert result.findings[0].message == (
        "flag 'NewCheckout' does not match naming_pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'"
    )
    assert run(repo, naming_pattern="^[A-Z][A-Za-z]+$").passed


def test_json_registry(make_repo: MakeRepo) -> None:
    registry = '{"flags": {"dark-mode": {"owner": "w", "expires": "2026-09-01"}}}'
    repo = make_flag_repo(make_repo, {"flags.json": registry, "web/App.tsx": JS_CODE})
    assert run(repo, registry="flags.json").passed
    bad = '{"flags": {"dark-mode": {"owner": "w", "expires": "soon"}}}'
    repo.write("flags.json", bad)
    result = run(repo, registry="flags.json")
    assert result.findings[0].message == (
        "flag registry flags.json is invalid at flags.dark-mode.expires: "
        "Input should be a valid date or datetime, input is too short (got 'soon')"
    )


@pytest.mark.parametrize(
    ("content", "message", "line"),
    [
        (
            None,
            "flag registry feature-flags.yaml not found: create it (a `flags:` mapping of name "
            "to owner, expires, killswitch, description) or set `registry`",
            None,
        ),
        (
            "flags:\n  a: {owner: [x\n",
            "flag registry feature-flags.yaml is invalid: YAML syntax error: while parsing a "
            "flow sequence did not find expected ',' or ']'",
            3,
        ),
        (
            "flags:\n  a:\n    owner: x\n    killswitch: 'yes'\n",
            "flag registry feature-flags.yaml is invalid at flags.a.killswitch: "
            "Input should be a valid boolean (got 'yes')",
            4,
        ),
        (
            "flags:\n  a:\n    ownr: x\n",
            "flag registry feature-flags.yaml is invalid at flags.a.ownr: unknown key",
            3,
        ),
        (
            "flags:\n  a: team-x\n",
            "flag registry feature-flags.yaml is invalid at flags.a: Input should be a valid "
            "dictionary or a mapping of owner, expires, killswitch, description",
            2,
        ),
        (
            "- a\n- b\n",
            "flag registry feature-flags.yaml is invalid: the top level must be a mapping "
            "with a `flags:` key",
            None,
        ),
        (
            BINARY_CONTENT,
            "flag registry feature-flags.yaml is a binary file, not YAML or JSON",
            None,
        ),
        (
            LATIN1_CONTENT,
            "flag registry feature-flags.yaml is not UTF-8 text",
            None,
        ),
    ],
)
def test_unusable_registry_is_one_clear_finding(
    make_repo: MakeRepo, content: str | bytes | None, message: str, line: int | None
) -> None:
    files: dict[str, str | bytes] = {"a.py": PY_CODE}
    if content is not None:
        files["feature-flags.yaml"] = content
    repo = make_flag_repo(make_repo, files)
    result = run(repo)
    (finding,) = result.findings
    assert finding.rule == ("registry-missing" if content is None else "registry-invalid")
    assert (finding.message, finding.file, finding.line) == (message, "feature-flags.yaml", line)
    assert result.summary == "the flag registry cannot be used"


def test_registry_outside_the_repository(make_repo: MakeRepo, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.yaml").write_text(REGISTRY)
    repo = make_flag_repo(make_repo, {"a.py": PY_CODE})
    (repo.path / "feature-flags.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (finding,) = run(repo).findings
    assert finding.message == (
        "flag registry feature-flags.yaml lies outside the repository (a symlink or `..` path)"
    )


def test_binary_and_non_utf8_code_files_are_skipped(make_repo: MakeRepo) -> None:
    repo = make_flag_repo(
        make_repo,
        {
            "feature-flags.yaml": REGISTRY,
            "app/a.py": PY_CODE,
            "web/App.tsx": JS_CODE,
            "app/blob.py": BINARY_CONTENT,
            "app/latin.py": LATIN1_CONTENT,
        },
    )
    result = run(repo)
    assert result.passed
    assert result.metrics["files_scanned"] == 2
    assert result.metrics["files_skipped"] == 2


def test_excluded_and_non_code_files_are_not_scanned(make_repo: MakeRepo) -> None:
    repo = make_flag_repo(
        make_repo,
        {
            "feature-flags.yaml": REGISTRY,
            "app/a.py": PY_CODE + JS_CODE,
            "node_modules/lib/index.js": 'isEnabled("ghost")\n',
            "README.md": 'isEnabled("ghost")\n',
        },
    )
    result = run(repo)
    assert result.passed
    assert result.metrics["files_scanned"] == 1


def test_custom_call_patterns(make_repo: MakeRepo) -> None:
    code = 'if Flipper.enabled?(:dark_mode)\nend\nfeature("new-checkout")\n'
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": REGISTRY, "app/a.rb": code})
    patterns = [r"Flipper\.enabled\?\(:(?P<flag>\w+)\)", r"feature\(\"([^\"]+)\"\)"]
    assert run(repo, call_patterns=patterns, code_globs=["**/*.rb"]).passed
    assert [f.rule for f in run(repo, code_globs=["**/*.rb"]).findings] == [
        "unused-flag",
        "unused-flag",
    ]


def test_call_pattern_without_group_is_a_settings_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="needs a capturing group"):
        FeatureFlagsSettings(call_patterns=[r"is_enabled\(\"\w+\"\)"])
    with pytest.raises(pydantic.ValidationError, match="not a valid regular expression"):
        FeatureFlagsSettings(call_patterns=[r"is_enabled\(("])


def test_find_references_lines() -> None:
    text = 'a\nis_enabled("x")\n\nuseFlag("y"); flags.z\nflags.get("w")\n'
    refs = find_references("f.py", text, compile_patterns(DEFAULT_CALL_PATTERNS))
    assert [(r.name, r.line) for r in refs] == [("x", 2), ("y", 4), ("z", 4)]
    only = find_references("f.py", text, compile_patterns(DEFAULT_CALL_PATTERNS), lines={4})
    assert [r.name for r in only] == ["y", "z"]


@given(st.text(max_size=300))
def test_find_references_never_raises_and_lines_are_in_range(text: str) -> None:
    refs = find_references("f.py", text, compile_patterns(DEFAULT_CALL_PATTERNS))
    for ref in refs:
        assert 1 <= ref.line <= text.count("\n") + 1
        assert ref.name


# --- through the plugin -------------------------------------------------------------------


def _gate_fleet(pytester: pytest.Pytester, repo: RepoBuilder, overrides: str) -> None:
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - name: shop
    path: {repo.path}
    checks: [tdd, feature-flags, killswitch]
    overrides: {overrides}
""",
    )


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]])
def test_change_gates_through_the_plugin(
    pytester: pytest.Pytester,
    make_repo: MakeRepo,
    monkeypatch: pytest.MonkeyPatch,
    xdist: list[str],
) -> None:
    monkeypatch.setenv(NOW_VARIABLE, TODAY)
    repo = make_flag_repo(
        make_repo, {"feature-flags.yaml": REGISTRY, "web/App.tsx": JS_CODE, "app/shop.py": PY_CODE}
    )
    _gate_fleet(pytester, repo, "{tdd: {mode: strict}}")
    result = pytester.runpytest("--prove-config", "multi.yaml", "-rA", *xdist)
    # Every flag is declared and the feat commit checks the kill switch new-checkout,
    # but neither source file has a test.
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "shop::tdd: 2 of 2 changed source files lack a test (strict)",
            "app/shop.py missing-test app/shop.py changed without a matching test change: *",
            "web/App.tsx missing-test *",
        ]
    )
    # Under -n the summary lists items in completion order.
    passed = {line.split(" - ")[0] for line in result.outlines if line.startswith("PASSED")}
    assert passed == {
        "PASSED multi.yaml::shop::feature-flags",
        "PASSED multi.yaml::shop::killswitch",
    }


def test_bad_gate_setting_stops_the_run(pytester: pytest.Pytester, make_repo: MakeRepo) -> None:
    repo = make_flag_repo(make_repo, {"feature-flags.yaml": REGISTRY})
    _gate_fleet(pytester, repo, "{feature-flags: {scan: everywhere}}")
    result = pytester.runpytest("--prove-config", "multi.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest-prove: multi.yaml:5: repositories[[]0] (name='shop')"
            ".overrides.feature-flags.scan: Input should be 'tree' or 'changed'*"
        ]
    )


_YAMLISH = st.text(
    st.sampled_from(list("flags:owner expires killswitch true 2026-01-01 \n-[]{}'\"\t#"))
)


@given(st.one_of(_YAMLISH, st.text(max_size=200)), st.sampled_from(["r.yaml", "r.json"]))
def test_load_registry_never_raises(content: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / name).write_text(content, encoding="utf-8", errors="surrogatepass")
        loaded = load_registry(Path(tmp), name)
    if isinstance(loaded, Finding):
        assert loaded.rule == "registry-invalid"
        assert loaded.message.startswith(f"flag registry {name} ")
        assert loaded.file == name
    else:
        assert all(isinstance(spec, FlagSpec) for spec in loaded.flags.values())
