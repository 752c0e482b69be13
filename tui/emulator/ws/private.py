"""Private channels from the key's account: what changed since the last look, as each dialect sends it.

The REST routes change the account (tui/emulator/routes); the handler tells the account's listeners
(tui.emulator.events) after each write, and a session compares the account with the snapshot it took last
time. So an order placed over REST shows on the order channel, and its fill moves the position and the
assets, without the routes knowing the WebSocket side exists. Called with EmulatorState.lock held.

Shapes: ccxt pro 4.5.70's bitmart.py (handle_orders, handle_positions, handle_balance and their recorded
examples). Futures order actions (ccxt's parse_ws_order_status): 2 submitted, 1 filled, 3 cancelled. Spot
order states (ccxt's parse_order_status_by_type): 4 open, 6 filled, 8 cancelled. A spot balance event
carries one currency: ccxt reads `balance_details[i]` with the index of `data`, so two in one frame break it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tui.emulator.accounts import ZERO, Account, FuturesOrder, SpotOrder, text
from tui.emulator.market import CURRENCIES


@dataclass
class Snapshot:
    futures_orders: dict[str, tuple] = field(default_factory=dict)
    positions: dict[tuple[str, str], tuple] = field(default_factory=dict)
    asset: tuple = ()
    spot_orders: dict[str, tuple] = field(default_factory=dict)
    balances: dict[str, tuple] = field(default_factory=dict)


def snapshot(acct: Account) -> Snapshot:
    return Snapshot(
        {o.order_id: (o.state, o.deal_size, o.price, o.size) for o in acct.orders.values()},
        {k: (p.size, p.entry_price, p.margin) for k, p in acct.positions.items()},
        (acct.available, acct.frozen_margin, acct.position_margin),
        {o.order_id: (o.state, o.filled_size) for o in acct.spot_orders.values()},
        {c: (acct.spot_available(c), acct.spot_frozen.get(c, ZERO)) for c in CURRENCIES},
    )


def futures_changes(before: Snapshot, acct: Account, now: int) -> dict[str, list[dict]]:
    """kind -> frames: "order", "position", "asset"."""
    orders = []
    for o in acct.orders.values():
        was = before.futures_orders.get(o.order_id)
        now_state = (o.state, o.deal_size, o.price, o.size)
        if was == now_state:
            continue
        if was is None:
            orders.append(_futures_order(o, 2))  # submitted, then what happened to it
        if o.state == 4:
            orders.append(_futures_order(o, 1 if o.deal_size else 3))
        elif was is not None:
            orders.append(_futures_order(o, 2))  # modified while resting
    positions = []
    for key in set(before.positions) | set(acct.positions):
        held = acct.positions.get(key)
        if before.positions.get(key) != ((held.size, held.entry_price, held.margin) if held else None):
            positions.append(_position(key, held, now))
    asset = (acct.available, acct.frozen_margin, acct.position_margin)
    out: dict[str, list[dict]] = {"order": [], "position": [], "asset": []}
    if orders:
        out["order"] = [{"group": "futures/order", "data": orders}]
    if positions:
        out["position"] = [{"group": "futures/position", "data": positions}]
    if asset != before.asset:
        out["asset"] = [{"group": "futures/asset:USDT", "data": {
            "currency": "USDT", "available_balance": text(asset[0]), "frozen_balance": text(asset[1]),
            "position_deposit": text(asset[2])}}]
    return out


def _futures_order(o: FuturesOrder, action: int) -> dict:
    return {"action": action, "order": {**o.as_data(), "plan_order_id": "", "last_trade": None}}


def _position(key: tuple[str, str], held, now: int) -> dict:
    symbol, side = key
    size, entry = (held.size, held.entry_price) if held else (0, ZERO)
    return {
        "symbol": symbol, "hold_volume": str(size), "position_type": 1 if side == "long" else 2,
        "open_type": 1 if held is not None and held.open_type == "isolated" else 2, "frozen_volume": "0",
        "close_volume": "0", "hold_avg_price": text(entry), "close_avg_price": "0", "open_avg_price": text(entry),
        "liquidate_price": "0", "create_time": held.open_time if held else now, "update_time": now,
    }


SPOT_STATES = {"new": "4", "filled": "6", "canceled": "8"}


def spot_changes(before: Snapshot, acct: Account, now: int) -> dict[str, list[dict]]:
    """kind -> frames: "order" (each order's frame names its symbol), "balance"."""
    orders = []
    for o in acct.spot_orders.values():
        if before.spot_orders.get(o.order_id) != (o.state, o.filled_size):
            orders.append({"table": "spot/user/order", "data": [_spot_order(o, now)]})
    balances = []
    for c in CURRENCIES:
        held = (acct.spot_available(c), acct.spot_frozen.get(c, ZERO))
        if before.balances.get(c) != held:
            balances.append({"table": "spot/user/balance", "data": [{
                "balance_details": [{"av_bal": text(held[0]), "ccy": c, "fz_bal": text(held[1])}],
                "event_time": str(now), "event_type": "TRANSACTION_COMPLETED"}]})
    return {"order": orders, "balance": balances}


def _spot_order(o: SpotOrder, now: int) -> dict:
    average = o.filled_notional / o.filled_size if o.filled_size else Decimal(0)
    return {
        "symbol": o.symbol, "side": o.side, "type": o.type, "notional": text(o.notional) if o.notional else "",
        "size": text(o.size), "price": text(o.price), "filled_size": text(o.filled_size),
        "filled_notional": text(o.filled_notional), "state": SPOT_STATES.get(o.state, o.state), "order_id": o.order_id,
        "clientOid": o.client_order_id or o.order_id, "ms_t": str(now), "last_fill_time": str(o.update_time if o.filled_size else 0),
        "last_fill_price": text(average), "last_fill_count": text(o.filled_size), "margin_trading": "0", "order_type": "0",
    }
