"""Workspace members of a monorepo: npm/yarn, pnpm, Cargo, go.work and uv.

The layouts are the shapes real projects use; where a manifest is short it is copied
from the project (jest's package.json ``workspaces``, vite's pnpm-workspace.yaml
``packages``, cargo's own ``[workspace]``, uv's documentation example).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_prove.config.workspaces import Member, WorkspaceError, workspace_members

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def layout(root: Path, files: dict[str, str]) -> Path:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def package(name: str, **sections: dict[str, str]) -> str:
    return json.dumps({"name": name, "version": "1.0.0", **sections}, indent=2)


def by_path(members: tuple[Member, ...]) -> dict[str, Member]:
    return {m.path: m for m in members}


# --- npm and yarn ----------------------------------------------------------------------

# jestjs/jest package.json, trimmed to the keys that matter here.
JEST_ROOT = """\
{
  "name": "@jest/monorepo",
  "private": true,
  "version": "0.0.0",
  "devDependencies": {
    "@babel/core": "^7.27.4"
  },
  "workspaces": [
    "packages/*",
    "website",
    "examples/*"
  ]
}
"""


def test_npm_workspaces_as_jest_declares_them(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "package.json": JEST_ROOT,
            "packages/jest-cli/package.json": package(
                "jest-cli",
                dependencies={"@jest/core": "workspace:*", "chalk": "^4.1.2"},
                devDependencies={"@types/yargs": "^17.0.33"},
            ),
            "packages/jest-core/package.json": package(
                "@jest/core", peerDependencies={"jest-util": "^30"}
            ),
            "packages/jest-util/package.json": package("jest-util"),
            "packages/README.md": "not a package\n",
            "packages/scratch/notes.txt": "a directory without package.json is no match\n",
            "website/package.json": package("jest-website", optionalDependencies={"jest-cli": "*"}),
            "examples/angular/package.json": package("example-angular"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ()
    assert [m.path for m in workspace.members] == [
        "examples/angular",
        "packages/jest-cli",
        "packages/jest-core",
        "packages/jest-util",
        "website",
    ]
    cli = by_path(workspace.members)["packages/jest-cli"]
    assert cli == Member(
        name="packages-jest-cli",
        path="packages/jest-cli",
        tool="npm",
        manifest="packages/jest-cli/package.json",
        package="jest-cli",
        depends_on=("packages-jest-core",),
    )
    members = by_path(workspace.members)
    assert members["packages/jest-core"].depends_on == ("packages-jest-util",)
    assert members["website"].depends_on == ("packages-jest-cli",)
    assert members["website"].name == "website"


def test_yarn_classic_packages_object(tmp_path: Path) -> None:
    root = {
        "private": True,
        "workspaces": {"packages": ["packages/*"], "nohoist": ["**/react-native"]},
    }
    layout(
        tmp_path,
        {
            "package.json": json.dumps(root),
            "packages/app/package.json": package("app", dependencies={"ui": "1.0.0"}),
            "packages/ui/package.json": package("ui"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert [(m.path, m.tool, m.depends_on) for m in workspace.members] == [
        ("packages/app", "npm", ("packages-ui",)),
        ("packages/ui", "npm", ()),
    ]


def test_npm_negation_and_a_later_pattern_that_overrides_it(tmp_path: Path) -> None:
    # @npmcli/map-workspaces: a positive pattern drops the earlier negations that match
    # it, so "packages/b/a" after "!packages/b/**" cancels that negation as a whole (its
    # comment: the list "becomes ['packages/**', 'packages/b/a']"); "!packages/c" stays.
    # "./" and "/" are dropped; node_modules is never searched.
    root = {"workspaces": ["./packages/**", "!packages/b/**", "/packages/b/a", "!packages/c"]}
    layout(
        tmp_path,
        {
            "package.json": json.dumps(root),
            "packages/a/package.json": package("a"),
            "packages/b/package.json": package("b"),
            "packages/b/a/package.json": package("b-a"),
            "packages/b/z/package.json": package("b-z"),
            "packages/c/package.json": package("c"),
            "packages/a/node_modules/dep/package.json": package("dep"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert [m.path for m in workspace.members] == [
        "packages/a",
        "packages/b",
        "packages/b/a",
        "packages/b/z",
    ]
    assert workspace.problems == ()


def test_npm_negation_excludes_the_directory_and_below(tmp_path: Path) -> None:
    root = {"workspaces": ["packages/**", "!packages/b/**"]}
    layout(
        tmp_path,
        {
            "package.json": json.dumps(root),
            "packages/a/package.json": package("a"),
            "packages/b/package.json": package("b"),
            "packages/b/z/package.json": package("b-z"),
        },
    )
    assert [m.path for m in workspace_members(tmp_path).members] == ["packages/a"]


def test_npm_braces_and_dot_directories(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "package.json": json.dumps({"workspaces": ["{apps,libs}/*"]}),
            "apps/web/package.json": package("web"),
            "libs/core/package.json": package("core"),
            "libs/.cache/package.json": package("cache"),  # node-glob: * skips dot names
        },
    )
    assert [m.path for m in workspace_members(tmp_path).members] == ["apps/web", "libs/core"]


# --- pnpm -------------------------------------------------------------------------------

# vitejs/vite pnpm-workspace.yaml: its `packages` and the first settings after them,
# plus pnpm's documented exclusion of test directories.
VITE_WORKSPACE = """\
packages:
  - 'packages/*'
  - 'playground/**'
  - 'packages/**/__tests__/**'
  - docs
  - '!**/test/**'

