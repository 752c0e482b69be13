"""Futures orders and positions. Market orders fill at once against the synthetic book (buy at the
ask, sell at the bid); a limit order fills at once when marketable, else rests until cancelled.
Fills open, add to, reduce and close positions, long and short, each with its margin mode and
leverage: closing sides (2 buy_close_short, 3 sell_close_long) need that position, else 40020.

Margin = contracts x contract size x price / leverage, held from the available balance while an
opening order rests or a position is open; more than available -> 40027. Closing realises the
profit or loss into the balance. No fees.
"""

from __future__ import annotations

from decimal import Decimal

from tui.emulator import accounts
from tui.emulator.accounts import Account, FuturesOrder, Position, text
from tui.emulator.market import Contract, book
from tui.emulator.routes.common import Call, Refused, decimal
from tui.emulator.routes.futures import contract, price_of

OPEN_SIDES = (1, 4)  # 1 buy_open_long, 4 sell_open_short
CLOSE_SIDES = (2, 3)  # 2 buy_close_short, 3 sell_close_long
ORDER_TYPES = ("limit", "market")
OPEN_TYPES = ("isolated", "cross")
POSITION_MODES = ("hedge_mode", "one_way_mode")
DEFAULT_LEVERAGE = Decimal(10)
MAX_VOLUME = 1_000_000  # contracts per order: the contract details' max_volume


# -- validators ------------------------------------------------------------------------------------------
def leverage(value: object, c: Contract) -> Decimal:
    lev = decimal(value, 40040, 40040, too_large=Refused(40029))
    if lev > c.max_leverage:
        raise Refused(40029)
    if lev < c.min_leverage:
        raise Refused(40030)
    return lev


def client_order_id(value: object) -> str:
    if value in (None, ""):
        return ""
    coid = str(value)
    if not (coid.isascii() and coid.isalnum()):
        raise Refused(40048)
    if len(coid) > 32:
        raise Refused(40049)
    return coid


