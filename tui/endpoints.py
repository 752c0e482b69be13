"""Known endpoints and their auth level (protocol.md section 2), as a table."""

from __future__ import annotations

from dataclasses import dataclass

from keys.signing import AuthLevel

N, K, S = AuthLevel.NONE, AuthLevel.KEYED, AuthLevel.SIGNED
BOTH = ("bitmart", "wooxpro")
BM = ("bitmart",)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    auth: AuthLevel
    families: tuple[str, ...]
    summary: str
    sample_query: tuple[tuple[str, str], ...] = ()
    sample_body: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/system/time", N, BOTH, "Server time in milliseconds"),
    Endpoint("GET", "/system/service", N, BOTH, "Service and maintenance status"),
    Endpoint("GET", "/contract/public/details", N, BOTH, "Contract details", (("symbol", "BTCUSDT"),)),
    Endpoint("GET", "/contract/private/assets-detail", K, BOTH, "Futures account balances"),
    Endpoint("GET", "/contract/private/order", K, BOTH, "One order by id", (("symbol", "BTCUSDT"), ("order_id", "23"))),
    Endpoint("GET", "/contract/private/order-history", K, BOTH, "Order history", (("symbol", "BTCUSDT"),)),
    Endpoint("GET", "/contract/private/position", K, BOTH, "Open positions"),
    Endpoint("GET", "/contract/private/get-open-orders", K, BOTH, "Open orders"),
    Endpoint("GET", "/contract/private/trades", K, BOTH, "Trade fills", (("symbol", "BTCUSDT"),)),
    Endpoint(
        "POST", "/contract/private/submit-order", S, BOTH, "Place a futures order", (),
        '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}',
    ),
    Endpoint("POST", "/contract/private/cancel-order", S, BOTH, "Cancel a futures order", (), '{"symbol":"BTCUSDT","order_id":"23"}'),
    Endpoint("POST", "/contract/private/cancel-orders", S, BOTH, "Cancel all orders of a symbol", (), '{"symbol":"BTCUSDT"}'),
    Endpoint("POST", "/contract/private/submit-leverage", S, BOTH, "Set leverage", (), '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}'),
    Endpoint("POST", "/account/v1/transfer-contract", S, BOTH, "Spot <-> futures transfer"),
    Endpoint("GET", "/spot/v1/currencies", N, BM, "Spot currencies"),
    Endpoint("GET", "/spot/quotation/v3/ticker", N, BM, "Spot ticker", (("symbol", "BTC_USDT"),)),
    Endpoint("GET", "/account/v1/wallet", K, BM, "Account wallet"),
    Endpoint("GET", "/spot/v1/wallet", K, BM, "Spot wallet"),
    Endpoint("POST", "/spot/v2/submit_order", S, BM, "Place a spot order", (), '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.001","price":"20000"}'),
    Endpoint("POST", "/spot/v3/cancel_order", S, BM, "Cancel a spot order", (), '{"symbol":"BTC_USDT","order_id":"23"}'),
    Endpoint("POST", "/spot/v4/query/order", S, BM, "Query a spot order (a SIGNED POST)", (), '{"orderId":"23"}'),
    Endpoint("POST", "/spot/v4/query/open-orders", S, BM, "Open spot orders (a SIGNED POST)", (), "{}"),
)

_BY_KEY = {(e.method, e.path): e for e in ENDPOINTS}


def lookup(method: str, path: str) -> Endpoint | None:
    return _BY_KEY.get((method.upper(), path.split("?", 1)[0]))


def default_auth(method: str, path: str) -> AuthLevel:
    """The documented level; an endpoint keyprobe does not know is signed, the level that always works."""
    endpoint = lookup(method, path)
    return endpoint.auth if endpoint else AuthLevel.SIGNED


def suggestions(prefix: str = "", family: str | None = None) -> list[Endpoint]:
    """Endpoints whose path starts with (or contains) `prefix`, for the composer's completion."""
    prefix = prefix.strip()
    pool = [e for e in ENDPOINTS if family is None or family in e.families]
    starts = [e for e in pool if e.path.startswith(prefix)]
    contains = [e for e in pool if prefix and prefix in e.path and e not in starts]
    return starts + contains
