"""Advice for BitMart's funding account and sub-account table (60000-61008): deposits, withdrawals,
transfers and sub-accounts. Several rows are about the account rather than the request (KYC, freezes,
security holds); those say so instead of suggesting a change the request cannot make.
"""

from __future__ import annotations

from tui.catalog.advice_base import (
    JSON_FIX, PARAMETER_TYPE_FIX, PERMISSION_FIX, SERVICE_RETRY, SUB_ACCOUNT_FIX, SUPPORT_FIX, VERIFY_FIX,
    WITHDRAW_RULES_FIX, Advice,
)
from tui.catalog.advice_base import advise as _a

CURRENCIES = "GET /account/v1/currencies"
WALLET_FIX = "Read the available (not frozen) balance with GET /account/v1/wallet before sending, and leave room for the fee."
ADDRESS_BOOK_FIX = ("Add the destination to the withdrawal address book on {VENUE}'s website and verify it there; the API "
                    "withdraws only to saved, verified addresses.")
RANGE_90_FIX = ("Send startTime and endTime in milliseconds, start before end and at most 90 days apart; without them the "
                "default window applies, so query long histories in 90-day slices.")
TARGET_FIX = "Check the target account's identifier (the email, phone number or BitMart ID exactly as registered)."
REQUEST_NO_FIX = "Use a new, unique requestNo for every transfer; on a retry after a timeout, check the history first."
FROZEN_NOTE = "Nothing in the request causes this: the account itself is restricted."

