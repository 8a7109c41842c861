"""Agreement: the commit-msg gate's verdicts against the real commitlint, commit by commit.

Usage:
    mkdir -p /tmp/commitlint && cd /tmp/commitlint && npm init -y
    npm install @commitlint/cli @commitlint/config-conventional && cd -
    python bench/commitlint_agreement.py --commitlint /tmp/commitlint GIT_DIR [GIT_DIR ...]
    python bench/commitlint_agreement.py --generated 50000 --seed 1   # no repository needed

Every message of every git directory's ``HEAD`` history goes to commitlint (``@commitlint/lint``
with ``@commitlint/config-conventional``, options built as ``commitlint --from/--to`` builds
them) in one node process, and to the gate (``check_commit_messages``, default settings) one
commit at a time.  Prints the agreement on the verdict (valid or not), on the names of the
error rules where both reject, and the disagreeing commits grouped by the difference in
rules.  ``--generated N`` adds N messages built at random from pieces that sit on the
rules' edges (footers, references, URLs, merge titles, whitespace, UTF-16 lengths), as
single-parent commits.  Needs node and the installed packages, no network.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final, cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_prove.api import Severity
from pytest_prove.checks.commit_msg import CommitMsgSettings, check_commit_messages
from pytest_prove.git.log import LOG_FORMAT, Commit, parse_log

if TYPE_CHECKING:
    from pytest_prove.git.context import RepoContext

# The options are the ones @commitlint/cli passes to lint() for --from/--to: the config's
# parser preset, plugins and ignores, default ignores on, and no comment character
# (history is read with `git log --format=%B`, where a "#" line is content).
DRIVER: Final = """\
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [root, input, output] = process.argv.slice(2);
const require = createRequire(`${root}/package.json`);
const load = async (name) => (await import(pathToFileURL(require.resolve(name)))).default;
const lint = await load("@commitlint/lint");
// An empty config file of our own, so that no commitlint config lying in `root` is merged in.
const config = await (await load("@commitlint/load"))(
  { extends: [require.resolve("@commitlint/config-conventional")] },
  { cwd: root, file: new URL("commitlint.config.mjs", import.meta.url).pathname },
);
if (!config.rules["type-enum"]) throw new Error("config-conventional did not load");
const opts = {
  parserOpts: config.parserPreset?.parserOpts ?? {},
  plugins: config.plugins ?? {},
  ignores: config.ignores ?? [],
  defaultIgnores: config.defaultIgnores !== false,
};
const versions = Object.fromEntries(
  ["@commitlint/cli", "@commitlint/config-conventional", "@commitlint/lint"].map(
    (name) => [name, require(`${name}/package.json`).version],
  ),
);
const verdicts = [];
for (const message of JSON.parse(readFileSync(input, "utf8"))) {
  // The CLI drops blank messages before linting.
  if (message.trim() === "") {
    verdicts.push({ valid: true, errors: [], warnings: [] });
    continue;
  }
  const report = await lint(message, config.rules, opts);
  verdicts.push({
    valid: report.valid,
    errors: report.errors.map((e) => e.name),
    warnings: report.warnings.map((w) => w.name),
  });
}
writeFileSync(output, JSON.stringify({ versions, verdicts }));
"""


_HEADERS: Final = (
    *("feat: add x", "fix(api): y", "feat(A/B): Z", "chore: 1.2.3", "docs:  Two", "Added stuff"),
    *("feat!: x ", " fix: x", "fix: x.", "fix: x...", "Merge commit 'abc'", "feat(a)(b): c"),
    *(
        "(chore): x",
        "feat:",
        "feat: ",
        "fixup! feat: x",
        "feat: " + "x" * 95,
        "feat: é" + "😀" * 47,
    ),
    *("feat: \u00a0x", "feat: x\u00a0", "feat(api): close #1", "v1.0.0 [skip ci]", "revert: x"),
    *('Revert "feat: x"', "feat: Ünicode", "feat: ünicode", "feat: `Q` q", "fix: iOS", ""),
    *("fix(a): b(c): D", "# comment", "gpg: good", "Merge a into b", "feat\u2028: x"),
)
_LINES: Final = (
    *("", "", "", "body line", "Body Line", "Closes #12", "closes #12 and #13", "fixes: #1"),
    *("#12", "prefix #4", "see https://example.com/#12", "BREAKING CHANGE: gone", "#12: x"),
    *("breaking change: gone", "  * BREAKING CHANGE x", "BREAKING-CHANGE x", "Refs: #9"),
    *("Signed-off-by: A <a@b>", "x" * 101, "y" * 100, "https://e.com/" + "z" * 120, "(#123)"),
    *("HTTPS://E.COM/" + "z" * 100, "ftp://e.com/" + "z" * 100, "Merge branch 'main'", "gh-12"),
    *("Merge x into y", "gpg: sig", "# heading", "  indented", "\t", " ", "owner/repo#1"),
    *("fix #1, #2", "#a-b.", "#1)", "Fixes #1 https://x.y/z", "😀" * 51, "é" * 101, "line\r"),
    *("a\u2028b", "\ufeffBREAKING CHANGE: x", "Closes #1\u2028more", "Merge pull request #1"),
)


def generated_commits(count: int, seed: int) -> list[Commit]:
    """Messages of a header and up to 7 lines from the pieces above, a few with CRLF."""
    rng = random.Random(seed)
    commits = []
    for index in range(count):
        lines = [rng.choice(_HEADERS), *(rng.choice(_LINES) for _ in range(rng.randint(0, 7)))]
        message = ("\r\n" if rng.random() < 0.05 else "\n").join(lines) + "\n"
        commits.append(Commit(f"{index:010x}".ljust(40, "0"), "0" * 40, "0", message))
    return commits


@dataclasses.dataclass(frozen=True, kw_only=True)
class Verdict:
    valid: bool
    errors: frozenset[str]
    warnings: frozenset[str]


@dataclasses.dataclass(frozen=True)
class _Context:
    commits: tuple[Commit, ...]


def read_commits(git_dir: Path) -> tuple[Commit, ...]:
    """Every commit of ``HEAD``, oldest first, read as the gate reads a range."""
    out = subprocess.run(
        ("git", "--git-dir", str(git_dir), "log", "-z", LOG_FORMAT, "--reverse", "HEAD"),
        capture_output=True,
        check=True,
    ).stdout
    return parse_log(out)


def commitlint_verdicts(
    root: Path, messages: Sequence[str]
) -> tuple[dict[str, str], list[Verdict]]:
    """commitlint's verdict on each message, from one node process."""
    with tempfile.TemporaryDirectory() as tmp:
        driver, input_, output = Path(tmp, "lint.mjs"), Path(tmp, "in.json"), Path(tmp, "out.json")
        driver.write_text(DRIVER, encoding="utf-8")
        Path(tmp, "commitlint.config.mjs").write_text("export default {};\n", encoding="utf-8")
        input_.write_text(json.dumps(list(messages)), encoding="utf-8")
        subprocess.run(
            ("node", str(driver), str(root.resolve()), str(input_), str(output)), check=True
        )
        data = json.loads(output.read_text(encoding="utf-8"))
    verdicts = [
        Verdict(valid=v["valid"], errors=frozenset(v["errors"]), warnings=frozenset(v["warnings"]))
        for v in data["verdicts"]
    ]
    return data["versions"], verdicts


