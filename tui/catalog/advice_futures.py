"""Advice for the futures (contract) table: 40001-40050 and 42000, BitMart's and WOO X Pro's."""

from __future__ import annotations

from tui.catalog.advice_base import (
    CLIENT_ID_FIX, CLOCK_FIX, EXAMPLE_40001, HOST_FIX, HTTP_200, HTTP_403_ORDER, IP_EXIT_FIX, IP_FIX, JSON_FIX,
    MAINTENANCE_40020, PATH_FIX, REFRESH_POSITION_FIX, STALE_FIX, VERBATIM, Advice, GET_BODY_FIX,
)
from tui.catalog.advice_base import advise as _a

ADVICE: dict[int, Advice] = {
    # -- contract table ------------------------------------------------------------------------------------------------
    40001: _a("account", ("The futures (cloud) account does not exist for this user, or the key belongs to another (sub-)account.",),
              ("Open futures trading for the account on the website, then retry.",
               "Check that the key belongs to the account you expect (main account or sub-account)."), (EXAMPLE_40001,)),
    40002: _a("order", ("The out_trade_no (your reference for a transfer or order) matches no record.",), (
        "Query with a reference you actually submitted, under the same account, exactly as sent.",
    ), (EXAMPLE_40001,)),
    40003: _a("order", ("The out_trade_no was used before.",), (
        "Use a new, unique out_trade_no for every new request.",
        "If this is a retry after a timeout, query the first attempt: it probably went through.",
    )),
    40004: _a("account", ("The account reached its maximum number of cloud (sub-)accounts.",),
              ("Remove unused sub-accounts or contact customer service to raise the limit.",)),
    40005: _a("request format", ("The transfer amount has more decimals than the currency allows.",), (
        "Round the amount to the currency's precision and send it as a string (\"10.5\"), not a long float.",
    )),
    40006: _a("permission", ("The request came from an IP the key does not allow.",), (IP_FIX, IP_EXIT_FIX)),
    40007: _a("request format", (
        "A parameter has the wrong type or shape: a number where a string is expected (or the reverse), a misspelt field, "
        "an unknown enum value.",
        "The body is not valid JSON.",
    ), (JSON_FIX, "Check each field's type against the endpoint's page: side is an integer 1-4, leverage and price are "
                  "strings, size is an integer number of contracts.")),
    40008: _a("timestamp", ("The request's nonce or timestamp failed the server's check: reused, stale, or out of range.",),
              (CLOCK_FIX, STALE_FIX)),
    40009: _a("request format", ("The API version in the request does not match the endpoint.",), (
        "Check the version segment of the path (v1, v2, v3) against the endpoint's page.", HOST_FIX,
    )),
    40010: _a("not found", ("The function (endpoint) does not exist: a wrong path or method.",), (PATH_FIX, HOST_FIX)),
    40011: _a("request format", ("The request is malformed: a missing required parameter, a wrong method, or a body that is "
                                 "not JSON.",), (JSON_FIX, GET_BODY_FIX,
                                                "Check the method and every required parameter against the endpoint's page.")),
    40012: _a("order", (
        "BitMart answers 40012 for several different rejections and documents it only as 'System error': the body's "
        "message usually says which.",
        "Real answers under 40012 include 'Invalid order' (the order's leverage, open_type or side conflicts with the open "
        "position or the position mode) and 'You contract account available balance not enough.'.",
    ), ("Read the body's message first: it is more specific than the document's 'System error'.",
        "Compare the order with the symbol's open position: leverage and open_type must match it (GET "
        "/contract/private/position), and side must fit the position mode (GET /contract/private/get-position-mode).",
        "Check that the futures balance covers the order's margin and fees (GET /contract/private/assets-detail).",
        "If the same order still fails after those checks while other orders succeed, remove optional parameters one at "
        "a time to find the one that is refused."),
        ("'System error' is documented with HTTP 400, although it reads as a server fault (CCXT's comment says 500); the "
         "real answers show it is mostly a rejection of the order, so do not retry it unchanged.",)),
    40013: _a("rate limit / timestamp", (
        "Too many requests ('Access too often').",
        "The client's clock is off (CLIENT_TIME_INVALID: 'Please check your system time').",
    ), (("rate-limit", "Slow down: back off until {PREFIX}RateLimit-Reset and send less often."), CLOCK_FIX, STALE_FIX),
        ("The message has unbalanced quotes and merges two entries: a rate message ('Access too often') and a clock message "
         "(CLIENT_TIME_INVALID, 'Please check your system time.'). Both fixes apply; the body's message may say which.",)),
    40014: _a("contract", ("The contract is offline (delisted or not yet listed).",), (
        "Check the symbol's status with GET /contract/public/details and trade a listed contract.",
    )),
    40015: _a("contract", ("Trading on this contract is paused.",), (
        "Wait until trading resumes; watch the announcements or GET /system/service.",
    )),
    40016: _a("position", ("The order would push the position past its liquidation price.",), (
        "Reduce the size or the leverage, or add margin, before placing it.",
    )),
    40017: _a("position", ("The order both opens and closes the same position.",), (
        "Send opening and closing orders separately, and check side: in hedge mode 1 opens long, 2 closes short, "
        "3 closes long, 4 opens short.",
    )),
    40018: _a("position", ("The position is already closed (by you, take-profit/stop-loss, or liquidation).",), (REFRESH_POSITION_FIX,)),
    40019: _a("position", ("The position is being liquidated; orders on it are rejected meanwhile.",), (
        "Wait for the liquidation to finish; keep more margin next time.",
    )),
    40020: _a("position", ("The close order is larger than the open position.",), (
        "Read the position's current size and close at most that much.",
    ), (MAINTENANCE_40020,)),
    40021: _a("position", ("There is no such open position (symbol, side or position mode differ).",), (
        REFRESH_POSITION_FIX, "Check the symbol and the position mode (one-way or hedge) the order assumes.",
    ), (VERBATIM.format("the typo 'exsit'"),)),
    40022: _a("position", ("Margin can be added or removed only on an isolated position; this one is cross.",), (
        "Adjust margin only on isolated positions, or open the position with open_type \"isolated\".",
    )),
    40023: _a("position", ("Removing that much margin would liquidate the position.",), ("Remove less margin.",)),
    40024: _a("position", ("Removing that much margin would put the position in the liquidation warning zone.",), (
        "Remove less margin.",
    ), (VERBATIM.format("the typo 'warnning'"),)),
    40025: _a("position", ("The margin would fall below the position's minimum.",), (
        "Keep the margin above the base limit: remove less.",
    ), (VERBATIM.format("the typographic apostrophes (U+2019)"),)),
    40026: _a("position", ("The cross-margin position is being liquidated.",), (
        "Wait for the liquidation to finish; add funds to the futures account to keep cross positions safe.",
    ), (VERBATIM.format("the grammar of 'You cross margin position'"),)),
    40027: _a("balance", ("The futures account's available balance does not cover the order's margin and fees.",), (
        "Transfer funds to the futures account (POST /account/v1/transfer-contract) or lower the size.",
    ), (VERBATIM.format("the grammar of 'You contract account'"),)),
    40028: _a("order", ("Too many open plan (trigger) orders.",), ("Cancel some plan orders before placing new ones.",)),
    40029: _a("order", ("The leverage exceeds the symbol's maximum.",), (
        "Lower the leverage to the symbol's maximum (max_leverage in GET /contract/public/details); send it as a string.",
    )),
    40030: _a("order", ("The leverage is below the symbol's minimum.",), (
        "Raise the leverage to at least the symbol's minimum (min_leverage in GET /contract/public/details, usually 1).",
    )),
    40031: _a("order", ("The trigger price is too far from the current price.",), ("Set the trigger price closer to the market.",)),
    40032: _a("order", ("The plan order's validity period is too long.",), ("Shorten the plan order's life cycle.",)),
    40033: _a("order", ("The plan order's validity period is too short.",), ("Lengthen the plan order's life cycle.",)),
    40034: _a("contract", (
        "Futures symbols have no separator (BTCUSDT); the spot format BTC_USDT is not a contract symbol.",
        "The contract is not listed on this venue.",
    ), (("symbol", "Use the futures symbol format BTCUSDT (no underscore), exactly as GET /contract/public/details lists it."),
        "Check the symbol is listed on {VENUE}."), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40035: _a("order", ("No order with this id for this symbol and account: another symbol, another account, or too old.",), (
        "Check order_id and symbol together; query by client_order_id if you set one.",
    ), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40036: _a("order", ("The order is in a state that does not allow this action (already filled or cancelled).",), (
        "Refresh the order (GET /contract/private/order) before modifying or cancelling it.",
    )),
    40037: _a("order", ("The order id matches no order.",), (
        "Check the order_id (a string of digits) and the symbol; query by client_order_id if you set one.",
    ), (VERBATIM.format("the grammar of 'is not exist'"),)),
    40038: _a("request format", ("The k-line step is not one the endpoint supports.",), (
        "Use a step listed on the k-line endpoint's page (minutes: 1, 5, 15, 30, 60, 240, 1440, ...).",
    )),
    40039: _a("request format", ("A time parameter (start_time, end_time) is out of range, reversed, or in the wrong unit.",), (
        "Check start_time and end_time: the unit the endpoint documents, start before end, within the allowed span.",
    )),
    40040: _a("order", ("The leverage value is invalid for this order or position.",), (
        "Send leverage as a string within the symbol's range, matching the position's leverage where the endpoint requires it.",
    )),
    40041: _a("order", ("side is not a valid value.",), (
        "Send side as an integer 1-4 (hedge mode: 1 open long, 2 close short, 3 close long, 4 open short).",
    )),
    40042: _a("order", ("type is not a valid value.",), (
        "Send type \"limit\" or \"market\"; time in force goes in mode (1 GTC, 2 FOK, 3 IOC, 4 maker only).",
    )),
    40043: _a("order", ("price or size has more precision than the contract allows.",), (
        "Round price to the price precision and size to the volume precision (GET /contract/public/details).",
    )),
    40044: _a("order", ("price or size is outside the contract's limits.",), (
        "Keep size between the contract's min and max volume and price within its band.",
    )),
    40045: _a("order", ("open_type is not a valid value.",), ("Send open_type \"cross\" or \"isolated\".",)),
    40046: _a("account", ("The futures account has not been opened.",), (
        "Open futures trading for the account on the website; then the key can trade futures.",
    ), ("Documented with HTTP 403.",)),
    40047: _a("permission", ("The service is restricted in the account's or the request's country or region.",), (
        "No change to the request fixes this; contact customer service if you think the region is eligible.",
    ), ("Documented with HTTP 403.", VERBATIM.format("the grammar of 'in you countries'"))),
    40048: _a("order", ("client_order_id contains characters other than letters and digits.",), (CLIENT_ID_FIX,), (HTTP_403_ORDER,)),
    40049: _a("order", ("client_order_id is longer than 32 characters.",), (CLIENT_ID_FIX,), (HTTP_403_ORDER,)),
    40050: _a("order", ("client_order_id repeats one of your existing orders.",), (
        "Use a new, unique client_order_id per order.",
        "If this is a retry after a timeout, query by client_order_id: the first attempt probably went through.",
    ), (HTTP_403_ORDER,)),
    42000: _a("balance", ("The account's available balance does not cover the amount.",), (
        "Top up, or transfer funds to the account this endpoint draws from, or lower the amount.",
    ), (HTTP_200,)),
}
