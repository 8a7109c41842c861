"""The ``command`` check: any tool (``eslint .``, ``tsc --noEmit``, ``mypy``) as a gate.

The tool runs without a shell, in a session of its own, so that nothing it
started outlives the gate: not on a timeout, not on ^C, not after it exits.
Output is kept in bounded memory: only its tail (and, when the report is read
from stdout, stdout up to a limit) survives.  POSIX only (sessions, killpg).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import os
import posixpath
import selectors
import shlex
import signal
import subprocess
import time
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .api import Check, CheckResult, CheckSettings, Finding, MetricValue, Severity
from .command_reports import MAX_REPORT_BYTES, ReportError, ReportFormat, ReportPaths, parse_report

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

__all__ = ["COMMAND", "CommandSettings", "run_command"]

_CHUNK: Final = 64 * 1024
_TAIL_BYTES: Final = 256 * 1024
_MAX_LINE_CHARS: Final = 1000
_POLL_S: Final = (0.001, 0.05)
# how long output may keep flowing after the tool itself exited (from stray background children)
_DRAIN_GRACE_S: Final = 2.0


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
    timeout: int | None = Field(default=None, gt=0, description="Milliseconds; none = no limit")
    ok_exit_codes: tuple[int, ...] = Field(default=(0,), min_length=1)
    tail_lines: int = Field(default=40, ge=0, description="Output lines kept for the report")
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


@dataclasses.dataclass(kw_only=True)
class _Capture:
    """Output in bounded memory, however much the tool prints."""

    tail_bytes: int
    keep_stdout: bool
    tail: bytearray = dataclasses.field(default_factory=bytearray)
    trimmed: bool = False
    stdout: bytearray = dataclasses.field(default_factory=bytearray)
    stdout_overflow: bool = False

    def feed(self, chunk: bytes, *, from_stdout: bool) -> None:
        self.tail += chunk
        if len(self.tail) > self.tail_bytes:
            del self.tail[: len(self.tail) - self.tail_bytes]
            self.trimmed = True
        if from_stdout and self.keep_stdout and not self.stdout_overflow:
            self.stdout += chunk
            if len(self.stdout) > MAX_REPORT_BYTES:
                self.stdout_overflow = True
                self.stdout = bytearray()

    def last_lines(self, count: int) -> list[str]:
        lines = self.tail.decode("utf-8", errors="replace").split("\n")
        if lines and not lines[-1]:
            lines.pop()
        if self.trimmed and len(lines) > 1:
            lines.pop(0)  # cut in the middle when the buffer was trimmed
        # a terminal shows only what follows the last carriage return (progress bars)
        shown = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in lines[-count:] if count]
        return [
            line if len(line) <= _MAX_LINE_CHARS else line[:_MAX_LINE_CHARS] + "…" for line in shown
        ]


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
    capture = _Capture(
        tail_bytes=max(_TAIL_BYTES, min(settings.tail_lines * 1024, 16 * 1024 * 1024)),
        keep_stdout=settings.parse is not None and report_file is None,
    )
    started = time.monotonic()
    try:
        returncode, timed_out = _execute(settings, cwd, {**context.env, **settings.env}, capture)
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
        summary = f"`{shown}` {_describe_exit(returncode)}"
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


def _execute(
    settings: CommandSettings, cwd: Path, env: dict[str, str], capture: _Capture
) -> tuple[int, bool]:
    proc = subprocess.Popen(
        settings.argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        # a report read from stdout must not be interleaved with warnings on stderr
        stderr=subprocess.PIPE if capture.keep_stdout else subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = None if settings.timeout is None else time.monotonic() + settings.timeout / 1000
    try:
        timed_out = _pump(proc, capture, deadline)
    finally:
        # also on ^C and on success: nothing the tool started outlives the gate
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return proc.returncode, timed_out


def _pump(proc: subprocess.Popen[bytes], capture: _Capture, deadline: float | None) -> bool:
    """Read output until the tool exited and its pipes closed; True if the deadline came first.

    The tool's exit is observed without reaping it (a pidfd, or ``waitid(WNOWAIT)``), so its
    process group id cannot be reused by another process before the group is killed.
    """
    pidfd = _open_pidfd(proc.pid)
    try:
        with selectors.DefaultSelector() as selector:
            for stream, label in ((proc.stdout, "stdout"), (proc.stderr, "stderr")):
                if stream is not None:
                    selector.register(stream, selectors.EVENT_READ, label)
            if pidfd is not None:
                selector.register(pidfd, selectors.EVENT_READ, "exit")
            return _pump_loop(proc, selector, capture, deadline, exit_fd=pidfd is not None)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pump_loop(
    proc: subprocess.Popen[bytes],
    selector: selectors.BaseSelector,
    capture: _Capture,
    deadline: float | None,
    *,
    exit_fd: bool,
) -> bool:
    exited_at: float | None = None
    poll = _POLL_S[0]
    while True:
        now = time.monotonic()
        if exited_at is None and not exit_fd and _has_exited(proc):
            exited_at = now
        drain_until = None if exited_at is None else exited_at + _DRAIN_GRACE_S
        pipes_open = any(key.data != "exit" for key in selector.get_map().values())
        if drain_until is not None and (not pipes_open or now >= drain_until):
            return False
        if deadline is not None and now >= deadline:
            return True
        limits = [limit - now for limit in (deadline, drain_until) if limit is not None]
        if not exit_fd:
            limits.append(poll)
        events = selector.select(min(limits, default=None))
        poll = _POLL_S[0] if events else min(poll * 2, _POLL_S[1])
        if _consume(selector, events, capture):
            exited_at = time.monotonic()


def _consume(
    selector: selectors.BaseSelector,
    events: list[tuple[selectors.SelectorKey, int]],
    capture: _Capture,
) -> bool:
    """Feed what is readable into ``capture``; True if the tool's exit was among the events."""
    exited = False
    for key, _ in events:
        chunk = b"" if key.data == "exit" else os.read(key.fd, _CHUNK)
        if chunk:
            capture.feed(chunk, from_stdout=key.data == "stdout")
            continue
        selector.unregister(key.fileobj)
        exited = exited or key.data == "exit"
    return exited


def _open_pidfd(pid: int) -> int | None:
    if not hasattr(os, "pidfd_open"):
        return None
    try:
        return os.pidfd_open(pid)
    except OSError:  # Linux before 5.3
        return None


def _has_exited(proc: subprocess.Popen[bytes]) -> bool:
    if hasattr(os, "waitid"):
        try:
            return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True
    # macOS has neither pidfd nor waitid: reaping here leaves a tiny pid-reuse window for killpg
    return proc.poll() is not None


def _describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with {returncode}"
    try:
        return f"was killed by {signal.Signals(-returncode).name}"
    except ValueError:
        return f"was killed by signal {-returncode}"


def _spawn_failure(exc: OSError, settings: CommandSettings, cwd: Path) -> Finding:
    program = settings.argv[0]
    if exc.filename is not None and str(exc.filename) == str(cwd):
        return _cwd_missing(settings, cwd)
    if isinstance(exc, FileNotFoundError):
        where = "" if "/" in program else " on PATH"
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
    capture: _Capture,
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
