"""Whatever a config file holds, loading gives a fleet or one ConfigError, never a crash."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.config.fleet import Fleet
from pytest_prove.config.load import Options, load_fleet
from pytest_prove.readers.errors import MAX_SHOWN, ConfigError

KEYS = st.sampled_from(
    [
        "version", "extends", "repositories", "global", "name", "path", "config", "checks",
        "schedule", "overrides", "when", "commands", "modes", "commit-msg", "trunk",
        "delivery-mode", "argv", "timeout", "failFast", "concurrency", "paths", "pr",
        "header_max_length", "trunk_branch", "x", "",
    ]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=True),
    st.text(max_size=8), st.sampled_from([".", "..", "prove:strict", "prove:x", "a", "[", "*"]),
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=12,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=5)


def _fleet_or_config_error(load: Callable[[], Fleet]) -> None:
    message = ""
    try:
        load()
    except ConfigError as exc:
        message = str(exc) or "(empty message)"
    assert message != "(empty message)"
    # Several problems: one line each, each once, at most MAX_SHOWN and a count.
    lines = message.splitlines()
    assert all(lines)
    assert len(lines) == len(set(lines))
    assert len(lines) <= MAX_SHOWN + 1


def _load(text: str, root: Path) -> None:
    path = root / "multi.yaml"
    path.write_text(text, encoding="utf-8")
    (root / "a").mkdir(exist_ok=True)
    _fleet_or_config_error(lambda: load_fleet(path, root, Options()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_structured_documents(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _load(yaml.safe_dump(document), Path(tmp))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab:-[]{}\n #&*!|>'\"%@`,?\t", max_size=60))
def test_arbitrary_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _load(text, Path(tmp))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(KEYS, VALUES, max_size=5), min_size=1, max_size=3))
def test_repository_entries(entries: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for entry in entries:
            entry.setdefault("name", "a")
            entry.setdefault("path", "a")
        _load(yaml.safe_dump({"repositories": entries}), Path(tmp))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_repository_files(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "prove.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
        options = Options(sets=["commit-msg.header_max_length=50"])
        _fleet_or_config_error(lambda: load_fleet(None, root, options))
