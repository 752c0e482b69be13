"""Keep secrets out of everything keyprobe shows or keeps: masking by value, and the key/sign headers by name.

Two kinds of leak are covered (ecosystem.md 1.7):
- a value: every Secret registered here (unlocked profiles and the credentials a send signs with register
  theirs), and the credentials an inspection or the proxy checks with (`masking`), are masked wherever any
  8 characters of them appear in a row, in any spelling: upper or lower case, percent-encoded, JSON-escaped
  (keys/value_masker.py). Exact strings only were masked before (issue 21, finding 4);
- a header: X-BM-KEY / X-BM-SIGN / X-API-KEY / X-API-SIGN, both venues' names whichever venue a request
  is for: httpx's Headers repr shows them verbatim, and httpcore logs header tuples; the value after those
  names is masked in any of those shapes.

Why a record factory as well as a root filter: a filter on the root logger only sees records logged
on the root logger itself, not those propagated from `httpx` or `httpcore`. Wrapping the record
factory masks every record, from any logger, when it is created.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from keys.secret import MASK, Secret
from keys.value_masker import MIN_LENGTH, ValueMasker

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

_lock = threading.Lock()
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


class RedactingFilter(logging.Filter):
    """Rewrites a record in place: message and args folded into one masked string, traceback text masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    if getattr(record, "_keyprobe_redacted", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a bad format string must not hide the record, nor leak its args
        message = f"{record.msg} (unformattable arguments)"
    record.msg = mask(message)
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask(record.exc_text)
    if record.stack_info:
        record.stack_info = mask(record.stack_info)
    record._keyprobe_redacted = True
    return record


_FILTER = RedactingFilter()
_base_factory: object | None = None


def install(root: logging.Logger | None = None) -> RedactingFilter:
    """Mask every log record: a filter on the root logger and its handlers, and a masking record factory.

    Idempotent: calling it twice installs nothing twice.
    """
    global _base_factory
    root = root or logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    if _base_factory is None:
        base = logging.getLogRecordFactory()
        _base_factory = base

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            return redact_record(base(*args, **kwargs))

        logging.setLogRecordFactory(factory)
    return _FILTER


def uninstall(root: logging.Logger | None = None) -> None:
    """Undo install() (tests)."""
    global _base_factory
    root = root or logging.getLogger()
    root.removeFilter(_FILTER)
    for handler in root.handlers:
        handler.removeFilter(_FILTER)
    if _base_factory is not None:
        logging.setLogRecordFactory(_base_factory)  # type: ignore[arg-type]
        _base_factory = None


def install_logging() -> None:
    """What `keyprobe` does at start: redaction on, httpx/httpcore quiet unless KEYPROBE_DEBUG_HTTP is set.

    httpx logs every URL (query strings included) at INFO and httpcore logs response headers at DEBUG;
    with KEYPROBE_DEBUG_HTTP they go to stderr, masked like everything else.
    """
    install()
    debug = bool(os.environ.get("KEYPROBE_DEBUG_HTTP"))
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.DEBUG if debug else logging.WARNING)
        if debug and not any(getattr(h, "_keyprobe", False) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
            handler.addFilter(_FILTER)
            handler._keyprobe = True  # type: ignore[attr-defined]
            logger.addHandler(handler)
            logger.propagate = False  # one copy on stderr, not two if the root also has a handler