hoistPattern:
  - postcss # package/vite
shellEmulator: true
overrides:
  vite: 'workspace:*'
"""


def test_pnpm_workspace_as_vite_declares_it(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "pnpm-workspace.yaml": VITE_WORKSPACE,
            "package.json": package("@vitejs/vite-monorepo"),  # no workspaces: pnpm's file rules
            "packages/vite/package.json": package("vite"),
            "packages/plugin-legacy/package.json": package(
                "@vitejs/plugin-legacy", peerDependencies={"vite": "workspace:*"}
            ),
            "packages/vite/src/node/__tests__/package.json": package("@vitejs/test-node"),
            "playground/alias/package.json": package(
                "@vitejs/test-alias", devDependencies={"vite": "workspace:*"}
            ),
            "playground/alias/dir/module/package.json": package("@vitejs/test-module"),
            "playground/test/package.json": package("excluded-by-pattern"),
            "playground/ssr/node_modules/x/package.json": package("x"),
            "docs/package.json": package("docs"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ()
    members = by_path(workspace.members)
    assert sorted(members) == [
        "docs",
        "packages/plugin-legacy",
        "packages/vite",
        "packages/vite/src/node/__tests__",
        "playground/alias",
        "playground/alias/dir/module",
    ]
    assert {m.tool for m in workspace.members} == {"pnpm"}
    assert members["playground/alias"].depends_on == ("packages-vite",)
    assert members["packages/vite/src/node/__tests__"].name == "packages-vite-src-node-__tests__"


def test_pnpm_without_packages_has_no_members(tmp_path: Path) -> None:
    layout(tmp_path, {"pnpm-workspace.yaml": "catalog:\n  chalk: ^4.1.2\n"})
    workspace = workspace_members(tmp_path)
    assert workspace.members == ()
    assert workspace.problems == ("pnpm-workspace.yaml: packages: lists no members",)


# --- Cargo ------------------------------------------------------------------------------

# rust-lang/cargo Cargo.toml, its [workspace] and a few [workspace.dependencies].
CARGO_ROOT = """\
[workspace]
resolver = "2"
members = [
  "crates/*",
  "credential/*",
  "benches/benchsuite",
  "benches/capture",
]
exclude = [
  "target/", # exclude bench testing
  "crates/xtask-experimental",
]

[workspace.dependencies]
anyhow = "1.0.102"
cargo = { path = "" }
cargo-credential = { version = "0.4.11", path = "credential/cargo-credential" }
cargo-util = { version = "0.2.32", path = "crates/cargo-util" }

[package]
name = "cargo"
version = "0.97.0"

