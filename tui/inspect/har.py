"""HAR files (browser devtools, mitmproxy, Postman exports): every entry's request, with its response.

HTTP/2 pseudo-headers (`:authority`, `:path`) are dropped: they are not headers a client set. A body the
HAR stores as base64 is decoded to its bytes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import CapturedRequest, CapturedResponse, InspectError, wire_bytes

MAX_ENTRIES = 10_000


def looks_like(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("log"), dict) and "entries" in doc["log"]


def _headers(items: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(items, list):
        return ()
    return tuple((str(h.get("name", "")), str(h.get("value", ""))) for h in items
                 if isinstance(h, dict) and not str(h.get("name", "")).startswith(":"))


def _text(holder: Any) -> bytes:
    if not isinstance(holder, dict):
        return b""
    text = holder.get("text")
    if not isinstance(text, str):
        return b""
    if holder.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            return wire_bytes(text)
    return wire_bytes(text)


def parse(doc: Any) -> list[CapturedRequest]:
    return read(doc)[0]


def read(doc: Any, budget: Budget = UNLIMITED) -> tuple[list[CapturedRequest], str | None]:
    """The entries' requests, and what the budget or the entry cap left unread (None: all of it was read)."""
    entries = doc["log"]["entries"]
    if not isinstance(entries, list):
        raise InspectError("The HAR file's log.entries is not a list.")
    out: list[CapturedRequest] = []
    unread = None
    if len(entries) > MAX_ENTRIES:
        unread = f"entries {MAX_ENTRIES + 1:,} to {len(entries):,} were not read (at most {MAX_ENTRIES:,})"
    for number, entry in enumerate(entries[:MAX_ENTRIES], 1):
        if budget.spent():
            unread = f"entries {number:,} to {len(entries):,} of the HAR file were not read"
            break
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("url"), str):
            continue
        response = entry.get("response")
        captured = None
        if isinstance(response, dict):
            status = response.get("status")
            captured = CapturedResponse(status if isinstance(status, int) and status > 0 else None,
                                        _headers(response.get("headers")), _text(response.get("content")))
        out.append(CapturedRequest(str(request.get("method", "GET")).upper(), request["url"],
                                   _headers(request.get("headers")), _text(request.get("postData")), "har",
                                   f"HAR entry {number}", captured))
    if not out and unread is None:
        raise InspectError("The HAR file has no entries with a request URL.")
    return out, unread
