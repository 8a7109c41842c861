"""Benchmark: the security gate's secret scan against detect-secrets, on the same files.

Usage: python bench/secret_scan.py [--mb 50] [--dir DIR] [--skip-detect-secrets]

Builds a corpus of MB megabytes of Python source (real standard-library modules,
repeated) with secrets planted every ~PLANT_EVERY lines, one rule after another, each
with a fresh random value.  The files are committed on a branch of a git repository,
so they are added lines of the diff, and copied to a plain directory for detect-secrets.

Measured, in one run:
1. ``check_security`` (scope diff) end to end: git diff, parsing, reading, scanning;
2. the scanner alone over the same files (no git);
3. ``detect-secrets scan --all-files -c 1`` on the copy (one core, like the gate).

Recall is compared per planted (file, line): what detect-secrets finds that the gate
does not must be nothing.  Findings of either tool on lines where nothing was planted
are counted too (the standard library has long hex and base64 strings).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

# The repository root, for the samples in tests/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from peer_runs import ENV as GIT_ENV

from pytest_prove.checks.security import SecuritySettings, check_security
from pytest_prove.engines.security.secrets import SecretScanner
from pytest_prove.git.context import RepoContext
from tests.security_samples import JWT

PLANT_EVERY = 2000
FILE_BYTES = 1_000_000
STDLIB_MODULES = (
    "argparse.py",
    "textwrap.py",
    "difflib.py",
    "configparser.py",
    "subprocess.py",
    "typing.py",
    "pathlib.py",
    "dataclasses.py",
    "inspect.py",
    "tarfile.py",
)
ENV = {
    **GIT_ENV,
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@x",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@x",
}
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits


def _planters(rng: random.Random) -> list[tuple[str, object]]:
    def r(n: int, alphabet: str = ALNUM) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return [
        ("aws-access-key-id", lambda: f'KEY_ID = "AKIA{r(16, UPPER)}"'),
        ("aws-secret-access-key", lambda: f'aws_secret_access_key = "{r(40, ALNUM + "/+")}"'),
        ("github-token", lambda: f'GH_TOKEN = "ghp_{r(36)}"'),
        ("github-fine-grained-token", lambda: f'GH = "github_pat_{r(22)}_{r(59)}"'),
        ("gitlab-token", lambda: f'GL = "glpat-{r(20)}"'),
        (
            "slack-token",
            lambda: f'SLACK = "xoxb-{r(12, string.digits)}-{r(13, string.digits)}-{r(24)}"',
        ),
        (
            "slack-webhook",
            lambda: (
                f'HOOK = "https://hooks.slack.com/services/T{r(8, UPPER)}/B{r(8, UPPER)}/{r(24)}"'
            ),
        ),
        ("stripe-key", lambda: f'STRIPE = "sk_live_{r(24)}"'),
        ("google-api-key", lambda: f'MAPS = "AIza{r(35)}"'),
        ("private-key", lambda: 'KEY = """-----BEGIN RSA PRIVATE KEY-----'),
        ("jwt", lambda: f'AUTH = "{JWT[:-10]}{r(10)}"'),
        ("npm-token", lambda: f'NPM = "npm_{r(36)}"'),
        ("url-credentials", lambda: f'DB = "postgres://app:{r(16)}@db.internal:5432/app"'),
        ("secret-assignment", lambda: f'db_password = "{r(20)}"'),
    ]


