"""The answer's code, message and HTTP status, from the document of the product an endpoint belongs to.

Futures endpoints (and everything in the wooxpro flavour) answer from the catalog's documents. BitMart's
spot and account endpoints answer from the spot/account document, as tui.catalog parses it. Where a code has several rows
(30006, 30007, 60000), `variant` picks the row whose message contains it. `%s`/`%d` placeholders are
filled with the numbers the emulator checked against, as the venue does.
"""

from __future__ import annotations

import re
from functools import cache

from tui import catalog

_PLACEHOLDER = re.compile(r"%[sd]")
# How success is worded, by endpoint (ccxt 4.5.70's recorded BitMart answers, field-notes section 12; WOO X Pro's pages
# show "Ok" on every futures and transfer page): "Ok" on contract endpoints, "success" on spot v3 market data and v4
# queries, "OK" on spot v1/v2 and the rest (the system endpoints' "OK": ccxt's fetch_time comment, protocol.md 2).
SUCCESS_WORDS = {"contract": "Ok", "spot-v3-v4": "success", "other": "OK"}
# 30013 counted per user is prefixed "(U)" in real answers ("(U)Request too many requests": ccxt PR#20056).
PER_USER_PREFIX = "(U)"


def success_style(path: str) -> str:
    """Which success wording an endpoint answers with (a key of SUCCESS_WORDS)."""
    if path.startswith(("/contract/", "/account/v1/transfer-contract")):
        return "contract"
    if path.startswith(("/spot/quotation/v3/", "/spot/v4/query/")):
        return "spot-v3-v4"
    return "other"


@cache
def spot_rows() -> dict[int, tuple[tuple[int, str], ...]]:
    """code -> ((http status, message), ...) in document order, as the catalog parses the spot/account document
    (the WebSocket table, without a status, is left out)."""
    out: dict[int, list[tuple[int, str]]] = {}
    for row in catalog.rows("bitmart-spot"):
        if row.table not in ("http", "websocket") and row.http_status is not None:
            out.setdefault(row.code, []).append((row.http_status, row.message))
    return {code: tuple(rows) for code, rows in out.items()}


@cache
def answer(flavour: str, product: str, code: int, variant: str = "", fill: tuple[object, ...] = ()) -> tuple[int, str]:
    """(http status, message) of `code` as the venue words it for this product. Raises LookupError for a
    code no document has: every code the emulator sends is documented, so that is a bug in a route.
    For 1000, `variant` is a key of SUCCESS_WORDS; for 30013, PER_USER_PREFIX prefixes the message."""
    if code == 1000 and variant in SUCCESS_WORDS:
        return 200, SUCCESS_WORDS[variant]
    if code == 30013 and variant == PER_USER_PREFIX:
        status, message = answer(flavour, product, code)
        return status, PER_USER_PREFIX + message
    if flavour == "bitmart" and product in ("spot", "account", "system"):
        rows = spot_rows().get(code)
        if rows:
            status, message = next((r for r in rows if variant and variant in r[1]), rows[0])
            return status, _fill(message, fill)
    row = catalog.lookup(flavour, code)
    if row is None:
        raise LookupError(f"code {code} is not in the {flavour} {product} document")
    return row.http_status, _fill(row.message, fill)


def _fill(message: str, values: tuple[object, ...]) -> str:
    if not values:
        return message
    it = iter(values)
    return _PLACEHOLDER.sub(lambda m: str(next(it, m.group(0))), message)
