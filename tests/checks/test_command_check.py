"""The ``command`` check, running real processes (``sys.executable -c ...`` as the tool)."""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import time
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import pydantic
import pytest

from pytest_prove.api import CheckResult, Finding, Severity
from pytest_prove.checks.command import COMMAND, CommandSettings, run_command
from pytest_prove.engines.command.reports import (
    MAX_FINDINGS,
    ReportError,
    ReportPaths,
    parse_eslint_json,
    parse_junit,
    parse_report,
    parse_sarif,
)
from pytest_prove.git.context import RepoContext
from pytest_prove.support import process

PY = sys.executable

Run = Callable[..., CheckResult]


def _context(root: Path, env: Mapping[str, str]) -> RepoContext:
    return RepoContext(root, env=env)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    def _run(*code: str, root: Path = tmp_path, **settings: Any) -> CheckResult:
        argv = settings.pop("argv", [PY, "-c", "\n".join(code)])
        return run_command(_context(root, dict(os.environ)), CommandSettings(argv=argv, **settings))

    return _run


def _by_rule(result: CheckResult, rule: str) -> list[Finding]:
    return [f for f in result.findings if f.rule == rule]


def _output(result: CheckResult) -> list[str]:
    (finding,) = _by_rule(result, "output")
    assert finding.severity is Severity.INFO
    return finding.message.split("\n")


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # killed but not yet reaped by its new parent (a container's pid 1 may never reap)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")


def _wait_gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.02)
    return False


SPAWN_SLEEPER = (
    "import subprocess, sys",
    "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(100)'])",
    "print(p.pid, flush=True)",
)


# --- running -----------------------------------------------------------------------------


def test_pass(run: Run) -> None:
    result = run("print('hello')")
    assert result.passed
    assert result.findings == []
    assert result.metrics["exit_code"] == 0
    assert isinstance(result.metrics["duration_ms"], int)
    assert result.summary is not None
    assert "exited with 0" in result.summary


def test_failing_exit_code_keeps_output_tail(run: Run) -> None:
    result = run("import sys", "for i in range(100): print('line', i)", "sys.exit(3)", tail_lines=5)
    assert not result.passed
    (error,) = result.errors
    assert error.rule == "exit-code"
    assert error.message.endswith(" exited with 3 (accepted: 0)")
    assert error.message.startswith(f"`{shlex.quote(PY)} -c ")
    assert _output(result) == [f"line {i}" for i in range(95, 100)]
    assert result.metrics["exit_code"] == 3


def test_stderr_is_merged_into_the_tail(run: Run) -> None:
    result = run(
        "import sys",
        "print('out', flush=True)",
        "print('err', file=sys.stderr, flush=True)",
        "sys.exit(1)",
    )
    assert _output(result) == ["out", "err"]


def test_accepted_non_zero_exit_code(run: Run) -> None:
    result = run("import sys; sys.exit(1)", ok_exit_codes=[0, 1])
    assert result.passed
    assert result.metrics["exit_code"] == 1
    assert _by_rule(result, "output") == []


