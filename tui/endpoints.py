"""Known endpoints as ONE table: path, method, auth level (protocol.md section 2), rate-limit group,
the API-key permission BitMart's pages name for it, and the emulator's handler. The console's
completion, the default auth level of a draft and the emulator's router all read this table.

`handler` is a name ("futures.submit_order"), not a function: this module sits below the emulator
and imports nothing from it; tui.emulator.routes resolves the names (and a test checks every name
resolves).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from keys.headers import AuthLevel

N, K, S = AuthLevel.NONE, AuthLevel.KEYED, AuthLevel.SIGNED
BOTH = ("bitmart", "wooxpro")
BM = ("bitmart",)

# Retired paths: Futures V1 was switched off on 2024-11-30 (protocol.md 6 #10), all of it under /contract/v1/;
# the spot endpoints BitMart retired in favour of v2 submit and v4 queries. The emulator answers them 30030/30031
# and inspect's lint names them.
FUTURES_V1_PREFIX = "/contract/v1/"
DEPRECATED_PATHS = frozenset({"/spot/v1/submit_order", "/spot/v2/orders"})

# Permissions as BitMart's key settings name them: Read-Only, Spot-Trade, Withdraw, Futures-Trade, Margin-Trade.
PERMISSIONS = ("read", "trade", "withdraw", "futures", "margin")


@dataclass(frozen=True)
class RateLimit:
    """One documented limit: `count` requests per `window_s` seconds, counted per endpoint.

    per="key": per API key when a valid key is sent, else per client IP (BitMart's limits page);
    per="ip": always per IP (futures public endpoints)."""

    name: str
    count: int
    window_s: float
    per: str
    source: str


LIMITS: dict[str, RateLimit] = {
    r.name: r
    for r in (
        RateLimit("default", 10, 1.0, "key", "10 per second where the page states nothing"),
        RateLimit("futures-public", 12, 2.0, "ip", "futures public endpoints: 12 per 2 s per IP"),
        RateLimit("futures-submit", 24, 2.0, "key", "futures submit-order: 24 per 2 s per key"),
        RateLimit("futures-cancel", 40, 2.0, "key", "futures cancel-order(s): 40 per 2 s per key"),
        RateLimit("futures-assets", 12, 2.0, "key", "futures assets-detail: 12 per 2 s per key"),
        RateLimit("futures-transfer", 1, 2.0, "key", "transfer-contract: 1 per 2 s per key"),
        RateLimit("spot-order", 40, 2.0, "key", "spot order placement: 40 per 2 s per key"),
        RateLimit("spot-cancel-all", 1, 3.0, "key", "spot cancel-all: 1 per 3 s per key"),
    )
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    auth: AuthLevel
    families: tuple[str, ...]
    summary: str
    sample_query: tuple[tuple[str, str], ...] = ()
    sample_body: str = ""
    handler: str = ""  # the emulator's action, "module.function" under tui.emulator.routes
    limit: str = "default"  # a key of LIMITS
    permission: str | None = None  # one of PERMISSIONS; None for public endpoints
    recv_window: bool = False  # takes `recvWindow` (SIGNED endpoints of BitMart's spot/account pages)

    # Cached: the emulator reads them on every request.
    @functools.cached_property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @functools.cached_property
    def product(self) -> str:
        return product_of(self.path)

    @functools.cached_property
    def rate_limit(self) -> RateLimit:
        return LIMITS[self.limit]


def product_of(path: str) -> str:
    """system / spot / futures / account: which of BitMart's pages (and error tables) a path belongs to."""
    head = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    return {"contract": "futures", "system": "system", "spot": "spot", "emulator": "system"}.get(head, "account")


def _e(method, path, auth, handler, summary, *, fam=BOTH, limit="default", perm=None, q=(), body="", rw=False):  # noqa: ANN001
    if perm is None and auth is not N:
        perm = "read"
    return Endpoint(method, path, auth, fam, summary, q, body, handler, limit, perm, rw)


FP = "futures-public"
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
SPOT_ORDER = '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.001","price":"20000"}'

ENDPOINTS: tuple[Endpoint, ...] = (
    # -- system ------------------------------------------------------------------------------------------
    _e("GET", "/system/time", N, "system.time", "Server time in milliseconds"),
    _e("GET", "/system/service", N, "system.service", "Service and maintenance status"),
    # -- futures public ----------------------------------------------------------------------------------
    _e("GET", "/contract/public/details", N, "futures.details", "Contract details", limit=FP, q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/public/depth", N, "futures.depth", "Contract order book", limit=FP, q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/public/kline", N, "futures.kline", "Contract candles", limit=FP, q=(("symbol", "BTCUSDT"), ("step", "1"))),
    _e("GET", "/contract/public/markprice-kline", N, "futures.kline", "Mark-price candles", limit=FP, q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/public/market-trade", N, "futures.market_trades", "Recent contract trades", limit=FP, q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/public/funding-rate", N, "futures.funding_rate", "Current funding rate", limit=FP, q=(("symbol", "BTCUSDT"),)),
    # -- futures private ---------------------------------------------------------------------------------
    _e("GET", "/contract/private/assets-detail", K, "futures.assets_detail", "Futures account balances", limit="futures-assets"),
    _e("GET", "/contract/private/trade-fee-rate", K, "futures.fee_rate", "Futures fee rates", q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/private/order", K, "futures.query_order", "One order by id", q=(("symbol", "BTCUSDT"), ("order_id", "23"))),
    _e("GET", "/contract/private/order-history", K, "futures.order_history", "Order history", q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/private/get-open-orders", K, "futures.open_orders", "Open orders"),
    _e("GET", "/contract/private/position", K, "futures.positions", "Open positions"),
    _e("GET", "/contract/private/position-v2", K, "futures.positions", "Open positions (v2)"),
    _e("GET", "/contract/private/trades", K, "futures.trades", "Trade fills", q=(("symbol", "BTCUSDT"),)),
    _e("GET", "/contract/private/get-position-mode", K, "futures.get_position_mode", "Hedge or one-way mode"),
    _e("POST", "/contract/private/submit-order", S, "futures.submit_order", "Place a futures order", limit="futures-submit", perm="futures", body=ORDER),
    _e("POST", "/contract/private/modify-limit-order", S, "futures.modify_limit_order", "Change a resting limit order", perm="futures",
       body='{"symbol":"BTCUSDT","order_id":23,"price":"21000"}'),
    _e("POST", "/contract/private/cancel-order", S, "futures.cancel_order", "Cancel a futures order", limit="futures-cancel", perm="futures",
       body='{"symbol":"BTCUSDT","order_id":"23"}'),
    _e("POST", "/contract/private/cancel-orders", S, "futures.cancel_orders", "Cancel all orders of a symbol", limit="futures-cancel", perm="futures",
       body='{"symbol":"BTCUSDT"}'),
    _e("POST", "/contract/private/submit-leverage", S, "futures.submit_leverage", "Set leverage", perm="futures",
       body='{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}'),
    _e("POST", "/contract/private/set-position-mode", S, "futures.set_position_mode", "Hedge or one-way mode", perm="futures",
       body='{"position_mode":"hedge_mode"}'),
    # -- account (funding) -------------------------------------------------------------------------------
    _e("POST", "/account/v1/transfer-contract", S, "account.transfer_contract", "Spot <-> futures transfer", limit="futures-transfer",
       perm="futures", body='{"currency":"USDT","amount":"10","type":"spot_to_contract"}', rw=True),
    _e("POST", "/account/v1/transfer-contract-list", S, "account.transfer_list", "Spot <-> futures transfer history", body='{"page":1,"limit":10}', rw=True),
    _e("GET", "/account/v1/currencies", N, "account.currencies", "Funding currencies", fam=BM),
    _e("GET", "/account/v1/wallet", K, "account.wallet", "Account wallet", fam=BM),
    _e("GET", "/account/v1/deposit/address", K, "account.deposit_address", "Deposit address", fam=BM, q=(("currency", "USDT-TRC20"),)),
    _e("GET", "/account/v1/withdraw/charge", K, "account.withdraw_charge", "Withdrawal fee", fam=BM, perm="withdraw",
       q=(("currency", "USDT"),)),  # BitMart's permission page: "Withdraw quota | KEYED | Withdraw permission"
    _e("POST", "/account/v1/withdraw/apply", S, "account.withdraw_apply", "Withdraw (the emulator moves nothing)", fam=BM, perm="withdraw",
       body='{"currency":"USDT-TRC20","amount":"10","destination":"To Digital Address","address":"T0"}', rw=True),
    _e("GET", "/account/v2/deposit-withdraw/history", K, "account.funding_history", "Deposit and withdrawal history", fam=BM,
       q=(("operation_type", "withdraw"), ("N", "10"))),
    # -- spot public -------------------------------------------------------------------------------------
    _e("GET", "/spot/v1/currencies", N, "spot.currencies", "Spot currencies", fam=BM),
    _e("GET", "/spot/v1/symbols", N, "spot.symbols", "Spot symbols", fam=BM),
    _e("GET", "/spot/v1/symbols/details", N, "spot.symbol_details", "Spot trading-pair details", fam=BM),
    _e("GET", "/spot/quotation/v3/ticker", N, "spot.ticker", "Spot ticker", fam=BM, q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/tickers", N, "spot.tickers", "All spot tickers", fam=BM),
    _e("GET", "/spot/quotation/v3/books", N, "spot.books", "Spot order book", fam=BM, q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/trades", N, "spot.public_trades", "Recent spot trades", fam=BM, q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/klines", N, "spot.klines", "Spot candles", fam=BM, q=(("symbol", "BTC_USDT"), ("step", "1"))),
    _e("GET", "/spot/quotation/v3/lite-klines", N, "spot.klines", "Latest spot candles", fam=BM, q=(("symbol", "BTC_USDT"),)),
    # -- spot private ------------------------------------------------------------------------------------
    _e("GET", "/spot/v1/wallet", K, "spot.wallet", "Spot wallet", fam=BM),
    _e("GET", "/spot/v1/trade_fee", K, "spot.trade_fee", "Spot fee rates of a pair", fam=BM, q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/v1/user_fee", K, "spot.user_fee", "Spot base fee rates", fam=BM),
    _e("POST", "/spot/v2/submit_order", S, "spot.submit_order", "Place a spot order", fam=BM, limit="spot-order", perm="trade", body=SPOT_ORDER),
    _e("POST", "/spot/v3/cancel_order", S, "spot.cancel_order", "Cancel a spot order", fam=BM, perm="trade", body='{"symbol":"BTC_USDT","order_id":"23"}'),
    _e("POST", "/spot/v4/cancel_all", S, "spot.cancel_all", "Cancel all spot orders", fam=BM, limit="spot-cancel-all", perm="trade", body='{"symbol":"BTC_USDT"}'),
    _e("POST", "/spot/v4/query/order", S, "spot.query_order", "Query a spot order (a SIGNED POST)", fam=BM, body='{"orderId":"23"}', rw=True),
    _e("POST", "/spot/v4/query/client-order", S, "spot.query_order", "Query a spot order by client id", fam=BM, body='{"clientOrderId":"a1"}', rw=True),
    _e("POST", "/spot/v4/query/open-orders", S, "spot.open_orders", "Open spot orders (a SIGNED POST)", fam=BM, body="{}", rw=True),
    _e("POST", "/spot/v4/query/history-orders", S, "spot.history_orders", "Finished spot orders", fam=BM, body="{}", rw=True),
    _e("POST", "/spot/v4/query/trades", S, "spot.my_trades", "Spot fills", fam=BM, body="{}", rw=True),
    _e("POST", "/spot/v4/query/order-trades", S, "spot.order_trades", "Fills of one spot order", fam=BM, body='{"orderId":"23"}', rw=True),
    # -- emulator only -----------------------------------------------------------------------------------
    # No documented BitMart GET is SIGNED (field-notes 5). This one is the emulator's own, so a client (and
    # keyprobe's tests) can check that a SIGNED GET signs its query string, never a body.
    _e("GET", "/emulator/v1/signed-echo", S, "system.signed_echo", "Emulator only: a SIGNED GET that echoes its verified query",
       q=(("symbol", "BTCUSDT"),)),
)

_BY_KEY = {(e.method, e.path): e for e in ENDPOINTS}


def lookup(method: str, path: str) -> Endpoint | None:
    return _BY_KEY.get((method.upper(), path.split("?", 1)[0]))


def default_auth(method: str, path: str) -> AuthLevel:
    """The documented level; an endpoint keyprobe does not know is signed, the level that always works."""
    endpoint = lookup(method, path)
    return endpoint.auth if endpoint else AuthLevel.SIGNED


# The API-key permission an endpoint needs, by BitMart's permission table ("API Key Permission Settings" on the
# futures v2 page; developer.bitmart.com/en/part2/permission.html): queries, KEYED or SIGNED, need read-only.
PERMISSION_NAMES = {"read": "read-only", "trade": "spot trade", "futures": "futures trade", "margin": "margin trade",
                    "withdraw": "withdraw"}


def permission(method: str, path: str) -> str | None:
    """The permission (a key of PERMISSION_NAMES) that calling `method path` needs; None for a public endpoint.

    An endpoint table entry's own `permission` wins; for paths the table lacks, the permission table's pattern:
    withdrawals need withdraw, margin actions margin, futures actions futures, spot actions trade, queries read."""
    method, path = method.upper(), "/" + path.split("?", 1)[0].lstrip("/")
    endpoint = lookup(method, path)
    if endpoint is not None and endpoint.permission:
        return endpoint.permission
    if (endpoint.auth if endpoint else default_auth(method, path)) is N or "/public/" in path or path.startswith("/system/"):
        return None
    if "/withdraw/" in path and not path.endswith(("/history", "/detail")):
        return "withdraw"
    if method == "GET" or "/query/" in path or path.endswith("-list"):
        return "read"
    if "/margin/" in path:
        return "margin"
    if path.startswith("/contract/") or path.startswith("/account/v1/transfer-contract"):
        return "futures"
    return "trade" if path.startswith("/spot/") else None


def suggestions(prefix: str = "", family: str | None = None) -> list[Endpoint]:
    """Endpoints whose path starts with (or contains) `prefix`, for the composer's completion."""
    prefix = prefix.strip()
    pool = [e for e in ENDPOINTS if family is None or family in e.families]
    starts = [e for e in pool if e.path.startswith(prefix)]
    contains = [e for e in pool if prefix and prefix in e.path and e not in starts]
    return starts + contains
