"""One key's world: spot balances and orders, the futures wallet, orders, positions and fills, transfers.

Everything here is changed with EmulatorState.lock held. Amounts are Decimals; answers render them as
strings the way BitMart does. No fees are charged (fee rates are reported, fills pay 0): balances stay
easy to check by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tui.emulator.market import CONTRACTS

DEMO_FUTURES_USDT = Decimal("1000")
DEMO_SPOT = {"USDT": Decimal("10000"), "BTC": Decimal("0.5"), "ETH": Decimal("5")}
ZERO = Decimal(0)


def text(d: Decimal) -> str:
    """A Decimal as BitMart writes it: no exponent, no trailing zeros after the point."""
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


# -- futures ---------------------------------------------------------------------------------------------
@dataclass
class FuturesOrder:
    order_id: str
    client_order_id: str
    symbol: str
    side: int  # 1 buy_open_long, 2 buy_close_short, 3 sell_close_long, 4 sell_open_short
    type: str
    leverage: Decimal
    open_type: str
    size: int
    price: Decimal
    create_time: int
    update_time: int
    state: int = 2  # 2 open ("check"), 4 finished (filled or cancelled)
    deal_size: int = 0
    deal_avg_price: Decimal = ZERO

    @property
    def frozen_margin(self) -> Decimal:
        """What a resting opening order holds back from the available balance."""
        if self.state != 2 or self.side not in (1, 4):
            return ZERO
        return (self.size - self.deal_size) * CONTRACTS[self.symbol].contract_size * self.price / self.leverage

    def as_data(self, *extra: dict[str, object]) -> dict[str, object]:
        """The order as the futures pages show it, plus `extra` fields (ORDER_DETAIL_FIELDS, HISTORY_FIELDS...)."""
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "symbol": self.symbol,
            "side": self.side,
            "type": self.type,
            "leverage": text(self.leverage),
            "open_type": self.open_type,
            "deal_avg_price": text(self.deal_avg_price),
            "deal_size": str(self.deal_size),
            "size": str(self.size),
            "price": text(self.price),
            "state": self.state,
            "create_time": self.create_time,
            "update_time": self.update_time,
        } | {k: v for fields in extra for k, v in fields.items()}


# What real answers carry for an order that is no trailing order and has no preset take-profit or stop-loss (ccxt
# 4.5.70's recorded fetchOrder, field-notes section 12; WOO X Pro's order and order-history pages): the order detail
# has them all, the order history the activation ones, the open orders the preset ones.
ACTIVATION_FIELDS = {"activation_price": "", "callback_rate": "", "activation_price_type": 0}
PRESET_FIELDS = {"preset_take_profit_price_type": 0, "preset_stop_loss_price_type": 0, "preset_take_profit_price": "",
                 "preset_stop_loss_price": ""}
ORDER_DETAIL_FIELDS = ACTIVATION_FIELDS | {"executive_order_id": ""} | PRESET_FIELDS


@dataclass
class Position:
    symbol: str
    side: str  # "long" | "short"
    open_type: str
    leverage: Decimal
    size: int = 0
    entry_price: Decimal = ZERO
    margin: Decimal = ZERO
    realized: Decimal = ZERO
    open_time: int = 0
    update_time: int = 0

    def unrealized(self, mark: Decimal) -> Decimal:
        diff = (mark - self.entry_price) if self.side == "long" else (self.entry_price - mark)
        return diff * self.size * CONTRACTS[self.symbol].contract_size

    def as_data(self, mark: Decimal, now: int) -> dict[str, object]:
        value = mark * self.size * CONTRACTS[self.symbol].contract_size
        return {
            "symbol": self.symbol,
            "leverage": text(self.leverage),
            "timestamp": now,
            "current_fee": "0",
            "open_timestamp": self.open_time,
            "current_value": text(value),
            "mark_price": text(mark),
            "position_value": text(self.entry_price * self.size * CONTRACTS[self.symbol].contract_size),
            "position_cross": text(self.margin),
            "maintenance_margin": text(value * Decimal("0.005")),
            "close_vol": "0",
            "close_avg_price": "0",
            "open_avg_price": text(self.entry_price),
            "entry_price": text(self.entry_price),
            "current_amount": str(self.size),
            "position_amount": str(self.size),
            "unrealized_value": text(self.unrealized(mark)),
            "realized_value": text(self.realized),
            "position_type": 1 if self.side == "long" else 2,
            "position_side": self.side,
            "open_type": self.open_type,
            "account": "futures",
        }


# -- spot ------------------------------------------------------------------------------------------------
@dataclass
class SpotOrder:
    order_id: str
    client_order_id: str
    symbol: str
    side: str  # "buy" | "sell"
    type: str  # limit, market, limit_maker, ioc
    price: Decimal
    size: Decimal
    notional: Decimal
    create_time: int
    update_time: int
    state: str = "new"  # new, filled, canceled
    filled_size: Decimal = ZERO
    filled_notional: Decimal = ZERO
    frozen: Decimal = ZERO  # quote (buy) or base (sell) held while it rests

    def as_data(self) -> dict[str, object]:
        avg = self.filled_notional / self.filled_size if self.filled_size else ZERO
        return {
            "orderId": self.order_id,
            "clientOrderId": self.client_order_id or self.order_id,
            "symbol": self.symbol,
            "side": self.side,
            "orderMode": "spot",
            "type": self.type,
            "state": self.state,
            "price": text(self.price),
            "priceAvg": text(avg),
            "size": text(self.size),
            "filledSize": text(self.filled_size),
            "notional": text(self.notional),
            "filledNotional": text(self.filled_notional),
            "createTime": self.create_time,
            "updateTime": self.update_time,
        }


# Closed orders, fills and transfers kept per key, the oldest forgotten first. A bot placing and cancelling for
# hours grew the emulator without end, and each order got slower (every order scans the key's orders): at the
# documented futures rate, a day is a million orders. A venue pages further back; a test run needs no more.
KEEP_HISTORY = 10_000
# Open futures orders per key. No venue page states a cap, and an order at a far price holds almost no margin, so
# the demo balance allows about a billion resting orders, each submit scanning them all (third attack on a9b9dc9).
# Past this the emulator answers 40028, the documented "order's count is more than system maximum limit" (the
# emulator's own threshold, as 30017's: README says so).
MAX_OPEN_FUTURES_ORDERS = 10_000
# Open spot orders per key, likewise: a far sell of 0.00001 BTC rests, so the demo balances rest about 100,000, and
# then each open-orders query held the emulator's one lock for 0.2 s (fourth attack on 1bad83c). No spot code names a
# count; past this the emulator answers 51008, "Operation is limited, please try again later".
MAX_OPEN_SPOT_ORDERS = 10_000


@dataclass
class Account:
    """One key's accounts. Futures: a USDT wallet; margin sits inside it, held by orders and positions."""

    futures_balance: Decimal = DEMO_FUTURES_USDT
    orders: dict[str, FuturesOrder] = field(default_factory=dict)
    positions: dict[tuple[str, str], Position] = field(default_factory=dict)
    futures_trades: list[dict] = field(default_factory=list)
    leverage: dict[str, tuple[Decimal, str]] = field(default_factory=dict)  # symbol -> (leverage, open_type)
    position_mode: str = "hedge_mode"
    spot: dict[str, Decimal] = field(default_factory=lambda: dict(DEMO_SPOT))
    spot_frozen: dict[str, Decimal] = field(default_factory=dict)
    spot_orders: dict[str, SpotOrder] = field(default_factory=dict)
    spot_trades: list[dict] = field(default_factory=list)
    transfers: list[dict] = field(default_factory=list)

    def trim(self) -> None:
        """Forget the oldest closed orders, fills and transfers past KEEP_HISTORY (a tenth more first, so a
        busy key pays for it once in a thousand orders). Open orders are never forgotten."""
        slack = KEEP_HISTORY + KEEP_HISTORY // 10
        for orders, still_open in ((self.orders, 2), (self.spot_orders, "new")):
            if len(orders) > slack:
                closed = [oid for oid, o in orders.items() if o.state != still_open]
                for oid in closed[: len(orders) - KEEP_HISTORY]:
                    del orders[oid]
        for done in (self.futures_trades, self.spot_trades, self.transfers):
            if len(done) > slack:
                del done[: len(done) - KEEP_HISTORY]

    # futures -----------------------------------------------------------------------------------------
    @property
    def frozen_margin(self) -> Decimal:
        return sum((o.frozen_margin for o in self.orders.values()), ZERO)

    @property
    def position_margin(self) -> Decimal:
        return sum((p.margin for p in self.positions.values()), ZERO)

    @property
    def available(self) -> Decimal:
        return self.futures_balance - self.frozen_margin - self.position_margin

    # spot --------------------------------------------------------------------------------------------
    def spot_available(self, currency: str) -> Decimal:
        return self.spot.get(currency, ZERO)

    def freeze(self, currency: str, amount: Decimal) -> None:
        self.spot[currency] = self.spot_available(currency) - amount
        self.spot_frozen[currency] = self.spot_frozen.get(currency, ZERO) + amount

    def unfreeze(self, currency: str, amount: Decimal) -> None:
        self.spot_frozen[currency] = self.spot_frozen.get(currency, ZERO) - amount
        self.spot[currency] = self.spot_available(currency) + amount