def test_killed_by_signal(run: Run) -> None:
    result = run("import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
    (error,) = result.errors
    assert error.message.endswith("was killed by SIGTERM (accepted: 0)")
    assert result.metrics["exit_code"] == -signal.SIGTERM


def test_string_argv_is_split_without_a_shell(run: Run, tmp_path: Path) -> None:
    settings = CommandSettings.model_validate(
        {"argv": f"{shlex.quote(PY)} -c 'import sys; sys.exit(len(sys.argv))' $HOME"}
    )
    assert settings.argv == (PY, "-c", "import sys; sys.exit(len(sys.argv))", "$HOME")
    result = run(argv=settings.argv, ok_exit_codes=[2])
    assert result.passed


def test_env_is_added_to_the_context_env(tmp_path: Path) -> None:
    code = (
        "import os, sys; "
        "sys.exit(0 if (os.environ['FROM_CONTEXT'], os.environ['FROM_SETTINGS'], "
        "os.environ['BOTH']) == ('c', 's', 'settings') else 1)"
    )
    settings = CommandSettings(
        argv=(PY, "-c", code), env={"FROM_SETTINGS": "s", "BOTH": "settings"}
    )
    env = {**os.environ, "FROM_CONTEXT": "c", "BOTH": "context"}
    assert run_command(_context(tmp_path, env), settings).passed


def test_inherited_git_redirects_do_not_reach_the_tool(tmp_path: Path) -> None:
    # as in a git hook, which exports GIT_DIR and friends for its own repository
    code = (
        "import os, sys; "
        "sys.exit(0 if 'GIT_DIR' not in os.environ and 'GIT_WORK_TREE' not in os.environ "
        "and os.environ['GIT_SSH_COMMAND'] == 'ssh -v' and os.environ['GIT_INDEX_FILE'] == 'i' "
        "else 1)"
    )
    settings = CommandSettings(argv=(PY, "-c", code), env={"GIT_INDEX_FILE": "i"})
    env = {
        **os.environ,
        "GIT_DIR": "/elsewhere/.git",
        "GIT_WORK_TREE": "/elsewhere",
        "GIT_SSH_COMMAND": "ssh -v",  # says how to reach a remote, not where the repo is
    }
    assert run_command(_context(tmp_path, env), settings).passed


def test_cwd_is_relative_to_the_root(run: Run, tmp_path: Path) -> None:
    (tmp_path / "web" / "app").mkdir(parents=True)
    expected = str((tmp_path / "web" / "app").resolve())
    code = f"import os, sys; sys.exit(0 if os.getcwd() == {expected!r} else 1)"
    assert run(code, cwd="web/app").passed
    assert run(code, cwd="web/./x/../app").passed


@pytest.mark.parametrize("cwd", ["..", "../sibling", "a/../../b", "/etc", "./.."])
def test_cwd_escaping_the_root_is_rejected(cwd: str) -> None:
    with pytest.raises(pydantic.ValidationError, match="cwd"):
        CommandSettings(argv=("true",), cwd=cwd)


def test_cwd_missing(run: Run, tmp_path: Path) -> None:
    result = run("pass", cwd="nope")
    assert [(f.rule, f.message) for f in result.findings] == [
        ("cwd-missing", "working directory `nope` does not exist")
    ]
    (tmp_path / "file").write_text("")
    (finding,) = run("pass", cwd="file").findings
    assert finding.message == "working directory `file` is not a directory"


def test_program_not_found(run: Run) -> None:
    result = run(argv=["prove-no-such-tool-xyz", "--version"])
    assert [(f.rule, f.message) for f in result.findings] == [
        ("not-found", "`prove-no-such-tool-xyz` was not found on PATH")
    ]
    (finding,) = run(argv=["./bin/missing"]).findings
    assert finding.message == "`./bin/missing` was not found"


def test_program_not_executable(run: Run, tmp_path: Path) -> None:
    (tmp_path / "tool").write_text("#!/bin/sh\n")
    (tmp_path / "tool").chmod(0o644)
    (finding,) = run(argv=["./tool"]).findings
    assert (finding.rule, finding.message) == ("not-found", "`./tool` is not executable")


def test_timeout_kills_the_whole_process_group(run: Run) -> None:
    started = time.monotonic()
    result = run(*SPAWN_SLEEPER, "p.wait()", timeout=1500)
    assert time.monotonic() - started < 10
    timeouts = _by_rule(result, "timeout")
    assert len(timeouts) == 1
    assert timeouts[0].message.endswith("timed out after 1500 ms")
    assert result.summary == timeouts[0].message
    grandchild = int(_output(result)[-1])
    assert _wait_gone(grandchild)


def test_background_child_holding_the_pipe_does_not_hang(run: Run) -> None:
    # the tool exits at once, but its child inherited stdout and sleeps on
    started = time.monotonic()
    result = run(*SPAWN_SLEEPER, "sys.exit(1)")
    assert time.monotonic() - started < 10
    assert [f.rule for f in result.errors] == ["exit-code"]
    assert _wait_gone(int(_output(result)[-1]))


def test_non_utf8_output_is_replaced(run: Run) -> None:
    result = run(
        "import sys",
        "sys.stdout.buffer.write(b'caf\\xe9 \\xff\\xfe\\nok\\n')",
        "sys.exit(1)",
    )
    assert _output(result) == ["caf\ufffd \ufffd\ufffd", "ok"]


def test_huge_output_keeps_only_the_tail(run: Run) -> None:
    tracemalloc.start()
    try:
        result = run(
            "import sys",
            "line = b'x' * 99 + b'\\n'",
            "sys.stdout.buffer.write(line * 500_000)",  # 50 MB
            "print('the end')",
            "sys.exit(1)",
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024
    assert _output(result) == ["x" * 99] * 39 + ["the end"]


def test_huge_single_line_is_clipped(run: Run) -> None:
    result = run("import sys", "sys.stdout.write('y' * 5_000_000)", "sys.exit(1)")
    (line,) = _output(result)
    assert line == "y" * 1000 + "…"


def test_progress_bars_show_their_last_state(run: Run) -> None:
    result = run(
        "import sys", "sys.stdout.write('10%\\r50%\\r100%\\r\\ndone\\r\\n')", "sys.exit(1)"
    )
    assert _output(result) == ["100%", "done"]


# --- settings ------------------------------------------------------------------------------


def test_settings_accept_camel_case_and_reject_unknown_keys() -> None:
    settings = CommandSettings.model_validate(
        {
            "argv": ["x"],
            "okExitCodes": [0, 2],
            "tailLines": 3,
            "reportFile": "r.xml",
            "parse": "junit",
        }
    )
    assert (settings.ok_exit_codes, settings.tail_lines, settings.report_file) == (
        (0, 2),
        3,
        "r.xml",
    )
    with pytest.raises(pydantic.ValidationError, match="extra"):
        CommandSettings.model_validate({"argv": ["x"], "shell": True})


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({}, "argv"),
        ({"argv": []}, "argv"),
        ({"argv": ""}, "argv"),
        ({"argv": ["", "x"]}, "program"),
        ({"argv": ["echo", "a\0b"]}, "NUL byte"),
        ({"argv": "echo 'a\0b'"}, "NUL byte"),
        ({"argv": "eslint 'unbalanced"}, "argv"),
        ({"argv": ["x"], "timeout": 0}, "timeout"),
        ({"argv": ["x"], "okExitCodes": []}, "ok_exit_codes|okExitCodes"),
        ({"argv": ["x"], "env": {"A=B": "1"}}, "environment"),
        ({"argv": ["x"], "reportFile": "r.sarif"}, "needs parse"),
        ({"argv": ["x"], "parse": "sarif", "reportFile": "/tmp/r.sarif"}, "relative"),
        ({"argv": ["x"], "parse": "sarif", "cwd": "web", "reportFile": "../../r"}, "escapes"),
        ({"argv": ["x"], "parse": "tap"}, "parse"),
    ],
)
def test_invalid_settings(data: dict[str, Any], match: str) -> None:
    with pytest.raises(pydantic.ValidationError, match=match):
        CommandSettings.model_validate(data)