[dependencies]
cargo-util.workspace = true
gix-local = { path = "vendor/gix-local" }
"""


def test_cargo_workspace_as_cargo_declares_it(tmp_path: Path) -> None:
    crate = '[package]\nname = "{}"\nversion = "0.1.0"\n'
    layout(
        tmp_path,
        {
            "Cargo.toml": CARGO_ROOT,
            "crates/cargo-util/Cargo.toml": crate.format("cargo-util")
            + "\n[dependencies]\nanyhow.workspace = true\n",
            "crates/home/Cargo.toml": crate.format("home"),
            "crates/xtask-experimental/Cargo.toml": crate.format("xtask-experimental"),
            "credential/README.md": "# credential helpers\n",  # a file: never a member
            "credential/cargo-credential/Cargo.toml": crate.format("cargo-credential"),
            "credential/cargo-credential-libsecret/Cargo.toml": crate.format(
                "cargo-credential-libsecret"
            )
            + "\n[dependencies]\ncargo-credential.workspace = true\n"
            + "\n[target.'cfg(unix)'.dev-dependencies]\n"
            + 'home = { path = "../../crates/home" }\n',
            "benches/benchsuite/Cargo.toml": crate.format("benchsuite")
            + '\n[dependencies]\ncargo = { path = "../.." }\n'
            + 'bench-helper = { path = "../helper" }\n',
            "benches/capture/Cargo.toml": crate.format("capture"),
            # Not listed: members because a member depends on them by path (Cargo's rule).
            "benches/helper/Cargo.toml": crate.format("bench-helper"),
            "vendor/gix-local/Cargo.toml": crate.format("gix-local"),
            "target/debug/build/x/Cargo.toml": crate.format("x"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ()
    members = by_path(workspace.members)
    assert sorted(members) == [
        "benches/benchsuite",
        "benches/capture",
        "benches/helper",
        "crates/cargo-util",
        "crates/home",
        "credential/cargo-credential",
        "credential/cargo-credential-libsecret",
        "vendor/gix-local",
    ]
    libsecret = members["credential/cargo-credential-libsecret"]
    assert libsecret.manifest == "credential/cargo-credential-libsecret/Cargo.toml"
    assert libsecret.package == "cargo-credential-libsecret"
    assert libsecret.depends_on == ("crates-home", "credential-cargo-credential")
    # The root package (path "") is the repository itself, not a member to depend on.
    assert members["benches/benchsuite"].depends_on == ("benches-helper",)


def test_cargo_explicit_member_overrides_exclude(tmp_path: Path) -> None:
    # Cargo's is_excluded: an exclude path does not apply below a listed member path.
    layout(
        tmp_path,
        {
            "Cargo.toml": '[workspace]\nmembers = ["libs/*", "libs/legacy"]\nexclude = ["libs"]\n',
            "libs/new/Cargo.toml": '[package]\nname = "new"\n',
            "libs/legacy/Cargo.toml": '[package]\nname = "legacy"\n',
        },
    )
    assert [m.path for m in workspace_members(tmp_path).members] == ["libs/legacy"]


def test_cargo_member_without_manifest_is_a_problem(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "Cargo.toml": '[workspace]\nmembers = [\n  "crates/*",\n  "tools/gone",\n]\n',
            "crates/a/Cargo.toml": '[package]\nname = "a"\n',
            "crates/empty/.keep": "",
        },
    )
    workspace = workspace_members(tmp_path)
    assert [m.path for m in workspace.members] == ["crates/a", "crates/empty"]
    assert by_path(workspace.members)["crates/empty"].package is None
    assert workspace.problems == (
        "Cargo.toml:4: [workspace] members pattern 'tools/gone' matches no package",
        "crates/empty/Cargo.toml: not found",
    )


# --- go.work ----------------------------------------------------------------------------

GO_WORK = """\
go 1.22

// the two modules of this repository
use (
\t./api    // the HTTP service
\t"./lib"
)
use .

replace example.com/old v1.0.0 => ./lib
"""


def test_go_work_with_two_modules_and_a_require(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "go.work": GO_WORK,
            "go.mod": "module example.com/root\n",
            "api/go.mod": "module example.com/api\n\ngo 1.22\n\nrequire (\n"
            "\texample.com/lib v0.0.0-00010101000000-000000000000\n"
            "\tgolang.org/x/text v0.14.0 // indirect\n)\n",
            "lib/go.mod": 'module "example.com/lib"\n\ngo 1.22\n',
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ()
    assert workspace.members == (
        Member("api", "api", "go", "api/go.mod", "example.com/api", ("lib",)),
        Member("lib", "lib", "go", "lib/go.mod", "example.com/lib", ()),
    )


def test_go_work_single_use_and_a_directory_without_go_mod(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "go.work": "go 1.21\nuse ./tools\nuse ./mod // main module\n",
            "mod/go.mod": "module example.com/mod\nrequire example.com/tools v1.0.0\n",
            "tools/README": "no go.mod yet\n",
        },
    )
    workspace = workspace_members(tmp_path)
    # tools stays a member (go would refuse the go.work); its module path is unknown.
    assert [(m.path, m.package) for m in workspace.members] == [
        ("mod", "example.com/mod"),
        ("tools", None),
    ]
    assert workspace.problems == ("tools/go.mod: not found",)


# --- uv ---------------------------------------------------------------------------------

# docs.astral.sh/uv/concepts/projects/workspaces: the albatross example.
UV_ROOT = """\
[project]
name = "albatross"
version = "0.1.0"
requires-python = ">=3.12"
dependencies = ["bird-feeder", "tqdm>=4,<5"]

