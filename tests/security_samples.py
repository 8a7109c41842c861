"""Fake secrets for the security tests, built at run time.

Nothing here is a literal token, so scanning this repository does not flag
its own tests; every value is pseudo-random (fixed seed) so runs repeat.
"""

from __future__ import annotations

import base64
import json
import random
import string
from typing import Final

_ALNUM: Final = string.ascii_letters + string.digits


def rand(n: int, alphabet: str = _ALNUM, seed: int = 7) -> str:
    rng = random.Random(f"{seed}-{n}-{alphabet}")
    return "".join(rng.choice(alphabet) for _ in range(n))


def _b64url(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


UPPER_DIGITS: Final = string.ascii_uppercase + string.digits
JWT: Final = ".".join(
    (_b64url({"alg": "HS256", "typ": "JWT"}), _b64url({"sub": "1234567890"}), rand(43, seed=3))
)

# rule id -> (a line holding a secret of that kind, the raw secret, a look-alike that is none)
SAMPLES: Final[dict[str, tuple[str, str, str]]] = {
    "aws-access-key-id": (
        f'key_id = "AKIA{rand(16, UPPER_DIGITS)}"',
        f"AKIA{rand(16, UPPER_DIGITS)}",
        f'name = "XAKIA{rand(16, UPPER_DIGITS)}"',  # inside a longer word
    ),
    "aws-secret-access-key": (
        f'aws_secret_access_key = "{rand(40, seed=11)}"',
        rand(40, seed=11),
        'aws_secret_access_key = os.environ["AWS_SECRET_ACCESS_KEY"]',
    ),
    "github-token": (
        f"token: ghp_{rand(36)}",
        f"ghp_{rand(36)}",
        f"see ghp_{rand(20)} in the docs",  # too short
    ),
    "github-fine-grained-token": (
        f"GH=github_pat_{rand(22, seed=1)}_{rand(59, seed=2)}",
        f"github_pat_{rand(22, seed=1)}_{rand(59, seed=2)}",
        "prefix = 'github_pat_'",
    ),
    "gitlab-token": (
        f"export GL=glpat-{rand(20, seed=4)}",
        f"glpat-{rand(20, seed=4)}",
        "url = 'https://gitlab.com/glpat-docs'",
    ),
    "slack-token": (
        f'slack = "xoxb-{rand(12, string.digits)}-{rand(24, seed=5)}"',
        f"xoxb-{rand(12, string.digits)}-{rand(24, seed=5)}",
        'prefix = "xoxb-"',
    ),
    "slack-webhook": (
        f"hook: https://hooks.slack.com/services/T{rand(8, UPPER_DIGITS)}/B{rand(8, UPPER_DIGITS)}/"
        f"{rand(24, seed=6)}",
        f"T{rand(8, UPPER_DIGITS)}/B{rand(8, UPPER_DIGITS)}/{rand(24, seed=6)}",
        "docs: https://hooks.slack.com/services/",
    ),
    "stripe-key": (
        f'STRIPE = "sk_live_{rand(24, seed=8)}"',
        f"sk_live_{rand(24, seed=8)}",
        'STRIPE = "sk_live_"  # prefix only',
    ),
    "google-api-key": (
        f'maps_key = "AIza{rand(35, seed=9)}"',
        f"AIza{rand(35, seed=9)}",
        'maps = "AIzaShort"',
    ),
    "private-key": (
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----",
        'if text.startswith("-----BEGIN RSA PRIVATE KEY-----"):',  # code looking for one
    ),
    "jwt": (
        f"Authorization: Bearer {JWT}",
        JWT,
        f"version = eyJ{rand(12)}.eyJ{rand(12)}.{rand(12)}",  # header is not JSON
    ),
    "npm-token": (
        f"//registry.npmjs.org/:_authToken=npm_{rand(36, seed=10)}",
        f"npm_{rand(36, seed=10)}",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
    ),
    "url-credentials": (
        f'DATABASE_URL = "postgres://app:{rand(14, seed=12)}@db.internal:5432/app"',
        rand(14, seed=12),
        'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db.internal:5432/app"',
    ),
    "secret-assignment": (
        f'db_password = "{rand(18, seed=13)}"',
        rand(18, seed=13),
        'tokenizer = "bert-base-uncased-model"',  # not a secret-like name
    ),
}
