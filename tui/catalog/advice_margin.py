"""Advice for BitMart's margin rows (51000-51024), order-type rows (52000-52004), account restrictions
(53000-53011: KYC, region, sub-account) and the spot service rows (57001-59011).

Retry is the fix only where nothing in the request is at fault (a wallet service that failed to answer);
KYC and region codes say that no change to the request helps.
"""

from __future__ import annotations

from tui.catalog.advice_base import (
    JSON_FIX, PERMISSION_FIX, REGION_FIX, SERVICE_RETRY, SPOT_DETAILS, SPOT_LIMITS_FIX, SUB_ACCOUNT_FIX, SUPPORT_FIX,
    VERIFY_FIX, Advice,
)
from tui.catalog.advice_base import advise as _a

MARGIN_PAIRS = "GET /spot/v1/margin/isolated/pairs"
MARGIN_ACCOUNT = "GET /spot/v1/margin/isolated/account"
SIZE_UP = "Raise the size to the symbol's minimum (base_min_size, min_buy_amount in " + SPOT_DETAILS + ")."
NOTIONAL_UP = "Raise notional (the quote amount of a market buy) to at least the symbol's min_buy_amount in " + SPOT_DETAILS + "."
ACCOUNT_NOTE = "Nothing in the request causes this: the account itself is restricted."
CHECK_FIRST = "Check whether the order exists (POST /spot/v4/query/client-order) before sending it again."

