"""The plain names of signing: the venues' header sets (X-BM-*, X-API-*) and the auth levels,
importable without httpx (the venue and endpoint tables, `keyprobe --help` and `decode` need
them; keys.signing, which needs httpx, re-exports them)."""

from __future__ import annotations

from collections import namedtuple
from enum import Enum


# Named tuples, not dataclasses, for the records every send and inspect loads: importing dataclasses (which
# imports inspect, ast and tokenize) and building each class cost a start-up more than a named tuple does
# (benchmarks/inspect_startup.py, send_cpu.py; tui.catalog.advice_base.Advice did the same for `decode`).
class HeaderSet(namedtuple("HeaderSet", "prefix")):
    """A venue's signing header names: `prefix` ("X-BM-" or "X-API-") then KEY, SIGN, TIMESTAMP."""

    __slots__ = ()

    @property
    def key(self) -> str:
        return f"{self.prefix}KEY"

    @property
    def sign(self) -> str:
        return f"{self.prefix}SIGN"

    @property
    def timestamp(self) -> str:
        return f"{self.prefix}TIMESTAMP"

    def names(self) -> tuple[str, str, str]:
        return (self.key, self.sign, self.timestamp)


BITMART_HEADERS = HeaderSet("X-BM-")
WOOXPRO_HEADERS = HeaderSet("X-API-")
# Both venues' key and signature names, lower case: masked whichever venue a request is for (a BitMart bot's
# X-BM-KEY sent to WOO X Pro, or X-API-KEY to the emulator, was recorded in clear: issue 21, finding 4).
CREDENTIAL_HEADERS = frozenset(name.lower() for hs in (BITMART_HEADERS, WOOXPRO_HEADERS) for name in (hs.key, hs.sign))


class AuthLevel(str, Enum):
    NONE = "none"  # public: no key header
    KEYED = "keyed"  # key header only
    SIGNED = "signed"  # key, timestamp and signature

    @classmethod
    def parse(cls, text: str) -> AuthLevel:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"auth level must be none, keyed or signed, not {text!r}") from None