def gate_verdicts(commits: Sequence[Commit], settings: CommitMsgSettings) -> Iterator[Verdict]:
    """The gate's verdict on each commit, each judged alone through the gate's own entry."""
    for commit in commits:
        context = cast("RepoContext", _Context((commit,)))
        result = check_commit_messages(context, settings)
        errors = {f.rule for f in result.findings if f.severity is Severity.ERROR}
        warnings = {f.rule for f in result.findings if f.severity is Severity.WARNING}
        yield Verdict(valid=not errors, errors=frozenset(errors), warnings=frozenset(warnings))


def _cause(ours: Verdict, theirs: Verdict, commit: Commit) -> str:
    only_ours = sorted(ours.errors - theirs.errors)
    only_theirs = sorted(theirs.errors - ours.errors)
    parts = []
    if only_ours:
        parts.append(f"only ours: {', '.join(only_ours)}")
    if only_theirs:
        parts.append(f"only commitlint: {', '.join(only_theirs)}")
    if commit.is_merge:
        parts.append("(a merge commit)")
    return "; ".join(parts)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}%" if whole else "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dirs", nargs="*", type=Path, help="git directories (bare is fine)")
    parser.add_argument(
        "--commitlint",
        type=Path,
        default=Path("/tmp/commitlint"),
        help="the directory where @commitlint/cli and @commitlint/config-conventional "
        "are installed (default: /tmp/commitlint)",
    )
    parser.add_argument("--examples", type=int, default=3, help="examples shown per cause")
    parser.add_argument("--generated", type=int, default=0, help="generated messages to add")
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated messages")
    args = parser.parse_args(argv)

    commits: list[Commit] = []
    print("| repository | HEAD | commits |\n| --- | --- | --- |")
    for git_dir in args.git_dirs:
        found = read_commits(git_dir)
        head = found[-1].sha if found else "-"
        print(f"| {git_dir} | {head} | {len(found):,} |")
        commits.extend(found)
    if args.generated:
        print(f"| generated (seed {args.seed}) | - | {args.generated:,} |")
        commits.extend(generated_commits(args.generated, args.seed))
    # `commitlint --from/--to` reads each message as git log's "%B%n".
    versions, theirs = commitlint_verdicts(args.commitlint, [c.message + "\n" for c in commits])
    ours = list(gate_verdicts(commits, CommitMsgSettings()))
    print("\n" + ", ".join(f"{name} {version}" for name, version in versions.items()))

    total = len(commits)
    same_verdict = sum(o.valid == t.valid for o, t in zip(ours, theirs, strict=True))
    both_reject = [(o, t) for o, t in zip(ours, theirs, strict=True) if not o.valid and not t.valid]
    same_rules = sum(o.errors == t.errors for o, t in both_reject)
    same_warnings = sum(o.warnings == t.warnings for o, t in zip(ours, theirs, strict=True))
    print(f"\ncommits: {total:,}")
    rejected = sum(not o.valid for o in ours), sum(not t.valid for t in theirs)
    print(f"rejected: ours {rejected[0]:,}, commitlint {rejected[1]:,}")
    print(f"same verdict: {same_verdict:,} of {total:,} ({_percent(same_verdict, total)})")
    print(
        f"same error rules where both reject: {same_rules:,} of {len(both_reject):,} "
        f"({_percent(same_rules, len(both_reject))})"
    )
    print(f"same warning rules: {same_warnings:,} of {total:,} ({_percent(same_warnings, total)})")

    groups: dict[tuple[str, str], list[Commit]] = collections.defaultdict(list)
    for commit, o, t in zip(commits, ours, theirs, strict=True):
        if o.valid != t.valid:
            key = ("verdict", f"ours {'valid' if o.valid else 'invalid'}; " + _cause(o, t, commit))
        elif o.errors != t.errors:
            key = ("rules", _cause(o, t, commit))
        else:
            continue
        groups[key].append(commit)
    if groups:
        print("\n| differs in | cause | commits | examples |\n| --- | --- | --- | --- |")
    for (kind, cause), members in sorted(groups.items(), key=lambda item: -len(item[1])):
        examples = "<br>".join(
            f"`{c.sha[:10]}` {json.dumps(c.subject[:70])}" for c in members[: args.examples]
        )
        print(f"| {kind} | {cause} | {len(members):,} | {examples} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
