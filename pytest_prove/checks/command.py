"""The ``command`` check: any tool (``eslint .``, ``tsc --noEmit``, ``mypy``) as a gate.

The tool runs without a shell, in a process group of its own (see
:mod:`pytest_prove.support.process`): nothing it started outlives the gate.  Only the
tail of its output (and, when the report is read from stdout, stdout up to a
limit) is kept.
"""

from __future__ import annotations

import errno
import posixpath
import shlex
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..api import (
    MAX_COUNT,
    MAX_TIMEOUT_MS,
    Check,
    CheckResult,
    CheckSettings,
    Finding,
    MetricValue,
    Severity,
)
from ..engines.command.reports import (
    MAX_REPORT_BYTES,
    ReportError,
    ReportFormat,
    ReportPaths,
    parse_report,
)
from ..git.runner import without_git_redirects
from ..support.process import OutputCapture, describe_exit, run_in_own_group

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["COMMAND", "CommandSettings", "run_command"]

_TAIL_BYTES: Final = 256 * 1024
_NODE_BIN: Final = "node_modules/.bin/"


def _split_argv(value: object) -> object:
    return shlex.split(value) if isinstance(value, str) else value


def _inside_root(path: str) -> bool:
    normalized = posixpath.normpath(path)
    return normalized != ".." and not normalized.startswith("../")


