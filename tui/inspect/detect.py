"""Any supported input -> CapturedRequests (and WebSocket captures, tui.inspect.wsframes): the format told apart
automatically, or forced with --format."""

from __future__ import annotations

import json
from typing import Any

from tui.inspect import FORMATS, ccxtlog, curl, har, rawhttp, records, wsframes
from tui.inspect.model import MAX_INPUT_BYTES, CapturedRequest, InspectError

MAX_JSON_DEPTH = 64


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise InspectError(f"The JSON input is nested too deeply (keyprobe reads at most {MAX_JSON_DEPTH} levels).") from None
    except ValueError as exc:
        raise InspectError(f"The input is not valid JSON: {exc}.") from None


def detect(text: str) -> str:
    """The format name of `text`, or InspectError saying what was expected."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if ccxtlog.looks_like(stripped):
        return "ccxt"
    if stripped.startswith(("{", "[")):
        if records.json_lines(stripped) is not None and "\n" in stripped.strip():
            return "history"
        doc = _json(stripped)
        if har.looks_like(doc):
            return "har"
        if wsframes.looks_like_frames(doc):
            return "ws"
        if records.looks_like_saved(doc):
            return "saved"
        if records.looks_like_history(doc) or isinstance(doc, list):
            return "history"
        if isinstance(doc, dict) and "method" in doc and "path" in doc:
            return "history"
        raise InspectError("The input is JSON, but not a HAR file, a WebSocket login frame, a saved request or keyprobe history.")
    if curl.commands(stripped):
        return "curl"
    if rawhttp.looks_like(stripped.encode("utf-8", "surrogateescape")):
        return "http"
    raise InspectError("keyprobe cannot tell what this input is: expected a curl command, raw HTTP request text, "
                       "ccxt verbose output, a HAR file, or keyprobe history or a saved request (or force one with --format).")


def parse(data: bytes, fmt: str = "auto") -> tuple[str, list[CapturedRequest]]:
    """Read `data` (at most MAX_INPUT_BYTES) as `fmt` ("auto" detects it)."""
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
            return fmt, curl.parse(stripped)
        if fmt == "http":
            return fmt, rawhttp.parse(stripped.lstrip().encode("utf-8", "surrogateescape"))
        if fmt == "ccxt":
            return fmt, ccxtlog.parse(stripped)
        if fmt == "har":
            doc = _json(stripped)
            if not har.looks_like(doc):
                raise InspectError("The input is not a HAR file: it has no log.entries.")
            if wsframes.has_websocket(doc):  # the upgrade requests are read as WebSocket captures, not as HTTP ones
                http = [r for r in _or_none(har.parse, doc) if r.scheme not in ("ws", "wss")]
                return fmt, http + wsframes.har_captures(doc)
            return fmt, har.parse(doc)
        if fmt == "ws":
            doc = _json(stripped)
            if not wsframes.looks_like_frames(doc):
                raise InspectError("The input is not a WebSocket login frame ({\"op\":\"login\",...} or {\"action\":\"access\",...}).")
            return fmt, wsframes.frame_captures(doc)
        if fmt == "saved":
            doc = _json(stripped)
            if not records.looks_like_saved(doc):
                raise InspectError("The input is not a keyprobe saved request (no schema, venue, base_url, method).")
            return fmt, records.parse_saved(doc)
        return fmt, records.parse_history(_history_docs(stripped))
    except RecursionError:
        raise InspectError("The input is nested too deeply to read.") from None


def _or_none(parse: Any, doc: Any) -> list[CapturedRequest]:
    try:
        return parse(doc)
    except InspectError:  # a HAR of WebSocket entries only has no HTTP request to read
        return []


def _history_docs(text: str) -> list[Any]:
    lines = records.json_lines(text)
    if lines is not None and len(lines) > 1:
        return lines
    doc = _json(text)
    if isinstance(doc, dict) and isinstance(doc.get("entries"), list):
        return doc["entries"]
    if isinstance(doc, list):
        return doc
    return [doc]
