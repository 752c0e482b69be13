"""The shared pieces of the advice tables: the Advice record, the venue templates, and the fixes and notes
that several codes share (so a fix reads the same under every code it applies to).

Header names are templates ({KEY}, {SIGN}, {TIMESTAMP}, {PREFIX}) filled per venue, so WOO X Pro's advice
says X-API-KEY where BitMart's says X-BM-KEY. Slots ({VALUE|fallback}, {PERMISSION|fallback}) are filled per
diagnosis: VALUE with what a %s/%d of the documented message stood for in the body ("Minimum size is 0.0001"
gives 0.0001), PERMISSION with the permission the called endpoint needs; without one the fallback is read.
A fix may carry a topic ("memo", "clock", ..., several as "memo|probe"): tui.diagnosis.diagnose promotes the fix whose
topic matches what the sent request shows, with that evidence.
"""

from __future__ import annotations

from collections import namedtuple

Fixes = tuple["str | tuple[str, str]", ...]


class Advice(namedtuple("Advice", "category causes fixes notes topics", defaults=((), ()))):
    """What a code means and what to do: its category, causes, fixes and notes (tuples of str), and `topics`,
    one per fix ("" when the fix has no topic).

    The catalog's records are named tuples, not dataclasses: importing dataclasses (which imports inspect) and
    building each class cost `keyprobe decode` more than half its start-up (benchmarks/cli_startup.py)."""

    __slots__ = ()

    def topic_of(self, index: int) -> str:
        return self.topics[index] if index < len(self.topics) else ""


def advise(category: str, causes: tuple[str, ...], fixes: Fixes, notes: tuple[str, ...] = ()) -> Advice:
    texts = tuple(f[1] if isinstance(f, tuple) else f for f in fixes)
    topics = tuple(f[0] if isinstance(f, tuple) else "" for f in fixes)
    return Advice(category, causes, texts, notes, topics)


VENUE_TEXT = {
    "bitmart": {
        "{PREFIX}": "X-BM-", "{VENUE}": "BitMart", "{V2HOST}": "https://api-cloud-v2.bitmart.com",
        "{HOSTS}": "futures v2 paths (/contract/...) are served by https://api-cloud-v2.bitmart.com, spot and account "
        "paths (/spot/..., /account/...) by https://api-cloud.bitmart.com",
        "{RECVWINDOW_CLAUSE}": " (or, on endpoints that take recvWindow, more than recvWindow away)",
        "{RECVWINDOW_NOTE}": "Endpoints that take recvWindow (default 5000 ms) can reject smaller offsets than 60 s.",
    },
    "wooxpro": {
        "{PREFIX}": "X-API-", "{VENUE}": "WOO X Pro", "{V2HOST}": "https://cloud-api.wooxpro.com",
        "{HOSTS}": "WOO X Pro serves BitMart's futures v2 paths (/contract/...) and the spot-futures transfers "
        "(/account/v1/transfer-contract...) on https://cloud-api.wooxpro.com; its pages list no spot, funding or "
        "/system/ endpoint",
        # WOO X Pro's pages name no recvWindow: its 30007 is the 60 s window alone (wooxpro-error-codes.md).
        "{RECVWINDOW_CLAUSE}": "",
        "{RECVWINDOW_NOTE}": "",
    },
}

# Shared texts, so a fix reads the same under every code it applies to.
MEMO_FIX = ("memo", "Set the memo to the key's memo: the exact text typed as the key's name when it was created (case-sensitive), "
            "not the account UID. KEYED calls still work with a wrong memo because they do not use it; that is why balances "
            "load while orders fail.")
BYTES_FIX = ("bytes", "Sign exactly the bytes you send: serialise the body once, sign that string, send those bytes "
             "(httpx: content=body.encode(), not json=, which re-serialises compactly).")
WHITESPACE_FIX = ("whitespace", "Strip whitespace and quotes from the secret, memo and key: copy-paste and .env quoting add them "
                  "invisibly.")
GET_BODY_FIX = ("get-body", "For GET and DELETE, sign the query string exactly as sent, without the leading '?', and send no body.")
LEVEL_FIX = ("level", "Send this endpoint SIGNED, with all three headers: {KEY}, {TIMESTAMP} (13-digit milliseconds) and "
             "{SIGN} = hex HMAC-SHA256(secret, \"timestamp#memo#payload\").")
KEY_HEADER_FIX = ("key-header", "Make sure {KEY} is sent and carries the Access Key exactly as issued (keyprobe: choose a profile "
                  "or set KEYPROBE_API_KEY).")
CLOCK_FIX = ("clock", "Check the clock: measure the offset from the server (`keyprobe skew`, or f5 in the console), then "
             "sign with it (`keyprobe send --sync-clock`, or f8 in the console) or sync the system clock with NTP. "
             "The window is 60 s.")
