"""Secret rules: what each one matches, and all of them compiled into one pattern.

Token rules (a provider's key format) are found through the literals they
start with: one pass of a combined literal pattern over the text, then each
rule's own regex only where its literal occurs.  Each rule's pattern names
the secret part ``(?P<secret>...)`` when it is not the whole match.  Secret-like assignments
(``password = "..."``) are the second pattern: only their values get an
entropy test.  A config's custom rules are compiled one by one, since a user's
regex may hold constructs (global flags, numbered back-references) that
cannot be nested in an alternation.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Final

__all__ = [
    "ASSIGNMENT",
    "ASSIGNMENT_RULE",
    "BUILTIN_RULES",
    "Rule",
    "TokenMatcher",
    "is_placeholder",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Rule:
    """A kind of secret.

    :param id: stable rule id shown in findings and used by the baseline
    :param description: what the rule finds, for docs and SARIF
    :param pattern: the regex; the secret is group ``secret`` if present, else the match
    :param anchors: literals every match starts with: the scanner looks for these first,
        and tries ``pattern`` only where one occurs (empty: ``pattern`` scans the whole text)
    :param min_entropy: reject candidates whose Shannon entropy is lower
    :param paths: only files matching one of these globs (all files when empty)
    :param word_start: the match may not follow a letter or digit (``AKIA`` inside a word)
    :param valid: a last structural test of the secret (a JWT's header is JSON)
    """

    id: str
    description: str
    pattern: str
    anchors: tuple[str, ...] = ()
    min_entropy: float | None = None
    paths: tuple[str, ...] = ()
    word_start: bool = True
    valid: Callable[[str], bool] | None = None


def _jwt_header_is_json(token: str) -> bool:
    header = token.split(".", 1)[0]
    try:
        decoded = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (binascii.Error, ValueError):  # ValueError covers JSON and UTF-8 errors
        return False
    return isinstance(decoded, dict) and "alg" in decoded


BUILTIN_RULES: Final[tuple[Rule, ...]] = (
    Rule(
        id="aws-access-key-id",
        anchors=("AKIA", "ASIA", "ABIA", "ACCA", "A3T"),
        description="AWS access key id",
        pattern=r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Za-z0-9])",
    ),
    Rule(
        id="aws-secret-access-key",
        anchors=("aws", "AWS", "Aws"),
        description="AWS secret access key assigned to an aws...secret name",
        pattern=r"(?:aws|AWS|Aws)[\w.-]{0,20}(?i:secret)[\w.-]{0,20}[\"']?[ \t]*(?:=>|:=|=|:)[ \t]*"
        r"[\"']?(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
    ),
    Rule(
        id="github-token",
        anchors=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        description="GitHub classic token (personal, OAuth, app, refresh)",
        pattern=r"gh[pousr]_[A-Za-z0-9]{36,251}(?![A-Za-z0-9])",
    ),
    Rule(
        id="github-fine-grained-token",
        anchors=("github_pat_",),
        description="GitHub fine-grained personal access token",
        pattern=r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9])",
    ),
    Rule(
        id="gitlab-token",
        anchors=("glpat-", "gldt-", "glptt-", "glrt-", "glcbt-", "glsoat-"),
        description="GitLab personal, deploy, pipeline trigger or runner token",
        pattern=r"gl(?:pat|dt|ptt|rt|cbt|soat)-[A-Za-z0-9_-]{20,64}(?![A-Za-z0-9_-])",
    ),
    Rule(
        id="slack-token",
        anchors=("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-"),
        description="Slack bot, user, app or refresh token",
        pattern=r"xox[abposr]-\d{1,20}-[0-9A-Za-z-]{8,250}",
    ),
    Rule(
        id="slack-webhook",
        anchors=("https://hooks.slack.com/",),
        description="Slack incoming webhook URL",
        pattern=r"https://hooks\.slack\.com/(?:services|workflows)/"
        r"(?P<secret>T[A-Za-z0-9_]{6,20}/[A-Za-z0-9_]{6,30}/[A-Za-z0-9_]{16,64})",
    ),
    Rule(
        id="stripe-key",
        anchors=("sk_live_", "rk_live_"),
        description="Stripe live secret or restricted key",
        pattern=r"[rs]k_live_[0-9A-Za-z]{24,247}(?![0-9A-Za-z])",
    ),
    Rule(
        id="google-api-key",
        anchors=("AIza",),
        description="Google API key",
        pattern=r"AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])",
    ),
    Rule(
        id="private-key",
        anchors=("-----BEGIN ", "PuTTY-User-Key-File-"),
        description="Private key block (RSA, DSA, EC, OpenSSH, PGP, PKCS#8, PuTTY)",
        # Only a header that ends its line or is followed by key data: code that
        # looks for the header ("-----BEGIN ... KEY-----" in text) is not a key.
        pattern=r"(?P<secret>-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |SSH2 ENCRYPTED |PGP )?"
        r"PRIVATE KEY(?: BLOCK)?-----)(?=[ \t]*\r?$|\\n|[ \t]*[A-Za-z0-9+/]{16})"
        r"|(?P<putty>PuTTY-User-Key-File-[23]: [\w-]+)(?=[ \t]*\r?$)",
        word_start=False,
    ),
    Rule(
        id="jwt",
        anchors=("eyJ",),
        description="JSON Web Token",
        pattern=r"eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,1024}",
        valid=_jwt_header_is_json,
    ),
    Rule(
        id="npm-token",
        anchors=("npm_", ":_auth"),
        description="npm access token, or an auth token in .npmrc",
        pattern=r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"
        r"|:_auth(?:Token)?[ \t]*=[ \t]*(?P<secret>[^\s$\"'{]{8,512})",
    ),
    Rule(
        id="url-credentials",
        anchors=("://",),
        description="Password in a URL's user-info (scheme://user:password@host)",
        pattern=r"://[^\s:/@\"'`<>{}]{1,64}:(?P<secret>[^\s:/@\"'`<>{}]{3,128})@[A-Za-z0-9\[]",
        word_start=False,
    ),
)

# The name must end with the keyword (plus a plural or ``_key``/``_value``),
# so ``tokenizer`` and ``token_type`` are not secrets.
# The leading class and the one-letter look-behinds spell a case-insensitive
# keyword whose first op is a character set, which lets `re` skip ahead fast
# (a leading `(?i:...)` would make it try every position: 4x slower).
_KEYWORDS: Final = (
    r"[PpSsTtAaCc](?i:(?<=p)(?:assword|asswd|wd|rivate[_-]?key)|(?<=s)ecret|(?<=t)oken"
    r"|(?<=a)(?:pi[_-]?key|ccess[_-]?key|uth[_-]?key)|(?<=c)redentials?)"
    r"(?i:s|[_-]?(?:key|value))?"
)
ASSIGNMENT: Final = re.compile(
    _KEYWORDS + r"(?![A-Za-z0-9_])[\"']?\]?[ \t]*(?:=>|:=|=|:)[ \t]*"
    r"(?:(?P<q>[\"'`])(?P<quoted>[^\"'`\s\\]{6,256})(?P=q)|(?P<bare>[^\s\"'`,;#{\[(&*!|>][^\s\"'`,;#]{5,255}))",
    re.MULTILINE,
)
ASSIGNMENT_RULE: Final = Rule(
    id="secret-assignment",
    description="High-entropy string assigned to a secret-like name (password, token, ...)",
    pattern=ASSIGNMENT.pattern,
)

_PLACEHOLDER: Final = re.compile(
    r"(?i)example|placeholder|changeme|change_me|dummy|sample|your[_-]|redacted|xxxx|\*\*\*"
    r"|^\$|\$\{|\{\{|%\(|^<.*>$|^\(|^[a-z_]+\(|^(?:password|passwd|secret|token|pass|null|none)$"
)


def is_placeholder(value: str) -> bool:
    """Values documentation and templates use instead of real secrets."""
    return _PLACEHOLDER.search(value) is not None or len(set(value)) <= 2


class TokenMatcher:
    """Token rules found through their anchors: one pass of a combined literal pattern.

    ``re`` finds a set of literals fast; each hit is then tried against the
    rules anchored there, which is cheaper than one big alternation of the
    full patterns (``re`` would start an attempt at every character that can
    begin any rule: measured 3x slower on source code).  Hits inside an
    accepted match are skipped, as a single alternation would consume them.
    """

    def __init__(self, rules: Sequence[Rule]) -> None:
        self._by_anchor: dict[str, list[tuple[Rule, re.Pattern[str]]]] = {}
        for rule in rules:
            compiled = re.compile(rule.pattern, re.MULTILINE)
            for anchor in rule.anchors:
                self._by_anchor.setdefault(anchor, []).append((rule, compiled))
        # Longest first, so "github_pat_" is not cut short by a shorter anchor.
        literals = sorted(self._by_anchor, key=lambda a: (-len(a), a))
        self._anchors = re.compile("|".join(map(re.escape, literals)) or "(?!)")

    def finditer(self, text: str) -> Iterator[tuple[Rule, str, int]]:
        """(rule, secret, offset of the secret) for each token in ``text``, in order."""
        covered = 0
        for hit in self._anchors.finditer(text):
            start = hit.start()
            if start < covered:
                continue
            mid_word = start > 0 and text[start - 1].isalnum()
            for rule, regex in self._by_anchor[hit.group()]:
                if mid_word and rule.word_start:
                    continue
                own = regex.match(text, start)
                if own is None:
                    continue
                covered = own.end()
                yield rule, *_secret_of(regex, own)
                break


def _secret_of(regex: re.Pattern[str], match: re.Match[str]) -> tuple[str, int]:
    for name in ("secret", "putty"):
        if name in regex.groupindex and match.start(name) >= 0:
            return match.group(name), match.start(name)
    return match.group(), match.start()
