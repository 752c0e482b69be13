"""Numbers in a request, read the way the venue bounds them, cheaply whatever a client sends.

A price, size, notional, amount or leverage is a JSON number or a plain decimal string (`"0.01"`, `"-3"`,
`"1e5"` too, as Java's BigDecimal on the venue's side reads it). What comes back is a Decimal of at most
16 integer digits and at most 18 decimal places, so every sum, product and remainder the routes compute
with it costs microseconds. Anything else is refused before it reaches arithmetic:

- `Unreadable`: not a number at all (a boolean, a list, an object, `NaN`, `Infinity`, letters, spaces,
  non-ASCII digits), or more decimal places than any symbol has (the venue's "precision" codes);
- `TooLarge`: a number beyond every limit the venue publishes (the "range" and "maximum" codes).

Why this module exists: `Decimal("1e999999999")` is one short string, and `int()` of it (or `%` by a
tick, or formatting it without an exponent) ran for ever inside the C library, holding the GIL: the
emulator's loop, the proxy around it and even SIGTERM's handler waited behind it (issue 21, finding 2).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_INTEGER_DIGITS = 16  # 10**16: beyond every balance, size and price of the listed symbols
MAX_DECIMAL_PLACES = 18  # the finest step a symbol could have (the listed ones stop at 8)
MAX_TEXT = 64  # a longer number text is refused without parsing it (see `decimal`)
LARGEST = Decimal(10) ** MAX_INTEGER_DIGITS - 1
LARGEST_WHOLE = 10**MAX_INTEGER_DIGITS - 1

# ASCII digits only: Python's Decimal and int() also read Arabic-Indic or full-width digits.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)


class NumberRefused(ValueError):
    """A value a route cannot compute with; `Unreadable` or `TooLarge` says which documented code fits."""


class Unreadable(NumberRefused):
    pass


class TooLarge(NumberRefused):
    def __init__(self, why: str, negative: bool = False) -> None:
        super().__init__(why)
        self.negative = negative  # -1e99 is below every minimum rather than above every maximum


def decimal(value: object) -> Decimal:
    """A finite Decimal within MAX_INTEGER_DIGITS / MAX_DECIMAL_PLACES; Unreadable or TooLarge otherwise.
    Never slower than reading MAX_TEXT characters, whatever `value` is."""
    if isinstance(value, bool):  # a JSON true is an int to Python
        raise Unreadable("a boolean is not a number")
    if isinstance(value, int):
        if -LARGEST_WHOLE <= value <= LARGEST_WHOLE:  # compared, never converted: a 4,000-digit int costs nothing
            return Decimal(value)
        raise TooLarge("beyond the largest number", negative=value < 0)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):  # json.loads reads NaN, Infinity, 1e999
            raise Unreadable("not a number") if value != value else TooLarge("not a finite number", negative=value < 0)
        value = repr(value)  # the shortest text that reads back as this float: "1e-05", "20000.0"
    if not isinstance(value, str):
        raise Unreadable("not a number or a decimal string")
    if len(value) > MAX_TEXT:
        raise _long_text(value)
    if not _NUMBER.fullmatch(value):
        raise Unreadable("not a decimal number")
    try:
        number = Decimal(value)
    except InvalidOperation:  # the pattern admits only what Decimal reads; kept for safety
        raise Unreadable("not a decimal number") from None
    return _bounded(number)


def whole(value: object, lowest: int, highest: int) -> int:
    """A whole number lowest..highest from a JSON integer or a string of digits; Unreadable when it is not
    one, TooLarge when it is one outside the range (however many digits it has)."""
    if isinstance(value, bool):
        raise Unreadable("a boolean is not a number")
    if isinstance(value, str):
        if not _WHOLE.fullmatch(value):
            raise Unreadable("not a whole number")
        digits = value.lstrip("+-").lstrip("0")
        if len(digits) > len(str(max(abs(lowest), abs(highest)))):  # int() of 4,300 digits is refused by Python
            raise TooLarge("outside the range", negative=value.startswith("-"))
        value = int(value)
    if not isinstance(value, int):
        raise Unreadable("not a whole number")
    if not lowest <= value <= highest:
        raise TooLarge("outside the range", negative=value < lowest)
    return value


def _bounded(number: Decimal) -> Decimal:
    """`number` with its trailing zeros dropped, checked against the digit limits exactly (no rounding)."""
    if number.is_zero():
        return Decimal(0)  # 0E+999999999 is zero, but formatting it writes a billion zeros
    sign, digits, exponent = number.as_tuple()
    kept = len(digits)
    while kept > 1 and digits[kept - 1] == 0:
        kept -= 1
    exponent += len(digits) - kept
    if kept + exponent > MAX_INTEGER_DIGITS:
        raise TooLarge("beyond the largest number", negative=sign == 1)
    if exponent < -MAX_DECIMAL_PLACES:
        raise Unreadable("more decimal places than any symbol has")
    return Decimal((sign, digits[:kept], exponent))


def _long_text(text: str) -> NumberRefused:
    """Why a number text over MAX_TEXT characters is refused, judged from its shape without reading it as a
    number: a run of digits with no point and no exponent is too large; anything else is unreadable."""
    body = text[1:] if text[:1] in "+-" else text
    if body.isascii() and body.isdigit() and len(body.lstrip("0")) > MAX_INTEGER_DIGITS:
        return TooLarge("beyond the largest number", negative=text.startswith("-"))
    return Unreadable("a number text longer than any price or size")
