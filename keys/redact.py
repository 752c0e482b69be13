"""Keep secrets out of everything keyprobe shows or keeps: masking by value, and the key/sign headers by name.

Two kinds of leak are covered (ecosystem.md 1.7):
- a value: every Secret registered here (unlocked profiles and the credentials a send signs with register
  theirs), and the credentials an inspection or the proxy checks with (`masking`), are masked wherever any
  8 characters of them appear in a row, in any spelling: upper or lower case, percent-encoded, JSON-escaped
  (keys/value_masker.py). Exact strings only were masked before (issue 21, finding 4);
- a header: X-BM-KEY / X-BM-SIGN / X-API-KEY / X-API-SIGN, both venues' names whichever venue a request
  is for: httpx's Headers repr shows them verbatim, and httpcore logs header tuples; the value after those
  names is masked in any of those shapes.

Log records are masked by keys/redact_logging.py with `mask` from here: this module imports no `logging`, so
a command that logs nothing (`inspect` with KEYPROBE_* key material) masks its output without loading it.
"""

from __future__ import annotations

import functools
import re
from _thread import allocate_lock  # threading.Lock itself: importing threading cost an inspect ~1 ms
from collections.abc import Callable, Iterable

from keys.secret import MASK, Secret
from keys.value_masker import MIN_LENGTH, ValueMasker

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from keys.profile import Profile

# Values shorter than this are not masked by value: masking "1" or "abc" everywhere would wreck every
# log line. Headers are still masked by name whatever the value's length.
MIN_MASKED_LENGTH = MIN_LENGTH
# `X-BM-KEY: v`, `'x-bm-key': 'v'`, `"X-API-SIGN":"v"`, `(b'x-bm-sign', b'v')`, `x-api-key=v`
_HEADER_VALUE = re.compile(
    r"""(?P<name>x-(?:bm|api)-(?:key|sign))(?P<sep>['"]?\s*[:=,]\s*b?['"]?)(?P<value>[^'"\s,;&)}\]]+)""",
    re.IGNORECASE,
)

_lock = allocate_lock()
_registered: list[Secret] = []
_matcher: ValueMasker | None = None  # built from _registered when first needed after a change


def register(*secrets: Secret) -> None:
    """Mask these values in every log record from now on (the plaintext stays inside the Secret)."""
    with _lock:
        for s in secrets:
            if isinstance(s, Secret) and len(s) >= MIN_MASKED_LENGTH and not any(s is r for r in _registered):
                _registered.append(s)
                _forget_matcher()


def _forget_matcher() -> None:
    global _matcher
    _matcher = None


def register_profile(profile: Profile) -> None:
    register(profile.api_key, profile.secret, profile.memo)


def has_registered() -> bool:
    return bool(_registered)


def clear() -> None:
    """Forget every registered value (tests)."""
    with _lock:
        _registered.clear()
        _forget_matcher()


def mask(text: str) -> str:
    """`text` with every spelling of every registered value (any 8 characters of it) and every key/sign header
    value replaced by the mask."""
    global _matcher
    with _lock:
        matcher = _matcher
        if matcher is None:
            matcher = _matcher = ValueMasker((s.reveal(), MASK) for s in _registered)
    return mask_headers(matcher(text))


def mask_headers(text: str) -> str:
    """The value after X-BM-KEY, X-BM-SIGN, X-API-KEY or X-API-SIGN in `text`, in any shape, replaced by the mask."""
    return _HEADER_VALUE.sub(lambda m: f"{m['name']}{m['sep']}{MASK}", text)


def masking(values: Iterable[tuple[Secret, str]]) -> Callable[[str], str]:
    """A function replacing each value (of at least MIN_MASKED_LENGTH) with its stand-in wherever any 8
    characters of it occur in a text, in any spelling (case, percent-encoding, JSON escapes, base64). For output
    built from known credentials (the proxy's line, inspect --json, history) without touching the global registry.
    The same values give the same masker: the proxy asks once per exchange, and building one costs ~0.5 ms."""
    return _masker(tuple((secret.reveal(), shown) for secret, shown in values))


@functools.lru_cache(maxsize=8)
def _masker(values: tuple[tuple[str, str], ...]) -> ValueMasker:
    return ValueMasker(values)

