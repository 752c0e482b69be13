"""Advice for the global HTTP table (401, 403, 404, 500), success (1000) and the authentication table
(30000-30031), which the futures, spot and WOO X Pro documents share. Texts come from protocol.md
section 6 (real causes of 30005/30007 and friends) and section 5 (document oddities).

BY_MESSAGE holds the advice of documented rows that share a code with another message (30006, 30007):
"Param recvWindow must be long type" is a type error, not a clock problem.
"""

from __future__ import annotations

from tui.catalog.advice_base import (
    BYTES_FIX, CLOCK_FIX, GET_BODY_FIX, HOST_FIX, HTTP_200, IP_EXIT_FIX, IP_FIX, JSON_FIX, KEY_HEADER_FIX, LEVEL_FIX,
    MEMO_FIX, PATH_FIX, PERMISSION_FIX, RATE_FIX, RATE_PACE_FIX, RETRY_FIX, STALE_FIX, STATUS_PAGE_FIX, TS_FORMAT_FIX,
    VERBATIM, WHITESPACE_FIX, Advice,
)
from tui.catalog.advice_base import advise as _a

ADVICE: dict[int, Advice] = {
    # -- the global HTTP table -----------------------------------------------------------------------------------------
    401: _a("authentication", (
        "One of the three headers ({KEY}, {SIGN}, {TIMESTAMP}) is missing or wrong: the document's 'the 3 header parameters'.",
        "A wrong memo lands here too (as 30005): the memo is not a header, only part of the signed string.",
    ), (KEY_HEADER_FIX, LEVEL_FIX, MEMO_FIX, WHITESPACE_FIX, CLOCK_FIX, BYTES_FIX),
        ("There is no memo header: the memo only enters the signature's pre-image.",)),
    403: _a("permission", (
        "The key lacks {PERMISSION|the permission this endpoint needs} (a read-only key on a trading call, no futures "
        "permission).",
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
    ), (KEY_HEADER_FIX, "Log the key's fingerprint at startup (keyprobe's: `#` and the first 8 hex digits of its SHA-256) to see which key, if any, is loaded.")),
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
        "The local clock is more than 60 s away from the server's{RECVWINDOW_CLAUSE}.",
        "The timestamp is stale or reused: signed long before sending, or a retry re-sent the old headers.",
        "The timestamp is in seconds, so it looks decades old.",
    ), (CLOCK_FIX, STALE_FIX, TS_FORMAT_FIX),
        ("'range. Within a minute' is the document's own wording: the window is 60 s either side of the server's time.",
         "{RECVWINDOW_NOTE}")),
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
        "The key may not call this endpoint: it lacks {PERMISSION|the permission the endpoint needs} (a read-only key "
        "placing an order, a key without futures or margin permission).",
        "A client library called an endpoint you did not ask for: ccxt's default balance call once hit an isolated-margin "
        "endpoint and got 30012 (ccxt#15964).",
    ), (PERMISSION_FIX, "Check the product: a spot-only key cannot call /contract/... endpoints, and margin endpoints "
                        "(/spot/v1/margin/...) need the margin permission.")),
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
        "The account, not just the key, may not perform this operation: the product is not enabled for API use (a real "
        "case: an account not enabled for the futures API, ccxt PR#19336), or a region, account-type or sub-account limit.",
        "The key lacks {PERMISSION|the permission this endpoint needs}.",
    ), (("permission", "Check that the account has the product enabled for API trading (open futures or margin on the "
                       "website first) and that the key has {PERMISSION|the permission this endpoint needs}."),
        "If both look right, contact customer service or your BD contact, as the message says: the account may need to "
        "be enabled for API access to this product."), (HTTP_200,)),
    30030: _a("deprecated", ("A Futures V1 path or host was called; BitMart discontinued Futures V1 on 2024-11-30.",), (
        ("host", "Use {V2HOST} with the v2 paths /contract/public/... and /contract/private/...."),
        "Look up the v2 equivalent in the change log: parameters and response fields changed.",
    ), (HTTP_200,)),
    30031: _a("deprecated", ("This endpoint was retired.",), (
        ("host", "Use {V2HOST} with the current /contract/... v2 paths."),
        "Find the replacement endpoint in the change log and port the parameters.",
    ), (HTTP_200,)),
}