def test_check_declaration() -> None:
    assert COMMAND.name == "command"
    assert COMMAND.settings_model is CommandSettings
    assert COMMAND.run is run_command
    assert not COMMAND.quick
    schema = CommandSettings.model_json_schema()
    assert schema["required"] == ["argv"]


# --- reports through the check ---------------------------------------------------------

SARIF = {
    "version": "2.1.0",
    "runs": [
        {
            "tool": {"driver": {"name": "t", "rules": [{"id": "R1"}]}},
            "results": [
                {
                    "ruleId": "R1",
                    "level": "error",
                    "message": {"text": "bad thing"},
                    "locations": [
                        {
                            "physicalLocation": {
                                "artifactLocation": {"uri": "src/a.py"},
                                "region": {"startLine": 3, "endLine": 5},
                            }
                        }
                    ],
                }
            ],
        }
    ],
}


def test_sarif_report_file(run: Run, tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    code = f"open('out/r.sarif', 'w').write({json.dumps(SARIF)!r})"
    (tmp_path / "web" / "out").mkdir()
    result = run(code, "print('1 problem')", cwd="web", parse="sarif", report_file="out/r.sarif")
    assert result.findings[0] == Finding(
        rule="R1", message="bad thing", file="web/src/a.py", line=3, end_line=5
    )
    assert [f.rule for f in result.findings] == ["R1", "output"]
    assert _output(result) == ["1 problem"]


def test_eslint_json_on_stdout_ignores_stderr(run: Run, tmp_path: Path) -> None:
    report = [
        {
            "filePath": str(tmp_path / "src" / "a.ts"),
            "messages": [{"ruleId": "no-var", "severity": 1, "message": "no var", "line": 2}],
        }
    ]
    result = run(
        "import sys",
        "print('DeprecationWarning: something', file=sys.stderr)",
        f"print({json.dumps(report)!r})",
        parse="eslint-json",
    )
    assert result.passed
    assert result.findings == [
        Finding(rule="no-var", message="no var", severity=Severity.WARNING, file="src/a.ts", line=2)
    ]


def test_missing_report_file(run: Run) -> None:
    result = run("import sys; sys.exit(2)", parse="junit", report_file="junit.xml")
    assert [(f.rule, f.message, f.file) for f in result.errors] == [
        (
            "exit-code",
            f"`{shlex.join([PY, '-c', 'import sys; sys.exit(2)'])}` exited with 2 (accepted: 0)",
            None,
        ),
        (
            "report-unreadable",
            "junit report `junit.xml` is unreadable: it was not written",
            "junit.xml",
        ),
    ]


def test_stale_report_file_is_not_reused(run: Run, tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text("<testsuite/>")
    result = run("pass", parse="junit", report_file="junit.xml")
    (error,) = result.errors
    assert (
        error.message == "junit report `junit.xml` is unreadable: it was not rewritten by this run"
    )


def test_malformed_report_on_stdout(run: Run) -> None:
    result = run("print('{not json')", parse="sarif")
    (error,) = result.errors
    assert error.rule == "report-unreadable"
    assert error.message.startswith("sarif report on stdout is unreadable: not valid JSON: ")


def test_timed_out_tool_report_is_not_parsed(run: Run) -> None:
    result = run("import time; time.sleep(30)", timeout=200, parse="sarif")
    assert [f.rule for f in result.errors] == ["timeout"]


# --- report parsers on strings ---------------------------------------------------------

PATHS = ReportPaths(roots=(PurePosixPath("/repo"), PurePosixPath("/real/repo")), cwd="web")


def test_report_paths() -> None:
    assert PATHS.relativize("src/a.ts") == "web/src/a.ts"
    assert PATHS.relativize("../lib/b.ts") == "lib/b.ts"
    assert PATHS.relativize("../../etc/passwd") is None
    assert PATHS.relativize("/repo/web/a.ts") == "web/a.ts"
    assert PATHS.relativize("/real/repo/x/../b.ts") == "b.ts"
    assert PATHS.relativize("/repository/a.ts") is None
    assert PATHS.relativize("/repo") is None


def test_sarif_levels_uris_and_rules() -> None:
    log = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "t",
                        "rules": [
                            {"id": "E1", "defaultConfiguration": {"level": "error"}},
                            {"id": "N1", "shortDescription": {"text": "a note rule"}},
                        ],
                    }
                },
                "originalUriBaseIds": {"SRC": {"uri": "file:///real/repo/"}},
                "results": [
                    _sarif_result(ruleId="E1", uri="file:///repo/a%20b.py", line=7),
                    _sarif_result(ruleIndex=1, level="note", message={}),
                    _sarif_result(ruleId="W9", uri="lib/c.py", uriBaseId="SRC", line=1),
                    _sarif_result(ruleId="W9", uri="rel.py", line=0),
                    _sarif_result(ruleId="OUT", uri="file:///elsewhere/x.py", line=4),
                    _sarif_result(ruleId="P", kind="pass"),
                    _sarif_result(kind="review"),
                ],
            }
        ],
    }
    assert parse_sarif(json.dumps(log), PATHS) == [
        Finding(rule="E1", message="msg", file="a b.py", line=7),
        Finding(rule="N1", message="a note rule", severity=Severity.INFO),
        Finding(rule="W9", message="msg", severity=Severity.WARNING, file="lib/c.py", line=1),
        Finding(rule="W9", message="msg", severity=Severity.WARNING, file="web/rel.py"),
        Finding(rule="OUT", message="/elsewhere/x.py: msg", severity=Severity.WARNING),
        Finding(rule="sarif", message="msg", severity=Severity.INFO),
    ]


