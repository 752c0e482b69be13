"""Advice for BitMart's spot order table (50000-50042) and spot public market table (70000-71005).

Minimum size, price and notional come from the symbol's details endpoint; when the body's message gives
the number ("Minimum size is 0.0001"), the fix quotes it through the {VALUE|...} slot.
"""

from __future__ import annotations

from tui.catalog.advice_base import (
    CLIENT_ID_FIX, HTTP_200, NUMBER_STRING_FIX, ORDER_STATE_FIX, PARAMETER_TYPE_FIX, SERVICE_RETRY, SPOT_DETAILS,
    SPOT_LIMITS_FIX, SPOT_SYMBOL_FIX, Advice,
)
from tui.catalog.advice_base import advise as _a

REQUIRED_FIX = "Add the parameter the message names; which ones are required depends on type and side (see below)."
ORDER_FIELDS = ("A limit order needs size and price; a market buy needs notional (the quote amount to spend); a market "
                "sell needs size.")
PAGING = "Page through results with limit and offset within the endpoint's bounds."
TIME_RANGE_FIX = "Send the time range in the unit the endpoint's page gives, start before end, within its allowed span."
KLINE_STEP_FIX = "Use a step the k-line page lists (minutes: 1, 3, 5, 15, 30, 45, 60, 120, 180, 240, 1440, 10080, 43200)."
CLIENT_ID_NOTE = "Spot calls it clientOrderId; the futures table has the same rules as 40048-40050."
PUBLIC_200 = "Documented with HTTP 200, like every row of the spot public market table: check `code`, not the status."

