"""Secret: a string that will not show itself.

Textual's crash screen renders every frame's locals with repr(), loggers format with str(), and
json/pickle would happily write a plain str to disk. A Secret answers all of them with a mask, so
the only way to the plaintext is reveal(), and reveal() only answers code inside the keys package.
"""

from __future__ import annotations

import sys

# hashlib and hmac are imported where they are used: the console imports this module (through
# keys.redact) before its first frame, and neither is needed to paint it (benchmarks/startup.py).

MASK = "********"


class SecretRevealError(RuntimeError):
    """reveal() was called from outside the keys package."""


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value._value
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        self._value = value

    # -- never show the value -------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return MASK

    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("a Secret cannot be pickled or serialised")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict) -> Secret:
        return self

    # -- questions that do not need the value -----------------------------------------------------
    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        import hmac

        return hmac.compare_digest(self._value.encode(), other._value.encode())

    __hash__ = None  # type: ignore[assignment]  # equal secrets must not be told apart by hash

    @property
    def is_set(self) -> bool:
        return bool(self._value)

    def is_all_digits(self) -> bool:
        """An all-digit memo is usually the account UID pasted where the key's memo belongs."""
        return self._value.isdigit()

    def fingerprint(self) -> str:
        """`#` and the first 8 hex digits of the value's SHA-256 (`#d84ea451`): tells two keys apart and shows
        none of their characters. Values under 16 characters show only a mask: 32 bits of a short value's
        hash could be searched back to the value."""
        v = self._value
        if len(v) < 16:
            return "…" if v else "(unset)"
        import hashlib

        # surrogatepass: a key read from the environment can hold lone surrogates (undecodable bytes).
        return "#" + hashlib.sha256(v.encode(errors="surrogatepass")).hexdigest()[:8]

    # -- the one way out --------------------------------------------------------------------------
    # Not mutated by `make mutants`: its caller check reads the calling frame, which a mutation trampoline replaces.
    def reveal(self) -> str:  # pragma: no mutate block
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller != "keys" and not caller.startswith("keys."):
            raise SecretRevealError(f"Secret.reveal() is for the keys package only (called from {caller!r})")
        return self._value
