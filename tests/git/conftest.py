"""Fixtures shared by the git tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pytest_prove.git.launcher import GitLauncher


@pytest.fixture
def launcher() -> Iterator[GitLauncher]:
    """A launcher whose helper takes requests."""
    started = GitLauncher()
    assert started.warm()
    yield started
    started.close()
