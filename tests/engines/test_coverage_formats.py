"""JS/TS reports (checked-in LCOV and Cobertura fixtures), path mapping and discovery."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.checks.coverage import (
    CoverageSettings,
    DiffCoverage,
    check_coverage,
    diff_coverage,
    line_ranges,
)
from pytest_prove.engines.coverage.cobertura import read_cobertura
from pytest_prove.engines.coverage.lcov import read_lcov
from pytest_prove.engines.coverage.model import CoverageDataError
from pytest_prove.engines.coverage.paths import PathMapper
from pytest_prove.git import RepoContext
from tests.peers import peer_executable
from tests.repo_builder import MakeRepo, RepoBuilder

DATA = Path(__file__).resolve().parents[1] / "data" / "coverage"
CART_BASE = """\
export interface Item {
  price: number;
  qty: number;
}

export function total(items: Item[]): number {
  let sum = 0;
  for (const item of items) {
    sum += item.price;
  }
  return sum;
}
"""
CART = CART_BASE.replace("item.price;", "item.price * item.qty;") + (
    "\nexport function isEmpty(items: Item[]): boolean {\n"
    "  return items.length === 0 ? true : false;\n}\n"
)
PRICE = """\
export function discount(price: number, code: string): number {
  if (code === "HALF") {
    return price / 2;
  }
  if (code === "TENTH") {
    return price * 0.9;
  }
  return price;
}
"""
UTIL = "export function clamp(n: number): number {\n  return Math.max(0, n);\n}\n"


def js_repo(
    make_repo: MakeRepo, report: str | None = None, target: str | None = None
) -> RepoBuilder:
    """A web app's branch: src/cart.ts edited (line 9, lines 13-16 added), src/price.ts added."""
    repo = make_repo("web")
    repo.commit(
        "base",
        files={".gitignore": "coverage/\n*.json\n", "src/cart.ts": CART_BASE, "src/util.ts": UTIL},
    )
    repo.git("checkout", "-q", "-b", "feat/discount")
    repo.commit("feat: discount", files={"src/cart.ts": CART, "src/price.ts": PRICE})
    if report is not None:
        destination = repo.path / (target or f"coverage/{report}")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / report, destination)
    return repo


def run(repo: RepoBuilder, **settings: Any) -> DiffCoverage:
    outcome = diff_coverage(RepoContext(repo.path, base="main"), CoverageSettings(**settings))
    assert isinstance(outcome, DiffCoverage), outcome
    return outcome


def missed(outcome: DiffCoverage) -> dict[str, tuple[int, ...]]:
    return {f.path: f.missed for f in outcome.measurement.files}


def diff_cover(repo: RepoBuilder, report: str) -> dict[str, Any]:
    out = repo.path / "peer.json"
    subprocess.run(
        [
            *(
                peer_executable("diff-cover"),
                report,
                "--compare-branch=main",
                "--total-percent-float",
                "-q",
            ),
            f"--format=json:{out}",
        ],
        cwd=repo.path,
        check=True,
        capture_output=True,
    )
    data: dict[str, Any] = json.loads(out.read_text())
    return data


@pytest.mark.parametrize(
    ("report", "expected", "measurable"),
    [
        # LCOV: a function's FN line counts (FNDA hits) where no DA gives it.
        ("lcov.info", {"src/cart.ts": (14, 15), "src/price.ts": (6,)}, 9),
        # Istanbul's Cobertura: lines inside <methods> do not count, as for diff-cover.
        ("cobertura-coverage.xml", {"src/cart.ts": (15,), "src/price.ts": (6,)}, 7),
    ],
)
def test_js_fixture_reports_agree_with_diff_cover(
    make_repo: MakeRepo, report: str, expected: dict[str, tuple[int, ...]], measurable: int
) -> None:
    repo = js_repo(make_repo, report)
    outcome = run(repo)  # found automatically under coverage/
    assert missed(outcome) == expected
    assert outcome.measurement.measurable == measurable
    peer = diff_cover(repo, f"coverage/{report}")
    assert {p: tuple(s["violation_lines"]) for p, s in peer["src_stats"].items()} == expected
    assert peer["total_num_lines"] == measurable
    assert outcome.measurement.percent is not None
    assert round(outcome.measurement.percent, 2) == peer["total_percent_covered"]


