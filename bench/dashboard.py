"""Benchmark: the dashboard of a 1,000-repository fleet (issue 9: opens in Chromium under 2 s).

Usage: python bench/dashboard.py [--repos 1000] [--checks 9] [--history 30] [--runs 3]

Builds ``--history`` run records of repos x checks gates (one gate in 12 failing with three
findings), stores them in a real history file, then measures:

- reading them back as the dashboard consumer does (``recent_history``: outlines, the newest
  run in full, and the outcomes of the gates of the runs each gate's trail shows) and rendering
  the page;
- headless Chromium loading the page from a file with ``--dump-dom``: the page's own
  figures (``data-loaded-ms`` on ``<main>``: navigation to the load event with layout done;
  ``data-render-ms``: its script), and the whole process (start-up, load, serialising the
  DOM to stdout, exit);
- for reference, the same for an empty page (start-up) and for a page of plain text as large
  as the dashboard (what ``--dump-dom`` costs by size alone).

Medians of ``--runs``.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_prove.report.history.store import open_history
from pytest_prove.report.run_record import GateRecord, Outcome, RunRecord
from pytest_prove.report.sinks.dashboard import recent_history
from pytest_prove.report.views.dashboard import render_dashboard

PAGE_ROWS = 50  # dashboard_matrix.js
CHECKS = ("commit-msg", "coverage", "secrets", "tdd", "trunk", "lint", "types", "unit", "docs")


def make_run(index: int, repos: int, checks: int) -> RunRecord:
    started = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=index)
    gates = []
    for r in range(repos):
        for c, check in enumerate((CHECKS * (checks // len(CHECKS) + 1))[:checks]):
            failing = (r * checks + c + index) % 12 == 0
            outcome: Outcome = "failed" if failing else "passed"
            findings = tuple(
                {
                    "rule": "R1",
                    "severity": "error",
                    "file": f"src/m{i}.py",
                    "line": i + 1,
                    "message": f"finding {i} of service-{r:04d}",
                }
                for i in range(3 if failing else 0)
            )
            gates.append(
                GateRecord(
                    nodeid=f"multi.yaml::service-{r:04d}::{check}-{c}",
                    repo=f"service-{r:04d}",
                    check=f"{check}-{c}",
                    outcome=outcome,
                    duration=0.05 + (r % 17) / 100,
                    summary=f"{len(findings)} findings",
                    base="main",
                    head="0" * 40,
                    findings=findings,
                )
            )
    return RunRecord(
        id=f"run-{index:04d}",
        started=started,
        finished=started + datetime.timedelta(seconds=60 + index),
        host="bench",
        command=("prove",),
        config_digest="0" * 64,
        exit_status=1,
        gates=tuple(gates),
    )


def chromium(binary: str, profile: Path, page: Path) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return time.perf_counter() - began, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--checks", type=int, default=9)
    parser.add_argument("--history", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        history = root / "history.db"
        with open_history(history) as store:
            for index in range(args.history):
                store.add(make_run(index, args.repos, args.checks))
        reads, renders = [], []
        for _ in range(args.runs):
            began = time.perf_counter()
            runs, outcomes, problem = recent_history(history)
            reads.append(time.perf_counter() - began)
            assert not problem, problem
            began = time.perf_counter()
            html = render_dashboard(runs, outcomes=outcomes)
            renders.append(time.perf_counter() - began)
        page = root / "dashboard.html"
        page.write_text(html)
        empty = root / "empty.html"
        empty.write_text("<!DOCTYPE html><title>empty</title>")
        # Control: as many bytes of plain text, no script: what --dump-dom costs by size alone.
        plain = root / "plain.html"
        plain.write_text("<!DOCTYPE html><p>" + "x" * len(html))
        loads, pages, scripts, bare, text = [], [], [], [], []
        for attempt in range(args.runs):
            seconds, dom = chromium(binary, root / f"profile-{attempt}", page)
            loaded = re.search(r'data-loaded-ms="(\d+)"', dom)
            rendered = re.search(r'data-render-ms="(\d+)"', dom)
            # one page of rows is drawn, whatever the fleet's size
            rows = min(args.repos, PAGE_ROWS)
            if not (loaded and rendered and dom.count("<td") == rows * args.checks):
                print("the page did not render", file=sys.stderr)
                return 1
            pages.append(int(loaded.group(1)) / 1000)
            scripts.append(int(rendered.group(1)) / 1000)
            loads.append(seconds)
            bare.append(chromium(binary, root / f"bare-{attempt}", empty)[0])
            text.append(chromium(binary, root / f"text-{attempt}", plain)[0])
    gates = args.repos * args.checks
    print(f"fleet: {args.repos} repos x {args.checks} checks = {gates} gates, {args.history} runs")
    print(f"page size: {len(html.encode()) / 1e6:.2f} MB")
    print(f"history read ({len(runs)} of {args.history} runs): {statistics.median(reads):.2f} s")
    print(f"render_dashboard: {statistics.median(renders):.2f} s")
    print(f"page loaded and laid out: {statistics.median(pages):.2f} s (target < 2 s)")
    print(f"  of which the page's script: {statistics.median(scripts):.2f} s")
    print(f"chromium --dump-dom, whole process: {statistics.median(loads):.2f} s")
    print(f"chromium --dump-dom of an empty page, whole process: {statistics.median(bare):.2f} s")
    print(f"chromium --dump-dom of plain text as large: {statistics.median(text):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
