"""THE payload rule: what a venue's signature covers for each method (protocol.md 1.2).

A module of its own, importing nothing: the console's composer words its body label by it in the
first frame, which would otherwise wait for hashlib and the signer (benchmarks/startup.py).
"""

from __future__ import annotations

BODY_SIGNED_METHODS = frozenset({"POST", "PUT"})


def signs_body(method: str) -> bool:
    """POST and PUT are signed over their body; every other method over its query string."""
    return method.upper() in BODY_SIGNED_METHODS


def signed_payload(method: str, query: str, body: bytes | str) -> str:
    """THE payload rule: what the venue verifies for `method`. The body's exact bytes for POST/PUT, the
    exact query string (no `?`) for GET/DELETE. The signer, the preview, the exports, the diagnosis
    evidence and the emulator's verifier all ask this one function."""
    if signs_body(method):
        # surrogateescape: bytes that are not UTF-8 survive the round trip, and sign() hashes them as they were.
        return body if isinstance(body, str) else body.decode(errors="surrogateescape")
    return query


# The WebSocket login signs a fixed marker where REST puts the body or the query: `timestamp#memo#<marker>`
# (protocol.md 1.4, vectors V1 and V2; field-notes 10). One marker per login dialect, as data, with its source.
WS_LOGIN_MARKERS = {
    "bitmart-spot": "bitmart.WebSocket",  # developer.bitmart.com/en/ws/spot_ws/login.html; the SDK's spot client
    "bitmart-futures": "bitmart.WebSocket",  # the SDK 2.8.0's futures client; ccxt pro 4.5.70's authenticate
    "wooxpro": "wooxpro.WebSocket",  # developer.wooxpro.com/english/websocket/login
}


def ws_login_payload(dialect: str) -> str:
    """THE WebSocket login rule: what a login of `dialect` signs after `timestamp#memo#`. The client, the
    emulator's verifier and the forensics all ask this one function."""
    try:
        return WS_LOGIN_MARKERS[dialect]
    except KeyError:
        raise ValueError(f"unknown WebSocket dialect {dialect!r}; choose one of {', '.join(WS_LOGIN_MARKERS)}") from None
