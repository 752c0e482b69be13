"""Known endpoints as ONE table: path, method, auth level (protocol.md section 2), rate-limit group,
the API-key permission BitMart's pages name for it, the endpoint's kind (what the venues' lifecycles
stop: keys/lifecycle.py), which venue documents it (WOO X Pro's page on developer.wooxpro.com), and the
emulator's handler. The console's completion, the default auth level of a draft, the diagnosis and the
emulator's router all read this table.

`handler` is a name ("futures.submit_order"), not a function: this module sits below the emulator
and imports nothing from it; tui.emulator.routes resolves the names (and a test checks every name
resolves).
"""

from __future__ import annotations

import functools
from collections import namedtuple

from keys.headers import AuthLevel

N, K, S = AuthLevel.NONE, AuthLevel.KEYED, AuthLevel.SIGNED
BOTH = ("bitmart", "wooxpro")
BM = ("bitmart",)
WXP_DOCS = "https://developer.wooxpro.com/"
# What an endpoint is, as the venues' lifecycles name what stopped (keys/lifecycle.py): BitMart's notice of
# 2026-07-26 suspended deposits and new spot orders, then all trading, then everything.
KINDS = ("system", "market", "balance", "fee", "order", "position", "leverage", "margin", "spot-order", "transfer",
         "deposit", "withdrawal")

# Retired paths: Futures V1 was switched off on 2024-11-30 (protocol.md 6 #10), all of it under /contract/v1/;
# the spot endpoints BitMart retired in favour of v2 submit and v4 queries. The emulator answers them 30030/30031
# and inspect's lint names them.
FUTURES_V1_PREFIX = "/contract/v1/"
DEPRECATED_PATHS = frozenset({"/spot/v1/submit_order", "/spot/v2/orders"})

# Permissions as BitMart's key settings name them: Read-Only, Spot-Trade, Withdraw, Futures-Trade, Margin-Trade.
PERMISSIONS = ("read", "trade", "withdraw", "futures", "margin")


# Named tuples, not dataclasses: every send and inspect loads this table (keys.headers.HeaderSet says why).
class RateLimit(namedtuple("RateLimit", "name count window_s per source")):
    """One documented limit: `count` requests per `window_s` seconds, counted per endpoint; `source` says where.

    per="key": per API key when a valid key is sent, else per client IP (BitMart's limits page);
    per="ip": always per IP (futures public endpoints)."""

    __slots__ = ()


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


_ENDPOINT = "method path auth families summary sample_query sample_body handler limit permission recv_window kind wooxpro_page"


class Endpoint(namedtuple("Endpoint", _ENDPOINT, defaults=((), "", "", "default", None, False, "market", None))):
    """One row: method, path, auth (AuthLevel), families (the venues that serve it), summary, sample_query
    (pairs) and sample_body (the composer's example), handler (the emulator's action, "module.function" under
    tui.emulator.routes), limit (a key of LIMITS), permission (one of PERMISSIONS; None for public endpoints),
    recv_window (takes `recvWindow`: SIGNED endpoints of BitMart's spot/account pages), kind (one of KINDS),
    wooxpro_page (WOO X Pro's page for it, under WXP_DOCS; None: no page was found).

    No `__slots__ = ()`: each row keeps its cached label, product and rate limit."""

    @property
    def documented_by(self) -> tuple[str, ...]:
        """The venues whose pages document this endpoint (BitMart's: protocol.md section 2; WOO X Pro's: its page)."""
        if self.handler.startswith("system.signed_echo"):
            return ()  # the emulator's own
        return ("bitmart", "wooxpro") if self.wooxpro_page else ("bitmart",)

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


def _e(method, path, auth, handler, summary, *, kind, wxp=None, limit="default", perm=None, q=(), body="", rw=False):  # noqa: ANN001
    """One row. `wxp`: the WOO X Pro page (under WXP_DOCS) that documents it; the emulator's wooxpro flavour serves
    exactly those (and its own signed echo), and answers the rest as WOO X Pro answers a path it does not have."""
    if perm is None and auth is not N:
        perm = "read"
    families = BOTH if wxp or handler == "system.signed_echo" else BM
    return Endpoint(method, path, auth, families, summary, q, body, handler, limit, perm, rw, kind, wxp)


