"""Receipt codes for anonymous follow-up (see docs/decisions/0006-receipt-codes.md).

A code is 20 characters of Crockford base32 in five groups of four, e.g. `7KQM-2XPA-9D4T-HW3B-RC6N`:
100 random bits. The first group is a locator (20 bits, not secret, unique among reports) so
that the server finds the one report to check without trying every hash; the other sixteen
characters (80 bits) are the secret, stored only as an Argon2id hash. Crockford's alphabet has
no I, L, O or U, and reading accepts lower case, spaces, dashes and the look-alikes O→0, I/L→1.
"""

import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
GROUPS, GROUP_SIZE = 5, 4
LOCATOR_SIZE = GROUP_SIZE

# Argon2id with 19 MiB, one pass, one lane. A receipt's secret is 80 random bits, not a
# password a person chose: guessing it is out of reach whatever the hash costs, so the slow hash
# is defence in depth for a stolen database, not the barrier itself. OWASP's password minimum
# (19 MiB with two passes) doubled the CPU per report and put intake at p95 350 ms with 20
# concurrent clients on two cores; one pass keeps p95 under 300 ms (docs/performance.md,
# docs/decisions/0006-receipt-codes.md).
HASHER = PasswordHasher(time_cost=1, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# Verified against when no report has the locator, so a wrong locator costs the same time.
_DUMMY_HASH = HASHER.hash("0" * 16)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, len(raw), GROUP_SIZE))


def normalise(text: str) -> str | None:
    """The 20 code characters of what a person typed, or None when it cannot be a code."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch not in " -\t\n.")
    cleaned = cleaned.translate(LOOKALIKES)
    if len(cleaned) != GROUPS * GROUP_SIZE or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def split(code: str) -> tuple[str, str]:
    """(locator, secret) of a normalised code."""
    return code[:LOCATOR_SIZE], code[LOCATOR_SIZE:]


def hash_secret(secret: str) -> str:
    return HASHER.hash(secret)


def verify_secret(stored_hash: str | None, secret: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, secret) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False