[tool.uv.sources]
bird-feeder = { workspace = true }
seeds = { workspace = true }

[tool.uv.workspace]
members = ["packages/*"]
exclude = ["packages/seeds"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""


def test_uv_workspace_as_the_docs_declare_it(tmp_path: Path) -> None:
    project = '[project]\nname = "{}"\nversion = "0.1.0"\n'
    layout(
        tmp_path,
        {
            "pyproject.toml": UV_ROOT,
            "packages/bird-feeder/pyproject.toml": project.format("bird-feeder")
            + 'dependencies = ["Bird_Bath >= 1", "seeds", "tqdm>=4,<5"]\n'
            + "\n[tool.uv.sources]\nbird-bath = [{ workspace = true }]\n",
            "packages/bird-bath/pyproject.toml": project.format("Bird.Bath")
            + "\n[dependency-groups]\ndev = ['bird-feeder', {include-group = 'x'}]\n"
            + "[tool.uv.sources]\nbird-feeder = { workspace = true }\n",
            "packages/seeds/pyproject.toml": project.format("seeds"),
            "packages/legacy/pyproject.toml": project.format("legacy")
            + "\n[tool.uv]\nmanaged = false\n",
            "packages/.venv/bin/python": "",  # hidden, no pyproject.toml: uv skips it
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ()
    assert workspace.members == (
        Member(
            "packages-bird-bath",
            "packages/bird-bath",
            "uv",
            "packages/bird-bath/pyproject.toml",
            "Bird.Bath",
            ("packages-bird-feeder",),
        ),
        Member(
            "packages-bird-feeder",
            "packages/bird-feeder",
            "uv",
            "packages/bird-feeder/pyproject.toml",
            "bird-feeder",
            # "seeds" has a workspace source (inherited from the root) but is excluded.
            ("packages-bird-bath",),
        ),
    )


def test_uv_dependency_without_workspace_source_is_not_a_member_dependency(
    tmp_path: Path,
) -> None:
    layout(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/a/pyproject.toml": '[project]\nname = "a"\ndependencies = ["b"]\n',
            "libs/b/pyproject.toml": '[project]\nname = "b"\n',
        },
    )
    assert [m.depends_on for m in workspace_members(tmp_path).members] == [(), ()]


# --- several tools, names ---------------------------------------------------------------


def test_several_manifests_union_deduplicated_by_path(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "package.json": json.dumps({"workspaces": ["packages/*"]}),
            "Cargo.toml": '[workspace]\nmembers = ["packages/native", "crates/*"]\n',
            "packages/web/package.json": package("web", dependencies={"native": "*"}),
            "packages/native/package.json": package("native"),
            "packages/native/Cargo.toml": '[package]\nname = "native-rs"\n'
            '[dependencies]\ncore = { path = "../../crates/core" }\n',
            "crates/core/Cargo.toml": '[package]\nname = "core"\n',
        },
    )
    workspace = workspace_members(tmp_path)
    members = by_path(workspace.members)
    assert sorted(members) == ["crates/core", "packages/native", "packages/web"]
    native = members["packages/native"]
    assert (native.tool, native.manifest, native.package) == (
        "npm",
        "packages/native/package.json",
        "native",
    )
    assert native.depends_on == ("crates-core",)  # from its Cargo.toml
    assert members["packages/web"].depends_on == ("packages-native",)


def test_names_are_valid_unique_and_deterministic(tmp_path: Path) -> None:
    paths = ["libs/a b", "libs/a-b", "libs/a+b", "libs/a-b-2", "libs/_x", "libs/..."]
    root = {"workspaces": ["libs/*"]}
    files = {f"{p}/package.json": package(p.split("/")[1]) for p in paths}
    layout(tmp_path, {"package.json": json.dumps(root), **files})
    workspace = workspace_members(tmp_path)
    names = {m.path: m.name for m in workspace.members}
    # libs/... is skipped: node-glob's * does not match a leading dot
    assert names == {
        "libs/_x": "libs-_x",
        "libs/a b": "libs-a-b-3",
        "libs/a+b": "libs-a-b-4",
        "libs/a-b": "libs-a-b",  # spelt exactly: it keeps the name
        "libs/a-b-2": "libs-a-b-2",
    }
    assert workspace.problems == ()


def test_duplicate_package_names_are_reported(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "package.json": json.dumps({"workspaces": ["a", "b", "c"]}),
            "a/package.json": package("same"),
            "b/package.json": package("same"),
            "c/package.json": package("c", dependencies={"same": "*"}),
        },
    )
    workspace = workspace_members(tmp_path)
    assert workspace.problems == ("package 'same' is declared by 2 members: a, b",)
    assert by_path(workspace.members)["c"].depends_on == ("a", "b")


