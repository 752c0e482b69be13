"""How the real venues word and shape their answers, written out for the emulator's tests (ccxt 4.5.70's recorded
BitMart responses, ts/src/test/static/response/bitmart.json, field-notes section 12; WOO X Pro's pages)."""

from __future__ import annotations


def success_word(path: str) -> str:
    """1000's message: "Ok" on contract endpoints (and the transfer ones on the futures page), "success" on spot v3
    market data and v4 queries, "OK" on spot v1/v2 calls and the rest."""
    if path.startswith(("/contract/", "/account/v1/transfer-contract")):
        return "Ok"
    return "success" if path.startswith(("/spot/quotation/v3/", "/spot/v4/query/")) else "OK"


def expected_message(path: str, code: int, documented: str, mode: str | None) -> str:
    """The message an answer carries: 1000 worded by endpoint, 30013 prefixed "(U)" when counted per user
    ("(U)Request too many requests", ccxt PR#20056), the document's row otherwise."""
    if code == 1000:
        return success_word(path)
    if code == 30013 and mode == "UID":
        return "(U)" + documented
    return documented