RECV_WINDOW_NOTE = ("recvWindow is a body parameter of some endpoints (transfers, v4 queries, batch orders): the allowed "
                    "range is (0, 60000] milliseconds, default 5000, and it narrows the 60 s timestamp window.")

# Documented rows that share a code with another message, keyed by (code, the document's message).
BY_MESSAGE: dict[tuple[int, str], Advice] = {
    (30006, "Header X-BM-TIMESTAMP must be long type"): _a("timestamp", (
        "{TIMESTAMP} is not a whole number: a float (1589267764859.7), text, or a value with spaces.",
    ), (TS_FORMAT_FIX, "Send the same string in the header and in the pre-image.")),
    (30007, "Header X-BM-TIMESTAMP range. Timestamp for this request is outside of the recvWindow."): _a("timestamp", (
        "The request's timestamp is further from the server's time than the recvWindow it sent (default 5000 ms): the "
        "clock is off by a few seconds, or the request was signed well before it was sent.",
    ), (CLOCK_FIX, STALE_FIX, "Or send a larger recvWindow (at most 60000) when the network is slow; a wider window "
                              "alone does not fix a clock that is off."), (RECV_WINDOW_NOTE,)),
    (30007, "Param recvWindow must be long type"): _a("request format", (
        "recvWindow was sent as a string or a decimal (\"5000\", 5000.0), not an integer.",
    ), ("Send recvWindow as a JSON integer of milliseconds: \"recvWindow\": 5000.",), (RECV_WINDOW_NOTE,)),
    (30007, "Param recvWindow must be less than 60000 and greater than 0"): _a("request format", (
        "recvWindow is 0, negative, or above 60000.",
    ), ("Send a recvWindow between 1 and 60000 milliseconds (5000 is the default), or leave it out.",), (RECV_WINDOW_NOTE,)),
}

# 30005 depends on who signed. keyprobe's signing is tested byte for byte against the official SDK's rule and
# signs the bytes it sends, so for its own requests only the stored secret and memo remain; code-level causes
# (re-serialised JSON, GET signing) lead only for a request that was signed elsewhere (an imported one).
PROFILE_FIX = ("memo|whitespace|probe",
               "The secret or the memo keyprobe signed with is not the key's: re-enter both (a profile: `keyprobe keys add` "
               "with the same name, or the console's key form; else KEYPROBE_SECRET and KEYPROBE_MEMO). The memo is the key's name as typed when the key was "
               "created (case-sensitive), not the account UID; paste the secret without spaces or quotes.")
PROBE_FIX = ("probe", "Run the probe (`keyprobe probe --profile NAME`): if its KEYED step passes, the key itself is right "
                      "and only the secret and the memo are left; its SIGNED step then shows whether the re-entered pair "
                      "verifies.")
NEW_KEY_FIX = "If the secret and memo are re-entered exactly and it still fails, create a new key pair: some keys have " \
              "been reported to fail until recreated."
BY_ORIGIN: dict[tuple[int, str], Advice] = {
    (30005, "keyprobe"): _a("signature", (
        "keyprobe signed this request itself, over exactly the bytes it sent, so the signing code is not the cause: "
        "the secret or the memo it signed with (a profile's, or KEYPROBE_*) differs from the key's.",
        "The memo is the key's name (typed when the key was created), not the account UID; a wrong memo never gives a "
        "memo error, only this wrong signature.",
        "Whitespace or quotes pasted with the secret or memo.",
    ), (PROFILE_FIX, PROBE_FIX, NEW_KEY_FIX),
        ("KEYED calls do not use the secret or the memo: balances can load with a wrong pair while every SIGNED call fails.",)),
    (30005, "elsewhere"): _a("signature", (
        "The signed string differs from the bytes sent: json.dumps(body) (spaced) was signed but compact JSON was sent "
        "(httpx json=), or the body was re-serialised after signing.",
        "For GET/DELETE, the signed query string differs from the one sent (order, encoding, a leading '?').",
        "The memo is wrong: it must be the key's memo (the name typed when the key was created), not the account UID.",
        "Whitespace or quotes around the secret, memo or key.",
    ), (BYTES_FIX, GET_BODY_FIX, MEMO_FIX, WHITESPACE_FIX,
        "Send the same request from keyprobe with the same key (`keyprobe send`): if keyprobe's signature verifies, the "
        "difference is in the code that signed the original, not in the key."),
        ("A wrong memo never produces a memo error: the memo is not a header, so it shows up only as a wrong signature.",)),
}
