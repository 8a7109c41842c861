"""``tdd``'s defaults: which files are sources, which are not, and where their tests are.

Each default follows a tool's or a language's own convention (pytest's ``test_*.py``,
Jest's ``*.test.*``, Go's ``_test.go``, Maven's ``src/test/java``); the reasons for the
exclusions are in ``docs/checks/tdd.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

__all__ = ["DEFAULT_TEMPLATES", "EXCLUDE", "INCLUDE", "UNMAPPED"]

_JS_EXTS: Final = ("js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts")
_JS_TEMPLATES: Final = (
    "{dir}/{stem}.test.{ext}",
    "{dir}/{stem}.spec.{ext}",
    "{dir}/__tests__/{stem}.test.{ext}",
)
DEFAULT_TEMPLATES: Final[Mapping[str, Sequence[str]]] = {
    "**/*.py": (
        "tests/test_{stem}.py",
        "tests/**/test_{stem}.py",
        "{dir}/test_{stem}.py",
        "{dir}/{stem}_test.py",
    ),
    **{f"**/*.{ext}": _JS_TEMPLATES for ext in _JS_EXTS},
    "**/*.go": ("{dir}/{stem}_test.go",),
    # Maven and Gradle mirror src/main/<lang> in src/test/<lang>; the class name decides
    "**/src/main/java/**/*.java": tuple(
        f"**/src/test/java/**/{{stem}}{s}.java" for s in ("Test", "Tests", "IT")
    ),
    "**/src/main/kotlin/**/*.kt": tuple(
        f"**/src/test/{lang}/**/{{stem}}{s}.kt"
        for lang in ("kotlin", "java")
        for s in ("Test", "Tests")
    ),
    "**/*.cs": ("**/*.Tests/**/{stem}Tests.cs", "**/*.Tests/**/{stem}Test.cs"),
    "**/*.rs": ("tests/{stem}.rs", "**/tests/{stem}.rs", "{dir}/tests.rs", "{dir}/{stem}/tests.rs"),
}
INCLUDE: Final = tuple(f"**/*.{ext}" for ext in ("py", *_JS_EXTS, "go", "java", "kt", "cs", "rs"))
# fmt: off
EXCLUDE: Final = (
    # docs, examples and configuration
    "docs/**", "**/docs/**", "**/doc/**/conf.py", "examples/**", "**/examples/**",
    "**/setup.py", "**/conftest.py", "**/noxfile.py",
    "**/*.config.js", "**/*.config.ts", "**/*.config.mjs", "**/*.config.cjs",
    # migrations
    "**/migrations/**", "**/alembic/versions/**",
    # generated and vendored
    "**/*_pb2.py", "**/*_pb2_grpc.py", "**/*.pb.go", "**/*_gen.go", "**/*.generated.*",
    "**/generated/**", "**/*.d.ts", "**/*.min.js", "**/dist/**",
    # a top-level build/ is output; a package named build (packages/angular/build) is code
    "build/**",
    "**/node_modules/**", "**/vendor/**",
    # package markers
    "**/__init__.py",
    # fixtures, test data and snapshots: what tests read, not code that needs tests
    "**/fixtures/**", "**/__fixtures__/**", "**/testdata/**", "**/__snapshots__/**", "**/*.snap",
    # tests themselves
    "tests/**", "test/**", "**/tests/**", "**/__tests__/**", "**/__mocks__/**",
    "**/test_*.py", "**/*_test.py", "**/*_test.go", "**/*.test.*", "**/*.spec.*",
    "**/*.test-d.*", "**/src/test/**", "**/*.Tests/**",
)
# Code in languages without templates: reported as not judged, never as tested.
UNMAPPED: Final = tuple(
    f"**/*.{ext}"
    for ext in (
        "rb", "php", "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "m", "mm", "swift", "scala",
        "groovy", "ex", "exs", "erl", "hs", "lua", "pl", "pm", "r", "dart", "clj", "cljs",
        "fs", "vb", "zig", "nim", "jl", "ml", "elm", "vue", "svelte", "kts",
    )
)
# fmt: on