def test_no_manifest_at_all(tmp_path: Path) -> None:
    layout(tmp_path, {"package.json": package("solo"), "Cargo.toml": '[package]\nname = "x"\n'})
    workspace = workspace_members(tmp_path)
    assert workspace.members == ()
    assert workspace.problems == (
        "no workspace manifest (package.json workspaces, pnpm-workspace.yaml, Cargo.toml "
        f"[workspace], go.work, pyproject.toml [tool.uv.workspace]) in {tmp_path}",
    )


# --- bad input: the manifest cannot be used --------------------------------------------


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "package.json",
            '{\n  "workspaces": [\n    "a",\n  ]\n}',
            "package.json:4: JSON syntax error",
        ),
        ("package.json", '{"workspaces": 5}', "package.json:1: workspaces (or workspaces"),
        (
            "package.json",
            '{"workspaces": {"nohoist": []}}',
            "must be a list of strings, not a table",
        ),
        ("package.json", '{"workspaces": ["a", 3]}', "not a list holding a number"),
        ("package.json", "[1, 2]", "package.json: must be a JSON object, not a list"),
        ("package.json", '{"a": ' * 5000 + "1" + "}" * 5000, "package.json"),
        ("pnpm-workspace.yaml", "packages:\n  - 'a\n", "pnpm-workspace.yaml:3: YAML syntax"),
        ("pnpm-workspace.yaml", "packages:\n  a: 1\n", "pnpm-workspace.yaml:1: packages must"),
        ("pnpm-workspace.yaml", "- a\n", "pnpm-workspace.yaml: must be a mapping, not a list"),
        ("Cargo.toml", "[workspace]\nmembers = [\n", "Cargo.toml:3: TOML syntax error"),
        ("Cargo.toml", '[workspace]\nmembers = "crates/*"\n', "Cargo.toml:2: workspace.members"),
        ("Cargo.toml", "workspace = 1\n", "Cargo.toml: workspace must be a table, not a number"),
        ("go.work", "go 1.22\nuse (\n  ./a\n", "go.work:2: 'use (' is never closed"),
        ("go.work", 'use "./a\n', "go.work:1: unterminated quoted string"),
        ("go.work", "use ./a ./b\n", "go.work:1: usage: use <directory>"),
        ("pyproject.toml", "[tool.uv]\nworkspace = 3\n", "tool.uv.workspace must be a table"),
        ("pyproject.toml", "[tool.uv.workspace]\nexclude = [1]\n", "pyproject.toml:1: tool.uv"),
        ("pyproject.toml", "[project\n", "pyproject.toml:1: TOML syntax error"),
    ],
)
def test_malformed_manifest_raises(tmp_path: Path, file: str, text: str, message: str) -> None:
    layout(tmp_path, {file: text})
    with pytest.raises(WorkspaceError) as raised:
        workspace_members(tmp_path)
    assert message in str(raised.value)


def test_every_malformed_manifest_is_named_at_once(tmp_path: Path) -> None:
    layout(tmp_path, {"package.json": "{", "go.work": "use (\n"})
    with pytest.raises(WorkspaceError) as raised:
        workspace_members(tmp_path)
    assert str(raised.value).splitlines() == [
        "package.json:1: JSON syntax error: Expecting property name enclosed in double quotes",
        "go.work:1: 'use (' is never closed by ')'",
    ]


