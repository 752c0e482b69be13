"""What each documented code means for the person at the keyboard: category, causes, fixes, notes.

One table keyed by code: every row of both documents (1000, 30000-30031, 40001-40050, 42000) and the
four rows of the global HTTP table (401, 403, 404, 500, which never clash with an API code). Texts come
from protocol.md section 6 (real causes of 30005/30007 and friends) and section 5 (document oddities).

Header names are templates ({KEY}, {SIGN}, {TIMESTAMP}, {PREFIX}) filled per venue, so WOO X Pro's
advice says X-API-KEY where BitMart's says X-BM-KEY. A fix may carry a topic ("memo", "clock", ...):
tui.diagnose promotes the fix whose topic matches what the sent request shows, with that evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

Fixes = tuple["str | tuple[str, str]", ...]


@dataclass(frozen=True)
class Advice:
    category: str
    causes: tuple[str, ...]
    fixes: tuple[str, ...]
    notes: tuple[str, ...] = ()
    topics: tuple[str, ...] = field(default=(), repr=False)  # one per fix; "" when the fix has no topic

    def topic_of(self, index: int) -> str:
        return self.topics[index] if index < len(self.topics) else ""


def _a(category: str, causes: tuple[str, ...], fixes: Fixes, notes: tuple[str, ...] = ()) -> Advice:
    texts = tuple(f[1] if isinstance(f, tuple) else f for f in fixes)
    topics = tuple(f[0] if isinstance(f, tuple) else "" for f in fixes)
    return Advice(category, causes, texts, notes, topics)


VENUE_TEXT = {
    "bitmart": {
        "{PREFIX}": "X-BM-", "{VENUE}": "BitMart", "{V2HOST}": "https://api-cloud-v2.bitmart.com",
        "{HOSTS}": "futures v2 paths (/contract/...) are served by https://api-cloud-v2.bitmart.com, spot and account "
        "paths (/spot/..., /account/...) by https://api-cloud.bitmart.com",
    },
    "wooxpro": {
        "{PREFIX}": "X-API-", "{VENUE}": "WOO X Pro", "{V2HOST}": "https://cloud-api.wooxpro.com",
        "{HOSTS}": "WOO X Pro serves BitMart's futures v2 paths (/contract/...) and /account/v1/... on "
        "https://cloud-api.wooxpro.com",
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
PERMISSION_FIX = "Edit the key's permissions on {VENUE} (read, trade, withdraw) to include what this endpoint needs, or use a key that has them."
REFRESH_POSITION_FIX = "Read the position first (GET /contract/private/position) and act on what it shows now."
CLIENT_ID_FIX = ("client-order-id", "Use a client_order_id of letters and digits only, at most 32 characters.")

HTTP_200 = "Documented with HTTP 200 although it is an error: judge a response by its `code`, never by the HTTP status alone."
HTTP_403_ORDER = "Documented with HTTP 403 (like 40046-40050), although this one is an order-validation error, not a permission problem."
VERBATIM = "The message is quoted verbatim from the document, {0} included; match on the code, not on the text."
EXAMPLE_40001 = ("The contract table's example pairs code 40001 with the message \"out_trade_no not found\", which is 40002's "
                 "message; trust the code.")
MAINTENANCE_40020 = ("BitMart's notice for the 2025-10-18 futures upgrade said calls 'may return error code 40020 or 25601' during "
                     "the maintenance; a 40020 on an unrelated call may mean maintenance.")

ADVICE: dict[int, Advice] = {
    # -- the global HTTP table -----------------------------------------------------------------------------------------
    401: _a("authentication", (
        "One of the three headers ({KEY}, {SIGN}, {TIMESTAMP}) is missing or wrong: the document's 'the 3 header parameters'.",
        "A wrong memo lands here too (as 30005): the memo is not a header, only part of the signed string.",
    ), (KEY_HEADER_FIX, LEVEL_FIX, MEMO_FIX, WHITESPACE_FIX, CLOCK_FIX, BYTES_FIX),
        ("There is no memo header: the memo only enters the signature's pre-image.",)),
    403: _a("permission", (
        "The key lacks the permission this endpoint needs (a read-only key on a trading call, no futures permission).",
        "The key has an IP whitelist and the request came from another address.",
    ), (PERMISSION_FIX, IP_FIX, IP_EXIT_FIX)),
    404: _a("not found", (
        "The path does not exist on this host: a typo, a missing version segment, or the wrong host for this product.",
        "An unknown route may answer without the usual envelope, e.g. {\"error_msg\": \"404 Route Not Found\"}.",
    ), (HOST_FIX, PATH_FIX)),
    500: _a("service", (
        "A server-side failure at {VENUE}; usually not something in the request.",
        "Occasionally a malformed parameter crashes the handler instead of producing a 4xx code.",
    ), (RETRY_FIX, STATUS_PAGE_FIX, "If one request keeps failing while others work, simplify its parameters one at a time.")),
    # -- success -------------------------------------------------------------------------------------------------------
    1000: _a("success", ("The request was accepted: code 1000 means success.",), (
        "Nothing to fix. If data is missing, check the response's `data` field and the parameters you sent.",
    ), ("The authentication table's example line is this success body (httpStatus:200, code 1000, \"OK\"), not an error.",
        "Success messages are \"OK\" or \"Ok\" depending on the endpoint: test code == 1000, not the text.")),
    # -- authentication table ------------------------------------------------------------------------------------------
    30000: _a("not found", ("The gateway does not know this path: a typo, a wrong version, or the wrong host.",),
              (HOST_FIX, PATH_FIX),
              ("Listed in the authentication table with HTTP 404, but it is about the path, not the key.",)),
    30001: _a("key", (
        "{KEY} was sent with an empty value: the key was unset when the request was built (an environment variable or "
        "config entry that did not load).",
    ), (KEY_HEADER_FIX, "Log the key's fingerprint (first 6 and last 4 characters) at startup to see which key, if any, is loaded.")),
    30002: _a("key", (
        "The {KEY} value matches no key at {VENUE}: a typo, a truncated copy, the secret pasted in place of the key, or a "
        "deleted key.",
        "A key from another venue, another account, or a testnet.",
        "Whitespace or quotes around the key.",
    ), (WHITESPACE_FIX, KEY_HEADER_FIX, "If the key was deleted or belongs to another account or venue, create a new one.")),
    30003: _a("key", ("The key is frozen (disabled), by {VENUE} or by the account owner, e.g. after a security event.",), (
        "Check the key's status on the API management page; unfreeze it if the page allows, or create a new key.",
        "If {VENUE} froze it, contact customer service: no change to the request will help.",
    ), (VERBATIM.format("the grammar of 'has frozen'"),)),
    30004: _a("signature", (
        "A SIGNED endpoint was called without {SIGN} (or with an empty one): the call went out KEYED, or a code path skipped "
        "the signing step.",
    ), (LEVEL_FIX, "Check that every path that sends (retries, error handlers, batch helpers) signs the request.")),
    30005: _a("signature", (
        "The memo is wrong: it must be the key's memo (the name typed when the key was created), not the account UID.",
        "The signed string differs from the bytes sent: json.dumps(body) (spaced) was signed but compact JSON was sent "
        "(httpx json=), or the body was re-serialised after signing.",
        "Whitespace or quotes around the secret, memo or key.",
        "For GET/DELETE, the signed query string differs from the one sent (order, encoding, a leading '?').",
    ), (MEMO_FIX, BYTES_FIX, WHITESPACE_FIX, GET_BODY_FIX,
        "Compare the pre-image keyprobe shows (timestamp#memo#payload, memo masked) with the body on the wire; if they agree "
        "and it still fails, create a new key pair (some keys have been reported to fail until recreated)."),
        ("A wrong memo never produces a memo error: the memo is not a header, so it shows up only as a wrong signature.",)),
    30006: _a("timestamp", (
        "{TIMESTAMP} was missing or empty: the call went out KEYED, or a header builder left the value empty or None.",
    ), (LEVEL_FIX, "Set {TIMESTAMP} on every SIGNED request to the same 13-digit string that went into the signature.")),
    30007: _a("timestamp", (
        "The local clock is more than 60 s away from the server's.",
        "The timestamp is stale or reused: signed long before sending, or a retry re-sent the old headers.",
        "The timestamp is in seconds, so it looks decades old.",
    ), (CLOCK_FIX, STALE_FIX, TS_FORMAT_FIX),
        ("'range. Within a minute' is the document's own wording: the window is 60 s either side of the server's time.",
         "Endpoints that take recvWindow (default 5000 ms) can reject smaller offsets than 60 s.")),
    30008: _a("timestamp", ("{TIMESTAMP} is not integer milliseconds: seconds (10 digits), a float, or not a number.",),
              (TS_FORMAT_FIX, "Send the same string in the header and in the pre-image.")),
    30010: _a("permission", (
        "The key has an IP whitelist and the request came from an address not on it.",
        "The whitelist holds a private LAN address (10.x, 172.16-31.x, 192.168.x) instead of the public egress IP.",
        "The egress IP changed (dynamic IP, VPN, cloud NAT).",
    ), (IP_FIX, IP_EXIT_FIX, "After changing the whitelist, sign in to {VENUE} again if asked: the message says to re-authorise.")),
    30011: _a("key", ("The key has passed its expiry time.",), (
        "Renew the key or create a new one on the API management page, then update your configuration.",
    ), (VERBATIM.format("'over expire time'"),)),
    30012: _a("permission", (
        "The key may not call this endpoint: a read-only key placing an order, or a key without futures permission.",
    ), (PERMISSION_FIX, "Check the product: a spot-only key cannot call /contract/... endpoints.")),
    30013: _a("rate limit", ("Too many requests in this endpoint's window (counted per key, or per IP when no key is sent).",),
              (RATE_FIX, RATE_PACE_FIX, "Stop retrying in a tight loop: repeated 429s get the IP blocked (HTTP 418, code 30017)."),
              (VERBATIM.format("'Request too many requests'"),)),
    30014: _a("service", ("{VENUE}'s service is unavailable or overloaded.",), (RETRY_FIX, STATUS_PAGE_FIX)),
    30016: _a("service", ("The function is under maintenance.",), (
        "Wait for the maintenance to end; GET /system/service lists maintenance windows (start_time, end_time).",
    ), (HTTP_200,)),
    30017: _a("rate limit", ("Repeated rate-limit violations (429 / 30013) got the account or IP temporarily blocked.",), (
        ("rate-limit", "Stop sending and wait at least until {PREFIX}RateLimit-Reset; a retry loop extends the block."),
        "If the block persists, contact {VENUE} customer service, as the message says.",
        RATE_PACE_FIX,
    ), ("Documented with HTTP 418, which {VENUE}'s API page defines as 'the IP has been blocked after error code 429'.",)),
    30018: _a("request format", (
        "The body is not JSON: form-encoded, a dict sent as form data (requests data=dict), or empty.",
        "Content-Type is not application/json.",
    ), (JSON_FIX, GET_BODY_FIX, "Validate the body before sending: keyprobe refuses invalid JSON and points at the error."),
        ("Documented with HTTP 503 although it is a client error (the body), not a service outage.",)),
    30019: _a("permission", (
        "The account, not just the key, may not perform this operation: a product not enabled, a region or account-type "
        "restriction, or a sub-account limit.",
    ), ("Check that the account has the product enabled (e.g. futures) and the key has the permission; if both look right, "
        "contact customer service or your BD contact, as the message says.",), (HTTP_200,)),
    30030: _a("deprecated", ("A Futures V1 path or host was called; BitMart discontinued Futures V1 on 2024-11-30.",), (
        ("host", "Use {V2HOST} with the v2 paths /contract/public/... and /contract/private/...."),
        "Look up the v2 equivalent in the change log: parameters and response fields changed.",
    ), (HTTP_200,)),
    30031: _a("deprecated", ("This endpoint was retired.",), (
        ("host", "Use {V2HOST} with the current /contract/... v2 paths."),
        "Find the replacement endpoint in the change log and port the parameters.",
    ), (HTTP_200,)),
    # -- contract table ------------------------------------------------------------------------------------------------
    40001: _a("account", ("The futures (cloud) account does not exist for this user, or the key belongs to another (sub-)account.",),
              ("Open futures trading for the account on the website, then retry.",
               "Check that the key belongs to the account you expect (main account or sub-account)."), (EXAMPLE_40001,)),
    40002: _a("order", ("The out_trade_no (your reference for a transfer or order) matches no record.",), (
        "Query with a reference you actually submitted, under the same account, exactly as sent.",
    ), (EXAMPLE_40001,)),
    40003: _a("order", ("The out_trade_no was used before.",), (
        "Use a new, unique out_trade_no for every new request.",
        "If this is a retry after a timeout, query the first attempt: it probably went through.",
    )),
    40004: _a("account", ("The account reached its maximum number of cloud (sub-)accounts.",),
              ("Remove unused sub-accounts or contact customer service to raise the limit.",)),
    40005: _a("request format", ("The transfer amount has more decimals than the currency allows.",), (
        "Round the amount to the currency's precision and send it as a string (\"10.5\"), not a long float.",
    )),
    40006: _a("permission", ("The request came from an IP the key does not allow.",), (IP_FIX, IP_EXIT_FIX)),
    40007: _a("request format", (
        "A parameter has the wrong type or shape: a number where a string is expected (or the reverse), a misspelt field, "
        "an unknown enum value.",
        "The body is not valid JSON.",
    ), (JSON_FIX, "Check each field's type against the endpoint's page: side is an integer 1-4, leverage and price are "
                  "strings, size is an integer number of contracts.")),
    40008: _a("timestamp", ("The request's nonce or timestamp failed the server's check: reused, stale, or out of range.",),
              (CLOCK_FIX, STALE_FIX)),
    40009: _a("request format", ("The API version in the request does not match the endpoint.",), (
        "Check the version segment of the path (v1, v2, v3) against the endpoint's page.", HOST_FIX,
    )),
    40010: _a("not found", ("The function (endpoint) does not exist: a wrong path or method.",), (PATH_FIX, HOST_FIX)),
    40011: _a("request format", ("The request is malformed: a missing required parameter, a wrong method, or a body that is "
                                 "not JSON.",), (JSON_FIX, GET_BODY_FIX,
                                                "Check the method and every required parameter against the endpoint's page.")),
    40012: _a("service", ("A server-side error while handling the request.",), (
        RETRY_FIX, "If one request keeps failing while others work, simplify its parameters one at a time.",
    ), ("'System error' is documented with HTTP 400, although it reads as a server fault (CCXT's comment says 500).",)),
    40013: _a("rate limit / timestamp", (
        "Too many requests ('Access too often').",
        "The client's clock is off (CLIENT_TIME_INVALID: 'Please check your system time').",
    ), (("rate-limit", "Slow down: back off until {PREFIX}RateLimit-Reset and send less often."), CLOCK_FIX, STALE_FIX),
        ("The message has unbalanced quotes and merges two entries: a rate message ('Access too often') and a clock message "
         "(CLIENT_TIME_INVALID, 'Please check your system time.'). Both fixes apply; the body's message may say which.",)),
    40014: _a("contract", ("The contract is offline (delisted or not yet listed).",), (
        "Check the symbol's status with GET /contract/public/details and trade a listed contract.",
    )),
    40015: _a("contract", ("Trading on this contract is paused.",), (
        "Wait until trading resumes; watch the announcements or GET /system/service.",
    )),
    40016: _a("position", ("The order would push the position past its liquidation price.",), (
        "Reduce the size or the leverage, or add margin, before placing it.",
    )),
    40017: _a("position", ("The order both opens and closes the same position.",), (
        "Send opening and closing orders separately, and check side: in hedge mode 1 opens long, 2 closes short, "
        "3 closes long, 4 opens short.",
    )),
    40018: _a("position", ("The position is already closed (by you, take-profit/stop-loss, or liquidation).",), (REFRESH_POSITION_FIX,)),
    40019: _a("position", ("The position is being liquidated; orders on it are rejected meanwhile.",), (
        "Wait for the liquidation to finish; keep more margin next time.",
    )),
    40020: _a("position", ("The close order is larger than the open position.",), (
        "Read the position's current size and close at most that much.",
    ), (MAINTENANCE_40020,)),
    40021: _a("position", ("There is no such open position (symbol, side or position mode differ).",), (
        REFRESH_POSITION_FIX, "Check the symbol and the position mode (one-way or hedge) the order assumes.",
    ), (VERBATIM.format("the typo 'exsit'"),)),
    40022: _a("position", ("Margin can be added or removed only on an isolated position; this one is cross.",), (
        "Adjust margin only on isolated positions, or open the position with open_type \"isolated\".",
    )),
    40023: _a("position", ("Removing that much margin would liquidate the position.",), ("Remove less margin.",)),
    40024: _a("position", ("Removing that much margin would put the position in the liquidation warning zone.",), (
        "Remove less margin.",
    ), (VERBATIM.format("the typo 'warnning'"),)),
    40025: _a("position", ("The margin would fall below the position's minimum.",), (
        "Keep the margin above the base limit: remove less.",
    ), (VERBATIM.format("the typographic apostrophes (U+2019)"),)),
    40026: _a("position", ("The cross-margin position is being liquidated.",), (
        "Wait for the liquidation to finish; add funds to the futures account to keep cross positions safe.",
    ), (VERBATIM.format("the grammar of 'You cross margin position'"),)),
    40027: _a("balance", ("The futures account's available balance does not cover the order's margin and fees.",), (
        "Transfer funds to the futures account (POST /account/v1/transfer-contract) or lower the size.",
    ), (VERBATIM.format("the grammar of 'You contract account'"),)),
    40028: _a("order", ("Too many open plan (trigger) orders.",), ("Cancel some plan orders before placing new ones.",)),
    40029: _a("order", ("The leverage exceeds the symbol's maximum.",), (
        "Lower the leverage to the symbol's maximum (max_leverage in GET /contract/public/details); send it as a string.",
    )),
    40030: _a("order", ("The leverage is below the symbol's minimum.",), (
        "Raise the leverage to at least the symbol's minimum (min_leverage in GET /contract/public/details, usually 1).",
    )),
    40031: _a("order", ("The trigger price is too far from the current price.",), ("Set the trigger price closer to the market.",)),
    40032: _a("order", ("The plan order's validity period is too long.",), ("Shorten the plan order's life cycle.",)),
    40033: _a("order", ("The plan order's validity period is too short.",), ("Lengthen the plan order's life cycle.",)),
    40034: _a("contract", (
        "Futures symbols have no separator (BTCUSDT); the spot format BTC_USDT is not a contract symbol.",
        "The contract is not listed on this venue.",
    ), (("symbol", "Use the futures symbol format BTCUSDT (no underscore), exactly as GET /contract/public/details lists it."),
        "Check the symbol is listed on {VENUE}."), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40035: _a("order", ("No order with this id for this symbol and account: another symbol, another account, or too old.",), (
        "Check order_id and symbol together; query by client_order_id if you set one.",
    ), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40036: _a("order", ("The order is in a state that does not allow this action (already filled or cancelled).",), (
        "Refresh the order (GET /contract/private/order) before modifying or cancelling it.",
    )),
    40037: _a("order", ("The order id matches no order.",), (
        "Check the order_id (a string of digits) and the symbol; query by client_order_id if you set one.",
    ), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40038: _a("request format", ("The k-line step is not one the endpoint supports.",), (
        "Use a step listed on the k-line endpoint's page (minutes: 1, 5, 15, 30, 60, 240, 1440, ...).",
    )),
    40039: _a("request format", ("A time parameter (start_time, end_time) is out of range, reversed, or in the wrong unit.",), (
        "Check start_time and end_time: the unit the endpoint documents, start before end, within the allowed span.",
    )),
    40040: _a("order", ("The leverage value is invalid for this order or position.",), (
        "Send leverage as a string within the symbol's range, matching the position's leverage where the endpoint requires it.",
    )),
    40041: _a("order", ("side is not a valid value.",), (
        "Send side as an integer 1-4 (hedge mode: 1 open long, 2 close short, 3 close long, 4 open short).",
    )),
    40042: _a("order", ("type is not a valid value.",), (
        "Send type \"limit\" or \"market\"; time in force goes in mode (1 GTC, 2 FOK, 3 IOC, 4 maker only).",
    )),
    40043: _a("order", ("price or size has more precision than the contract allows.",), (
        "Round price to the price precision and size to the volume precision (GET /contract/public/details).",
    )),
    40044: _a("order", ("price or size is outside the contract's limits.",), (
        "Keep size between the contract's min and max volume and price within its band.",
    )),
    40045: _a("order", ("open_type is not a valid value.",), ("Send open_type \"cross\" or \"isolated\".",)),
    40046: _a("account", ("The futures account has not been opened.",), (
        "Open futures trading for the account on the website; then the key can trade futures.",
    ), ("Documented with HTTP 403.",)),
    40047: _a("permission", ("The service is restricted in the account's or the request's country or region.",), (
        "No change to the request fixes this; contact customer service if you think the region is eligible.",
    ), ("Documented with HTTP 403.", VERBATIM.format("the grammar of 'in you countries'"))),
    40048: _a("order", ("client_order_id contains characters other than letters and digits.",), (CLIENT_ID_FIX,), (HTTP_403_ORDER,)),
    40049: _a("order", ("client_order_id is longer than 32 characters.",), (CLIENT_ID_FIX,), (HTTP_403_ORDER,)),
    40050: _a("order", ("client_order_id repeats one of your existing orders.",), (
        "Use a new, unique client_order_id per order.",
        "If this is a retry after a timeout, query by client_order_id: the first attempt probably went through.",
    ), (HTTP_403_ORDER,)),
    42000: _a("balance", ("The account's available balance does not cover the amount.",), (
        "Top up, or transfer funds to the account this endpoint draws from, or lower the amount.",
    ), (HTTP_200,)),
}


def _fill(text: str, family: str) -> str:
    for token, value in VENUE_TEXT[family].items():
        text = text.replace(token, value)
    prefix = VENUE_TEXT[family]["{PREFIX}"]
    return text.replace("{KEY}", f"{prefix}KEY").replace("{SIGN}", f"{prefix}SIGN").replace("{TIMESTAMP}", f"{prefix}TIMESTAMP")


def filled(item: Advice, family: str) -> Advice:
    """The advice with header names and hosts of `family` ("bitmart" | "wooxpro")."""
    if family not in VENUE_TEXT:
        raise ValueError(f"unknown venue family {family!r}; choose bitmart or wooxpro")
    f = lambda texts: tuple(_fill(t, family) for t in texts)  # noqa: E731
    return Advice(_fill(item.category, family), f(item.causes), f(item.fixes), f(item.notes), item.topics)


@cache
def advice(code: int, venue: str = "bitmart") -> Advice:
    """The advice for a documented code (or a global HTTP row's status), in `venue`'s header names.

    Raises KeyError for a code neither document has: such codes are reported as undocumented, never guessed.
    """
    try:
        item = ADVICE[code]
    except KeyError:
        raise KeyError(f"no advice for code {code}: it is not in the documents") from None
    return filled(item, venue)


def status_advice(status: int, venue: str = "bitmart") -> Advice:
    """Advice by HTTP status class, for a status the global HTTP table does not list (502, 429, 418, 200 HTML ...)."""
    if status in ADVICE and status < 1000:
        return advice(status, venue)
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