def _sarif_result(
    *, uri: str | None = None, uriBaseId: str | None = None, line: int | None = None, **extra: Any
) -> dict[str, Any]:
    result: dict[str, Any] = {"message": {"text": "msg\nsecond line"}, **extra}
    if uri is not None:
        artifact: dict[str, Any] = {"uri": uri}
        if uriBaseId is not None:
            artifact["uriBaseId"] = uriBaseId
        physical: dict[str, Any] = {"artifactLocation": artifact}
        if line is not None:
            physical["region"] = {"startLine": line}
        result["locations"] = [{"physicalLocation": physical}]
    return result


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
        ("[]", "the SARIF log is not a JSON object"),
        ('{"version": "2.1.0"}', "not a SARIF log: no `runs` array"),
        ('{"runs": [{"results": [1]}]}', "a SARIF result is not a JSON object"),
        ('{"runs": [{"results": {}}]}', "`results` is not a JSON array"),
        ("[" * 100_000 + "]" * 100_000, "not valid JSON: nested too deeply"),
    ],
)
def test_sarif_malformed(text: str, message: str) -> None:
    with pytest.raises(ReportError) as excinfo:
        parse_sarif(text, PATHS)
    assert str(excinfo.value) == message


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites>
  <testsuite name="pytest" tests="4">
    <testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="3"/>
    <testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" line="9">
      <failure message="assert 1 == 2">long traceback</failure>
    </testcase>
    <testcase classname="tests.test_a" name="test_skip"><skipped message="no"/></testcase>
    <testcase classname="tests.test_b" name="test_setup">
      <error>fixture 'db' not found
