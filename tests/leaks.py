"""Leak search shared by the tests: a secret, memo or passphrase is leaked if ANY 8 consecutive characters of it
appear, or its first-6…last-4 shape does (a half-masked value; keyprobe's fingerprints are hashes now, so this
shape must never appear). Searching for the whole value only misses a value cut by rich's locals renderer, or
shown half-masked.

Values searched this way must be random enough that 8 characters of them never occur by chance: use
`random_value()` (62 letters and digits: one 8-character piece in 2e14).
"""

from __future__ import annotations

import html
import random
import re
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


def find_leaks(haystacks: Iterable[tuple[str, str | bytes]], values: Iterable[str], width: int = PIECE,
               spellings: bool = False) -> list[tuple[str, str]]:
    """(where, piece) for each piece of any value found in any haystack; [] when nothing leaked. With `spellings`,
    each haystack is also read back the ways a person or a program could (see `readings`), case ignored."""
    needles = sorted(set().union(*(pieces(v, width) for v in values)))
    if spellings:
        needles = sorted({n.lower().replace(" ", "+") for n in needles})
    found: list[tuple[str, str]] = []
    for where, hay in haystacks:
        text = hay.decode("utf-8", "replace") if isinstance(hay, bytes) else hay
        texts = readings(text) if spellings else [text]
        found += [(where, n) for n in needles if any(n in t for t in texts)]
    return found


_JSON_ESCAPE = re.compile(r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\([\\/\"])")


def _json_unescaped(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        if m.group(1):
            high, low = int(m.group(1), 16), int(m.group(2), 16)
            return chr(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        return chr(int(m.group(3), 16)) if m.group(3) else m.group(4)
    return _JSON_ESCAPE.sub(one, text)


def readings(text: str) -> list[str]:
    """`text` as it could be read back: as is, percent-decoded (twice), JSON-unescaped, and both, HTML-unescaped,
    base64-decoded; lower case, a
    space read as `+` (so `my memo`, `my+memo` and `my%20memo` are one spelling). Written independently of the
    masker (keys/value_masker.py), so a mistake in one is not repeated in the other."""
    from urllib.parse import unquote, unquote_plus

    out = {text, unquote(text), unquote(unquote(text)), unquote_plus(text), _json_unescaped(text), unquote(_json_unescaped(text)),
           _json_unescaped(unquote(text)), html.unescape(text), _base64_decoded(text), _base64_decoded(unquote(text))}
    return [t.lower().replace(" ", "+") for t in out]


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{11,}")


def _base64_decoded(text: str) -> str:
    """Every run of base64 characters in `text` decoded from each of its four alignments (standard or URL-safe),
    the results joined by newlines: a value base64-encoded anywhere in a text appears whole in one of them."""
    import base64
    import binascii

    decoded = []
    for run in _BASE64_RUN.findall(text):
        run = run.replace("-", "+").replace("_", "/")
        for align in range(4):
            usable = run[align:][: (len(run) - align) // 4 * 4]
            try:
                decoded.append(base64.b64decode(usable, validate=True).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                pass
    return "\n".join(decoded)
