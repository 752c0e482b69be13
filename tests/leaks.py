"""Leak search shared by the tests: a secret, memo or passphrase is leaked if ANY 8 consecutive characters of it
appear, or its first-6…last-4 shape does (a half-masked value; keyprobe's fingerprints are hashes now, so this
shape must never appear). Searching for the whole value only misses a value cut by rich's locals renderer, or
shown half-masked.

Values searched this way must be random enough that 8 characters of them never occur by chance: use
`random_value()` (62 letters and digits: one 8-character piece in 2e14).
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable

PIECE = 8
ALPHABET = string.ascii_letters + string.digits


def random_value(rng: random.Random, length: int = 32, prefix: str = "") -> str:
    return prefix + "".join(rng.choice(ALPHABET) for _ in range(length))


def pieces(value: str, width: int = PIECE) -> set[str]:
    """Every `width`-character piece of `value` (the value itself when shorter), and its fingerprint shape."""
    found = {value} if len(value) <= width else {value[i : i + width] for i in range(len(value) - width + 1)}
    if len(value) >= 16:
        found.add(f"{value[:6]}…{value[-4:]}")
    return found


def find_leaks(haystacks: Iterable[tuple[str, str | bytes]], values: Iterable[str], width: int = PIECE) -> list[tuple[str, str]]:
    """(where, piece) for each piece of any value found in any haystack; [] when nothing leaked."""
    needles = sorted(set().union(*(pieces(v, width) for v in values)))
    found: list[tuple[str, str]] = []
    for where, hay in haystacks:
        text = hay.decode("utf-8", "replace") if isinstance(hay, bytes) else hay
        found += [(where, n) for n in needles if n in text]
    return found
