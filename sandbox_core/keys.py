"""API keys as a sandbox's store keeps them: hashed, never in a form that authenticates.

A key is shown once, when it is made (the first line of ``serve``, an admin answer); the
store keeps ``sha256:<hex>`` of it. The keys are random (24 bytes or more), so an unsalted
SHA-256 cannot be reversed by guessing, and a lookup by hash needs no scan. A request's key is
hashed and compared with ``hmac.compare_digest``.

A store written by an older sandbox holds plain keys: ``hashed`` turns each into its hash when
the store is opened.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256:"


def hash_key(secret: str) -> str:
    """What the store keeps of ``secret``."""
    return PREFIX + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def hashed(stored: str) -> str:
    """A stored value as a hash: a plain key (an older store's) hashed, a hash as it is."""
    return stored if stored.startswith(PREFIX) else hash_key(stored)


def matches(secret: str, stored: str) -> bool:
    """Whether ``secret`` is the key whose hash is ``stored`` (constant time)."""
    return hmac.compare_digest(hash_key(secret), stored)
