"""Real message variants: what venues were seen to send under a code, beside (or instead of) the documented
wording, with the public thread each came from (shared/research/field-notes.md section 2).

When a body's message matches a variant, the causes and fixes follow the message: 40012 documented as
"System error" but sent as "Invalid order" is an order rejection, not a server fault. A variant without
advice of its own is a known wording of the documented row, kept for its note.
"""

from __future__ import annotations

from collections import namedtuple

from tui.catalog.advice_base import Advice
from tui.catalog.advice_base import advise as _a
from tui.catalog.advice_futures import ADVICE as FUTURES


class Variant(namedtuple("Variant", "code message source note advice", defaults=(None,))):
    """message: as a real body sent it, matched like a documented row (case, spaces, end punctuation forgiven,
    %s); source: the public thread or client source where it was seen; advice: None when the documented row's
    advice applies. A named tuple, not a dataclass: see advice_base.Advice."""

    __slots__ = ()


INVALID_ORDER = _a("order", (
    "The order conflicts with the symbol's open position or the account's position mode: a different leverage or "
    "open_type (isolated versus cross) than the open position, or a side that the position mode does not allow.",
    "A field outside what the contract accepts that BitMart reports here rather than under its own code.",
), (
    "Read the open position (GET /contract/private/position) and send the same leverage and open_type, or change them "
    "first with POST /contract/private/submit-leverage while no position is open.",
    "Check the position mode (GET /contract/private/get-position-mode): in one-way mode, closing sides only reduce the "
    "position; in hedge mode 1 opens long, 2 closes short, 3 closes long, 4 opens short.",
    "Check type, mode, price (limit orders) and size (an integer number of contracts) against the submit-order page.",
), ("BitMart's own agent notes read 40012 'Invalid order' as a leverage or position-mode conflict; ccxt#23354 is a real "
    "case. Sending the same order again gives the same answer.",))

VARIANTS: tuple[Variant, ...] = (
    # ccxt#23354: a futures order rejected with 40012 "Invalid order".
    Variant(40012, "Invalid order", "ccxt#23354",
            "A real answer (ccxt#23354) sends 'Invalid order' under 40012, more specific than the document's "
            "'System error'.", INVALID_ORDER),
    # ccxt bitmart.py (4.5.70) exception comments: the balance message comes under 40012 as well as 40027.
    Variant(40012, "You contract account available balance not enough.", "ccxt bitmart.py exception comments",
            "Real answers (ccxt's bitmart.py comments) send the balance message under 40012 rather than 40027.",
            FUTURES[40027]),
    # ccxt PR#20056: concurrent k-line calls over the endpoint's limit.
    Variant(30013, "(U)Request too many requests", "ccxt PR#20056",
            "The '(U)' prefix is in real answers (ccxt PR#20056, concurrent k-line calls over the endpoint's limit); the "
            "document does not explain it. The limit is per endpoint, so calls to the same endpoint in parallel add up."),
    # ccxt PR#19336: the account was not enabled for the futures API.
    Variant(30019, "You do not have the permissions to perform this operation. Please contact customer service or BD for "
                   "assistance.", "ccxt PR#19336",
            "A real answer with this wording (ccxt PR#19336) came from an account not enabled for the futures API."),
    # protocol.md section 3.1, from ccxt's handle_errors comment: the spot "Bad Request" names the field in brackets.
    Variant(50000, "Bad Request [%s]", "ccxt bitmart.py handle_errors comment",
            "Real spot answers add the faulty field in brackets, e.g. 'Bad Request [to is empty]'.",
            _a("request format", ("The parameter named in brackets is missing or wrong: {VALUE|see the body's message}.",), (
                "Fix what the brackets say ({VALUE|see the body's message}) and compare the request with the endpoint's "
                "page.",
            ))),
)


def variants_of(code: int) -> tuple[Variant, ...]:
    return tuple(v for v in VARIANTS if v.code == code)
