"""A third-party check module made importable by pytest subprocesses, without pip."""

from __future__ import annotations

from pathlib import Path


def install_check(root: Path, module: str, source: str) -> Path:
    """Write ``module`` and the metadata that registers it in the ``pytest_prove`` group.

    :returns: ``root``, for ``PYTHONPATH``
    """
    dist = root / f"{module}-0.1.dist-info"
    dist.mkdir(parents=True)
    (root / f"{module}.py").write_text(source, encoding="utf-8")
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[pytest_prove]\n{module} = {module}\n")
    return root
