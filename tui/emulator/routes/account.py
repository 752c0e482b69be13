"""Account (funding) endpoints: the account wallet, spot <-> futures transfers, and deposits and
withdrawals, which answer with the funding table's codes (60000 series) instead of moving anything:
a deposit address -> 60003 (the deposit channel is closed), a withdrawal -> 60004 (the withdraw channel
is closed); an unknown currency -> 60002, a missing one -> 60000.

Transfers move USDT between the key's spot wallet and its futures account: more than the source
holds -> 42000 "Insufficient balance" (HTTP 200), as the contract table documents for transfers.
"""

from __future__ import annotations

from tui.emulator.accounts import text
from tui.emulator.market import CURRENCIES
from tui.emulator.routes.common import Call, Refused, decimal, positive_int
from tui.emulator.routes.spot import NAMES
from tui.emulator.routes.spot import wallet as spot_wallet

TRANSFER_TYPES = ("spot_to_contract", "contract_to_spot")


def _currency(value: object) -> str:
    """A funding currency, optionally with its network (`USDT-TRC20`)."""
    if value in (None, ""):
        raise Refused(60000, variant="Invalid request")
    code = str(value).split("-", 1)[0]
    if code not in CURRENCIES:
        raise Refused(60002)
    return code


def currencies(call: Call) -> object:
    return {"currencies": [
        {"currency": c, "name": NAMES[c], "contract_address": None, "network": c, "withdraw_enabled": False, "deposit_enabled": False,
         "withdraw_minsize": "10", "withdraw_minfee": "1", "withdraw_fee_estimate": "1", "withdraw_fee": "1", "recharge_minsize": "0.0001"}
        for c in CURRENCIES
    ]}


def wallet(call: Call) -> object:
    rows = spot_wallet(call)["wallet"]
    wanted = call.get("currency")
    return {"wallet": [
        {"currency": r["id"], "name": r["name"], "available": r["available"], "frozen": r["frozen"], "available_usd_valuation": None}
        for r in rows if wanted in (None, "", r["id"])
    ]}


def deposit_address(call: Call) -> object:
    _currency(call.get("currency"))
    raise Refused(60003)


def withdraw_charge(call: Call) -> object:
    currency = _currency(call.get("currency"))
    return {"today_available_withdraw_BTC": "0", "min_withdraw": "10", "withdraw_precision": 8, "withdraw_fee": "1", "currency": currency}


def withdraw_apply(call: Call) -> object:
    _currency(call.get("currency"))
    decimal(call.get("amount"), 60000, 60000, too_large=Refused(60009))  # "Beyond the limit"
    raise Refused(60004)


def funding_history(call: Call) -> object:
    if call.get("operation_type") not in ("deposit", "withdraw"):
        raise Refused(60000, variant="Invalid request")
    return {"records": []}


def transfer_contract(call: Call) -> object:
    b = call.args
    # WOO X Pro's transfer page names the field `transferType` (its older crawl, like BitMart, `type`), and its
    # error table has no 60000 series: a refused transfer there is its 40011 "Invalid request". (Answering
    # 60000 raised LookupError, a 500 "internal error" for every refused transfer: fresh-eyes attack on 26ca1db.)
    woox = call.state.flavour == "wooxpro"
    kind = b.get("type", b.get("transferType")) if woox else b.get("type")
    invalid = Refused(40011) if woox else Refused(60000, variant="Invalid request")
    if b.get("currency") != "USDT" or kind not in TRANSFER_TYPES:
        raise invalid
    amount = decimal(b.get("amount"), invalid.code, invalid.code, *invalid.fill, too_large=Refused(42000))  # beyond any balance
    if amount <= 0:
        raise Refused(40011) if woox else Refused(61000)
    with call.state.lock:
        acct = call.account
        if kind == "contract_to_spot":
            if amount > acct.available:
                raise Refused(42000)
            acct.futures_balance -= amount
            acct.spot["USDT"] = acct.spot_available("USDT") + amount
        else:
            if amount > acct.spot_available("USDT"):
                raise Refused(42000)
            acct.spot["USDT"] -= amount
            acct.futures_balance += amount
        acct.transfers.append({"transfer_id": call.state.new_order_id(), "currency": "USDT", "amount": text(amount),
                               "type": kind, "state": "FINISHED", "timestamp": call.now})
        acct.trim()
    return {"currency": "USDT", "amount": text(amount)}


def transfer_list(call: Call) -> object:
    page, limit = positive_int(call.get("page"), 1, 1000), positive_int(call.get("limit"), 10, 100)
    with call.state.lock:
        records = list(reversed(call.account.transfers))
    return {"records": records[(page - 1) * limit : page * limit]}
