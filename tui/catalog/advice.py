"""What each documented code means for the person at the keyboard: category, causes, fixes, notes.

One table keyed by code, kept in one module per document part: advice_auth (the global HTTP table, 1000 and
30000-30031), advice_futures (40001-42000), advice_account (60000-61008), advice_spot (50000-50042 and
70000-71005), advice_margin (51000-59011) and advice_websocket (90001-95000). A code's part is imported when a
code of its range is first asked for (`part_of`): a diagnosis of a 1000 or a 30005 loads no spot, margin,
account or WebSocket advice (~0.6 ms of a start-up). Rows that share a code with another message (30006,
30007, 60000) have their own entry in the part's BY_MESSAGE, and 30005 reads differently when keyprobe signed
the request itself (advice_auth.BY_ORIGIN). ADVICE and BY_MESSAGE, every part's merged, are built when read.
"""

from __future__ import annotations

import importlib
import re
from functools import cache, lru_cache

from tui.catalog.advice_base import (  # noqa: F401 - re-exported: tui.diagnosis.diagnose and the evidence use them
    JSON_FIX, MAINTENANCE_40020, PATH_FIX, HOST_FIX, RATE_FIX, RATE_PACE_FIX, RETRY_FIX, STATUS_PAGE_FIX, VENUE_TEXT,
    Advice,
)
from tui.catalog.advice_base import advise as _a

TYPE_CHECKING = False  # typing's flag without importing typing: `keyprobe decode` loads this module
if TYPE_CHECKING:
    from collections.abc import Mapping
    from types import ModuleType

PARTS = ("advice_auth", "advice_futures", "advice_account", "advice_spot", "advice_margin", "advice_websocket")
_SLOT = re.compile(r"\{(VALUE|PERMISSION)\|([^{}]*)\}")


def part_of(code: int) -> str | None:
    """The module that holds `code`'s advice, by the ranges of the documents' tables; None for a code none holds."""
    if code < 10000 or 30000 <= code < 40000:
        return "advice_auth"
    if 40000 <= code < 50000:
        return "advice_futures"
    if 50000 <= code < 51000 or 70000 <= code < 80000:
        return "advice_spot"
    if 51000 <= code < 60000:
        return "advice_margin"
    if 60000 <= code < 70000:
        return "advice_account"
    if 90000 <= code < 100000:
        return "advice_websocket"
    return None


@cache
def _part(name: str) -> ModuleType:
    return importlib.import_module(f"tui.catalog.{name}")


def entry(code: int, message: str | None = None, origin: str | None = None) -> Advice | None:
    """The advice table's entry for `code`: the documented row's own when `message` (a documented message) has one,
    the one for who signed (`origin`) when there is one; None for a code no part holds."""
    name = part_of(code)
    if name is None:
        return None
    part = _part(name)
    return (getattr(part, "BY_ORIGIN", {}).get((code, origin or "")) or getattr(part, "BY_MESSAGE", {}).get((code, message or ""))
            or part.ADVICE.get(code))


def __getattr__(name: str) -> object:
    """ADVICE (code -> Advice) and BY_MESSAGE ((code, message) -> Advice), every part's merged, built when first read."""
    if name == "ADVICE":
        merged: dict = {code: item for part in PARTS for code, item in _part(part).ADVICE.items()}
    elif name == "BY_MESSAGE":
        merged = {key: item for part in PARTS for key, item in getattr(_part(part), "BY_MESSAGE", {}).items()}
    elif name == "BY_ORIGIN":
        merged = _part("advice_auth").BY_ORIGIN
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = merged
    return merged


def _fill(text: str, family: str) -> str:
    for token, value in VENUE_TEXT[family].items():
        text = text.replace(token, value)
    prefix = VENUE_TEXT[family]["{PREFIX}"]
    return text.replace("{KEY}", f"{prefix}KEY").replace("{SIGN}", f"{prefix}SIGN").replace("{TIMESTAMP}", f"{prefix}TIMESTAMP")


