"""Advice for BitMart's WebSocket table (90001-95000). These codes come in a frame, not an HTTP answer:
`{"event": "<operation>", "errorCode": "...", "errorMessage": "..."}`, so no HTTP status is documented.
The login signs `timestamp#memo#bitmart.WebSocket` (WOO X Pro: `wooxpro.WebSocket`), so a wrong memo shows up
as 91011, as it does as 30005 over REST. Fixes carry topics (memo, whitespace, marker, clock, stale,
timestamp-format, dialect, order) so what a login frame shows puts its fix first (tui.ws.diagnose).
"""

from __future__ import annotations

from tui.catalog.advice_base import (
    CLOCK_FIX, MEMO_FIX, RATE_PACE_FIX, SPOT_SYMBOL_FIX, STALE_FIX, WHITESPACE_FIX, WS_DOC, Advice,
)
from tui.catalog.advice_base import advise as _a

WS_NOTE = "A WebSocket code: it arrives in a frame, not an HTTP response, so there is no documented HTTP status."
LOGIN = ("Log in first with {\"op\": \"login\", \"args\": [KEY, timestamp, sign]} on spot, or {\"action\": \"access\", "
         "\"args\": [KEY, timestamp, sign, \"web\"]} on futures, where sign = hex HMAC-SHA256(secret, "
         "\"timestamp#memo#bitmart.WebSocket\") (WOO X Pro: wooxpro.WebSocket) and timestamp is in milliseconds.")
MARKER_FIX = ("marker", "Sign the venue's marker after the memo: bitmart.WebSocket for BitMart (spot and futures), "
              "wooxpro.WebSocket for WOO X Pro; not the REST body or query, and not the other venue's marker.")
DIALECT_FIX = ("dialect", "Send the frame of the stream you connected to: spot uses \"op\" (login, subscribe), futures and "
               "WOO X Pro use \"action\" (access, subscribe); WOO X Pro's format page says \"login\" where its login "
               "page and every client send \"access\".")
ORDER_FIX = ("order", "Wait for the login's answer ({\"event\":\"login\"} or {\"action\":\"access\",\"success\":true}) "
             "before subscribing to a private channel; a subscription sent before it is refused.")
TS_FIX = ("timestamp-format", "Send the timestamp as a string of 13 digits, milliseconds since the epoch, the same string "
          "that was signed (Python: str(time.time_ns() // 1_000_000)); not seconds.")
RECONNECT = "Reconnect with an increasing delay (1 s, 2 s, 4 s ...) instead of at once, and keep one connection per purpose."


def _ws(category: str, causes: tuple[str, ...], fixes: tuple, notes: tuple[str, ...] = ()) -> Advice:
    return _a(category, causes, fixes, (WS_NOTE, *notes))


ADVICE: dict[int, Advice] = {
    90001: _ws("websocket", ("The frame is not valid JSON or not the expected shape.",), (WS_DOC,)),
    90002: _ws("websocket", ("op is not a known operation, or the frame is the other dialect's (\"action\" on spot).",), (
        DIALECT_FIX, "Send op \"subscribe\", \"unsubscribe\" or \"login\".",
    )),
    90003: _ws("websocket", ("args is missing or not a list of topics.",), (
        "Send args as a list of \"channel:symbol\" strings.", WS_DOC,
    )),
    90004: _ws("websocket", ("The channel name is not one the stream serves.",), (
        "Use a channel name exactly as the WebSocket page lists it (e.g. spot/ticker, spot/depth5, spot/user/order).",
    )),
    90005: _ws("websocket", ("One subscribe frame carries too many topics.",), ("Split the topics over several subscribe frames.",)),
    90006: _ws("websocket", ("The connection holds more subscriptions than allowed.",), (
        "Unsubscribe what you no longer need, or spread the topics over more connections.",
    )),
    90007: _ws("rate limit", ("Frames are sent faster than allowed.",), (
        "Send fewer frames per second: batch topics into one subscribe frame and wait, as the message says.", RATE_PACE_FIX,
    )),
    90008: _ws("websocket", ("The topic is already subscribed on this connection.",), (
        "Track what is subscribed and skip the duplicate; it does no harm.",
    )),
    90009: _ws("websocket", ("The subscription is not valid (an unknown or private topic, or a malformed one).",), (
        "Check the topic's spelling and symbol; private topics need a login first.", WS_DOC,
    )),
    91001: _ws("key", ("The login carried no API key.",), (LOGIN,)),
    91002: _ws("key", ("The login's API key matches no key: a typo, a truncated copy, or a deleted key.",), (
        WHITESPACE_FIX, "Check the Access Key in the login's first argument.",
    )),
    91003: _ws("key", ("The key is frozen.",), ("Check the key's status on the API management page, or create a new key.",)),
    91004: _ws("key", ("The key has expired.",), ("Renew the key or create a new one.",)),
    91005: _ws("websocket", ("The connection is already logged in.",), ("Log in once per connection; ignore this answer.",)),
    91006: _ws("websocket", ("A private channel was subscribed before logging in, or before the login's answer.",), (
        ORDER_FIX, LOGIN,
    )),
    91010: _ws("signature", ("The login carried no signature.",), (LOGIN,)),
    91011: _ws("signature", ("The login's signature does not verify: a wrong secret or memo, or the wrong marker.",), (
        MEMO_FIX, WHITESPACE_FIX, MARKER_FIX, TS_FIX, ("stale", "Sign each login with your own secret, memo and a fresh "
                                                        "timestamp: the documentation's example signature is not yours."),
        LOGIN,
    )),
    91021: _ws("timestamp", ("The login carried no timestamp.",), (LOGIN,)),
    91022: _ws("timestamp", ("The login's timestamp is more than a minute from the server's time.",), (
        CLOCK_FIX, STALE_FIX,
    )),
    91023: _ws("timestamp", ("The login's timestamp is not integer milliseconds.",), (TS_FIX,)),
    92001: _ws("symbol", ("The symbol in the topic is not valid.",), (SPOT_SYMBOL_FIX,)),
    94001: _ws("rate limit", ("The client reconnects too often.",), (RECONNECT,)),
    94002: _ws("rate limit", ("Too many connections from this IP.",), (
        "Close idle connections and put several topics on one connection.", RECONNECT,
    )),
    95000: _ws("service", ("A server-side failure of the WebSocket service.",), (
        RECONNECT + " Nothing in the frame itself causes this.",
    )),
}
