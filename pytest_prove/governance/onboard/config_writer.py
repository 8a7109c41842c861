"""Writing a repository's ``prove.yaml`` with a comment explaining each choice.

``prove init`` and ``prove migrate`` both produce a file meant to be read and
edited by people, so every gate and setting carries the reason it is there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ...support.wording import printable


@dataclasses.dataclass(frozen=True, kw_only=True)
class GateChoice:
    """One gate of the generated file.

    :param name: the check name (canonical)
    :param why: one or more comment lines saying why it is enabled
    :param settings: its settings section (omitted when empty)
    :param notes: comment lines written above the settings section
    :param command: a command gate: its settings go under ``commands:``
    """

    name: str
    why: Sequence[str]
    settings: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    notes: Sequence[str] = ()
    command: bool = False


def _comment(lines: Sequence[str], indent: str = "") -> str:
    # A newline or control character from the input would end the comment, or the file.
    return "".join(f"{indent}# {printable(line)}".rstrip() + "\n" for line in lines)


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), default_flow_style=False, sort_keys=False, allow_unicode=True)


def render_config(
    header: Sequence[str],
    gates: Sequence[GateChoice],
    top: Mapping[str, Any] | None = None,
    top_notes: Sequence[str] = (),
    footer: Sequence[str] = (),
) -> str:
    """The YAML text: header comment, top-level keys, ``checks``, then each gate's section."""
    out = _comment(header)
    if top:
        out += "\n" + _comment(top_notes) + _dump(top)
    out += "\nchecks:\n"
    for gate in gates:
        out += _comment(gate.why, "  ") + f"  - {gate.name}\n"
    if not gates:
        out = out.replace("\nchecks:\n", "\nchecks: []\n")
    for gate in gates:
        if gate.settings and not gate.command:
            out += "\n" + _comment(gate.notes) + _dump({gate.name: dict(gate.settings)})
    commands = [g for g in gates if g.command]
    if commands:
        out += "\ncommands:\n"
        for gate in commands:
            body = _dump({gate.name: dict(gate.settings)})
            out += _comment(gate.notes, "  ") + "".join(f"  {line}\n" for line in body.splitlines())
    if footer:
        out += "\n" + _comment(footer)
    return out