STALE_FIX = ("stale", "Re-sign on every retry and sign right before sending: never reuse a timestamp or a signature.")
TS_FORMAT_FIX = ("timestamp-format", "{TIMESTAMP} must be a 13-digit integer of milliseconds since the epoch (like 1589267764859): "
                 "not seconds, not a float, no spaces. Python: str(time.time_ns() // 1_000_000).")
JSON_FIX = ("json-body", "Send the body as a JSON string with Content-Type: application/json (requests: json= or "
            "data=json_string; httpx: content=json_string.encode()); a form-encoded or empty body is not JSON.")
HOST_FIX = ("host", "Check the base URL: {HOSTS}.")
PATH_FIX = ("path", "Compare the path character by character with the endpoint's page: version segment, hyphens versus "
            "underscores, and the HTTP method (a GET path called with POST can also be 'not found').")
IP_FIX = "Add your public egress IP to the key's whitelist (the address the internet sees, not a 10.x, 172.16-31.x or " \
         "192.168.x LAN address); whitelist changes take about a minute to apply."
IP_EXIT_FIX = "Behind a VPN, proxy or cloud NAT, whitelist that exit address and keep it fixed (a static IP or NAT gateway)."
RATE_FIX = ("rate-limit", "Back off until the window resets: wait {PREFIX}RateLimit-Reset seconds before the next call, then "
            "send more slowly.")
RATE_PACE_FIX = "Pace requests below the endpoint's limit (a token bucket per endpoint) and cache public data instead of polling it."
RETRY_FIX = "Retry later with exponential backoff: nothing in the request itself causes this."
STATUS_PAGE_FIX = "Check {VENUE}'s announcements, or GET /system/service, for maintenance on this product."
PERMISSION_FIX = ("permission", "Edit the key's permissions on {VENUE} to include {PERMISSION|what this endpoint needs (read-only, "
                  "spot trade, futures trade, margin trade or withdraw)}, or use a key that has it; a change takes about a "
                  "minute to apply.")
REFRESH_POSITION_FIX = "Read the position first (GET /contract/private/position) and act on what it shows now."
CLIENT_ID_FIX = ("client-order-id", "Use a client_order_id of letters and digits only, at most 32 characters.")

HTTP_200 = "Documented with HTTP 200 although it is an error: judge a response by its `code`, never by the HTTP status alone."
HTTP_403_ORDER = "Documented with HTTP 403 (like 40046-40050), although this one is an order-validation error, not a permission problem."
VERBATIM = "The message is quoted verbatim from the document, {0} included; match on the code, not on the text."
EXAMPLE_40001 = ("The contract table's example pairs code 40001 with the message \"out_trade_no not found\", which is 40002's "
                 "message; trust the code.")
MAINTENANCE_40020 = ("BitMart's notice for the 2025-10-18 futures upgrade said calls 'may return error code 40020 or 25601' during "
                     "the maintenance; a 40020 on an unrelated call may mean maintenance.")


# Spot, margin and account texts (the spot/account document).
SPOT_DETAILS = "GET /spot/v1/symbols/details"
SPOT_SYMBOL_FIX = ("symbol", "Use a spot symbol exactly as " + SPOT_DETAILS + " lists it: base and quote joined by an "
                   "underscore, upper case (BTC_USDT).")
SPOT_LIMITS_FIX = ("Read the symbol's trading rules from " + SPOT_DETAILS + " (base_min_size, min_buy_amount, "
                   "min_sell_amount, price_max_precision, quote_increment) and check the order against them before sending.")
NUMBER_STRING_FIX = "Send size, price and notional as decimal strings (\"0.001\"), rounded to the symbol's precision."
PARAMETER_TYPE_FIX = ("Check every parameter's name and type against the endpoint's page: an int parameter sent as a string "
                      "(\"1\" for 1) or the reverse, a misspelt field name, or a required field left out.")
SUPPORT_FIX = "Contact {VENUE} customer service: nothing in the request can change this."
VERIFY_FIX = "Complete the identity verification the message names on {VENUE}'s website (Account > Verification), then retry."
REGION_FIX = ("No change to the request fixes this: the service or pair is restricted for the account's KYC country or the "
              "request's region. Contact customer service if you think that is wrong.")
WITHDRAW_RULES_FIX = ("Read the currency's withdrawal rules (GET /account/v1/currencies: withdraw_enabled, "
                      "withdraw_minsize, withdraw_minfee) and the network before sending.")
SUB_ACCOUNT_FIX = "Check which account the key belongs to: sub-account endpoints need the master account's key, and the reverse."
ORDER_STATE_FIX = "Query the order first (POST /spot/v4/query/order) and act on the state it shows now."
SERVICE_RETRY = ("Retry the same request after a short wait with backoff: the message says the failure is on {VENUE}'s side. "
                 "If it repeats, check {VENUE}'s announcements.")
WS_DOC = "Compare the frame with the WebSocket page's example: {\"op\": \"subscribe\", \"args\": [\"spot/ticker:BTC_USDT\"]}."
