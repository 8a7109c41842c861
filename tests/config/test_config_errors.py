"""Every bad configuration stops the run before any gate with one located message (exit 4)."""

from __future__ import annotations

import pytest

REPOS = "repositories:\n  - name: a\n    path: a\n"

CASES = {
    "yaml-syntax": (
        "repositories:\n  - name: a\n    path: a\n   bad: x\n",
        "m.yaml:4: YAML syntax error: while parsing a block collection"
        " did not find expected '-' indicator",
    ),
    "unknown-key": (
        REPOS + "    shedule: manual\n",
        "m.yaml:4: repositories[0] (name='a').shedule: unknown key (did you mean 'schedule'?)",
    ),
    "unknown-top-level-key": (
        REPOS + "repos: []\n",
        "m.yaml:4: repos: unknown key (did you mean 'repositories'?)",
    ),
    "wrong-type": (
        REPOS + "global:\n  failFast: maybe\n",
        "m.yaml:5: global.failFast: Input should be a valid boolean, unable to interpret input"
        " (got 'maybe')",
    ),
    "wrong-type-snake-case": (
        REPOS + "global:\n  concurrency: many\n",
        "m.yaml:5: global.concurrency: Input should be a valid integer (got 'many')",
    ),
    "unknown-check": (
        REPOS + "  - {name: b, path: b, checks: [secuirty]}\n",
        "m.yaml:4: repositories[1] (name='b').checks[0]: unknown check 'secuirty'"
        " (did you mean 'security'?)",
    ),
    "unknown-check-suggests": (
        REPOS + "    checks: [comit-msg]\n",
        "m.yaml:4: repositories[0] (name='a').checks[0]: unknown check 'comit-msg'"
        " (did you mean 'commit-msg'?)",
    ),
    "unknown-check-in-a-block-list": (
        REPOS + "    checks:\n      - trunk\n      - comit-msg\n",
        "m.yaml:6: repositories[0] (name='a').checks[1]: unknown check 'comit-msg'"
        " (did you mean 'commit-msg'?)",
    ),
    "path-missing": (
        "repositories:\n  - name: a\n    path: missing\n",
        "m.yaml:3: repositories[0] (name='a').path: directory not found: missing",
    ),
    "path-not-a-directory": (
        "repositories:\n  - name: a\n    path: m.yaml\n",
        "m.yaml:3: repositories[0] (name='a').path: not a directory: m.yaml",
    ),
    "duplicate-name": (
        REPOS + "  - name: a\n    path: b\n",
        "m.yaml:4: repositories[1] (name='a').name: duplicate repository name 'a'"
        " (also repositories[0])",
    ),
    "extends-missing": (
        "extends: [./nope.yaml]\n" + REPOS,
        "m.yaml:1: extends[0]: extends file not found: nope.yaml",
    ),
    "extends-unknown-preset": (
        "extends: ['prove:lenient']\n" + REPOS,
        "m.yaml:1: extends[0]: unknown preset 'prove:lenient' (built-in: prove:recommended,"
        " prove:strict)",
    ),
    "extends-circular": (
        "extends: [./p1.yaml]\n" + REPOS,
        "p2.yaml:1: extends[0]: circular extends: m.yaml -> p1.yaml -> p2.yaml -> p1.yaml",
    ),
    "bad-setting-in-overrides": (
        REPOS + "    overrides: {commit-msg: {header_max_length: abc}}\n",
        "m.yaml:4: repositories[0] (name='a').overrides.commit-msg.header_max_length: Input should"
        " be a valid integer (got 'abc')",
    ),
    "unknown-section-in-overrides": (
        REPOS + "    overrides: {coverag: {threshold: 1}}\n",
        "m.yaml:4: repositories[0] (name='a').overrides.coverag: unknown key 'coverag'"
        " (did you mean 'coverage'?)",
    ),
    "no-repositories": (
        "repositories: []\n",
        "m.yaml:1: repositories: List should have at least 1 item after validation, not 0",
    ),
    "name-not-an-id": (
        "repositories:\n  - name: a::b\n    path: a\n",
        "m.yaml:2: repositories[0] (name='a::b').name: repository name 'a::b' is not usable as a"
        " test id: use letters, digits, '.', '_' and '-', starting with a letter or digit",
    ),
    "command-without-argv": (
        REPOS + "    checks: [lint]\nglobal:\n  commands:\n    lint: {timeout: 5}\n",
        "m.yaml:7: global.commands.lint.argv: required key is missing",
    ),
    "not-a-mapping": (
        "- just a list\n",
        "m.yaml: expected a mapping: an orchestrator file (with 'repositories') or a repository"
        " config",
    ),
    "unsupported-version": (
        'version: "2"\n' + REPOS,
        "m.yaml:1: version: unsupported version '2' (supported: \"1.0\")",
    ),
    "repo-file-unknown-check": (REPOS, "a/prove.yaml:1: checks[0]: unknown check 'nope'"),
    "repo-config-missing": (
        REPOS + "    config: custom.yaml\n",
        "m.yaml:4: repositories[0] (name='a').config: config file not found: a/custom.yaml",
    ),
    "not-utf8": (None, "m.yaml: not valid UTF-8 (byte 14)"),
}


