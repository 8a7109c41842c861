"""The launcher's own process: starts the git calls it is sent and sends their answers back.

Run by :mod:`.launcher` as ``python -I -S <this file>``, so it imports the standard
library only.  Starting a process costs the process that starts it 0.5-0.8 ms on a small
cloud machine (the parent waits until the child has called ``exec``); here that wait is
spent beside the run's main thread instead of in it.

Protocol, one request per line on stdin (JSON):

- ``{"id": n, "argv": [...], "cwd": "...", "env": {...}}``: run ``argv`` in ``cwd`` with the
  environment ``env``, or with the last one sent when ``env`` is left out; answered
  by a line ``{"id": n, "rc": status, "out": bytes, "err": bytes}`` followed by that many
  bytes of stdout, then of stderr; or, when it could not start, by
  ``{"id": n, "oserror": [errno, message, filename]}``.
- ``{"id": n, "repo": "...", "argv": [...], "env": ...}``: first read the probe and refs of the
  repository at ``repo`` from its files (:func:`.ref_files.read_repo_files`) and send them
  at once, as ``{"id": n, "files": [...], "listing": bytes}`` (the fields of
  :meth:`.ref_files.RepoFiles.to_wire`) followed by the refs listing, or ``"files": false``
  when they cannot be read here (the caller reads them itself); then run ``argv`` at the
  repository's top (in ``repo`` when unsure) and answer as above.  The files always come
  first and never wait for git: a gate that needs them is not held up by a slow call.
- ``{"kill": n}``: kill call ``n`` and what it started (its process group); its answer
  still comes, with the signal's status.

Its first line says it is ready (:data:`READY`).  End of stdin ends the process, after
killing the calls still running.  ^C is left to the parent (the launcher shares its
terminal): the parent decides when calls end.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
from types import ModuleType
from typing import IO, Any, Final

_CHUNK: Final = 1 << 16
# While a call has closed its stdout but not exited yet, how often to look again (s).
_REAP_EVERY: Final = 0.005


class _Call:
    def __init__(self, number: int, proc: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
        self.number = number
        self.proc = proc
        self.errors = errors
        self.out = bytearray()


class _Launcher:
    def __init__(self, ref_files: ModuleType | None = None) -> None:
        self.ref_files = ref_files
        self.selector = selectors.DefaultSelector()
        self.pending = bytearray()  # requests read, not complete yet
        self.outgoing = bytearray()  # answers not written yet
        self.running: dict[int, _Call] = {}  # by number
        self.ending: list[_Call] = []  # stdout closed, not exited yet
        self.open = True
        self.env: dict[str, str] | None = None
        os.set_blocking(1, False)
        self.selector.register(0, selectors.EVENT_READ, None)

    def serve(self) -> None:
        while self.open:
            timeout = _REAP_EVERY if self.ending else None
            writing = 1 in self.selector.get_map()
            if self.outgoing and not writing:
                self.selector.register(1, selectors.EVENT_WRITE, None)
            elif writing and not self.outgoing:
                self.selector.unregister(1)
            for key, _ in self.selector.select(timeout):
                if key.fd == 0:
                    self._read_requests()
                elif key.fd == 1:
                    self._write_answers()
                else:
                    self._read_call(key.data)
            self._reap()
        self._stop_all()

    def _read_requests(self) -> None:
        data = os.read(0, _CHUNK)
        if not data:
            self.open = False
            return
        self.pending += data
        while (end := self.pending.find(b"\n")) >= 0:
            line = bytes(self.pending[:end])
            del self.pending[: end + 1]
            self._handle(json.loads(line))

    def _handle(self, request: Any) -> None:
        if "kill" in request:
            call = self.running.get(request["kill"])
            if call is not None:
                kill_group(call.proc)
            return
        number: int = request["id"]
        self.env = request.get("env", self.env)
        cwd: str | None = request.get("cwd")
        if "repo" in request:
            cwd = self._send_files(number, request["repo"])
        errors = stderr_file()
        try:
            proc = subprocess.Popen(
                request["argv"],
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=errors,
                start_new_session=True,
            )
        except OSError as err:
            errors.close()
            detail = [err.errno, err.strerror, None if err.filename is None else str(err.filename)]
            self._answer({"id": number, "oserror": detail}, b"")
            return
        call = _Call(number, proc, errors)
        self.running[number] = call
        assert proc.stdout is not None
        os.set_blocking(proc.stdout.fileno(), False)
        self.selector.register(proc.stdout, selectors.EVENT_READ, call)

    def _send_files(self, number: int, root: str) -> str:
        """Send call ``number``'s files of the repository at ``root`` (``false`` when they
        cannot be read here: the caller reads them itself); where to run its git."""
        fields: object = False
        listing = b""
        if self.ref_files is not None:
            with contextlib.suppress(Exception):  # a bug here must not end others' calls
                fields, listing = self.ref_files.read_repo_files(root, self.env or {}).to_wire()
        self._answer({"id": number, "files": fields, "listing": len(listing)}, listing)
        return str(fields[0]) if isinstance(fields, list) else root

    def _read_call(self, call: _Call) -> None:
        assert call.proc.stdout is not None
        try:
            data = os.read(call.proc.stdout.fileno(), _CHUNK)
        except BlockingIOError:
            return
        if data:
            call.out += data
            return
        self.selector.unregister(call.proc.stdout)
        call.proc.stdout.close()
        self.ending.append(call)

    def _reap(self) -> None:
        for call in [c for c in self.ending if c.proc.poll() is not None]:
            self.ending.remove(call)
            del self.running[call.number]
            with call.errors:
                call.errors.seek(0)
                errors = call.errors.read()
            header = {"id": call.number, "rc": call.proc.returncode, "out": len(call.out)}
            self._answer({**header, "err": len(errors)}, bytes(call.out) + errors)

    def _answer(self, header: dict[str, object], body: bytes) -> None:
        self.outgoing += json.dumps(header).encode() + b"\n" + body
        self._write_answers()

    def _write_answers(self) -> None:
        try:
            written = os.write(1, self.outgoing)
        except BlockingIOError:
            return
        except BrokenPipeError:
            self.open = False
            self.outgoing.clear()
            return
        del self.outgoing[:written]

    def _stop_all(self) -> None:
        for call in self.running.values():
            kill_group(call.proc)
        for call in self.running.values():
            call.proc.wait()
            call.errors.close()


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc``'s process group (git and what it started), unless it has ended.

    Here, not in :mod:`.runner`, because this module may import the standard library only.
    """
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


