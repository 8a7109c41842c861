"""``prove init [DIR]``: scaffold a ``prove.yaml`` from what the repository holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ...errors import UsageError


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("init", help="write a prove.yaml that fits this repository")
    parser.add_argument("directory", nargs="?", default=".", help="the repository (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing config")
    parser.add_argument(
        "--print", action="store_true", dest="print_only", help="print it instead of writing it"
    )
    parser.set_defaults(handler=run_init)


def _existing_config(root: Path) -> Path | None:
    from ...config.fleet import REPO_CONFIG_NAMES

    for name in REPO_CONFIG_NAMES:
        candidate = root / name
        if name == "pyproject.toml":
            if candidate.is_file() and "[tool.prove]" in candidate.read_text("utf-8", "replace"):
                return candidate
        elif candidate.is_file():
            return candidate
    return None


def run_init(args: argparse.Namespace) -> int:
    from ...checks.registry import load_registry
    from ...governance.onboard.init import scaffold_config
    from ...governance.output_file import write_new_file

    root = Path(args.directory)
    if not root.is_dir():
        raise UsageError(f"prove init: {root} is not a directory")
    scaffold = scaffold_config(root.resolve(), load_registry())
    if args.print_only:
        sys.stdout.write(scaffold.text)
        return 0
    existing = _existing_config(root)
    if existing is not None and existing.name == "pyproject.toml":
        raise UsageError(
            f"prove init: {existing} already configures pytest-prove ([tool.prove]);"
            " remove that table first (prove init writes YAML only)"
        )
    target = existing or root / "prove.yaml"
    write_new_file(target, scaffold.text, force=args.force, who="prove init")
    print(f"wrote {target}: {', '.join(scaffold.gates)}")
    return 0
