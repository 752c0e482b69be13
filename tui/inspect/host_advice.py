"""The fix that leads when a request went to the other venue's host: a WOO X Pro bot (X-API-* headers) pointed at
BitMart, or a BitMart bot (X-BM-*) pointed at WOO X Pro. The host then answers "not found" (HTTP 404, 30000) or
"Header ... is empty" (30001, 30002), and the code table's own fix ("Check the base URL", "Make sure the key header
is sent") points at the answering venue's hosts and headers, the wrong ones for this bot.

Hosts: BitMart's futures v2 API is https://api-cloud-v2.bitmart.com, its spot and account API
https://api-cloud.bitmart.com; WOO X Pro's is https://cloud-api.wooxpro.com (tui/venues.py, protocol.md section 4).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tui.inspect.model import CapturedRequest

WRONG_HOST_CODES = frozenset({30000, 30001, 30002})  # not found; the key header empty or unknown (the other dialect)
WOO_X_PRO_URL = "https://cloud-api.wooxpro.com"
BITMART_URLS = "https://api-cloud-v2.bitmart.com (futures) and https://api-cloud.bitmart.com (spot, account)"


def wrong_host_fix(req: CapturedRequest, venue: str, family: str, sent: str | None, code: int | None,
                   status: int | None) -> tuple[str, str] | None:
    """(fix, evidence) when the request carries `sent`'s header names (tui.inspect.lint.headers_family) and the host
    that answered "not found" or "key header empty" reads the other venue's (`family`); None otherwise."""
    if sent is None or sent == family or not (status == 404 or code in WRONG_HOST_CODES):
        return None
    loopback = venue == "emulator"
    where = "this emulator, which plays BitMart" if loopback and family == "bitmart" else (
        "this emulator, which plays WOO X Pro" if loopback else f"{'BitMart' if family == 'bitmart' else 'WOO X Pro'}'s host {req.host}")
    if sent == "wooxpro":
        evidence = f"the request carries WOO X Pro's header names (X-API-*) and went to {where}"
        if loopback:
            return ("Send it to WOO X Pro's emulator: `keyprobe emulator` (WOO X Pro unless --venue bitmart) or "
                    "`keyprobe proxy --upstream emulator` (its default --emulator-flavour is wooxpro)."), evidence
        return (f"Send it to WOO X Pro, {WOO_X_PRO_URL}: set the bot's base URL there, or run "
                "`keyprobe proxy --upstream wooxpro`."), evidence
    evidence = f"the request carries BitMart's header names (X-BM-*) and went to {where}"
    move = ("To move the bot to WOO X Pro, send X-API-KEY, X-API-SIGN and X-API-TIMESTAMP and only the endpoints WOO X "
            "Pro documents (README, \"Moving a bot from BitMart to WOO X Pro\")")
    if loopback:
        return (f"{move}; for BitMart's dialect, run BitMart's emulator: `keyprobe emulator --venue bitmart` or "
                "`keyprobe proxy --emulator-flavour bitmart`."), evidence
    return (f"{move}; BitMart's own hosts are {BITMART_URLS} (`keyprobe proxy --upstream bitmart`), but BitMart is "
            "winding down."), evidence