FP = "futures-public"
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
SPOT_ORDER = '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.001","price":"20000"}'

ENDPOINTS: tuple[Endpoint, ...] = (
    # -- system (WOO X Pro documents no time or service endpoint: protocol.md section 4) -------------------
    _e("GET", "/system/time", N, "system.time", "Server time in milliseconds", kind="system"),
    _e("GET", "/system/service", N, "system.service", "Service and maintenance status", kind="system"),
    # -- futures public ----------------------------------------------------------------------------------
    _e("GET", "/contract/public/details", N, "futures.details", "Contract details", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"),), wxp="english/restful_public/symbol-detail"),
    _e("GET", "/contract/public/depth", N, "futures.depth", "Contract order book", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"),), wxp="english/restful_public/depth"),
    # No WOO X Pro page for /contract/public/kline was found (only the mark-price one): it is not marked documented.
    _e("GET", "/contract/public/kline", N, "futures.kline", "Contract candles", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"), ("step", "1"))),
    _e("GET", "/contract/public/markprice-kline", N, "futures.kline", "Mark-price candles", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"),), wxp="english/restful_public/kline-mark-price"),
    _e("GET", "/contract/public/market-trade", N, "futures.market_trades", "Recent contract trades", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"),), wxp="cn/restful_public/trade"),
    _e("GET", "/contract/public/funding-rate", N, "futures.funding_rate", "Current funding rate", kind="market", limit=FP,
       q=(("symbol", "BTCUSDT"),), wxp="english/restful_public/funding-rate"),
    # -- futures private ---------------------------------------------------------------------------------
    _e("GET", "/contract/private/assets-detail", K, "futures.assets_detail", "Futures account balances", kind="balance",
       limit="futures-assets", wxp="english/account/assets-detail"),
    _e("GET", "/contract/private/trade-fee-rate", K, "futures.fee_rate", "Futures fee rates", kind="fee",
       q=(("symbol", "BTCUSDT"),), wxp="english/trading/trade-fee-rate"),
    _e("GET", "/contract/private/order", K, "futures.query_order", "One order by id", kind="order",
       q=(("symbol", "BTCUSDT"), ("order_id", "23")), wxp="english/trading/order"),
    _e("GET", "/contract/private/order-history", K, "futures.order_history", "Order history", kind="order",
       q=(("symbol", "BTCUSDT"),), wxp="english/trading/order-history"),
    _e("GET", "/contract/private/get-open-orders", K, "futures.open_orders", "Open orders", kind="order",
       wxp="english/trading/open-order"),
    _e("GET", "/contract/private/position", K, "futures.positions", "Open positions", kind="position",
       wxp="english/trading/position"),
    _e("GET", "/contract/private/position-v2", K, "futures.positions", "Open positions (v2)", kind="position",
       wxp="english/trading/position-v2"),
    _e("GET", "/contract/private/trades", K, "futures.trades", "Trade fills", kind="order", q=(("symbol", "BTCUSDT"),),
       wxp="english/trading/trades"),
    _e("GET", "/contract/private/get-position-mode", K, "futures.get_position_mode", "Hedge or one-way mode", kind="position",
       wxp="english/trading/get-position-mode"),
    _e("POST", "/contract/private/submit-order", S, "futures.submit_order", "Place a futures order", kind="order",
       limit="futures-submit", perm="futures", body=ORDER, wxp="english/trading/submit-order"),
    _e("POST", "/contract/private/modify-limit-order", S, "futures.modify_limit_order", "Change a resting limit order",
       kind="order", perm="futures", body='{"symbol":"BTCUSDT","order_id":23,"price":"21000"}',
       wxp="english/trading/modify-limit-order"),
    _e("POST", "/contract/private/cancel-order", S, "futures.cancel_order", "Cancel a futures order", kind="order",
       limit="futures-cancel", perm="futures", body='{"symbol":"BTCUSDT","order_id":"23"}', wxp="english/trading/cancel-order"),
    _e("POST", "/contract/private/cancel-orders", S, "futures.cancel_orders", "Cancel all orders of a symbol", kind="order",
       limit="futures-cancel", perm="futures", body='{"symbol":"BTCUSDT"}', wxp="english/trading/cancel-orders"),
    _e("POST", "/contract/private/submit-leverage", S, "futures.submit_leverage", "Set leverage", kind="leverage",
       perm="futures", body='{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}',
       wxp="english/trading/submit-leverage"),
    _e("POST", "/contract/private/set-position-mode", S, "futures.set_position_mode", "Hedge or one-way mode",
       kind="position", perm="futures", body='{"position_mode":"hedge_mode"}', wxp="cn/trading/set-position-mode"),
    # -- account (funding) -------------------------------------------------------------------------------
    _e("POST", "/account/v1/transfer-contract", S, "account.transfer_contract", "Spot <-> futures transfer", kind="transfer",
       limit="futures-transfer", perm="futures", body='{"currency":"USDT","amount":"10","type":"spot_to_contract"}', rw=True,
       wxp="english/trading/transfer"),
    _e("POST", "/account/v1/transfer-contract-list", S, "account.transfer_list", "Spot <-> futures transfer history",
       kind="transfer", body='{"page":1,"limit":10}', rw=True, wxp="english/trading/transfer-list"),
    _e("GET", "/account/v1/currencies", N, "account.currencies", "Funding currencies", kind="market"),
    _e("GET", "/account/v1/wallet", K, "account.wallet", "Account wallet", kind="balance"),
    _e("GET", "/account/v1/deposit/address", K, "account.deposit_address", "Deposit address", kind="deposit",
       q=(("currency", "USDT-TRC20"),)),
    _e("GET", "/account/v1/withdraw/charge", K, "account.withdraw_charge", "Withdrawal fee", kind="withdrawal", perm="withdraw",
       q=(("currency", "USDT"),)),  # BitMart's permission page: "Withdraw quota | KEYED | Withdraw permission"
    _e("POST", "/account/v1/withdraw/apply", S, "account.withdraw_apply", "Withdraw (the emulator moves nothing)",
       kind="withdrawal", perm="withdraw",
       body='{"currency":"USDT-TRC20","amount":"10","destination":"To Digital Address","address":"T0"}', rw=True),
    _e("GET", "/account/v2/deposit-withdraw/history", K, "account.funding_history", "Deposit and withdrawal history",
       kind="withdrawal", q=(("operation_type", "withdraw"), ("N", "10"))),
    # -- spot public (WOO X Pro's pages list no spot endpoint: protocol.md section 4) --------------------
    _e("GET", "/spot/v1/currencies", N, "spot.currencies", "Spot currencies", kind="market"),
    _e("GET", "/spot/v1/symbols", N, "spot.symbols", "Spot symbols", kind="market"),
    _e("GET", "/spot/v1/symbols/details", N, "spot.symbol_details", "Spot trading-pair details", kind="market"),
    _e("GET", "/spot/quotation/v3/ticker", N, "spot.ticker", "Spot ticker", kind="market", q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/tickers", N, "spot.tickers", "All spot tickers", kind="market"),
    _e("GET", "/spot/quotation/v3/books", N, "spot.books", "Spot order book", kind="market", q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/trades", N, "spot.public_trades", "Recent spot trades", kind="market", q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/quotation/v3/klines", N, "spot.klines", "Spot candles", kind="market", q=(("symbol", "BTC_USDT"), ("step", "1"))),
    _e("GET", "/spot/quotation/v3/lite-klines", N, "spot.klines", "Latest spot candles", kind="market", q=(("symbol", "BTC_USDT"),)),
    # -- spot private ------------------------------------------------------------------------------------
    _e("GET", "/spot/v1/wallet", K, "spot.wallet", "Spot wallet", kind="balance"),
    _e("GET", "/spot/v1/trade_fee", K, "spot.trade_fee", "Spot fee rates of a pair", kind="fee", q=(("symbol", "BTC_USDT"),)),
    _e("GET", "/spot/v1/user_fee", K, "spot.user_fee", "Spot base fee rates", kind="fee"),
    _e("POST", "/spot/v2/submit_order", S, "spot.submit_order", "Place a spot order", kind="spot-order", limit="spot-order",
       perm="trade", body=SPOT_ORDER),
    _e("POST", "/spot/v3/cancel_order", S, "spot.cancel_order", "Cancel a spot order", kind="order", perm="trade",
       body='{"symbol":"BTC_USDT","order_id":"23"}'),
    _e("POST", "/spot/v4/cancel_all", S, "spot.cancel_all", "Cancel all spot orders", kind="order", limit="spot-cancel-all",
       perm="trade", body='{"symbol":"BTC_USDT"}'),
    _e("POST", "/spot/v4/query/order", S, "spot.query_order", "Query a spot order (a SIGNED POST)", kind="order",
       body='{"orderId":"23"}', rw=True),
    _e("POST", "/spot/v4/query/client-order", S, "spot.query_order", "Query a spot order by client id", kind="order",
       body='{"clientOrderId":"a1"}', rw=True),
    _e("POST", "/spot/v4/query/open-orders", S, "spot.open_orders", "Open spot orders (a SIGNED POST)", kind="order", body="{}", rw=True),
    _e("POST", "/spot/v4/query/history-orders", S, "spot.history_orders", "Finished spot orders", kind="order", body="{}", rw=True),
    _e("POST", "/spot/v4/query/trades", S, "spot.my_trades", "Spot fills", kind="order", body="{}", rw=True),
    _e("POST", "/spot/v4/query/order-trades", S, "spot.order_trades", "Fills of one spot order", kind="order",
       body='{"orderId":"23"}', rw=True),
    # -- emulator only -----------------------------------------------------------------------------------
    # No documented BitMart GET is SIGNED (field-notes 5). This one is the emulator's own, so a client (and
    # keyprobe's tests) can check that a SIGNED GET signs its query string, never a body.
    _e("GET", "/emulator/v1/signed-echo", S, "system.signed_echo", "Emulator only: a SIGNED GET that echoes its verified query",
       kind="system", q=(("symbol", "BTCUSDT"),)),
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


def kind_of(method: str, path: str) -> str | None:
    """What an endpoint is (one of KINDS): the table's kind, else read from the path the way the table is laid out
    (BitMart documents many endpoints the emulator does not serve: plan orders, margin, batch orders...). None
    for a path that is no venue's."""
    endpoint = lookup(method, path)
    return endpoint.kind if endpoint is not None else path_kind(method, path)


def path_kind(method: str, path: str) -> str | None:
    """kind_of for a path the table lacks, read from the path alone (a test holds it to the table's kinds)."""
    method, path = method.upper(), "/" + path.split("?", 1)[0].lstrip("/")
    head = path.split("/", 2)[1] if path.count("/") >= 1 else ""
    if head in ("system", "emulator"):
        return "system"
    if "/public/" in path or path.startswith(("/spot/quotation/", "/spot/v1/currencies", "/spot/v1/symbols", "/account/v1/currencies")):
        return "market"
    if "margin" in path:
        return "margin"
    if "/deposit/" in path:
        return "deposit"
    if "withdraw" in path:
        return "withdrawal"
    if "transfer" in path:
        return "transfer"
    if "wallet" in path or "assets" in path or "transaction-history" in path:
        return "balance"
    if "fee" in path:
        return "fee"
    if head == "contract":
        return "leverage" if "leverage" in path else "position" if "position" in path else "order"
    if head == "spot":
        return "spot-order" if method == "POST" and ("submit" in path or "batch_orders" in path) else "order"
    return None


@functools.cache
def served_paths(family: str) -> frozenset[str]:
    """The paths the emulator serves for `family` (with any of their methods)."""
    return frozenset(e.path for e in ENDPOINTS if family in e.families)


def documented_by(method: str, path: str, family: str) -> bool | None:
    """Whether `family`'s pages document `method path`: True, False, or None when keyprobe's table does not know the
    endpoint (a BitMart endpoint the emulator does not serve may well be on WOO X Pro's pages too)."""
    endpoint = lookup(method, path)
    if endpoint is None:
        return None
    return family in endpoint.documented_by


def suggestions(prefix: str = "", family: str | None = None) -> list[Endpoint]:
    """Endpoints whose path starts with (or contains) `prefix`, for the composer's completion."""
    prefix = prefix.strip()
    pool = [e for e in ENDPOINTS if family is None or family in e.families]
    starts = [e for e in pool if e.path.startswith(prefix)]
    contains = [e for e in pool if prefix and prefix in e.path and e not in starts]
    return starts + contains
