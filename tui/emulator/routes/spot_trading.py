"""Spot orders with the spot table's codes, numbers filled in: 50006 "Minimum size is 0.00001",
50008 minimum price, 50009 "Minimum count*price is 5", 50010/50011/50012 a required size, price or
notional missing, 50021 "Invalid size" for a number that does not parse or breaks the step, 50037/50038/
50042 client order id too long / not alphanumeric / already used, 50020 balance not enough, 52001/52002
an unknown type or side; cancel: 50039 neither id, 50032 no such order, 50030 already cancelled, 50031
already filled; a query of an unknown order: 50005.

A market order fills at once against the synthetic book (buy spends `notional` USDT at the ask, sell
sells `size` at the bid); a limit order fills at once when marketable, else rests with its funds frozen.
`ioc` never rests (cancelled if it cannot fill); `limit_maker` is cancelled if it would take. No fees.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from tui.emulator import accounts, numbers
from tui.emulator.accounts import Account, SpotOrder, text
from tui.emulator.market import SpotPair, book
from tui.emulator.routes.common import Call, Refused, decimal, is_multiple, positive_int
from tui.emulator.routes.spot import pair, price_of

SIDES = ("buy", "sell")
TYPES = ("limit", "market", "limit_maker", "ioc")


def client_order_id(value: object) -> str:
    if value in (None, ""):
        return ""
    coid = str(value)
    if len(coid) > 32:
        raise Refused(50037)
    if not (coid.isascii() and coid.isalnum()):
        raise Refused(50038)
    return coid


def _size(p: SpotPair, value: object) -> Decimal:
    size = decimal(value, 50010, 50021, "size", too_large=Refused(50007, text(p.max_size)))
    if size < p.min_size:
        raise Refused(50006, text(p.min_size))
    if size > p.max_size:
        raise Refused(50007, text(p.max_size))
    if not is_multiple(size, p.size_step):
        raise Refused(50021, "size")
    return size


def _price(p: SpotPair, value: object) -> Decimal:
    price = decimal(value, 50011, 50021, "price", too_large=Refused(50025, text(numbers.LARGEST)))
    if price < p.min_price:
        raise Refused(50008, text(p.min_price))
    if not is_multiple(price, p.price_tick):
        raise Refused(50021, "price")
    return price


def _fill(call: Call, acct: Account, p: SpotPair, order: SpotOrder, size: Decimal, at: Decimal) -> None:
    notional = size * at
    if order.side == "buy":
        acct.spot[p.quote] = acct.spot_available(p.quote) - notional
        acct.spot[p.base] = acct.spot_available(p.base) + size
    else:
        acct.spot[p.base] = acct.spot_available(p.base) - size
        acct.spot[p.quote] = acct.spot_available(p.quote) + notional
    order.filled_size, order.filled_notional, order.state, order.update_time = size, notional, "filled", call.now
    acct.spot_trades.append({
        "tradeId": call.state.new_order_id(), "orderId": order.order_id, "clientOrderId": order.client_order_id or order.order_id,
        "symbol": p.symbol, "side": order.side, "orderMode": "spot", "type": order.type, "price": text(at), "size": text(size),
        "notional": text(notional), "fee": "0", "feeCoinName": p.quote, "tradeRole": "taker", "createTime": call.now, "updateTime": call.now,
    })


def submit_order(call: Call) -> object:
    b = call.args
    p = pair(b.get("symbol"))
    order_side = b.get("side")
    if order_side not in SIDES:
        raise Refused(52002)
    order_type = b.get("type", "limit")
    if order_type not in TYPES:
        raise Refused(52001)
    coid = client_order_id(b.get("client_order_id"))
    asks, bids = book(price_of(call, p), p.price_tick)
    notional = Decimal(0)
    if order_type == "market":
        limit = None
        if order_side == "buy":
            notional = decimal(b.get("notional"), 50012, 50021, "notional", too_large=Refused(50020))
            if notional < p.min_notional:
                raise Refused(50009, text(p.min_notional))
            size = (notional / asks[0]).quantize(p.size_step, rounding=ROUND_DOWN)
            if size < p.min_size:
                raise Refused(50006, text(p.min_size))
        else:
            size = _size(p, b.get("size"))
    else:
        size, limit = _size(p, b.get("size")), _price(p, b.get("price"))
        notional = size * limit
        if notional < p.min_notional:
            raise Refused(50009, text(p.min_notional))
    with call.state.lock:
        acct = call.account
        if coid and any(o.client_order_id == coid for o in acct.spot_orders.values()):
            raise Refused(50042)
        if sum(1 for o in acct.spot_orders.values() if o.state == "new") >= accounts.MAX_OPEN_SPOT_ORDERS:
            raise Refused(51008)
        at = (asks[0] if order_side == "buy" else bids[0])
        if limit is not None and (limit < at if order_side == "buy" else limit > at):
            at = None  # not marketable: it rests (ioc and limit_maker never rest)
        cost_currency, cost = (p.quote, size * (limit or at)) if order_side == "buy" else (p.base, size)
        if cost > acct.spot_available(cost_currency):
            raise Refused(50020)
        order = SpotOrder(call.state.new_order_id(), coid, p.symbol, order_side, order_type, limit or Decimal(0), size,
                          notional, call.now, call.now)
        acct.spot_orders[order.order_id] = order
        if order_type == "limit_maker" and at is not None or order_type == "ioc" and at is None:
            order.state = "canceled"
        elif at is not None:
            _fill(call, acct, p, order, size, at)
        else:
            order.frozen = cost
            acct.freeze(cost_currency, cost)
        acct.trim()
    return {"order_id": order.order_id}


def _find(acct: Account, order_id: object, coid: object) -> SpotOrder | None:
    if order_id not in (None, ""):
        return acct.spot_orders.get(str(order_id))
    return next((o for o in acct.spot_orders.values() if o.client_order_id == str(coid)), None)


def _cancel(call: Call, acct: Account, order: SpotOrder) -> None:
    p = pair(order.symbol)
    acct.unfreeze(p.quote if order.side == "buy" else p.base, order.frozen)
    order.frozen, order.state, order.update_time = Decimal(0), "canceled", call.now


def cancel_order(call: Call) -> object:
    b = call.args
    p = pair(b.get("symbol"))
    order_id, coid = b.get("order_id"), b.get("client_order_id")
    if order_id in (None, "") and coid in (None, ""):
        raise Refused(50039)
    with call.state.lock:
        acct = call.account
        order = _find(acct, order_id, coid)
        if order is None or order.symbol != p.symbol:
            raise Refused(50032)
        if order.state == "canceled":
            raise Refused(50030)
        if order.state == "filled":
            raise Refused(50031)
        _cancel(call, acct, order)
    return {"result": True}


def cancel_all(call: Call) -> object:
    b = call.args
    p = pair(b["symbol"]) if b.get("symbol") not in (None, "") else None
    side = b.get("side")
    if side not in (None, "") and side not in SIDES:
        raise Refused(52002)
    with call.state.lock:
        acct = call.account
        for order in list(acct.spot_orders.values()):
            if order.state == "new" and (p is None or order.symbol == p.symbol) and side in (None, "", order.side):
                _cancel(call, acct, order)
    return {}


def query_order(call: Call) -> object:
    order_id, coid = call.get("orderId"), call.get("clientOrderId")
    if order_id in (None, "") and coid in (None, ""):
        raise Refused(50039)
    with call.state.lock:
        order = _find(call.account, order_id, coid)
        if order is None:
            raise Refused(50005)
        return order.as_data()


def _orders(call: Call, finished: bool) -> list[dict[str, object]]:
    p = pair(call.get("symbol")) if call.get("symbol") not in (None, "") else None
    limit = positive_int(call.get("limit"), 200, 200)
    with call.state.lock:
        found = [o.as_data() for o in call.account.spot_orders.values() if (p is None or o.symbol == p.symbol) and (o.state != "new") == finished]
    return found[-limit:]


def open_orders(call: Call) -> object:
    return _orders(call, finished=False)


def history_orders(call: Call) -> object:
    return _orders(call, finished=True)


def my_trades(call: Call) -> object:
    p = pair(call.get("symbol")) if call.get("symbol") not in (None, "") else None
    with call.state.lock:
        return [t for t in call.account.spot_trades if p is None or t["symbol"] == p.symbol][-positive_int(call.get("limit"), 200, 200):]


def order_trades(call: Call) -> object:
    order_id = call.get("orderId")
    if order_id in (None, ""):
        raise Refused(50039)
    with call.state.lock:
        if str(order_id) not in call.account.spot_orders:
            raise Refused(50005)
        return [t for t in call.account.spot_trades if t["orderId"] == str(order_id)]
