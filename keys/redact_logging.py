"""Every log record masked with keys.redact's registry: the values registered there and the key/sign headers.

Why a record factory as well as a root filter: a filter on the root logger only sees records logged
on the root logger itself, not those propagated from `httpx` or `httpcore`. Wrapping the record
factory masks every record, from any logger, when it is created.

Apart from keys/redact.py so that masking text does not import `logging` (~4 ms of a start-up): a command
installs this when it loads something that could log (an HTTP client, the key file); tui/cli.py says which.
"""

from __future__ import annotations

import logging
import os
import sys

from keys.redact import mask


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
