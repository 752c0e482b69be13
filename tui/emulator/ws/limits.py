"""The caps and clocks of an emulated WebSocket link, with where each figure comes from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WsLimits:
    # developer.wooxpro.com/english/websocket/limit: a link with no data for 20 s is closed (a ping frame or a text
    # ping keeps it); a link that requests nothing within 5 s is "lifeless" and closed (a login counts as a request:
    # the official SDK's login() waits 5 s before it subscribes); at most 500 links per IP.
    idle_s: float = 20.0
    lifeless_s: float = 5.0
    max_connections_per_ip: int = 500
    # Both login pages: the timestamp "will expire after 60 seconds".
    login_window_ms: int = 60_000
    # field-notes 10 (WOO X Pro's limit page): several channels per subscribe, 4096 bytes at most.
    max_message_bytes: int = 4096
    # ccxt pro 4.5.70's bitmart: "accepts a maximum of 20 symbols in one request".
    max_topics_per_frame: int = 20
    # keyprobe's choices where the documents name the code (90006, 90007) but no number.
    max_topics: int = 100
    max_messages_per_s: float = 20.0
    refusals_before_close: int = 3  # 90007 answers to a flooding client, then the link is closed
    # developer.wooxpro.com/english/websocket/ticker: "Sent once in 1 second after subscription".
    push_interval_s: float = 1.0
    # The emulator's HTTP server: at most this many links open at once, whoever opens them.
    max_connections: int = 512
    send_timeout_s: float = 10.0  # a client that stops reading is dropped after this long blocked
