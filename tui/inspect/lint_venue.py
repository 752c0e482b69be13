"""What a captured request shows about its venue: BitMart's wind-down, and each difference a BitMart bot meets when
it is pointed at WOO X Pro unchanged (README, "Moving a bot from BitMart to WOO X Pro").

WOO X Pro runs BitMart's API stack (protocol.md section 4) with three differences a bot notices: the header names
(X-API-* on most of its pages, X-BM-* on a few: field-notes section 6), the endpoints (futures v2 and the transfers
only: tui/endpoints.py cites each page), and no time endpoint (the clock is in the Date header). A request to an
endpoint WOO X Pro does not document is answered as its host answers a path it lacks: a bare HTTP 404
{"error_msg":"404 Route Not Found"} (field-notes section 2).

The venue is the host's; on loopback (the emulator, or the proxy in front of it) the answer says which dialect
served it. Findings are (id, severity, sentence) tuples, which tui/inspect/lint.py turns into its Findings.
"""

from __future__ import annotations

import json

from keys import lifecycle
from keys.headers import BITMART_HEADERS, WOOXPRO_HEADERS
from tui import endpoints

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tui.inspect.model import CapturedRequest

VenueFinding = tuple[str, str, str]  # (id, severity, sentence), as tui.inspect.lint.Finding takes them
ROUTE_NOT_FOUND = {"error_msg": "404 Route Not Found"}  # cloud-api.wooxpro.com's answer to a path it lacks
DIALECT_REFUSED = frozenset({30001, 30002})  # the key header empty or unknown: the other dialect was read
MIGRATION = "README, \"Moving a bot from BitMart to WOO X Pro\""


def findings(req: CapturedRequest, venue: str) -> list[VenueFinding]:
    """The venue findings for one captured request; `venue` is lint's reading of its host (tui.inspect.lint.venue_of)."""
    if venue in ("bitmart", "bitmart-spot"):
        return _bitmart(req)
    if venue == "wooxpro" or (venue == "emulator" and _answered_as_woo_x_pro(req)):
        return _woo_x_pro(req)
    return []


def _answered_as_woo_x_pro(req: CapturedRequest) -> bool:
    """On loopback the host says nothing: WOO X Pro's emulator answers with X-API-RateLimit-* headers, and a path
    WOO X Pro lacks with its host's bare 404."""
    r = req.response
    if r is None:
        return False
    return r.header("x-api-ratelimit-limit") is not None or route_not_found(r.body)


def route_not_found(body: bytes) -> bool:
    """WOO X Pro's host's answer to a path it lacks (BitMart's is {"code":30000,"message":"Not found"})."""
    return _json(body) == ROUTE_NOT_FOUND


def _woo_x_pro(req: CapturedRequest) -> list[VenueFinding]:
    out: list[VenueFinding] = []
    bm = [n for n in BITMART_HEADERS.names() if req.header(n) is not None]
    if bm and all(req.header(n) is None for n in WOOXPRO_HEADERS.names()):
        refused = _code(req) in DIALECT_REFUSED
        out.append(("venue-dialect", "error" if refused else "warning",
                    f"{', '.join(bm)} {'is' if len(bm) == 1 else 'are'} BitMart's header name{'s' if len(bm) > 1 else ''}, "
                    "sent to WOO X Pro unchanged: its pages show X-API-KEY, X-API-SIGN and X-API-TIMESTAMP on most endpoints "
                    "and X-BM-* on a few" + (f", and this answer ({_code(req)}) says the key header was not read" if refused else "")
                    + ". `keyprobe probe --venue wooxpro` tells which dialect it accepts for your key; "
                    "`keyprobe keys add --dialect` stores it."))
    method, path = req.method.upper(), req.path
    if path == "/system/time":
        out.append(("venue-time-endpoint", "error",
                    "WOO X Pro documents no time endpoint (/system/time is BitMart's), and answers it as a path it lacks "
                    "(HTTP 404). Read the server's clock from the Date header of any answer (`keyprobe skew --venue "
                    "wooxpro` does, to about a millisecond); with ccxt, leave adjustForTimeDifference off."))
    elif _woo_x_pro_lacks(method, path):
        out.append(("venue-undocumented-endpoint", "error",
                    f"{method} {path} is not an endpoint WOO X Pro documents: its pages list BitMart's futures v2 paths and "
                    "the spot-futures transfers, no spot, funding or system endpoint. Its host answers such a path with "
                    "HTTP 404 {\"error_msg\": \"404 Route Not Found\"}, a body with no code (ccxt's bitmart then fails "
                    f"with an AttributeError, not an exchange error). See {MIGRATION}."))
    return out


def _woo_x_pro_lacks(method: str, path: str) -> bool:
    """An endpoint WOO X Pro's pages do not list: one of the table's it does not document, or any spot, funding or
    system path (a BitMart endpoint the table lacks, such as a margin or batch order)."""
    documented = endpoints.documented_by(method, path, "wooxpro")
    if documented is not None:
        return not documented
    return path.startswith(("/spot/", "/system/", "/account/"))  # the two transfer paths WOO X Pro has are in the table


def _bitmart(req: CapturedRequest) -> list[VenueFinding]:
    """BitMart's wind-down, judged at the exchange's time (the answer's Date header, else the local clock)."""
    date = req.response.header("date") if req.response is not None else None
    when, _ = lifecycle.time_of(date)
    state = lifecycle.state_of("bitmart", endpoints.kind_of(req.method, req.path), when)
    if state is None or not state.sentence:
        return []
    if state.leads:
        return [("venue-winding-down", "error", f"{state.sentence.rstrip('.')}: this request cannot succeed there, whatever "
                 f"its signature. WOO X Pro runs the same API: {MIGRATION}.")]
    return [("venue-winding-down", "info", state.sentence)]


def _code(req: CapturedRequest) -> int | None:
    body = _json(req.response.body) if req.response is not None else None
    code = body.get("code") if isinstance(body, dict) else None
    try:
        return int(code) if code is not None and not isinstance(code, bool) else None
    except (TypeError, ValueError):
        return None


def _json(body: bytes) -> object:
    if not body or len(body) > 4096 or not body.lstrip().startswith(b"{"):  # the answers this reads are small objects
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None
