"""Read a response body as the venues' envelope `{"code", "message", "trace", "data"}`, defensively.

Whatever arrives (an HTML 502 page, an empty or truncated body, `{"error_msg": ...}`, a `code` that is a
string or a list, bytes that are not UTF-8, a body too large to parse) ends in an Envelope: the code
and message when there are some, otherwise a clause saying why the body is not an envelope.
"""

from __future__ import annotations

import re
from collections import namedtuple

PARSE_LIMIT = 8 * 1024 * 1024  # bodies above this are scanned, not parsed
SCAN_LIMIT = 64 * 1024
TEXT_LIMIT = 500  # longest body message kept
MESSAGE_KEYS = ("message", "msg", "error_msg", "errMsg", "errmsg", "errorMessage", "error")
CODE_KEYS = ("code", "errorCode")  # errorCode: a WebSocket error frame {"event", "errorCode", "errorMessage"}
# Patterns, compiled (and cached by re) at first use: only a body over PARSE_LIMIT is scanned.
_SCAN_CODE = rb'"code"\s*:\s*"?\s*(-?\d{1,18})\s*"?\s*[,}]'
_SCAN_MESSAGE = rb'"message"\s*:\s*"((?:[^"\\]|\\.){0,500})"'


class Envelope(namedtuple("Envelope", "code message problem partial", defaults=(None, None, None, False))):
    """code and message as read (None when absent); problem: why this is not an envelope, as a clause ("the body
    is empty"); partial: read from the first SCAN_LIMIT bytes of a very large body. A named tuple, not a
    dataclass: `keyprobe decode` loads this module (tui.catalog.advice_base.Advice says why)."""

    __slots__ = ()


def _cut(text: str, limit: int) -> str:
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate ("\ud800" in JSON) cannot be printed
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(text: str | None, limit: int = 100) -> str:
    """One line, at most `limit` characters."""
    return _cut(" ".join((text or "").split()), limit)


def _short(value: object, limit: int = TEXT_LIMIT) -> str:
    if isinstance(value, str):
        text = value
    else:
        import json  # here, as in read_envelope: `keyprobe decode CODE` reads no body and needs no json

        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            text = type(value).__name__
    return _cut(text, limit)


def _describe(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return f"{_short(value, 40)!r}" if isinstance(value, str) else f"{_short(value, 40)}"


def as_code(value: object) -> int | None:
    """A whole-number code from an int, an integral float or a digit string; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value):
        return int(value)
    return None


def read_envelope(body: bytes) -> Envelope:
    """The venue's `{"code": ..., "message": ...}` envelope, or why the body is not one."""
    if isinstance(body, str):
        body = body.encode("utf-8", "surrogateescape")
    elif not isinstance(body, (bytes, bytearray)):
        body = bytes(body or b"")
    if not body.strip():
        return Envelope(problem="the body is empty")
    if len(body) > PARSE_LIMIT:
        return _scan(bytes(body))
    try:
        text, not_utf8 = body.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text, not_utf8 = body.decode("utf-8", errors="replace"), f"the body is not UTF-8 text (byte {exc.start})"
    text = text.lstrip("\ufeff").strip()
    import json

    if text.startswith("<"):
        return Envelope(problem="the body is an HTML or XML page (a gateway, proxy or error page), not JSON")
    try:
        data = json.loads(text)  # a stray bad byte inside a string still leaves a readable envelope
    except json.JSONDecodeError as exc:
        if not_utf8:
            return Envelope(problem=not_utf8)
        ends_early = exc.pos >= len(text) - 1 or exc.msg.startswith("Unterminated")
        hint = ": it ends early, as if truncated" if ends_early else ""
        return Envelope(problem=f"the body is not valid JSON ({exc.msg} at character {exc.pos}){hint}")
    except (ValueError, RecursionError):
        return Envelope(problem="the body is JSON keyprobe cannot read (nested too deeply or a number too long)")
    if not isinstance(data, dict):
        kind = {list: "a JSON array", str: "a JSON string", bool: "a JSON boolean", type(None): "JSON null"}.get(type(data), "a JSON number")
        return Envelope(problem=f"the body is {kind}, not an object with a code")
    message = None
    for key in MESSAGE_KEYS:  # the first one present and not null
        value = data.get(key)
        if value is not None:
            message = _short(value)
            break
    key = next((k for k in CODE_KEYS if k in data), None)
    if key is None:
        return Envelope(message=message, problem="the JSON has no `code` field")
    code = as_code(data[key])
    if code is None:
        return Envelope(message=message, problem=f"the `{key}` field is {_describe(data[key])}, not a whole number")
    return Envelope(code, message)


def _scan(body: bytes) -> Envelope:
    head = body[:SCAN_LIMIT]
    size = f"{len(body):,} bytes"
    if not head.lstrip().startswith(b"{"):
        return Envelope(problem=f"the body ({size}) does not start like a JSON object")
    m = re.search(_SCAN_CODE, head)
    if not m:
        return Envelope(problem=f"the body is {size}, too large to parse whole, and its first 64 KiB show no code")
    mm = re.search(_SCAN_MESSAGE, head)
    message = None
    if mm:
        try:
            import json

            message = _short(json.loads(b'"' + mm.group(1) + b'"'))
        except (ValueError, RecursionError):
            message = _short(mm.group(1).decode("utf-8", "replace"))
    return Envelope(code=int(m.group(1)), message=message, partial=True)