more</error>
    </testcase>
  </testsuite>
  <testsuite name="vitest">
    <testcase classname="src/x.test.ts" name="adds" file="/real/repo/web/src/x.test.ts" line="12">
      <failure type="AssertionError"/>
    </testcase>
  </testsuite>
</testsuites>
"""


def test_junit_failures_and_errors() -> None:
    assert parse_junit(JUNIT, PATHS) == [
        Finding(
            rule="test-failure",
            message="tests.test_a.test_bad: assert 1 == 2",
            file="web/tests/test_a.py",
            line=10,  # pytest writes 0-based lines
        ),
        Finding(rule="test-error", message="tests.test_b.test_setup: fixture 'db' not found"),
        Finding(
            rule="test-failure",
            message="src/x.test.ts.adds: AssertionError",
            file="web/src/x.test.ts",
            line=12,
        ),
    ]


def test_junit_single_suite_root() -> None:
    text = '<testsuite name="s"><testcase name="t"><failure/></testcase></testsuite>'
    assert parse_junit(text, PATHS) == [Finding(rule="test-failure", message="t: failure")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<testsuite>", "not well-formed XML: no element found: line 1, column 11"),
        ("<html/>", "not JUnit XML: the root element is <html>"),
        (
            '<!DOCTYPE t [<!ENTITY a "aaaa">]><testsuite>&a;</testsuite>',
            "it declares XML entities",
        ),
    ],
)
def test_junit_malformed(text: str, message: str) -> None:
    with pytest.raises(ReportError) as excinfo:
        parse_junit(text, PATHS)
    assert str(excinfo.value) == message


def test_eslint_json() -> None:
    report = [
        {"filePath": "/repo/web/src/a.ts", "messages": []},
        {
            "filePath": "/real/repo/web/src/b.ts",
            "messages": [
                {
                    "ruleId": "no-undef",
                    "severity": 2,
                    "message": "'x' is not defined.",
                    "line": 4,
                    "endLine": 4,
                },
                {"ruleId": "eqeqeq", "severity": 1, "message": "Use ===", "line": 9, "endLine": 11},
                {
                    "ruleId": None,
                    "fatal": True,
                    "severity": 2,
                    "message": "Parsing error: x",
                    "line": 1,
                },
            ],
        },
    ]
    assert parse_eslint_json(json.dumps(report), PATHS) == [
        Finding(
            rule="no-undef", message="'x' is not defined.", file="web/src/b.ts", line=4, end_line=4
        ),
        Finding(
            rule="eqeqeq",
            message="Use ===",
            severity=Severity.WARNING,
            file="web/src/b.ts",
            line=9,
            end_line=11,
        ),
        Finding(rule="parse-error", message="Parsing error: x", file="web/src/b.ts", line=1),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{}", "not ESLint JSON: expected an array of file results"),
        ("[{}]", "not ESLint JSON: a file result has no `filePath`"),
        ('[{"filePath": "a", "messages": [3]}]', "an ESLint message is not a JSON object"),
        ("nope", "not valid JSON: Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_eslint_malformed(text: str, message: str) -> None:
    with pytest.raises(ReportError) as excinfo:
        parse_eslint_json(text, PATHS)
    assert str(excinfo.value) == message


def test_many_findings_are_capped_errors_first() -> None:
    messages = [{"ruleId": "w", "severity": 1, "message": "w", "line": 1}] * MAX_FINDINGS
    messages.append({"ruleId": "e", "severity": 2, "message": "e", "line": 2})
    text = json.dumps([{"filePath": "a.ts", "messages": messages}])
    findings = parse_report("eslint-json", text, PATHS)
    assert len(findings) == MAX_FINDINGS
    assert findings[0].rule == "e"
    assert findings[-1] == Finding(
        rule="report-truncated", message="2 more findings not shown", severity=Severity.INFO
    )


def test_bom_is_ignored() -> None:
    assert parse_report("eslint-json", "\ufeff[]", PATHS) == []


@pytest.mark.parametrize("watch", ["waitid", "poll"])
def test_exit_is_seen_without_pidfd(run: Run, monkeypatch: pytest.MonkeyPatch, watch: str) -> None:
    # macOS has no pidfd (nor waitid); old Linux kernels have no pidfd
    monkeypatch.setattr(process, "_open_pidfd", lambda pid: None)
    if watch == "poll":
        monkeypatch.delattr(os, "waitid")
    assert run("print('ok')").passed
    result = run(*SPAWN_SLEEPER, "sys.exit(1)")
    assert [f.rule for f in result.errors] == ["exit-code"]
    assert _wait_gone(int(_output(result)[-1]))
    result = run(*SPAWN_SLEEPER, "p.wait()", timeout=1000)
    assert [f.rule for f in result.errors] == ["timeout"]
    assert _wait_gone(int(_output(result)[-1]))