def side(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in OPEN_SIDES + CLOSE_SIDES:
        raise Refused(40041)
    return value


def size(value: object) -> int:
    """Contracts are whole numbers (vol_precision 1): 0.5, 0 or -1 break the precision rule."""
    number = decimal(value, 40011, 40043, too_large=Refused(40044))
    if number <= 0 or number != number.to_integral_value():
        raise Refused(40043)
    if number > MAX_VOLUME:
        raise Refused(40044)  # "The order range is invalid"
    return int(number)


def price(value: object, c: Contract) -> Decimal:
    number = decimal(value, 40011, 40043, too_large=Refused(40044))
    if number <= 0 or number % c.price_tick != 0:
        raise Refused(40043)
    return number


def position_side(order_side: int) -> str:
    return "long" if order_side in (1, 3) else "short"


# -- fills -----------------------------------------------------------------------------------------------
def _fill(call: Call, acct: Account, order: FuturesOrder, at: Decimal) -> None:
    """Fill the whole order at `at`: move the position, the margin and the balance; record the trade."""
    c = contract(order.symbol)
    key = (order.symbol, position_side(order.side))
    realised = Decimal(0)
    if order.side in OPEN_SIDES:
        pos = acct.positions.get(key)
        if pos is None:
            pos = acct.positions[key] = Position(order.symbol, key[1], order.open_type, order.leverage, open_time=call.now)
        total = pos.size + order.size
        pos.entry_price = (pos.entry_price * pos.size + at * order.size) / total
        pos.size = total
        pos.margin += order.size * c.contract_size * at / order.leverage
    else:
        pos = acct.positions[key]
        share = Decimal(order.size) / pos.size
        diff = (at - pos.entry_price) if pos.side == "long" else (pos.entry_price - at)
        realised = diff * order.size * c.contract_size
        acct.futures_balance += realised
        pos.realized += realised
        pos.margin -= pos.margin * share
        pos.size -= order.size
        if pos.size == 0:
            del acct.positions[key]
    pos.update_time = call.now
    order.state, order.deal_size, order.deal_avg_price, order.update_time = 4, order.size, at, call.now
    acct.futures_trades.append({
        "order_id": order.order_id, "trade_id": call.state.new_order_id(), "symbol": order.symbol, "side": order.side,
        "price": text(at), "vol": str(order.size), "exec_type": "Taker", "profit": realised > 0, "create_time": call.now,
        "realised_profit": text(realised), "paid_fees": "0",
    })


def _marketable(order_side: int, limit: Decimal, ask: Decimal, bid: Decimal) -> Decimal | None:
    """The fill price of a limit order that crosses the book, else None (it rests)."""
    if order_side in (1, 2):
        return ask if limit >= ask else None
    return bid if limit <= bid else None


# -- actions ---------------------------------------------------------------------------------------------
def submit_order(call: Call) -> object:
    b = call.args
    c = contract(b.get("symbol"))
    coid = client_order_id(b.get("client_order_id"))
    order_side = side(b.get("side"))
    order_type = b.get("type", "limit")
    if order_type not in ORDER_TYPES:
        raise Refused(40042)
    open_type = b.get("open_type")
    if open_type is not None and open_type not in OPEN_TYPES:
        raise Refused(40045)
    contracts = size(b.get("size"))
    limit = price(b.get("price"), c) if order_type == "limit" else None
    state = call.state
    with state.lock:
        acct = call.account
        set_lev, set_open_type = acct.leverage.get(c.symbol, (DEFAULT_LEVERAGE, "cross"))
        lev = leverage(b["leverage"], c) if "leverage" in b else set_lev
        open_type = open_type or set_open_type
        if coid and any(o.client_order_id == coid for o in acct.orders.values()):
            raise Refused(40050)
        if order_side in CLOSE_SIDES:
            pos = acct.positions.get((c.symbol, position_side(order_side)))
            if pos is None or pos.size < contracts:
                raise Refused(40020)
        asks, bids = book(price_of(call, c), c.price_tick)
        at = (asks[0] if order_side in (1, 2) else bids[0]) if limit is None else _marketable(order_side, limit, asks[0], bids[0])
        if order_side in OPEN_SIDES and contracts * c.contract_size * (at or limit) / lev > acct.available:
            raise Refused(40027)
        if sum(1 for o in acct.orders.values() if o.state == 2) >= accounts.MAX_OPEN_FUTURES_ORDERS:
            raise Refused(40028)
        order = FuturesOrder(state.new_order_id(), coid, c.symbol, order_side, order_type, lev, open_type, contracts,
                             limit if limit is not None else at, call.now, call.now)
        acct.orders[order.order_id] = order
        if at is not None:
            _fill(call, acct, order, at)
        acct.trim()
    return {"order_id": int(order.order_id), "price": text(order.price) if limit is not None else "market price"}


def _find(acct: Account, symbol: str, order_id: object, coid: object) -> FuturesOrder | None:
    if order_id not in (None, ""):
        order = acct.orders.get(str(order_id))
    else:
        order = next((o for o in acct.orders.values() if o.client_order_id == str(coid)), None)
    return order if order is not None and order.symbol == symbol else None


def cancel_order(call: Call) -> object:
    b = call.args
    c = contract(b.get("symbol"))
    if b.get("order_id") in (None, "") and b.get("client_order_id") in (None, ""):
        raise Refused(40011)
    with call.state.lock:
        order = _find(call.account, c.symbol, b.get("order_id"), b.get("client_order_id"))
        if order is None:
            raise Refused(40037)
        if order.state != 2:
            raise Refused(40036)
        order.state, order.update_time = 4, call.now
    return {}


def cancel_orders(call: Call) -> object:
    c = contract(call.get("symbol"))
    with call.state.lock:
        for order in call.account.orders.values():
            if order.symbol == c.symbol and order.state == 2:
                order.state, order.update_time = 4, call.now
    return {}


def modify_limit_order(call: Call) -> object:
    """New price and/or size for a resting limit order; it fills at once if the new price crosses."""
    b = call.args
    c = contract(b.get("symbol"))
    if b.get("order_id") in (None, "") and b.get("client_order_id") in (None, ""):
        raise Refused(40011)
    new_price = price(b["price"], c) if b.get("price") not in (None, "") else None
    new_size = size(b["size"]) if b.get("size") not in (None, "") else None
    with call.state.lock:
        acct = call.account
        order = _find(acct, c.symbol, b.get("order_id"), b.get("client_order_id"))
        if order is None:
            raise Refused(40035)
        if order.state != 2 or order.type != "limit":
            raise Refused(40036)
        old = (order.price, order.size)
        order.price, order.size = new_price or order.price, new_size or order.size
        if order.side in OPEN_SIDES and acct.available < 0:
            order.price, order.size = old
            raise Refused(40027)
        order.update_time = call.now
        asks, bids = book(price_of(call, c), c.price_tick)
        at = _marketable(order.side, order.price, asks[0], bids[0])
        if at is not None:
            _fill(call, acct, order, at)
    return {"order_id": int(order.order_id), "client_order_id": order.client_order_id}


def submit_leverage(call: Call) -> object:
    b = call.args
    c = contract(b.get("symbol"))
    if b.get("open_type") not in OPEN_TYPES:
        raise Refused(40045)
    lev = leverage(b.get("leverage"), c)
    with call.state.lock:
        call.account.leverage[c.symbol] = (lev, b["open_type"])
    return {"symbol": c.symbol, "leverage": text(lev), "open_type": b["open_type"], "max_value": str(c.max_leverage)}


def set_position_mode(call: Call) -> object:
    """Stored and reported; positions are kept per side (long and short apart) in either mode."""
    mode = call.get("position_mode")
    if mode not in POSITION_MODES:
        raise Refused(40011)
    with call.state.lock:
        call.account.position_mode = str(mode)
    return {"position_mode": mode}
