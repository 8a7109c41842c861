"""The two-repository fleet the access and compliance tests gate: `api::lint` always fails
and has one waiver whose approver the test chooses."""

from __future__ import annotations

import pytest

FAILING_LINT = "[python3, -c, 'import sys; print(\"src/a.py:3: E1 bad\"); sys.exit(1)']"


def write_waived_fleet(
    pytester: pytest.Pytester, approver: str, *, api_checks: str = "lint", global_extra: str = ""
) -> None:
    """``multi.yaml`` with repos ``api`` (``api_checks``) and ``web`` (``ok``), roles, a waiver."""
    for name in ("api", "web"):
        (pytester.path / name).mkdir(exist_ok=True)
    pytester.makefile(
        ".yaml",
        multi=f"""
repositories:
  - {{name: api, path: api, checks: [{api_checks}]}}
  - {{name: web, path: web, checks: [ok]}}
global:
{global_extra}  commands:
    lint: {{argv: {FAILING_LINT}}}
    ok: [python3, -c, pass]
access:
  admins: [lead@example.com]
  maintainers: {{api: [alice@example.com]}}
waivers:
  - repo: api
    check: lint
    reason: legacy code
    approved_by: {approver}
    expires: 2026-12-31
""",
    )
