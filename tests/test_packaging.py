"""The package as a release makes it: ``python -m build`` gives a wheel and an sdist that
``twine check --strict`` accepts, and the wheel holds this package and nothing else.

Built from a copy of the checkout's files (not what earlier builds left in ``build/``), with
build's own isolated environment, as a release job does.
"""

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import pytest_prove

ROOT = Path(__file__).resolve().parent.parent
VERSION = pytest_prove.__version__
# What a fresh clone holds that a build reads; the rest of the checkout does not matter.
SOURCES = ("pyproject.toml", "MANIFEST.in", "README.md", "CHANGELOG.md", "LICENSE", "pytest_prove")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=SKIP)
        else:
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        # No --sdist/--wheel: build makes the sdist, then the wheel from it (so the sdist is
        # complete enough to build again, as pip's source installs need).
        [sys.executable, "-m", "build", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out


def _one(dist: Path, pattern: str) -> Path:
    (found,) = dist.glob(pattern)
    return found


def test_twine_accepts_the_wheel_and_the_sdist(dist: Path) -> None:
    files = [_one(dist, "*.whl"), _one(dist, "*.tar.gz")]
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_the_wheel_holds_the_package_and_every_file_it_reads(dist: Path) -> None:
    wheel = _one(dist, f"pytest_prove-{VERSION}-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/", 1)[0] for name in names}
    assert tops == {"pytest_prove", f"pytest_prove-{VERSION}.dist-info"}
    package = ROOT / "pytest_prove"
    shipped = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    # The dashboard's script and styles, the presets, py.typed: a file the code reads at run
    # time that package-data forgot would fail only on an installed copy.
    assert shipped <= set(names), sorted(shipped - set(names))


def test_the_metadata_says_what_the_project_is(dist: Path) -> None:
    wheel = zipfile.ZipFile(_one(dist, "*.whl"))
    raw = wheel.read(f"pytest_prove-{VERSION}.dist-info/METADATA").decode()
    meta = email.parser.Parser().parsestr(raw)
    assert meta["Name"] == "pytest-prove"
    assert meta["Version"] == VERSION
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["License-Expression"] == "MIT"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "Framework :: Pytest" in meta.get_all("Classifier", [])
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL", []))
    assert {"Homepage", "Documentation", "Source", "Issues", "Changelog"} <= set(urls)
    assert all(url.startswith("https://") for url in urls.values())
    entry_points = wheel.read(f"pytest_prove-{VERSION}.dist-info/entry_points.txt").decode()
    assert "[pytest11]\nprove = pytest_prove.plugin.entry" in entry_points
    assert "pytest-prove = pytest_prove.cli.main:main" in entry_points
    licenses = [n for n in wheel.namelist() if "/licenses/" in n]
    assert [Path(n).name for n in licenses] == ["LICENSE"]


def test_the_sdist_builds_again_and_carries_the_changelog(dist: Path) -> None:
    sdist = _one(dist, f"pytest_prove-{VERSION}.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    assert {"pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", "PKG-INFO"} <= names
    assert "pytest_prove/report/views/dashboard.js" in names


def test_the_changelog_has_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(VERSION)}\]", changelog, re.M), VERSION
    assert re.search(rf"^\[{re.escape(VERSION)}\]: https://", changelog, re.M)
