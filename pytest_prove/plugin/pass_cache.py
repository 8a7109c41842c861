"""The pass cache as pytest sees it: opened on pytest's cache, fed from the gates' reports.

What a key holds and when a pass is reused: :mod:`pytest_prove.runner.cache`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

import pytest

from ..runner.cache import PassCache

__all__ = [
    "CACHE_KEY_KEY",
    "PASS_CACHE_KEY",
    "REPORT_ATTR",
    "cache_wanted",
    "open_pass_cache",
    "record_report",
    "written_by_the_run",
]

# A report attribute rather than a user property, which JUnit would print.
REPORT_ATTR: Final = "prove_cache_key"
PASS_CACHE_KEY = pytest.StashKey[PassCache]()
# an item's pass-cache key, for its report
CACHE_KEY_KEY = pytest.StashKey[str]()


def cache_wanted(config: pytest.Config) -> bool:
    """Whether this run uses the cache (known from ``pytest_configure`` on)."""
    return not config.getoption("prove_no_cache") and config.pluginmanager.hasplugin(
        "cacheprovider"
    )


def written_by_the_run(config: pytest.Config) -> list[Path]:
    """The report files this run writes, each where its writer puts it: a CI job that writes
    ``--junitxml=report.xml`` inside the repository it gates has not changed the repository."""
    here = Path.cwd()
    found = []
    xml = getattr(config.option, "xmlpath", None)
    if xml:  # pytest's junitxml: expanded, then taken from the working directory
        found.append(here / os.path.expanduser(os.path.expandvars(xml)))
    if getattr(config.option, "json_report", False):
        json_file = getattr(config.option, "json_report_file", None)
        if json_file:  # pytest-json-report opens it as given
            found.append(here / json_file)
    for option in ("prove_sarif", "prove_gitlab_codequality"):
        target = config.getoption(option, None)
        if target:  # report/sinks/json_file.py: from where pytest was started
            found.append(config.invocation_params.dir / target)
    return found


def open_pass_cache(config: pytest.Config) -> PassCache | None:
    """The pass cache, or ``None`` when it is turned off or pytest has no cache."""
    cache: pytest.Cache | None = getattr(config, "cache", None)
    if cache is None or not cache_wanted(config):
        return None
    return PassCache(cache, written_by_the_run(config))


def record_report(passes: PassCache, report: pytest.TestReport) -> None:
    """Note a gate's outcome (controller only): a pass is kept, a failure forgotten."""
    if report.failed or hasattr(report, "wasxfail"):
        passes.forget(report.nodeid)
        return
    key = getattr(report, REPORT_ATTR, None)
    if report.passed and report.when == "call" and isinstance(key, str):
        passes.keep(report.nodeid, key)