def test_unreadable_manifests_raise(tmp_path: Path) -> None:
    (tmp_path / "package.json").mkdir()
    (tmp_path / "go.work").write_bytes(b"use \xff\n")
    with pytest.raises(WorkspaceError) as raised:
        workspace_members(tmp_path)
    assert str(raised.value).splitlines() == [
        "package.json: is a directory, not a file",
        "go.work: not valid UTF-8 (byte 4)",
    ]


def test_root_manifest_linked_outside_the_root_raises(tmp_path: Path) -> None:
    outside = layout(tmp_path / "outside", {"package.json": '{"workspaces": ["*"]}'})
    root = tmp_path / "repo"
    root.mkdir()
    (root / "package.json").symlink_to(outside / "package.json")
    with pytest.raises(WorkspaceError, match=r"package\.json: resolves through a symbolic link"):
        workspace_members(root)


def test_root_that_is_no_directory_raises(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a directory"):
        workspace_members(tmp_path / "missing")


# --- bad input: one pattern or member, reported, the others kept ----------------------


def test_patterns_leaving_the_root_are_problems(tmp_path: Path) -> None:
    layout(
        tmp_path / "repo",
        {
            "go.work": "use (\n\t../sibling\n\t./ok\n\t/etc\n\t./a/../../sibling\n)\n",
            "ok/go.mod": "module example.com/ok\n",
        },
    )
    layout(tmp_path, {"sibling/go.mod": "module example.com/sibling\n"})
    workspace = workspace_members(tmp_path / "repo")
    assert [m.path for m in workspace.members] == ["ok"]
    assert workspace.problems == (
        "go.work:2: use pattern '../sibling' leaves the workspace root through '..'",
        "go.work:4: use pattern '/etc' is an absolute path: members must be below the "
        "workspace root",
        "go.work:5: use pattern './a/../../sibling' leaves the workspace root through '..'",
    )


def test_symbolic_link_outside_the_root_is_a_problem(tmp_path: Path) -> None:
    outside = layout(tmp_path / "outside", {"evil/package.json": package("evil")})
    root = layout(
        tmp_path / "repo",
        {
            "package.json": json.dumps({"workspaces": ["packages/*"]}),
            "packages/good/package.json": package("good"),
            "shared/inner/package.json": package("inner"),
        },
    )
    (root / "packages/evil").symlink_to(outside / "evil")
    (root / "packages/alias").symlink_to(root / "shared/inner")  # inside the root: allowed
    layout(root, {"packages/linked-file/.keep": ""})
    (root / "packages/linked-file/package.json").symlink_to(outside / "evil/package.json")
    workspace = workspace_members(root)
    assert [m.path for m in workspace.members] == ["packages/alias", "packages/good"]
    assert workspace.problems == (
        "package.json:1: workspaces pattern 'packages/*': packages/evil resolves through "
        "a symbolic link outside the workspace root",
        "package.json: packages/linked-file/package.json resolves through a symbolic link "
        "outside the workspace root",
    )


def test_submodule_member_is_reported_not_a_member(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "Cargo.toml": '[workspace]\nmembers = ["crates/*", "vendor/lib/crates/x"]\n',
            "crates/own/Cargo.toml": '[package]\nname = "own"\n',
            "crates/sub/Cargo.toml": '[package]\nname = "sub"\n',
            "crates/sub/.git": "gitdir: ../../.git/modules/sub\n",  # a submodule's .git file
            "vendor/lib/.git/HEAD": "ref: refs/heads/main\n",
            "vendor/lib/crates/x/Cargo.toml": '[package]\nname = "x"\n',
        },
    )
    workspace = workspace_members(tmp_path)
    assert [m.path for m in workspace.members] == ["crates/own"]
    assert workspace.problems == (
        "Cargo.toml: crates/sub is a separate git repository (a submodule?): not a member; "
        "check it as a repository of its own",
        "Cargo.toml: vendor/lib is a separate git repository (a submodule?): not a member; "
        "check it as a repository of its own",
    )


def test_pattern_matching_nothing_does_not_hide_the_others(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "package.json": '{\n  "workspaces": [\n    "apps/*",\n    "packages/*"\n  ]\n}\n',
            "packages/a/package.json": package("a"),
        },
    )
    workspace = workspace_members(tmp_path)
    assert [m.path for m in workspace.members] == ["packages/a"]
    assert workspace.problems == ("package.json:3: workspaces pattern 'apps/*' matches no package",)