ADVICE: dict[int, Advice] = {
    51000: _a("request format", ("The currency is not known for margin.",), (
        "Use the currency as " + MARGIN_PAIRS + " lists it for the pair.",
    )),
    51001: _a("margin", ("The isolated margin account for this pair is not opened.",), (
        "Open isolated margin for the pair on the website first, then transfer collateral into it.",
    )),
    51002: _a("margin", ("The margin account for this pair is not available (disabled, or being liquidated).",), (
        "Check the pair's margin account with " + MARGIN_ACCOUNT + " and wait until it is usable again.",
    )),
    51003: _a("margin", ("The account is limited for margin.",), (SUPPORT_FIX,), (ACCOUNT_NOTE,)),
    51004: _a("margin", ("The amount is more than the account may borrow now.",), (
        "Borrow at most the maximum " + MARGIN_PAIRS + " gives for the pair (max_borrow_amount), or add collateral first.",
    )),
    51005: _a("margin", ("The amount is below the minimum that can be borrowed.",), (
        "Borrow at least the pair's minimum (min_borrow_amount in " + MARGIN_PAIRS + ").",
    )),
    51006: _a("margin", ("The repayment is larger than what is owed.",), (
        "Repay at most the outstanding loan plus interest (" + MARGIN_ACCOUNT + ").",
    )),
    51007: _a("request format", ("order_mode is not a known value.",), (
        "Send order_mode \"spot\" for a spot order or \"iso_margin\" for an isolated margin order.",
    )),
    51008: _a("rate limit", ("The operation is temporarily limited on {VENUE}'s side.",), (
        "Wait and try again later with backoff, as the message says: the request itself is not at fault.",
    )),
    51009: _a("order", ("The order's quantity is below the minimum that can be bought or sold.",), (SIZE_UP, SPOT_LIMITS_FIX)),
    51010: _a("order", ("The limit order's price is below the minimum buy price.",), (
        "Raise the price to at least the symbol's minimum, rounded to its price precision.", SPOT_LIMITS_FIX,
    )),
    51011: _a("order", ("quantity x price of the limit order is below the symbol's minimum order value.",), (
        "Make size x price at least the symbol's min_buy_amount (buys) or min_sell_amount (sells) in " + SPOT_DETAILS
        + ": raise the size.", SPOT_LIMITS_FIX,
    )),
    51012: _a("order", ("The market buy's amount is below the minimum that can be bought.",), (NOTIONAL_UP,),
              ("The message is quoted verbatim from the document, 'Participation mismatch' included.",)),
    51013: _a("order", ("The market buy's amount (notional) is too small.",), (NOTIONAL_UP,)),
    51014: _a("order", ("The market sell's size is too small.",), (SIZE_UP,)),
    51015: _a("order", ("The quantity is too small.",), (SIZE_UP, SPOT_LIMITS_FIX)),
    51024: _a("margin", ("There is no margin loan to act on.",), (
        "Check outstanding loans with " + MARGIN_ACCOUNT + " before repaying.",
    )),
    52000: _a("request format", ("The order mode is not supported.",), (
        "Send order_mode \"spot\" or \"iso_margin\".",
    )),
    52001: _a("request format", ("The order type is not supported.",), (
        "Send type \"limit\", \"market\", \"limit_maker\" or \"ioc\".",
    )),
    52002: _a("request format", ("The side is not supported.",), ("Send side \"buy\" or \"sell\" (lower case).",)),
    52003: _a("request format", ("The order state filter is not supported.",), (
        "Use a state value the query endpoint's page lists, or leave the filter out.",
    )),
    52004: _a("request format", ("endTime is before startTime.",), (
        "Send startTime <= endTime, both in milliseconds.",
    )),
    53000: _a("account", ("The account is frozen by security policies.",), (SUPPORT_FIX,), (ACCOUNT_NOTE,)),
    53001: _a("region", ("The account's KYC country is restricted for this service.",), (REGION_FIX,), (ACCOUNT_NOTE,)),
    53002: _a("verification", ("The account has not completed advanced KYC verification.",), (VERIFY_FIX,)),
    53003: _a("permission", ("A sub-account lacks a permission only the master account can grant.",), (
        "Ask the master account to grant the permission to this sub-account.", SUB_ACCOUNT_FIX,
    )),
    53004: _a("region", ("This pair is not tradable in the account's region.",), (REGION_FIX,), (ACCOUNT_NOTE,)),
    53005: _a("permission", ("The key may not call this endpoint: {PERMISSION|a permission it needs} is missing.",), (PERMISSION_FIX,)),
    53006: _a("verification", ("The account has not completed the Starter personal verification.",), (VERIFY_FIX,)),
    53007: _a("verification", ("The account has not completed the Advanced personal verification.",), (VERIFY_FIX,)),
    53008: _a("region", ("The service is not available in the account's country or region.",), (REGION_FIX,), (ACCOUNT_NOTE,)),
    53009: _a("verification", ("The account has not completed the QR-code certification.",), (
        "Complete the QR-code certification in {VENUE}'s app, then retry.",
    )),
    53010: _a("margin", ("The account may not borrow.",), (SUPPORT_FIX,), (ACCOUNT_NOTE,)),
    53011: _a("account", ("This type of account (e.g. a sub-account or an institutional one) may not use this feature.",), (
        "Use an account type that has the feature (often the main account), or ask customer service which does.",
    )),
    57001: _a("request format", ("The endpoint does not take this HTTP method.",), (
        "Use the method on the endpoint's page: the v4 spot queries are POST, most other queries GET.",
    ), ("Documented with HTTP 405.",)),
    58001: _a("request format", ("The body's Content-Type is not one the endpoint accepts.",), (JSON_FIX,),
              ("Documented with HTTP 415.",)),
    59001: _a("account", ("The user account behind the key was not found for this product.",), (
        "Check the key belongs to the account you expect and that the spot or margin account is activated.",
    )),
    59002: _a("service", ("A server-side failure.",), (SERVICE_RETRY,)),
    59003: _a("service", ("The spot wallet service did not answer.",), (SERVICE_RETRY,)),
    59004: _a("service", ("The margin wallet service failed.",), (SERVICE_RETRY,)),
    59005: _a("margin", ("The margin wallet is restricted for this account.",), (SUPPORT_FIX,), (ACCOUNT_NOTE,)),
    59006: _a("transfer", ("The transfer failed on {VENUE}'s side.",), (
        "Check the balances first (the transfer may have gone through), then retry with backoff.",
    )),
    59007: _a("service", ("The pair's risk data could not be read.",), (SERVICE_RETRY,)),
    59008: _a("service", ("Placing the order failed on {VENUE}'s side.",), (CHECK_FIRST, SERVICE_RETRY)),
    59009: _a("margin", ("The loan went through but the order did not: the account now holds borrowed funds.",), (
        "Place the order again (without borrowing again), or repay the loan if you no longer want the position.",
        "Check " + MARGIN_ACCOUNT + " to see the loan before deciding.",
    )),
    59010: _a("margin", ("There is not enough left to lend for this pair.",), (
        "Borrow less, or try later when the pair's lending pool has more (" + MARGIN_PAIRS + ").",
    )),
    59011: _a("service", ("The wallet balance service did not answer.",), (SERVICE_RETRY,)),
}