ADVICE: dict[int, Advice] = {
    60000: _a("request format", (
        "The body is empty or not JSON.",
        "An int parameter carries string data (\"10\" where 10 is expected): the message names this case itself.",
    ), (JSON_FIX, PARAMETER_TYPE_FIX), ("60000 has two documented messages; the other is 'Parameter Error'.",)),
    60001: _a("request format", ("The account type in the request is not one the endpoint knows.",), (
        "Use an account type exactly as the endpoint's page lists it (case and spelling).",
    )),
    60002: _a("request format", ("The currency is not known under that name.",), (
        f"Use the currency exactly as {CURRENCIES} lists it (upper case; the network-specific name such as USDT-TRC20 "
        "where the endpoint expects one).",
    )),
    60003: _a("withdrawal", ("Deposits of this currency (or on this network) are closed.",), (
        f"Check deposit_enabled in {CURRENCIES}; use another network of the currency, or wait until the channel reopens.",
    )),
    60004: _a("withdrawal", ("Withdrawals of this currency (or on this network) are closed.",), (
        f"Check withdraw_enabled in {CURRENCIES}; use another network of the currency, or wait until the channel reopens.",
    )),
    60005: _a("withdrawal", ("The amount is below the currency's minimum.",), (
        "Withdraw at least {VALUE|the currency's minimum (withdraw_minsize in " + CURRENCIES + ")}.", WITHDRAW_RULES_FIX,
    )),
    60006: _a("withdrawal", ("The amount has more decimals than the currency allows.",), (
        "Round the amount to at most {VALUE|the allowed number of} decimal places and send it as a string.",
    )),
    60007: _a("withdrawal", ("The destination address is not in the account's withdrawal address book.",), (ADDRESS_BOOK_FIX,)),
    60008: _a("balance", ("The available balance does not cover the amount plus the fee (funds in open orders are frozen).",),
              (WALLET_FIX, "Cancel open orders that hold the funds, or lower the amount.")),
    60009: _a("withdrawal", ("The amount is beyond a withdrawal limit of the account (per transaction or per day).",), (
        "Lower the amount or split it across days; higher verification levels have higher limits.",
    )),
    60010: _a("not found", ("No deposit or withdrawal with that id under this account.",), (
        "Check the id and the type (deposit or withdraw) against the history endpoint, with the key of the same account.",
    )),
    60011: _a("withdrawal", ("The address is not valid for this currency or network.",), (
        "Copy the address again and check it belongs to the network you send on (an ERC20 address is not a TRC20 one).",
    )),
    60012: _a("withdrawal", ("Deposits and withdrawals of this currency are not available through the API.",), (
        "Use the website or app for this currency.",
    )),
    60013: _a("withdrawal", ("The amount is not a whole multiple of the currency's step.",), (
        "Send an amount that is a whole multiple of {VALUE|the currency's withdrawal step}.",
    )),
    60014: _a("withdrawal", ("The destination memo or tag is missing or wrong (currencies such as XRP, XLM or EOS need one).",), (
        "Send the destination's memo/tag exactly as the receiving platform shows it. This is the address's memo, not "
        "your API key's memo.",
    )),
    60015: _a("withdrawal", ("The destination address is saved but not verified.",), (
        "Verify the address in the address book on the website or app, then retry.",
    )),
    60020: _a("account", ("The account may not receive deposits.",), (SUPPORT_FIX,), (FROZEN_NOTE,)),
    60021: _a("account", ("The account may not withdraw (a security hold, missing verification, or a restriction).",), (
        "Check the account's security notices on the website (a recent password or 2FA change holds withdrawals).", SUPPORT_FIX,
    ), (FROZEN_NOTE,)),
    60022: _a("account", ("Withdrawals are held for 24 hours, usually after a security change (password, 2FA, new device).",), (
        "Wait until the 24 hours have passed; no change to the request shortens the hold.",
    ), (FROZEN_NOTE,)),
    60026: _a("permission", ("A sub-account tried an operation only the master account may perform.",), (SUB_ACCOUNT_FIX,)),
    60027: _a("permission", ("This endpoint serves sub-accounts only, and the key is the master account's.",), (
        "Call it with a key created under the sub-account.",
    )),
    60028: _a("account", ("The account is not in a usable state (disabled or under review).",), (SUPPORT_FIX,), (FROZEN_NOTE,)),
    60029: _a("account", ("The master account froze this sub-account.",), (
        "Ask the master account to unfreeze the sub-account; the request cannot change this.",
    ), (FROZEN_NOTE,)),
    60030: _a("request format", ("The endpoint does not take this HTTP method.",), (
        "Use the method the endpoint's page gives (GET for queries, POST for actions, including the v4 spot queries).",
    ), ("Documented with HTTP 405.",)),
    60031: _a("request format", ("The body's Content-Type is not one the endpoint accepts.",), (JSON_FIX,),
              ("Documented with HTTP 415.",)),
    60050: _a("account", ("The API could not find the user account behind the key (a deleted or not yet activated account).",), (
        "Check that the key belongs to an active account; if it does, contact customer service with the response's trace.",
    ), ("Documented with HTTP 500 although it is about the account, not a server fault.",)),
    60051: _a("service", ("A server-side failure while handling the request.",), (SERVICE_RETRY,)),
    60052: _a("request", ("An unclassified error: the document gives no more than 'Exception'.",), (
        "Read the body's message and check each parameter against the endpoint's page.",
        "If the parameters are right, try again once later and send the response's trace to customer service if it repeats.",
    )),
    60053: _a("transfer", ("The target account (email, phone number or BitMart ID) was not found.",), (TARGET_FIX,)),
    60054: _a("permission", ("Sub-accounts cannot withdraw.",), (
        "Transfer the funds to the master account and withdraw from there.",
    )),
    60055: _a("withdrawal", ("The currency is not supported for this operation.",), (
        f"Check the currency in {CURRENCIES}; use another currency or the website.",
    )),
    60056: _a("withdrawal", ("Withdrawals of this currency are suspended.",), (
        "Wait for {VENUE}'s announcement that withdrawals have resumed; the request cannot change this.",
    )),
    60057: _a("account", ("The user's status does not allow this operation.",), (SUPPORT_FIX,), (FROZEN_NOTE,)),
    60058: _a("margin", ("The withdrawal would push the spot wallet below the margin call risk rate of borrowed funds.",), (
        "Lower the amount, or repay margin loans first (POST /spot/v1/margin/isolated/repay) and then withdraw.",
    )),
    60059: _a("withdrawal", ("Internal (BitMart-to-BitMart) withdrawals are not allowed for this account or currency.",), (
        "Use an on-chain withdrawal, or contact customer service to ask why internal withdrawals are disabled.",
    )),
    60060: _a("request", ("The request is refused as invalid for this account (documented with HTTP 403).",), (
        PARAMETER_TYPE_FIX, PERMISSION_FIX,
    )),
    60061: _a("request", ("The operation is not supported for this account, currency or combination of parameters.",), (
        "Check the endpoint's page for which accounts and currencies it supports; use the website for the rest.",
    )),
    60062: _a("permission", ("The key or the account may not perform this operation.",), (PERMISSION_FIX,)),
    60063: _a("account", ("The account is frozen by security policies.",), (SUPPORT_FIX,), (FROZEN_NOTE,)),
    60064: _a("withdrawal", ("The daily withdrawal quota is used up.",), (
        "Wait 24 hours, as the message says, or lower the amount to what is left of today's quota.",
    )),
    60065: _a("transfer", ("The withdrawal's target is the same user as the sender.",), (
        TARGET_FIX, "To move funds between your own accounts, use the transfer endpoints instead.",
    )),
    60066: _a("request format", ("The default time window of the query is outside 0-90 days.",), (RANGE_90_FIX,)),
    60067: _a("request format", ("startTime and endTime are more than 90 days apart.",), (RANGE_90_FIX,),
              ("The message is quoted verbatim from the document, its missing spaces ('endTimeare') included.",)),
    61000: _a("request format", ("The amount is zero, negative or not a number.",), (
        "Send a positive amount as a decimal string (\"10.5\").",
    )),
    61001: _a("balance", ("The source account's available balance does not cover the transfer.",), (
        WALLET_FIX, "Transfer less, or free funds held by open orders first.",
    )),
    61002: _a("transfer", ("The destination account of the transfer was not found.",), (
        "Check the destination account's name or id, and that it belongs to this master account.",
    )),
    61003: _a("transfer", ("No sub-account with that name under this master account.",), (
        "Use the sub-account's name exactly as the sub-account list shows it (GET /account/sub-account/main/v1/subaccount-list).",
    )),
    61004: _a("transfer", ("The requestNo was used before: the request looks like a duplicate.",), (REQUEST_NO_FIX,)),
    61005: _a("transfer", ("Transfers between these accounts are not available.",), (
        "Check that both accounts belong together (master and its sub-account) and that transfers are enabled for the currency.",
    )),
    61006: _a("permission", ("The sub-account API is for organization (institutional) accounts only.",), (
        "Complete the institution verification on the website, or manage sub-accounts there.",
    )),
    61007: _a("verification", ("The institution verification is not complete, so withdrawals are off.",), (VERIFY_FIX,)),
    61008: _a("transfer", ("Transfers out of this account are suspended.",), (SUPPORT_FIX,), (FROZEN_NOTE,)),
}

BY_MESSAGE: dict[tuple[int, str], Advice] = {
    (60000, "Parameter Error"): _a("request format", ("A parameter is missing, misspelt, of the wrong type or out of range.",),
                                   (PARAMETER_TYPE_FIX, JSON_FIX),
                                   ("60000 has two documented messages; the other names an int parameter sent as a string.",)),
}