def test_malformed_member_manifest_is_a_problem(tmp_path: Path) -> None:
    layout(
        tmp_path,
        {
            "pyproject.toml": '[tool.uv.workspace]\nmembers = ["libs/*"]\n',
            "libs/bad/pyproject.toml": "[project]\nname = \n",
            "libs/good/pyproject.toml": '[project]\nname = "good"\n',
            "libs/empty/README.md": "no pyproject.toml\n",
        },
    )
    workspace = workspace_members(tmp_path)
    assert [(m.path, m.package) for m in workspace.members] == [
        ("libs/bad", None),
        ("libs/empty", None),
        ("libs/good", "good"),
    ]
    assert workspace.problems == (
        "libs/bad/pyproject.toml:2: TOML syntax error: Invalid value",
        "libs/empty/pyproject.toml: not found",
    )


# --- properties ---------------------------------------------------------------------------

_GLOB = st.text(alphabet="ab*?/.!{},[]-_ \\\0", max_size=12) | st.sampled_from(
    ["..", "../x", "/", "/tmp", "**", "**/..", "a/**/b", "packages/*", "[!a]", "\ud800"]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


def _toml_list(globs: list[str]) -> str:
    return "[" + ", ".join(json.dumps(g) for g in globs) + "]"


@st.composite
def _manifests(draw: st.DrawFn) -> dict[str, str]:
    files: dict[str, str] = {}
    globs = st.lists(_GLOB, max_size=4)
    if draw(st.booleans()):
        value = draw(st.one_of(globs, _JSON, st.fixed_dictionaries({"packages": globs})))
        files["package.json"] = draw(
            st.sampled_from([json.dumps({"workspaces": value}), json.dumps(value)])
            | st.text(max_size=30)
        )
    if draw(st.booleans()):
        items = "".join(f"  - {json.dumps(g)}\n" for g in draw(globs))
        files["pnpm-workspace.yaml"] = draw(st.just(f"packages:\n{items}") | st.text(max_size=30))
    if draw(st.booleans()):
        files["Cargo.toml"] = (
            f"[workspace]\nmembers = {_toml_list(draw(globs))}\n"
            f"exclude = {_toml_list(draw(globs))}\n"
        ) + draw(st.just("") | st.text(max_size=20))
    if draw(st.booleans()):
        uses = "".join(f"use {json.dumps(g)}\n" for g in draw(globs))
        files["go.work"] = draw(st.just(uses) | st.text(max_size=30))
    if draw(st.booleans()):
        files["pyproject.toml"] = (
            f"[tool.uv.workspace]\nmembers = {_toml_list(draw(globs))}\n"
            f"exclude = {_toml_list(draw(globs))}\n"
        ) + draw(st.just("") | st.text(max_size=20))
    return files


_TREE = {
    "packages/a/package.json": package("a", dependencies={"b": "*"}),
    "packages/a/Cargo.toml": '[package]\nname = "a"\n[dependencies]\nb = { path = "../b" }\n',
    "packages/a/go.mod": "module a\nrequire b v1\n",
    "packages/a/pyproject.toml": '[project]\nname = "a"\n',
    "packages/b/package.json": "{",
    "packages/b/Cargo.toml": '[dependencies]\nx = { path = "../../../x" }\n',
    "packages/b/go.mod": "module b\n",
    "vendor/sub/.git": "gitdir: x\n",
    "vendor/sub/package.json": package("sub"),
}


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_manifests())
def test_any_manifest_gives_members_below_the_root_or_a_workspace_error(
    files: dict[str, str],
) -> None:
    with tempfile.TemporaryDirectory() as temporary:
        outside = layout(Path(temporary) / "outside", {"x/package.json": package("x")})
        root = layout(Path(temporary) / "repo", {**_TREE, **files})
        (root / "packages/out").symlink_to(outside / "x")
        try:
            workspace = workspace_members(root)
        except WorkspaceError:
            return  # the one error allowed; its wording is tested above
        real = os.path.realpath(root)
        names = [m.name for m in workspace.members]
        assert len(set(names)) == len(names)
        assert [m.path for m in workspace.members] == sorted(m.path for m in workspace.members)
        for member in workspace.members:
            assert NAME.fullmatch(member.name)
            assert not member.path.startswith(("/", ".."))
            assert member.path not in {"", "."}
            assert os.path.realpath(root / member.path).startswith(real + os.sep)
            assert member.manifest.startswith(member.path + "/")
            assert member.name not in member.depends_on
            assert set(member.depends_on) <= set(names)
        assert all(isinstance(p, str) and p for p in workspace.problems)
