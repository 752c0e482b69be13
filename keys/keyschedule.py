"""HMAC's key schedule, computed once per key: the inner and outer hash states that each digest copies.

HMAC(K, m) = H((K' ^ opad) || H((K' ^ ipad) || m)) (RFC 2104), K' the key padded to the hash's block (or
hashed first when longer). The two keyed states depend on the key alone, so the forensics, which tries
thousands of messages under one secret, computes them once and copies them per message: about a quarter
of the cost of `hmac.digest`, which redoes the schedule every call (benchmarks/forensics_cost.py).
tests/test_keyschedule.py holds it to `hmac.digest` for every algorithm and key length.
"""

from __future__ import annotations

import functools
import hashlib
TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:
    from typing import Any

_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


@functools.lru_cache(maxsize=64)  # one secret and its few variants, over every request of a batch
def schedule(key: bytes, algorithm: str) -> tuple[Any, Any]:
    """(inner, outer): hashlib objects keyed with `key`; copy each, feed the message to the inner one's copy and
    its digest to the outer one's copy, and the outer digest is HMAC(key, message)."""
    block = hashlib.new(algorithm).block_size
    if len(key) > block:
        key = hashlib.new(algorithm, key).digest()
    key = key.ljust(block, b"\0")
    return hashlib.new(algorithm, key.translate(_IPAD)), hashlib.new(algorithm, key.translate(_OPAD))


def digest(key: bytes, message: bytes, algorithm: str = "sha256") -> bytes:
    inner, outer = schedule(key, algorithm)
    h = inner.copy()
    h.update(message)
    o = outer.copy()
    o.update(h.digest())
    return o.digest()
