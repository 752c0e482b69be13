"""Any supported input -> CapturedRequests (and WebSocket login captures, tui.inspect.wsframes): the format told
apart automatically, or forced with --format."""

from __future__ import annotations

import json
from collections import namedtuple

from tui.inspect import FORMATS
from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import MAX_INPUT_BYTES, CapturedRequest, InspectError

TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:
    from typing import Any

MAX_JSON_DEPTH = 64


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise InspectError(f"The JSON input is nested too deeply (keyprobe reads at most {MAX_JSON_DEPTH} levels).") from None
    except json.JSONDecodeError as exc:
        raise InspectError(f"The input is not valid JSON: {exc}.") from None
    except ValueError:  # json's one other refusal: Python's 4,300-digit limit (it was called "not valid JSON")
        raise InspectError("The input is valid JSON keyprobe cannot read: it holds an integer of more than 4,300 digits.") from None


def detect(text: str) -> str:
    """The format name of `text`, or InspectError saying what was expected. Each format's module is imported only
    when a cheap look says it may be that format (a capture loads the raw HTTP parser alone)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if "fetch" in stripped:
        from tui.inspect import ccxtlog

        if ccxtlog.looks_like(stripped):
            return "ccxt"
    if "] url=" in stripped[:65536]:
        from tui.inspect import sdklog

        if sdklog.looks_like(stripped):
            return "sdk"
    if stripped.startswith(("{", "[")):
        from tui.inspect import har, records

        if records.json_lines(stripped) is not None and "\n" in stripped.strip():
            return "history"
        doc = _json(stripped)
        if har.looks_like(doc):
            return "har"
        from tui.inspect import wsframes

        if wsframes.looks_like_frames(doc):
            return "ws"
        if records.looks_like_saved(doc):
            return "saved"
        if records.looks_like_history(doc) or isinstance(doc, list):
            return "history"
        if isinstance(doc, dict) and "method" in doc and "path" in doc:
            return "history"
        raise InspectError("The input is JSON, but not a HAR file, a WebSocket login frame, a saved request or keyprobe history.")
    if "curl" in stripped[:65536]:
        from tui.inspect import curl

        if curl.looks_like(stripped):
            return "curl"
    from tui.inspect import rawhttp

    if rawhttp.looks_like(stripped.encode("utf-8", "surrogateescape")):
        return "http"
    raise InspectError("keyprobe cannot tell what this input is: expected a curl command, raw HTTP request text, "
                       "ccxt verbose output, the BitMart SDK's debug log, a HAR file, a WebSocket login frame, or keyprobe "
                       "history or a saved request (or force one with --format).")


class Reading(namedtuple("Reading", "format requests unread")):
    """format; requests (CapturedRequests, WebSocket captures); unread: what the time budget left unread, as a clause
    ("the input after byte 8,000 ... was not read"), or None. (collections' namedtuple: keys.forensics says why.)"""

    __slots__ = ()


def parse(data: bytes, fmt: str = "auto") -> tuple[str, list[CapturedRequest]]:
    """Read `data` (at most MAX_INPUT_BYTES) as `fmt` ("auto" detects it)."""
    reading = read(data, fmt)
    return reading.format, reading.requests


def read(data: bytes, fmt: str = "auto", budget: Budget = UNLIMITED) -> Reading:
    """`data` (at most MAX_INPUT_BYTES) as `fmt`, read until the budget is spent."""
    if len(data) > MAX_INPUT_BYTES:
        raise InspectError(f"The input is {len(data):,} bytes; keyprobe reads at most {MAX_INPUT_BYTES:,}.")
    if b"\x00" in data[:4096] and not data.lstrip().startswith(b"{"):
        raise InspectError("The input looks binary (it has NUL bytes), not a request in text form.")
    text = data.decode("utf-8", "surrogateescape")
    if fmt not in FORMATS:
        raise InspectError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    if fmt == "auto":
        fmt = detect(text)
    stripped = text.lstrip("\ufeff")
    try:
        if fmt == "curl":
            from tui.inspect import curl

            return Reading(fmt, *curl.read(stripped, budget))
        if fmt == "http":
            from tui.inspect import rawhttp

            return Reading(fmt, *rawhttp.read(stripped.lstrip().encode("utf-8", "surrogateescape"), budget))
        if fmt == "ccxt":
            from tui.inspect import ccxtlog

            return Reading(fmt, *ccxtlog.read(stripped, budget))
        if fmt == "sdk":
            from tui.inspect import sdklog

            return Reading(fmt, *sdklog.read(stripped, budget))
        if fmt == "har":
            from tui.inspect import har

            doc = _json(stripped)
            if not har.looks_like(doc):
                raise InspectError("The input is not a HAR file: it has no log.entries.")
            from tui.inspect import wsframes

            if wsframes.has_websocket(doc):  # the upgrade requests are read as WebSocket captures, not as HTTP ones
                try:
                    http, unread = har.read(doc, budget)
                except InspectError:  # a HAR of WebSocket entries only has no HTTP request to read
                    http, unread = [], None
                return Reading(fmt, [r for r in http if r.scheme not in ("ws", "wss")] + wsframes.har_captures(doc), unread)
            return Reading(fmt, *har.read(doc, budget))
        if fmt == "ws":
            from tui.inspect import wsframes

            doc = _json(stripped)
            if not wsframes.looks_like_frames(doc):
                raise InspectError("The input is not a WebSocket login frame ({\"op\":\"login\",...} or {\"action\":\"access\",...}).")
            return Reading(fmt, wsframes.frame_captures(doc), None)
        from tui.inspect import records

        if fmt == "saved":
            doc = _json(stripped)
            if not records.looks_like_saved(doc):
                raise InspectError("The input is not a keyprobe saved request (no schema, venue, base_url, method).")
            return Reading(fmt, records.parse_saved(doc), None)
        return Reading(fmt, records.parse_history(_history_docs(stripped)), None)
    except RecursionError:
        raise InspectError("The input is nested too deeply to read.") from None


def _history_docs(text: str) -> list[Any]:
    from tui.inspect import records

    lines = records.json_lines(text)
    if lines is not None and len(lines) > 1:
        return lines
    doc = _json(text)
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
        return doc["entries"]
    if isinstance(doc, list):
        return doc
    return [doc]
