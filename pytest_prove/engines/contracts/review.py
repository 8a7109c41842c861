"""One spec file reviewed: loaded, bundled, validated, and diffed against its base version."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Final

from pytest_prove.api import Finding, Severity
from pytest_prove.support.text import TextFile

from .changes import Change
from .diff import diff_specs
from .loading import Json, JsonPath, SpecParseError
from .refs import Bundle, Reader, bundle_spec
from .validate import spec_version, validate_spec

__all__ = ["Review", "base_reader", "major_version", "review_spec"]

_MAJOR: Final = re.compile(r"\s*v?(\d+)")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Review:
    """What one spec file gave: problems (findings), changes against the base, versions.

    :param fragment: not a spec (no ``openapi:``/``swagger:``): a file other specs refer to
    :param compared: a base version existed and was diffed
    """

    path: str
    findings: tuple[Finding, ...] = ()
    changes: tuple[Change, ...] = ()
    fragment: bool = False
    compared: bool = False
    old_version: str | None = None
    new_version: str | None = None

    @property
    def major_bump(self) -> bool:
        old, new = major_version(self.old_version), major_version(self.new_version)
        return old is not None and new is not None and new > old


def review_spec(path: str, read: Reader, base_path: str | None, read_base: Reader) -> Review:
    """Review ``path``; ``base_path`` is its name at the base (None: do not compare)."""
    try:
        bundle = bundle_spec(path, read)
    except SpecParseError as exc:
        return Review(path=path, findings=(_finding("spec-unparsable", path, str(exc), exc.line),))
    except RecursionError:
        return Review(path=path, findings=(_finding("spec-unparsable", path, "nested too deeply"),))
    major = _major(bundle.data)
    if major is None:
        return Review(path=path, fragment=True)
    findings = [
        _finding(p.rule, p.file, p.message, p.line, Severity(p.severity)) for p in bundle.problems
    ]
    if any(f.severity is Severity.ERROR for f in findings):
        return Review(path=path, findings=tuple(findings))  # validation would be partial
    for error in validate_spec(bundle.data):
        where = _display(error.path)
        message = f"{where}: {error.message}" if where else error.message
        findings.append(_finding("invalid-spec", path, message, bundle.root.line_of(error.path)))
    review = Review(path=path, findings=tuple(findings), new_version=_info_version(bundle.data))
    if base_path is None or any(f.severity is Severity.ERROR for f in findings):
        return review
    return _compare(review, bundle, major, base_path, read_base)


def base_reader(read_bytes: Callable[[str], bytes | None], max_bytes: int) -> Reader:
    """A :data:`Reader` over the base version's blobs (``RepoContext.read_at_base``)."""

    def read(path: str) -> TextFile:
        data = read_bytes(path)
        if data is None:
            return TextFile(path, skipped="missing")
        if len(data) > max_bytes:
            return TextFile(path, skipped="too-large")
        try:
            return TextFile(path, text=data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return TextFile(path, skipped="not-utf-8")

    return read


def major_version(version: str | None) -> int | None:
    """The leading number of an ``info.version`` (``v2.1`` -> 2); None if there is none."""
    match = _MAJOR.match(version or "")
    return int(match.group(1)) if match else None


def _compare(review: Review, bundle: Bundle, major: int, base_path: str, read: Reader) -> Review:
    base_file = read(base_path)
    if base_file.skipped == "missing":
        return review  # new at this path: nothing to compare with
    if base_path == review.path and _unchanged(bundle, base_file, read):
        # Same bytes in every file the spec is made of: nothing to diff, and the
        # base need not be parsed (most branches do not touch their API).
        return dataclasses.replace(review, compared=True, old_version=review.new_version)
    try:
        base = bundle_spec(base_path, read)
        base_major = _major(base.data)
        if base_major is None or any(p.severity == "error" for p in base.problems):
            raise SpecParseError("not a spec, or its references are broken")
        changes = diff_specs(base.data, bundle.data, old_major=base_major, new_major=major)
    except (SpecParseError, RecursionError) as exc:
        reason = str(exc) if isinstance(exc, SpecParseError) else "nested too deeply"
        message = f"base version ({base_path}) not compared: {reason}"
        note = _finding("base-unreadable", review.path, message, severity=Severity.INFO)
        return dataclasses.replace(review, findings=(note,))
    located = tuple(dataclasses.replace(c, line=bundle.root.line_of(c.where)) for c in changes)
    return dataclasses.replace(
        review, changes=located, compared=True, old_version=_info_version(base.data)
    )


def _unchanged(bundle: Bundle, base_root: TextFile, read_base: Reader) -> bool:
    for file in bundle.files:
        head = bundle.texts.get(file)
        base = base_root if file == bundle.path else read_base(file)
        if head is None or head != base.text:
            return False
    return True


def _major(data: Json) -> int | None:
    version = spec_version(data)
    if version is not None:
        return int(version[0])
    if isinstance(data, dict) and ("openapi" in data or "swagger" in data):
        return 0  # declares a version we do not support: the validator says so
    return None


def _info_version(data: Json) -> str | None:
    info = data.get("info") if isinstance(data, dict) else None
    version = info.get("version") if isinstance(info, dict) else None
    return None if version is None else str(version)


def _display(path: JsonPath) -> str:
    return ".".join(f"[{k}]" if isinstance(k, int) else k for k in path).replace(".[", "[")


def _finding(
    rule: str,
    file: str,
    message: str,
    line: int | None = None,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(rule=rule, message=message, severity=severity, file=file, line=line)
