"""The Call an action receives, the Refused it raises, and the checks both products share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from keys.demo import DemoKey
from tui.emulator import numbers
from tui.emulator.accounts import Account
from tui.emulator.state import EmulatorState


@dataclass
class Call:
    state: EmulatorState
    key: DemoKey | None  # None on public routes
    args: dict  # the decoded query string (GET/DELETE) or the JSON body (POST/PUT)
    now: int  # the emulator's clock in ms, read once per request
    query: str = ""  # the raw query string as received (the signed-echo route shows it)

    @property
    def account(self) -> Account:
        assert self.key is not None, "a private route without a key"
        return self.state.account(self.key)

    def get(self, name: str, default: object = None) -> object:
        return self.args.get(name, default)


class Refused(Exception):
    """A validation failure: the code to answer with, the message row (`variant`), the values for %s/%d."""

    def __init__(self, code: int, *fill: object, variant: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.fill = fill
        self.variant = variant


def decimal(value: object, missing: int, bad: int | None = None, *fill: object, too_large: Refused | None = None) -> Decimal:
    """A bounded Decimal (numbers.decimal) from a JSON number or string: Refused(`missing`) when absent or
    empty, `too_large` (else `bad`) above every limit, Refused(`bad`) when it is not a number; a number
    below every limit reads as -numbers.LARGEST, which the route's own minimum refuses."""
    if value is None or value == "":
        raise Refused(missing, *fill)
    try:
        return numbers.decimal(value)
    except numbers.TooLarge as beyond:
        if beyond.negative:
            return -numbers.LARGEST  # below every minimum: the route's own "too small" / "not positive" check answers
        raise (too_large or Refused(bad or missing, *fill)) from None
    except numbers.Unreadable:
        raise Refused(bad or missing, *fill) from None


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return value % step == 0


def positive_int(value: object, default: int, top: int) -> int:
    """A paging number (limit, N): the default when absent or unreadable, clamped to 1..top."""
    try:
        return max(1, min(top, numbers.whole(value, -numbers.LARGEST_WHOLE, numbers.LARGEST_WHOLE)))
    except numbers.TooLarge as beyond:
        return 1 if beyond.negative else top
    except numbers.Unreadable:
        return default


def timestamp(value: object, bad: int) -> int:
    """A time in whole seconds (or milliseconds) as a kline asks for it; Refused(`bad`) when unreadable or
    beyond the numbers a clock can hold."""
    try:
        return numbers.whole(value, -numbers.LARGEST_WHOLE, numbers.LARGEST_WHOLE)
    except numbers.NumberRefused:
        raise Refused(bad) from None


def instrument(table: dict, symbol: object, missing: int, unknown: int):  # noqa: ANN201 - a Contract or a SpotPair
    """The instrument named `symbol` in `table`; Refused(missing) when absent, Refused(unknown) when not listed."""
    if symbol in (None, ""):
        raise Refused(missing)
    found = table.get(str(symbol))
    if found is None:
        raise Refused(unknown)
    return found