ADVICE: dict[int, Advice] = {
    # -- spot public market table ----------------------------------------------------------------------------------
    70000: _a("no data", ("The query is valid but matched nothing: a time range without trades, or a symbol with no data yet.",), (
        "Widen the time range or check the symbol; an empty answer is not a failure of the request.",
    ), (PUBLIC_200,)),
    70001: _a("request format", ("A required query parameter is missing or empty.",), (
        "Send every required parameter of the endpoint (symbol, in most market endpoints) with a value.",
    ), (PUBLIC_200,)),
    70002: _a("symbol", ("The symbol is not a spot symbol of {VENUE}: a futures symbol (BTCUSDT), a typo, or a delisted pair.",),
              (SPOT_SYMBOL_FIX,), (PUBLIC_200,)),
    71001: _a("request format", ("`after` is not a valid time.",), (
        "Send after as a Unix timestamp in seconds, as the k-line page gives it, earlier than before.",
    ), (PUBLIC_200,)),
    71002: _a("request format", ("`before` is not a valid time.",), (
        "Send before as a Unix timestamp in seconds, as the k-line page gives it, later than after.",
    ), (PUBLIC_200,)),
    71003: _a("request format", ("after and before do not form a valid range (reversed, equal, or in the wrong unit).",), (
        "Send after < before, both Unix timestamps in seconds.",
    ), (PUBLIC_200,)),
    71004: _a("request format", ("More k-lines were asked for than one call returns.",), (
        "Lower limit (at most 200 per call) or narrow after/before, and page through longer ranges.",
    ), (PUBLIC_200,)),
    71005: _a("request format", ("The k-line step is not a supported interval.",), (KLINE_STEP_FIX,), (PUBLIC_200,)),
    # -- spot and margin: orders and queries -------------------------------------------------------------------------
    50000: _a("request format", ("The request is malformed; real answers add the detail in brackets, e.g. 'Bad Request [to is "
                                 "empty]'.",), (
        "Read the bracketed detail of the body's message: it names the parameter that is missing or wrong.",
        PARAMETER_TYPE_FIX,
    )),
    50001: _a("symbol", ("The symbol is not a spot pair of {VENUE}: a futures symbol (BTCUSDT), a typo, or a delisted pair.",),
              (SPOT_SYMBOL_FIX,)),
    50002: _a("request format", ("The from/to time parameters are not in the expected format.",), (TIME_RANGE_FIX,)),
    50003: _a("request format", ("The step parameter is not in the expected format.",), (KLINE_STEP_FIX,)),
    50004: _a("request format", ("The request asks for more than 500 k-lines.",), (
        "Narrow the time range or lower the count to at most 500, and page through longer ranges.",
    )),
    50005: _a("order", ("No order with this id under this account: another account's order, a typo, or too old.",), (
        "Check the order id (a string of digits) and that the key belongs to the account that placed it; query by "
        "clientOrderId if you set one.",
    )),
    50006: _a("order", ("The order's size is below the symbol's minimum.",), (
        "Raise size to at least {VALUE|the symbol's minimum (base_min_size in " + SPOT_DETAILS + ")}, rounded to the "
        "symbol's size precision.", SPOT_LIMITS_FIX,
    )),
    50007: _a("order", ("The order's size is above the symbol's maximum.",), (
        "Lower size to at most {VALUE|the symbol's maximum}, or split the order into several.",
    )),
    50008: _a("order", ("The order's price is below the symbol's minimum.",), (
        "Raise price to at least {VALUE|the symbol's minimum price}, rounded to the symbol's price precision.", SPOT_LIMITS_FIX,
    )),
    50009: _a("order", ("size x price (the order's value in the quote currency) is below the symbol's minimum.",), (
        "Make size x price at least {VALUE|the symbol's minimum order value (min_buy_amount / min_sell_amount in "
        + SPOT_DETAILS + ")}: raise the size.", SPOT_LIMITS_FIX,
    )),
    50010: _a("order", ("size is missing: limit orders and market sells need it.",), (REQUIRED_FIX, ORDER_FIELDS)),
    50011: _a("order", ("price is missing: limit orders need it.",), (REQUIRED_FIX, ORDER_FIELDS)),
    50012: _a("order", ("notional is missing: a market buy is sized by the quote amount to spend, not by size.",), (
        "For a market buy send notional (e.g. \"10\" USDT) instead of size.", ORDER_FIELDS,
    )),
    50013: _a("request format", ("limit x offset exceeds the most the query pages through.",), (
        "Keep limit x offset at most {VALUE|the documented maximum}: narrow the query (a time range) instead of paging deep.",
    )),
    50014: _a("request format", ("limit is missing.",), ("Send limit (1 up to the endpoint's maximum).", PAGING)),
    50015: _a("request format", ("limit is below 1.",), ("Send limit of at least 1.",)),
    50016: _a("request format", ("limit is above the endpoint's maximum.",), (
        "Send limit of at most {VALUE|the endpoint's maximum}, and page with offset.",
    )),
    50017: _a("request format", ("offset is missing.",), ("Send offset (the page number, from 1).", PAGING)),
    50018: _a("request format", ("offset is below 1.",), ("Send offset of at least 1: pages count from 1.",)),
    50019: _a("request format", ("The order status filter is not one of the documented values.",), (
        "Send status as a number from the list the message gives (1 failed ... 8 canceled).",
    ), ("The message is quoted verbatim from the document, its unclosed bracket and 'Fully Fulled' included.",)),
    50020: _a("balance", ("The spot account's available balance does not cover the order (funds in open orders are frozen).",), (
        "Check the available balance (GET /spot/v1/wallet) and lower the size, or cancel orders that hold the funds.",
        "Move funds into the spot account first if they sit in futures or funding.",
    )),
    50021: _a("request format", ("A parameter has a value the endpoint does not accept.",), (
        "Fix the parameter {VALUE|the message names}: check its allowed values and type on the endpoint's page.",
        PARAMETER_TYPE_FIX,
    )),
    50022: _a("service", ("The spot service is unavailable.",), (SERVICE_RETRY,),
              ("Documented with HTTP 400 although it reads as a server-side outage.",)),
    50023: _a("symbol", ("This pair cannot be traded through the API (only on the website or app).",), (
        "Trade this pair on the website, or choose a pair that is open to API trading.",
    )),
    50024: _a("request format", ("The order book depth asked for is above 200.",), ("Ask for at most 200 levels.",)),
    50025: _a("order", ("The order's price is above the symbol's maximum.",), (
        "Lower price to at most {VALUE|the symbol's maximum price}.",
    )),
    50026: _a("order", ("The buy price is above the limit set from the opening price (price protection, common right after a "
                        "listing).",), ("Lower the buy price to the opening price or below it.",)),
    50027: _a("order", ("The sell price is below the limit set from the opening price (price protection, common right after a "
                        "listing).",), ("Raise the sell price to the opening price or above it.",)),
    50028: _a("request format", ("A required parameter is missing.",), (
        "Send every required parameter of the endpoint; compare the body with the page's example.", ORDER_FIELDS,
    )),
    50029: _a("request format", ("The parameters contradict each other (e.g. a market order with price, or size and notional "
                                 "together).",), (ORDER_FIELDS, "Send only the fields that fit the order's type and side.")),
    50030: _a("order", ("The order was already canceled.",), (ORDER_STATE_FIX,)),
    50031: _a("order", ("The order already filled completely.",), (ORDER_STATE_FIX,)),
    50032: _a("order", ("The order does not exist any more: it completed or was cancelled.",), (ORDER_STATE_FIX,)),
    50033: _a("request format", ("A batch holds no orders or more than 10.",), ("Send 1 to 10 orders per batch; split larger ones.",)),
    50034: _a("order", ("The buy price is far above the book: there are no asks to match at that depth.",), (
        "Price the order near the best ask, or place a smaller order.",
    )),
    50035: _a("order", ("The sell price is far below the book: there are no bids to match at that depth.",), (
        "Price the order near the best bid, or place a smaller order.",
    )),
    50036: _a("order", ("The order cannot be cancelled in its current state (filled, or already being cancelled).",), (
        ORDER_STATE_FIX,
    )),
    50037: _a("order", ("clientOrderId is longer than 32 characters.",), (CLIENT_ID_FIX,), (CLIENT_ID_NOTE,)),
    50038: _a("order", ("clientOrderId contains characters other than letters and digits.",), (CLIENT_ID_FIX,), (CLIENT_ID_NOTE,)),
    50039: _a("request format", ("Neither orderId nor clientOrderId was sent.",), (
        "Send the orderId, or the clientOrderId you set when placing the order.",
    )),
    50040: _a("symbol", ("The pair is not available for trading now (suspended or delisted).",), (
        "Check the pair's status in " + SPOT_DETAILS + " and {VENUE}'s announcements.",
    )),
    50041: _a("request format", ("The query's time range is outside what the endpoint serves.",), (
        "Narrow startTime/endTime to the span the endpoint's page allows, and query older data in slices.",
    )),
    50042: _a("order", ("clientOrderId repeats one of your earlier orders.",), (
        "Use a new, unique clientOrderId per order.",
        "If this is a retry after a timeout, query by clientOrderId first: the first attempt probably went through.",
    )),
}
