"""The three WebSocket dialects as data: where they live, how they log in, answer, ping, compress, and what
channels they serve. The login rule itself (marker and frame shape) is keys/ (keys.payload, keys.ws_login).

Sources (field-notes.md 10, protocol.md 2 and 4):
- BitMart spot: developer.bitmart.com/en/ws/spot_ws/login.html and format.html (login frame, `{"event":"login"}`,
  "If the login fails, the link will be automatically disconnected", error frame `{"event","errorMessage",
  "errorCode"}`); the SDK 2.8.0's spot_socket_client.py (text ping "ping", answer "pong"; binary frames are
  raw deflate, cloud_utils.inflate); ccxt pro 4.5.70 (`{"event":"subscribe","topic":...}`, channel names).
- BitMart futures v2: the SDK's futures_socket_client.py (`{"action":"access","args":[..., "web"]}`, ping
  `{"action":"ping"}`, failure `{"action":"access","success":false,"error":"access failed: **"}`); ccxt pro
  (subscribe answer `{"action":"subscribe","group":...,"success":true,"request":...}`, channel names).
- WOO X Pro: developer.wooxpro.com/english/websocket/login, /format, /limit, /ticker (the futures format with
  marker wooxpro.WebSocket; text ping `{"action":"ping"}`; 60 s timestamp window). Its WebSocket host is on
  none of the pages read, so it has no default URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from keys.ws_login import LOGIN_SHAPES
from keys.payload import ws_login_payload


@dataclass(frozen=True)
class Channel:
    """One channel: its name before the `:` filter, whether it needs a login, and what it carries."""

    name: str  # "spot/ticker", "futures/order"
    private: bool
    kind: str  # ticker | depth | trade | kline | order | balance | position | asset
    filter: str  # what follows the ":" ("symbol", "currency", "" for none, or a fixed word)


@dataclass(frozen=True)
class Dialect:
    id: str  # bitmart-spot | bitmart-futures | wooxpro (keys.payload.WS_LOGIN_MARKERS)
    name: str
    family: str  # bitmart | wooxpro: the error document and the key's venue family
    market: str  # spot | futures
    op_key: str  # "op" | "action": the field naming the operation
    login_op: str  # "login" | "access"
    text_ping: str  # what a client sends as a text ping
    text_pong: str  # what the venue answers to it (as text)
    compressed: bool  # the venue's JSON frames come as raw-deflate binary frames
    closes_after_failed_login: bool
    public_url: str | None  # the real venue's URLs; None: not documented anywhere read
    private_url: str | None
    symbol: str  # the instrument the defaults name
    default_private: str
    default_public: str
    channels: tuple[Channel, ...]

    @property
    def marker(self) -> str:
        return ws_login_payload(self.id)

    @property
    def login_extra(self) -> tuple[str, ...]:
        return LOGIN_SHAPES[self.id][2]

    @property
    def path_prefix(self) -> str:
        """The emulator's path for this market (`/spot/user`, `/futures/api`)."""
        return f"/{self.market}"

    def channel(self, topic: str) -> Channel | None:
        """The channel a topic (`spot/ticker:BTC_USDT`) names, or None."""
        name = topic.partition(":")[0]
        return next((c for c in self.channels if c.name == name or _numbered(c.name, name)), None)

    def is_private(self, topic: str) -> bool:
        found = self.channel(topic)
        return found is not None and found.private


def _numbered(pattern: str, name: str) -> bool:
    """`spot/depth{n}` matches spot/depth5/20/50; `spot/kline{n}` the intervals: the parts that vary are digits
    or an interval word."""
    head, sep, _ = pattern.partition("{")
    return bool(sep) and name.startswith(head) and name[len(head):].isalnum()


SPOT_CHANNELS = (
    Channel("spot/ticker", False, "ticker", "symbol"),
    Channel("spot/depth{n}", False, "depth", "symbol"),
    Channel("spot/trade", False, "trade", "symbol"),
    Channel("spot/kline{n}", False, "kline", "symbol"),
    Channel("spot/user/order", True, "order", "symbol"),
    Channel("spot/user/orders", True, "order", "ALL_SYMBOLS"),
    Channel("spot/user/balance", True, "balance", "BALANCE_UPDATE"),
)
FUTURES_CHANNELS = (
    Channel("futures/ticker", False, "ticker", "symbol"),
    Channel("futures/depth{n}", False, "depth", "symbol"),
    Channel("futures/trade", False, "trade", "symbol"),
    Channel("futures/klineBin{n}", False, "kline", "symbol"),
    Channel("futures/order", True, "order", ""),
    Channel("futures/position", True, "position", ""),
    Channel("futures/asset", True, "asset", "currency"),
)

_FUTURES = dict(op_key="action", login_op="access", text_ping='{"action":"ping"}',
                # The answer to the text ping is on no page read; a third-party connector's notes record this one.
                text_pong='{"group":"System","data":"pong"}', compressed=False,
                # Documented for spot only; the SDK's futures client closes the link itself on a failed access.
                closes_after_failed_login=True, market="futures", symbol="BTCUSDT",
                default_private="futures/order", default_public="futures/ticker:BTCUSDT", channels=FUTURES_CHANNELS)

DIALECTS: dict[str, Dialect] = {
    d.id: d
    for d in (
        Dialect("bitmart-spot", "BitMart spot", "bitmart", "spot", "op", "login", "ping", "pong", True, True,
                "wss://ws-manager-compress.bitmart.com/api?protocol=1.1",
                "wss://ws-manager-compress.bitmart.com/user?protocol=1.1", "BTC_USDT",
                "spot/user/order:BTC_USDT", "spot/ticker:BTC_USDT", SPOT_CHANNELS),
        Dialect("bitmart-futures", "BitMart futures v2", "bitmart", public_url="wss://openapi-ws-v2.bitmart.com/api?protocol=1.1",
                private_url="wss://openapi-ws-v2.bitmart.com/user?protocol=1.1", **_FUTURES),
        Dialect("wooxpro", "WOO X Pro", "wooxpro", public_url=None, private_url=None, **_FUTURES),
    )
}
# The REST venue ids (tui.venues) and the WebSocket dialect each one's key logs in with.
VENUE_DIALECTS = {"bitmart": "bitmart-futures", "bitmart-spot": "bitmart-spot", "wooxpro": "wooxpro"}


def dialect_for(venue_id: str, family: str, market: str | None) -> Dialect:
    """The dialect a venue speaks on `market` (spot or futures; None: the venue's own)."""
    if family == "wooxpro":
        if market == "spot":
            raise ValueError("WOO X Pro has no spot WebSocket: its streams are futures only.")
        return DIALECTS["wooxpro"]
    if market is None:
        return DIALECTS[VENUE_DIALECTS.get(venue_id, "bitmart-spot")]
    return DIALECTS["bitmart-spot" if market == "spot" else "bitmart-futures"]


def dialect_of_frame(frame: object) -> tuple[str, ...]:
    """The dialects a client frame's shape fits (a login frame `{"op": ...}` is spot; `{"action": ...}` is the
    futures format, BitMart's or WOO X Pro's)."""
    if isinstance(frame, dict):
        if "op" in frame:
            return ("bitmart-spot",)
        if "action" in frame:
            return ("bitmart-futures", "wooxpro")
    return ()


def emulator_urls(base: str, dialect: Dialect) -> tuple[str, str]:
    """(public, private) URLs of the emulator's WebSocket side at `base` (ws://host:port)."""
    base = base.rstrip("/")
    return f"{base}{dialect.path_prefix}/api?protocol=1.1", f"{base}{dialect.path_prefix}/user?protocol=1.1"