def test_cobertura_branch_metric_and_branch_mode(make_repo: MakeRepo) -> None:
    repo = js_repo(make_repo, "cobertura-coverage.xml")
    result = check_coverage(RepoContext(repo.path, base="main"), CoverageSettings(threshold=0))
    # Changed lines with conditions: cart 15 (0/2), price 2 (2/2) and 5 (1/2).
    assert (result.metrics["branches_covered"], result.metrics["branches_total"]) == (3, 6)
    assert result.metrics["branch_percent"] == 50.0
    assert missed(run(repo, branch=True)) == {"src/cart.ts": (15,), "src/price.ts": (5, 6)}


def _rewrite(repo: RepoBuilder, name: str, old: str, new: str) -> None:
    path = repo.path / "coverage" / name
    path.write_text(path.read_text().replace(old, new))


@pytest.mark.parametrize(
    "prefix",
    [
        "/home/runner/work/web/web/",  # absolute, on the CI machine
        "C:\\a\\web\\",  # a Windows runner
        "{root}/",  # absolute, here
        "./",
    ],
)
def test_lcov_paths_are_mapped(make_repo: MakeRepo, prefix: str) -> None:
    repo = js_repo(make_repo, "lcov.info")
    prefix = prefix.format(root=repo.path)
    if "\\" in prefix:
        _rewrite(repo, "lcov.info", "SF:src/", f"SF:{prefix}src\\")
    else:
        _rewrite(repo, "lcov.info", "SF:src/", f"SF:{prefix}src/")
    assert missed(run(repo)) == {"src/cart.ts": (14, 15), "src/price.ts": (6,)}


def test_reports_written_in_a_subdirectory(make_repo: MakeRepo) -> None:
    """A package whose tests ran in web/: paths relative to web/, found by tail or source_roots."""
    repo = make_repo("mono")
    repo.commit("base", files={"web/src/cart.ts": CART_BASE, "web/src/util.ts": UTIL})
    repo.git("checkout", "-q", "-b", "feat/discount")
    repo.commit("feat", files={"web/src/cart.ts": CART, "web/src/price.ts": PRICE})
    shutil.copyfile(DATA / "lcov.info", repo.path / "web-lcov.info")
    expected = {"web/src/cart.ts": (14, 15), "web/src/price.ts": (6,)}
    assert missed(run(repo, reports=["web-lcov.info"])) == expected
    assert missed(run(repo, reports=["web-lcov.info"], source_roots=["web"])) == expected


def test_cobertura_source_roots_place_relative_filenames(make_repo: MakeRepo) -> None:
    repo = make_repo("mono")
    repo.commit("base", files={"web/src/cart.ts": CART_BASE, "web/src/util.ts": UTIL})
    repo.git("checkout", "-q", "-b", "feat/discount")
    repo.commit("feat", files={"web/src/cart.ts": CART, "web/src/price.ts": PRICE})
    xml = (DATA / "cobertura-coverage.xml").read_text()
    (repo.path / "coverage.xml").write_text(
        xml.replace("/home/runner/work/web/web", str(repo.path / "web"))
    )
    assert missed(run(repo)) == {"web/src/cart.ts": (15,), "web/src/price.ts": (6,)}


def test_unchanged_file_of_the_same_name_is_not_taken_for_a_changed_one(
    make_repo: MakeRepo,
) -> None:
    repo = make_repo("mono")
    repo.commit("base", files={"src/price.ts": PRICE, "web/src/util.ts": UTIL})
    repo.git("checkout", "-q", "-b", "feat/x")
    repo.commit("feat", files={"web/src/price.ts": PRICE})
    shutil.copyfile(DATA / "lcov.info", repo.path / "lcov.info")
    # SF:src/price.ts is the unchanged root file, not web/src/price.ts.
    assert missed(run(repo)) == {}