class CommandSettings(CheckSettings):
    """One named command gate: ``commands: {lint: {argv: [ruff, check, .]}}``."""

    argv: Annotated[
        tuple[str, ...],
        BeforeValidator(_split_argv, json_schema_input_type=str | list[str]),
        Field(min_length=1, description="The command: a list, or a string split like a shell"),
    ]
    cwd: str | None = Field(default=None, description="Directory relative to the repository root")
    env: dict[str, str] = Field(default_factory=dict, description="Added to the environment")
    timeout: int | None = Field(
        default=None,
        gt=0,
        le=MAX_TIMEOUT_MS,
        strict=True,
        description="Milliseconds; none = no limit",
    )
    ok_exit_codes: tuple[int, ...] = Field(default=(0,), min_length=1)
    tail_lines: int = Field(
        default=40, ge=0, le=MAX_COUNT, strict=True, description="Output lines kept for the report"
    )
    quick: bool = Field(default=False, description="Whether --prove-quick keeps this gate")
    parse: ReportFormat | None = Field(default=None, description="Turn the report into findings")
    report_file: str | None = Field(
        default=None, description="Where the tool writes its report, relative to cwd; or stdout"
    )

    @field_validator("argv")
    @classmethod
    def _program_named(cls, argv: tuple[str, ...]) -> tuple[str, ...]:
        if not argv[0]:
            raise ValueError("the program (first item) must not be empty")
        if any("\0" in item for item in argv):
            raise ValueError("argv items must not contain a NUL byte")
        return argv

    @field_validator("cwd", "report_file")
    @classmethod
    def _relative_path(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value or "\0" in value:
            raise ValueError("must be a non-empty path")
        if posixpath.isabs(value):
            raise ValueError(f"must be relative to the repository, got {value!r}")
        # lexically, as the escape check sees it: the kernel would need `x` to exist for `x/..`
        return posixpath.normpath(value)

    @field_validator("env")
    @classmethod
    def _env_names(cls, env: dict[str, str]) -> dict[str, str]:
        for name, value in env.items():
            if not name or "=" in name or "\0" in name or "\0" in value:
                raise ValueError(f"invalid environment variable {name!r}")
        return env

    @model_validator(mode="after")
    def _stays_inside_root(self) -> CommandSettings:
        if self.cwd is not None and not _inside_root(self.cwd):
            raise ValueError(f"cwd {self.cwd!r} escapes the repository root")
        if self.report_file is not None:
            if self.parse is None:
                raise ValueError("report_file needs parse (sarif, junit or eslint-json)")
            if not _inside_root(posixpath.join(self.cwd or "", self.report_file)):
                raise ValueError(f"report_file {self.report_file!r} escapes the repository root")
        return self


def run_command(context: RepoContext, settings: CommandSettings) -> CheckResult:
    """Run ``settings.argv`` in the repository and judge it by exit code and report."""
    shown = shlex.join(settings.argv)
    cwd = context.root / settings.cwd if settings.cwd else context.root
    if not cwd.is_dir():
        return CheckResult(findings=[_cwd_missing(settings, cwd)])
    report_file = None  # repository-relative, as findings name files
    if settings.report_file is not None:
        report_file = posixpath.normpath(posixpath.join(settings.cwd or ".", settings.report_file))
    # an old report from an earlier run must not stand in for this run's
    report_before = _stat_key(context.root / report_file) if report_file else None
    capture = OutputCapture(
        tail_bytes=max(_TAIL_BYTES, min(settings.tail_lines * 1024, 16 * 1024 * 1024)),
        keep_stdout=settings.parse is not None and report_file is None,
        max_stdout_bytes=MAX_REPORT_BYTES,
    )
    started = time.monotonic()
    try:
        returncode, timed_out = run_in_own_group(
            settings.argv,
            cwd=cwd,
            # a hook's GIT_DIR or GIT_WORK_TREE would point the tool's git at another repository
            env={**without_git_redirects(context.env), **settings.env},
            timeout_ms=settings.timeout,
            capture=capture,
        )
    except OSError as exc:
        return CheckResult(findings=[_spawn_failure(exc, settings, cwd)])
    metrics: dict[str, MetricValue] = {
        "exit_code": returncode,
        "duration_ms": int((time.monotonic() - started) * 1000),
    }
    findings: list[Finding] = []
    if timed_out:
        summary = f"`{shown}` timed out after {settings.timeout} ms"
        findings.append(Finding(rule="timeout", message=summary))
    else:
        summary = f"`{shown}` {describe_exit(returncode)}"
        if returncode not in settings.ok_exit_codes:
            accepted = ", ".join(map(str, settings.ok_exit_codes))
            findings.append(Finding(rule="exit-code", message=f"{summary} (accepted: {accepted})"))
        if settings.parse is not None:
            report = _report_findings(
                settings.parse,
                context.root,
                base=settings.cwd or ".",
                report_file=report_file,
                capture=capture,
                before=report_before,
            )
            findings.extend(report)
    if any(f.severity is Severity.ERROR for f in findings):
        findings.extend(_output_findings(capture.last_lines(settings.tail_lines)))
    return CheckResult(findings=findings, metrics=metrics, summary=summary)


def _output_findings(tail: list[str]) -> list[Finding]:
    """Where a failing command's output tail goes in the result."""
    if not tail:
        return []
    return [Finding(rule="output", message="\n".join(tail), severity=Severity.INFO)]


def _spawn_failure(exc: OSError, settings: CommandSettings, cwd: Path) -> Finding:
    program = settings.argv[0]
    if exc.filename is not None and str(exc.filename) == str(cwd):
        return _cwd_missing(settings, cwd)
    if isinstance(exc, FileNotFoundError):
        where = "" if "/" in program else " on PATH"
        if program.startswith(_NODE_BIN):  # the gate runs the project's own tool, never npx's
            where = " (install the project's packages first: npm ci)"
        return Finding(rule="not-found", message=f"`{program}` was not found{where}")
    if isinstance(exc, PermissionError):
        return Finding(rule="not-found", message=f"`{program}` is not executable")
    if exc.errno == errno.ENOEXEC:
        return Finding(rule="not-found", message=f"`{program}` is not in an executable format")
    return Finding(rule="spawn-failed", message=f"`{program}` could not start: {exc.strerror}")


def _cwd_missing(settings: CommandSettings, cwd: Path) -> Finding:
    where = settings.cwd or "."
    state = "is not a directory" if cwd.exists() else "does not exist"
    return Finding(rule="cwd-missing", message=f"working directory `{where}` {state}")


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _report_findings(
    fmt: ReportFormat,
    root: Path,
    *,
    base: str,
    report_file: str | None,
    capture: OutputCapture,
    before: tuple[int, int, int] | None,
) -> list[Finding]:
    try:
        if report_file is None:
            if capture.stdout_overflow:
                raise ReportError(f"it is larger than {MAX_REPORT_BYTES} bytes")
            text = capture.stdout.decode("utf-8-sig", errors="replace")
        else:
            text = _read_report_file(root / report_file, before)
        roots = tuple(dict.fromkeys(PurePosixPath(p) for p in (root.absolute(), root.resolve())))
        return parse_report(fmt, text, ReportPaths(roots=roots, cwd="" if base == "." else base))
    except ReportError as exc:
        where = "on stdout" if report_file is None else f"`{report_file}`"
        message = f"{fmt} report {where} is unreadable: {exc}"
        return [Finding(rule="report-unreadable", message=message, file=report_file)]


def _read_report_file(path: Path, before: tuple[int, int, int] | None) -> str:
    key = _stat_key(path)
    if key is None:
        raise ReportError("it was not written")
    if key == before:
        raise ReportError("it was not rewritten by this run")
    if key[1] > MAX_REPORT_BYTES:
        raise ReportError(f"it is larger than {MAX_REPORT_BYTES} bytes")
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise ReportError(exc.strerror or str(exc)) from None


COMMAND: Final = Check(
    name="command",
    run=run_command,
    settings_model=CommandSettings,
    quick=False,
    description="Any tool as a gate: argv, cwd, env, timeout, accepted exit codes, reports",
)