def build_corpus(root: Path, megabytes: int) -> dict[tuple[str, int], str]:
    """Write the corpus under ``root``; returns the planted (file, line) -> rule."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    filler = [
        line
        for name in STDLIB_MODULES
        for line in (stdlib / name).read_text(encoding="utf-8").splitlines()
    ]
    rng = random.Random(2026)
    planters = _planters(rng)
    planted: dict[tuple[str, int], str] = {}
    cursor = plant = 0
    for index in range(megabytes * 1_000_000 // FILE_BYTES):
        name = f"src/module_{index:03d}.py"
        lines: list[str] = []
        size = 0
        while size < FILE_BYTES:
            if (len(lines) + 1 + index) % PLANT_EVERY == 0:
                rule, make = planters[plant % len(planters)]
                plant += 1
                line = make()  # type: ignore[operator]
                planted[(name, len(lines) + 1)] = rule
            else:
                line = filler[cursor % len(filler)]
                cursor += 1
            lines.append(line)
            size += len(line) + 1
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return planted


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True)


def make_repository(repo: Path, corpus: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("# bench\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "init")
    _git(repo, "checkout", "-q", "-b", "feat/big")
    shutil.copytree(corpus / "src", repo / "src")
    _git(repo, "add", "src")
    _git(repo, "commit", "-q", "-m", "feat: big")


def run_gate(repo: Path) -> tuple[float, set[tuple[str, int]]]:
    settings = SecuritySettings.model_validate(
        {"dependencies": {"enabled": False}, "forbiddenFiles": {"enabled": False}}
    )
    start = time.perf_counter()
    result = check_security(RepoContext(repo, env=ENV), settings)
    elapsed = time.perf_counter() - start
    return elapsed, {(f.file or "", f.line or 0) for f in result.errors}


def run_scanner(corpus: Path) -> float:
    scanner = SecretScanner()
    start = time.perf_counter()
    for path in sorted((corpus / "src").iterdir()):
        scanner.scan(f"src/{path.name}", path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def run_detect_secrets(corpus: Path) -> tuple[float, set[tuple[str, int]], Counter[str]]:
    start = time.perf_counter()
    out = subprocess.run(
        ["detect-secrets", "-C", str(corpus), "-c", "1", "scan", "--all-files"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    elapsed = time.perf_counter() - start
    results = json.loads(out)["results"]
    found = {(file, s["line_number"]) for file, items in results.items() for s in items}
    types = Counter(s["type"] for items in results.values() for s in items)
    return elapsed, found, types


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--dir", type=Path, help="work directory (default: a temporary one)")
    parser.add_argument("--skip-detect-secrets", action="store_true")
    args = parser.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="prove-bench-secrets-"))
    corpus, repo = work / "corpus", work / "repo"
    shutil.rmtree(work, ignore_errors=True)
    corpus.mkdir(parents=True)
    repo.mkdir()
    planted = build_corpus(corpus, args.mb)
    make_repository(repo, corpus)
    size = sum(p.stat().st_size for p in (corpus / "src").iterdir()) / 1e6
    print(
        f"corpus: {size:.1f} MB in {len(list((corpus / 'src').iterdir()))} files, "
        f"{len(planted)} planted secrets, {len(set(planted.values()))} rules"
    )

    gate_time, gate_found = run_gate(repo)
    scan_time = run_scanner(corpus)
    print(f"security gate (diff, end to end): {gate_time:.2f} s ({size / gate_time:.1f} MB/s)")
    print(f"scanner alone:                    {scan_time:.2f} s ({size / scan_time:.1f} MB/s)")
    missed = {key: rule for key, rule in planted.items() if key not in gate_found}
    print(
        f"gate: {len(planted) - len(missed)}/{len(planted)} planted found, "
        f"{len(gate_found - planted.keys())} findings elsewhere; missed by rule: "
        f"{dict(Counter(missed.values()))}"
    )
    if args.skip_detect_secrets:
        return 0
    ds_time, ds_found, ds_types = run_detect_secrets(corpus)
    print(f"detect-secrets scan -c 1:         {ds_time:.2f} s ({size / ds_time:.2f} MB/s)")
    print(
        f"speed-up, gate end to end: {ds_time / gate_time:.1f}x; "
        f"scanner: {ds_time / scan_time:.1f}x"
    )
    ds_planted = {key for key in planted if key in ds_found}
    by_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, rule in planted.items():
        by_rule[rule][0] += 1
        by_rule[rule][1] += key in gate_found
        by_rule[rule][2] += key in ds_found
    print("| rule | planted | gate | detect-secrets |")
    print("| --- | --- | --- | --- |")
    for rule, (n, ours, theirs) in sorted(by_rule.items()):
        print(f"| `{rule}` | {n} | {ours} | {theirs} |")
    only_ds = ds_planted - gate_found
    print(f"planted secrets detect-secrets finds and the gate misses: {len(only_ds)}")
    print(
        f"detect-secrets findings elsewhere: {len(ds_found - planted.keys())} "
        f"(types: {dict(ds_types)})"
    )
    return 1 if only_ds else 0


if __name__ == "__main__":
    sys.exit(main())