def filled(item: Advice, family: str) -> Advice:
    """The advice with header names and hosts of `family` ("bitmart" | "wooxpro"); slots stay open."""
    if family not in VENUE_TEXT:
        raise ValueError(f"unknown venue family {family!r}; choose bitmart or wooxpro")
    f = lambda texts: tuple(_fill(t, family) for t in texts)  # noqa: E731
    notes = tuple(note for note in f(item.notes) if note)  # a note one venue has no text for (recvWindow on WOO X Pro)
    return Advice(_fill(item.category, family), f(item.causes), f(item.fixes), notes, item.topics)


@cache
def has_slots(item: Advice) -> bool:
    return any("|" in t and _SLOT.search(t) for t in item.causes + item.fixes + item.notes)


def resolve(item: Advice, slots: Mapping[str, str] | None = None) -> Advice:
    """Fill {VALUE|...} and {PERMISSION|...} from `slots`; a slot not given reads as its fallback text."""
    if not has_slots(item):
        return item
    return _resolved(item, slots.get("VALUE") if slots else None, slots.get("PERMISSION") if slots else None)


@lru_cache(maxsize=1024)
def _resolved(item: Advice, value: str | None, permission: str | None) -> Advice:
    slots = {"VALUE": value, "PERMISSION": permission}
    f = lambda texts: tuple(_SLOT.sub(lambda m: slots.get(m[1]) or m[2], t) for t in texts)  # noqa: E731
    return Advice(item.category, f(item.causes), f(item.fixes), f(item.notes), item.topics)


@cache
def template(code: int, venue: str = "bitmart", message: str | None = None, origin: str | None = None) -> Advice:
    """The advice for a code in `venue`'s header names, with its slots open: the documented row's own entry when
    `message` (a documented message) has one, the entry for who signed (`origin`) when there is one."""
    item = entry(code, message, origin)
    if item is None:
        raise KeyError(f"no advice for code {code}: it is not in the documents")
    return filled(item, venue)


@cache
def advice(code: int, venue: str = "bitmart") -> Advice:
    """The advice for a documented code (or a global HTTP row's status), in `venue`'s header names, slots read
    as their fallbacks.

    Raises KeyError for a code no document has: such codes are reported as undocumented, never guessed.
    """
    return resolve(template(code, venue))


def status_advice(status: int, venue: str = "bitmart") -> Advice:
    """Advice by HTTP status class, for a status the global HTTP table does not list (502, 429, 418, 200 HTML ...)."""
    return resolve(status_template(status, venue))


def status_template(status: int, venue: str = "bitmart") -> Advice:
    """status_advice with its slots open (403 names the permission of the called endpoint)."""
    if status < 1000 and entry(status) is not None:
        return template(status, venue)
    if status == 429:
        item = _a("rate limit", ("Too many requests: the rate limit was exceeded before the API could answer.",),
                  (RATE_FIX, RATE_PACE_FIX))
    elif status == 418:
        item = _a("rate limit", ("The IP is blocked after repeated 429 responses.",),
                  (("rate-limit", "Stop sending and wait; a retry loop extends the block. Contact {VENUE} if it persists."),))
    elif status in (400, 405, 411, 413, 415, 422):
        item = _a("request format", ("The gateway rejected the request's form before the API saw it (method, size, "
                                     "content type, or body).",), (JSON_FIX, PATH_FIX))
    elif 400 <= status < 500:
        item = _a("request", ("The gateway refused the request without the venue's usual JSON envelope.",), (HOST_FIX, PATH_FIX))
    elif 500 <= status < 600:
        item = _a("service", ("A gateway, load balancer or proxy answered instead of the API (often an HTML page): the "
                              "service is down or overloaded, or something between you and it failed.",),
                  (RETRY_FIX, STATUS_PAGE_FIX, "If you use a proxy, try without it."))
    elif 300 <= status < 400:
        item = _a("redirect", ("A redirect instead of an API answer: http:// instead of https://, or a moved host.",),
                  (HOST_FIX,))
    else:
        item = _a("unexpected response", ("The answer is not {VENUE}'s JSON envelope: the base URL may point at a website, "
                                          "a proxy or a captive portal rather than the API.",), (HOST_FIX,))
    return filled(item, venue)