def stderr_file() -> IO[bytes]:
    """An anonymous file for a git call's stderr: in memory where Linux offers it (a
    temporary file on disk cost a tenth of a small git call), else a temporary file.

    Here, not in :mod:`.runner`, because this module may import the standard library only.
    """
    memfd = getattr(os, "memfd_create", None)
    if memfd is not None:
        with contextlib.suppress(OSError):  # a kernel without memfd, or a seccomp filter
            return os.fdopen(memfd("git-stderr", os.MFD_CLOEXEC), "w+b")
    return tempfile.TemporaryFile()


READY: Final = b'{"ready": true}\n'
"""The first line the helper writes, once it can take requests."""


def load_ref_files() -> ModuleType | None:
    """:mod:`.ref_files`, loaded by its path: importing it as part of its package would run
    the package's ``__init__``, which imports the whole git layer (and pydantic, and more).
    ``None`` if it cannot be loaded: the run then reads the files itself."""
    here = os.path.dirname(os.path.abspath(__file__))
    name = "pytest_prove.git.ref_files"
    try:
        # for its one import from the package, support.files (standard library only)
        sys.path.insert(0, os.path.dirname(os.path.dirname(here)))
        spec = importlib.util.spec_from_file_location(name, os.path.join(here, "ref_files.py"))
        if spec is None or spec.loader is None:
            return None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses looks the module up by name
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - any failure leaves the reading to the run
        return None
    return module


def main() -> None:
    """Serve requests until stdin ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ref_files = load_ref_files()
    os.write(1, READY)
    _Launcher(ref_files).serve()


if __name__ == "__main__":
    main()