def test_discovery_order(make_repo: MakeRepo) -> None:
    repo = js_repo(make_repo, "lcov.info", "lcov.info")
    shutil.copyfile(DATA / "cobertura-coverage.xml", repo.path / "coverage.xml")
    # coverage.xml comes before lcov.info in the search order.
    assert [r.label for r in run(repo).reports] == ["coverage.xml"]
    assert [r.label for r in run(repo, reports=["lcov.info"]).reports] == ["lcov.info"]


def test_several_reports_combine_like_diff_cover(make_repo: MakeRepo) -> None:
    repo = js_repo(make_repo, "lcov.info", "a.info")
    shutil.copyfile(DATA / "lcov.info", repo.path / "b.info")
    # Line 15 ran in the second run only: missed only where every report misses it.
    _rewrite_file = repo.path / "b.info"
    _rewrite_file.write_text(_rewrite_file.read_text().replace("DA:15,0", "DA:15,1"))
    outcome = run(repo, reports=["a.info", "b.info"])
    assert missed(outcome) == {"src/cart.ts": (14,), "src/price.ts": (6,)}


def test_exclude_globs(make_repo: MakeRepo) -> None:
    repo = js_repo(make_repo, "lcov.info")
    assert missed(run(repo, exclude=["src/price.*"])) == {"src/cart.ts": (14, 15)}


@pytest.mark.parametrize(
    ("lines", "ranges"),
    [([], []), ([5], [(5, 5)]), ([1, 2, 3, 7, 9, 10], [(1, 3), (7, 7), (9, 10)])],
)
def test_line_ranges(lines: list[int], ranges: list[tuple[int, int]]) -> None:
    assert line_ranges(lines) == ranges


@given(st.lists(st.integers(1, 10_000), unique=True))
def test_line_ranges_cover_exactly_the_lines(lines: list[int]) -> None:
    ranges = line_ranges(sorted(lines))
    assert sorted(n for a, b in ranges for n in range(a, b + 1)) == sorted(lines)
    assert all(b1 + 1 < a2 for (_, b1), (a2, _) in itertools.pairwise(ranges))


_LCOV_LINES = st.one_of(
    st.sampled_from(["SF:src/cart.ts", "SF:src/other.ts", "end_of_record", "TN:", "DA:1,1"]),
    st.builds(
        lambda d, a: f"{d}:{a}",
        st.sampled_from(["DA", "BRDA", "FN", "FNDA", "XX"]),
        st.text("0123456789,-abc", max_size=12),
    ),
    st.text(max_size=20),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_LCOV_LINES, max_size=30))
def test_lcov_parser_never_crashes(tmp_path: Path, lines: list[str]) -> None:
    path = tmp_path / "fuzz.info"
    path.write_text("\n".join(lines), encoding="utf-8", errors="surrogateescape")
    mapper = PathMapper(tmp_path, ["src/cart.ts"])
    try:
        files = set(read_lcov(path, "fuzz.info", mapper).files)
    except CoverageDataError as exc:
        files, message = set(), str(exc)
    else:
        message = "fuzz.info"
    assert message.startswith("fuzz.info")
    assert files <= {"src/cart.ts"}


_XML = (DATA / "cobertura-coverage.xml").read_bytes()


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.integers(0, len(_XML)),
    st.integers(0, len(_XML)),
    st.binary(max_size=8) | st.sampled_from([b"<", b">", b'"', b"</class>", b"<class "]),
)
def test_cobertura_reader_never_crashes(tmp_path: Path, cut: int, at: int, noise: bytes) -> None:
    """Truncated or spliced reports give a Report or a CoverageDataError naming the file."""
    path = tmp_path / "fuzz.xml"
    path.write_bytes(_XML[:at] + noise + _XML[at:cut] if at < cut else _XML[:cut])
    mapper = PathMapper(tmp_path, ["src/cart.ts", "src/price.ts"])
    try:
        files = set(read_cobertura(path, "fuzz.xml", mapper).files)
    except CoverageDataError as exc:
        files, message = set(), str(exc)
    else:
        message = "fuzz.xml"
    assert message.startswith("fuzz.xml")
    assert files <= {"src/cart.ts", "src/price.ts"}