@pytest.fixture
def fleet_dir(pytester: pytest.Pytester) -> pytest.Pytester:
    (pytester.path / "a").mkdir()
    (pytester.path / "b").mkdir()
    pytester.makefile(".yaml", p1="extends: [./p2.yaml]\n", p2="extends: [./p1.yaml]\n")
    return pytester


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_config_stops_the_run(fleet_dir: pytest.Pytester, case: str) -> None:
    text, expected = CASES[case]
    if text is None:
        (fleet_dir.path / "m.yaml").write_bytes(b"repositories: \xff\xfe\n")
    else:
        fleet_dir.makefile(".yaml", m=text)
    if case == "repo-file-unknown-check":
        (fleet_dir.path / "a" / "prove.yaml").write_text("checks: [nope]\n")
    result = fleet_dir.runpytest("--prove-config", "m.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.startswith("ERROR:")]
    assert errors == [f"ERROR: pytest-prove: {expected}"]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


def test_bad_config_stops_the_run_under_xdist(fleet_dir: pytest.Pytester) -> None:
    fleet_dir.makefile(".yaml", m=REPOS + "    checks: [secuirty]\n")
    result = fleet_dir.runpytest_subprocess("--prove-config", "m.yaml", "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest-prove: m.yaml:4: repositories[0] (name='a').checks[0]:"
            " unknown check 'secuirty' (did you mean 'security'?)"
        ]
    )
    assert "Traceback" not in result.stderr.str()


def test_unknown_prove_repo_is_a_usage_error(fleet_dir: pytest.Pytester) -> None:
    fleet_dir.makefile(".yaml", m=REPOS)
    result = fleet_dir.runpytest("--prove-config", "m.yaml", "--prove-repo", "zzz")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: pytest-prove: no repository named 'zzz' in m.yaml (known: a)"]
    )


def test_missing_config_file(fleet_dir: pytest.Pytester) -> None:
    result = fleet_dir.runpytest("--prove-config", "nothere.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: pytest-prove: nothere.yaml: file not found"])


def test_a_plugin_check_may_not_take_a_reserved_name() -> None:
    import pluggy

    from pytest_prove.api import Check, CheckResult, CheckSettings
    from pytest_prove.checks import hookspecs
    from pytest_prove.checks.hook import PROJECT_NAME, hookimpl
    from pytest_prove.checks.registry import build_registry
    from pytest_prove.readers.errors import ConfigError

    class Plugin:
        @hookimpl
        def prove_checks(self) -> list[Check[CheckSettings]]:
            return [
                Check(name="modes", run=lambda c, s: CheckResult(), settings_model=CheckSettings)
            ]

    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(Plugin(), name="bad-plugin")
    with pytest.raises(ConfigError, match="plugin 'bad-plugin': 'modes' cannot be a check name"):
        build_registry(pm)
