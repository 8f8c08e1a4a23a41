"""The search index's own key, derived from NOABER_BLIND_INDEX_KEY, and the digests made
with it (no model imports here: the first migration uses it too)."""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), b"search-index-key", hashlib.sha256).digest()


def search_key() -> bytes:
    return _key(settings.NOABER_BLIND_INDEX_KEY)


def key_fingerprint() -> str:
    """Names the key without revealing it (stored beside the index, shown nowhere)."""
    return hmac.new(search_key(), b"fingerprint", hashlib.sha256).hexdigest()[:16]


def digest(token: str, key: bytes | None = None) -> int:
    raw = hmac.digest(key or search_key(), token.encode(), "sha256")
    return int.from_bytes(raw[:8], "big", signed=True)


@lru_cache(maxsize=1 << 18)
def cached_digest(token: str, key: bytes) -> int:
    """digest() remembered per (token, key): a rebuild meets the same words again and again.
    (Keyed by the key too, so a changed key never answers with an old digest.)"""
    return digest(token, key)
