"""What the emulated venue does once a request has passed the gateway: futures v2 endpoints with the
validation codes of the contract table. Each action takes a `Call` and returns (code, data).

Choices where the venue's documents are silent (README `emulator` says the same):
- Query of an unknown order -> 40035 "The order is not exist"; cancel of an unknown order -> 40037
  "The order id is not exist"; cancel of an order that is no longer open -> 40036.
- Margin = size x contract_size x price / leverage (market orders use the last price); more than the
  available USDT -> 40027. A transfer out of the futures account beyond what is available -> 42000.
- Limit orders rest forever (nothing fills); market orders finish at once. No positions are modelled,
  so closing sides (2, 3) answer 40020 "Your position volume is not enough".
- A field that is missing -> 40011 "Invalid request"; a number that does not parse -> 40007.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from keys.demo import DemoKey
from tui.emulator.state import EmulatorState, Order

OK = 1000
OPEN_SIDES = (1, 4)  # 1 buy_open_long, 4 sell_open_short
CLOSE_SIDES = (2, 3)  # 2 buy_close_short, 3 sell_close_long
ORDER_TYPES = ("limit", "market")
OPEN_TYPES = ("isolated", "cross")
TRANSFER_TYPES = ("spot_to_contract", "contract_to_spot")


@dataclass(frozen=True)
class Contract:
    symbol: str
    base: str
    contract_size: Decimal
    price_tick: Decimal
    last_price: Decimal
    min_leverage: int = 1
    max_leverage: int = 100

    def as_data(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "product_type": 1,
            "base_currency": self.base,
            "quote_currency": "USDT",
            "contract_size": f"{self.contract_size:f}",
            "price_precision": f"{self.price_tick:f}",
            "vol_precision": "1",
            "min_leverage": str(self.min_leverage),
            "max_leverage": str(self.max_leverage),
            "min_volume": "1",
            "max_volume": "1000000",
            "last_price": f"{self.last_price:f}",
            "index_price": f"{self.last_price:f}",
            "funding_rate": "0.0001",
            "status": "Trading",
        }


CONTRACTS: dict[str, Contract] = {
    c.symbol: c
    for c in (
        Contract("BTCUSDT", "BTC", Decimal("0.001"), Decimal("0.1"), Decimal("60000.0")),
        Contract("ETHUSDT", "ETH", Decimal("0.01"), Decimal("0.01"), Decimal("3000.00"), max_leverage=75),
    )
}


@dataclass
class Call:
    state: EmulatorState
    key: DemoKey | None  # None on public routes
    params: dict[str, str]  # the query string, decoded
    body: dict  # the JSON body ({} for GET)


class Refused(Exception):
    """A validation failure: carries the contract code to answer with."""

    def __init__(self, code: int) -> None:
        self.code = code


def refusing(action):
    """Turn a Refused raised by a validator into the (code, data) answer."""

    def run(call: Call) -> tuple[int, object]:
        try:
            return action(call)
        except Refused as refused:
            return refused.code, None

    run.__name__ = action.__name__
    return run


# -- public ----------------------------------------------------------------------------------------------
def system_time(call: Call) -> tuple[int, object]:
    return OK, {"server_time": call.state.now_ms()}


def system_service(call: Call) -> tuple[int, object]:
    now = call.state.now_ms()
    # DOC-SVC: status 0 waiting, 1 in progress, 2 completed. A maintenance switch shows as in progress.
    status = 1 if call.state.controls.maintenance else 2
    services = [
        {"title": f"{kind} maintenance", "service_type": kind, "status": status, "start_time": now - 3_600_000, "end_time": now + 3_600_000}
        for kind in ("spot", "contract")
    ]
    return OK, {"service": services}


@refusing
def contract_details(call: Call) -> tuple[int, object]:
    symbol = call.params.get("symbol")
    if symbol:
        return OK, {"symbols": [contract(symbol).as_data()]}
    return OK, {"symbols": [c.as_data() for c in CONTRACTS.values()]}


# -- validators ------------------------------------------------------------------------------------------
def contract(symbol: object) -> Contract:
    if symbol in (None, ""):
        raise Refused(40011)
    found = CONTRACTS.get(str(symbol))
    if found is None:
        raise Refused(40034)
    return found


def decimal(value: object, missing: int = 40011, bad: int = 40007) -> Decimal:
    if value is None or value == "" or isinstance(value, bool):
        raise Refused(missing if value in (None, "") else bad)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Refused(bad) from None
    if not number.is_finite():
        raise Refused(bad)
    return number


def leverage(value: object, c: Contract) -> Decimal:
    lev = decimal(value, missing=40040, bad=40040)
    if lev > c.max_leverage:
        raise Refused(40029)
    if lev < c.min_leverage:
        raise Refused(40030)
    return lev


def client_order_id(value: object) -> str:
    if value in (None, ""):
        return ""
    text = str(value)
    if not (text.isascii() and text.isalnum()):
        raise Refused(40048)
    if len(text) > 32:
        raise Refused(40049)
    return text


def side(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in OPEN_SIDES + CLOSE_SIDES:
        raise Refused(40041)
    return value


def size(value: object) -> int:
    """Contracts are whole numbers (vol_precision 1): 0.5, 0 or -1 break the precision rule."""
    number = decimal(value, bad=40043)
    if number <= 0 or number != number.to_integral_value():
        raise Refused(40043)
    return int(number)


def price(value: object, c: Contract) -> Decimal:
    number = decimal(value, bad=40043)
    if number <= 0 or number % c.price_tick != 0:
        raise Refused(40043)
    return number


def text(d: Decimal) -> str:
    return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d:f}"


# -- private reads ---------------------------------------------------------------------------------------
def assets_detail(call: Call) -> tuple[int, object]:
    with call.state.lock:
        acct = call.state.account(call.key)
        frozen, available, balance = acct.frozen_margin, acct.available, acct.balance
    return OK, [
        {
            "currency": "USDT",
            "position_deposit": "0",
            "frozen_balance": text(frozen),
            "available_balance": text(available),
            "equity": text(balance),
            "unrealized": "0",
        }
    ]


@refusing
def query_order(call: Call) -> tuple[int, object]:
    contract(call.params.get("symbol"))
    order_id = call.params.get("order_id")
    if not order_id:
        raise Refused(40011)
    with call.state.lock:
        order = call.state.account(call.key).orders.get(order_id)
        if order is None or order.symbol != call.params["symbol"]:
            raise Refused(40035)
        return OK, order.as_data()


def _orders(call: Call, only_open: bool) -> list[dict[str, object]]:
    symbol = call.params.get("symbol")
    with call.state.lock:
        orders = list(call.state.account(call.key).orders.values())
        return [o.as_data() for o in orders if (not symbol or o.symbol == symbol) and (o.state == 2 or not only_open)]


@refusing
def order_history(call: Call) -> tuple[int, object]:
    if call.params.get("symbol"):
        contract(call.params["symbol"])
    return OK, _orders(call, only_open=False)


@refusing
def open_orders(call: Call) -> tuple[int, object]:
    if call.params.get("symbol"):
        contract(call.params["symbol"])
    return OK, _orders(call, only_open=True)


def positions(call: Call) -> tuple[int, object]:
    return OK, []


def trades(call: Call) -> tuple[int, object]:
    return OK, []


# -- trading ---------------------------------------------------------------------------------------------
@refusing
def submit_order(call: Call) -> tuple[int, object]:
    b = call.body
    c = contract(b.get("symbol"))
    coid = client_order_id(b.get("client_order_id"))
    order_side = side(b.get("side"))
    order_type = b.get("type", "limit")
    if order_type not in ORDER_TYPES:
        raise Refused(40042)
    open_type = b.get("open_type")
    if order_side in OPEN_SIDES or open_type is not None:
        if open_type not in OPEN_TYPES:
            raise Refused(40045)
    lev = leverage(b.get("leverage"), c) if order_side in OPEN_SIDES or b.get("leverage") is not None else Decimal(1)
    contracts = size(b.get("size"))
    at = price(b.get("price"), c) if order_type == "limit" else c.last_price
    state = call.state
    with state.lock:
        acct = state.account(call.key)
        if coid and any(o.client_order_id == coid for o in acct.orders.values()):
            raise Refused(40050)
        if order_side in CLOSE_SIDES:
            raise Refused(40020)  # no position is ever open here
        margin = contracts * c.contract_size * at / lev
        if margin > acct.available:
            raise Refused(40027)
        now = state.now_ms()
        order = Order(
            order_id=state.new_order_id(),
            client_order_id=coid,
            symbol=c.symbol,
            side=order_side,
            type=order_type,
            leverage=text(lev),
            open_type=str(open_type),
            size=contracts,
            price=text(at),
            margin=margin if order_type == "limit" else Decimal(0),
            create_time=now,
            update_time=now,
            state=2 if order_type == "limit" else 4,
        )
        acct.orders[order.order_id] = order
    return OK, {"order_id": int(order.order_id), "price": order.price}


@refusing
def cancel_order(call: Call) -> tuple[int, object]:
    b = call.body
    c = contract(b.get("symbol"))
    order_id, coid = b.get("order_id"), b.get("client_order_id")
    if order_id in (None, "") and coid in (None, ""):
        raise Refused(40011)
    with call.state.lock:
        acct = call.state.account(call.key)
        if order_id not in (None, ""):
            order = acct.orders.get(str(order_id))
        else:
            order = next((o for o in acct.orders.values() if o.client_order_id == str(coid)), None)
        if order is None or order.symbol != c.symbol:
            raise Refused(40037)
        if order.state != 2:
            raise Refused(40036)
        order.state, order.update_time = 4, call.state.now_ms()
    return OK, {}


@refusing
def cancel_orders(call: Call) -> tuple[int, object]:
    c = contract(call.body.get("symbol"))
    with call.state.lock:
        now = call.state.now_ms()
        for order in call.state.account(call.key).orders.values():
            if order.symbol == c.symbol and order.state == 2:
                order.state, order.update_time = 4, now
    return OK, {}


@refusing
def submit_leverage(call: Call) -> tuple[int, object]:
    b = call.body
    c = contract(b.get("symbol"))
    if b.get("open_type") not in OPEN_TYPES:
        raise Refused(40045)
    lev = leverage(b.get("leverage"), c)
    return OK, {"symbol": c.symbol, "leverage": text(lev), "open_type": b["open_type"], "max_value": str(c.max_leverage)}


@refusing
def transfer_contract(call: Call) -> tuple[int, object]:
    b = call.body
    if b.get("currency") != "USDT" or b.get("type") not in TRANSFER_TYPES:
        raise Refused(40011)
    amount = decimal(b.get("amount"))
    if amount <= 0:
        raise Refused(40011)
    with call.state.lock:
        acct = call.state.account(call.key)
        if b["type"] == "contract_to_spot":
            if amount > acct.available:
                raise Refused(42000)
            acct.balance -= amount
        else:
            acct.balance += amount
    return OK, {"currency": "USDT", "amount": text(amount)}
