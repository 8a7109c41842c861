"""``--prove-affected``: only the projects a change touches, and those that depend on them.

A JS workspace of three packages (``ui`` is used by ``web``; ``api`` stands alone), gated
by workspace discovery, under ``-n 0`` and ``-n 2``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pytest_prove.plugin.affected import affected_entries
from tests.fleet_file import entry, write_fleet
from tests.monorepo_builder import run_gates
from tests.repo_builder import RepoBuilder

XDIST = {"n0": [], "n2": ["-n", "2"]}


@dataclasses.dataclass(frozen=True)
class Plan:
    name: str
    depends_on: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()


def test_affected_follows_uses_and_depends_on_however_indirectly() -> None:
    plans = [
        Plan("ui"),
        Plan("forms", uses=("ui",)),
        Plan("web", uses=("forms",)),
        Plan("e2e", depends_on=("web",)),
        Plan("api"),
    ]
    assert affected_entries(plans, ["ui"]) == {  # type: ignore[arg-type]
        "ui": "changed",
        "forms": "uses ui",
        "web": "uses forms",
        "e2e": "depends on web",
    }
    assert affected_entries(plans, []) == {}  # type: ignore[arg-type]
    assert affected_entries(plans, ["api"]) == {"api": "changed"}  # type: ignore[arg-type]


@pytest.fixture
def shop(pytester: pytest.Pytester) -> RepoBuilder:
    repo = RepoBuilder(pytester.path / "shop").init()
    repo.commit(
        "chore: the workspace",
        files={
            "package.json": '{"private": true, "workspaces": ["packages/*"]}\n',
            "packages/ui/package.json": '{"name": "@shop/ui"}\n',
            "packages/ui/src/button.js": "export const b = 1;\n",
            "packages/web/package.json": (
                '{"name": "@shop/web", "dependencies": {"@shop/ui": "workspace:*"}}\n'
            ),
            "packages/web/src/page.js": "export const p = 1;\n",
            "packages/api/package.json": '{"name": "@shop/api"}\n',
            "packages/api/src/server.js": "export const s = 1;\n",
        },
    )
    repo.git("checkout", "-q", "-b", "feat/button")
    return repo


def _run(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, dict[str, str]]:
    result, tests = run_gates(pytester, "--prove-affected", *args)
    return result, {name: test["outcome"] for name, test in tests.items()}


def _workspace_fleet(pytester: pytest.Pytester, shop: RepoBuilder) -> None:
    write_fleet(
        pytester,
        {"discover": {"root": str(shop.path), "workspaces": True}, "checks": ["commit-msg"]},
    )


@pytest.mark.parametrize("xdist", XDIST.values(), ids=XDIST.keys())
def test_a_change_keeps_its_project_and_those_that_use_it(
    pytester: pytest.Pytester, shop: RepoBuilder, xdist: list[str]
) -> None:
    shop.commit("feat(ui): a bigger button", files={"packages/ui/src/button.js": "b = 2;\n"})
    _workspace_fleet(pytester, shop)
    result, gates = _run(pytester, *xdist)
    assert gates == {"packages-ui::commit-msg": "passed", "packages-web::commit-msg": "passed"}
    result.stdout.fnmatch_lines(
        [
            "prove --prove-affected: 2 of 3 repositories and projects affected: "
            "packages-ui (changed), packages-web (uses packages-ui)"
        ]
    )
    if not xdist:  # xdist's controller does not count its workers' deselections
        result.stdout.fnmatch_lines(["*1 deselected*"])


def test_staged_unstaged_and_untracked_changes_count(
    pytester: pytest.Pytester, shop: RepoBuilder
) -> None:
    _workspace_fleet(pytester, shop)
    _, gates = _run(pytester)
    assert gates == {}  # nothing changed on the branch: nothing to gate, and said so
    shop.write("packages/api/src/new.js", "export const n = 1;\n")  # untracked
    _, gates = _run(pytester)
    assert gates == {"packages-api::commit-msg": "passed"}
    shop.write("packages/web/src/page.js", "export const p = 2;\n")  # unstaged
    _, gates = _run(pytester)
    assert set(gates) == {"packages-api::commit-msg", "packages-web::commit-msg"}


def test_an_entry_whose_changes_cannot_be_told_is_kept(
    pytester: pytest.Pytester, shop: RepoBuilder, tmp_path: Path
) -> None:
    (tmp_path / "plain").mkdir()
    write_fleet(
        pytester,
        entry("ui", shop.path / "packages" / "ui", ["commit-msg"]),
        entry("plain", tmp_path / "plain", ["commit-msg"]),
    )
    result, gates = _run(pytester)
    assert gates == {"plain::commit-msg": "failed"}  # not a repository: its gate says so
    result.stdout.fnmatch_lines(["prove --prove-affected: 1 of 2 *: plain (changed)"])
