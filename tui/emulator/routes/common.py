"""The Call an action receives, the Refused it raises, and the checks both products share."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from keys.demo import DemoKey
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


def decimal(value: object, missing: int, bad: int | None = None, *fill: object) -> Decimal:
    """A finite Decimal from a JSON number or string; `missing` when absent/empty, `bad` when unreadable."""
    if value is None or value == "":
        raise Refused(missing, *fill)
    if isinstance(value, bool):
        raise Refused(bad or missing, *fill)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Refused(bad or missing, *fill) from None
    if not number.is_finite():
        raise Refused(bad or missing, *fill)
    return number


def is_multiple(value: Decimal, step: Decimal) -> bool:
    return value % step == 0


def positive_int(value: object, default: int, top: int) -> int:
    """A paging number (limit, N): the default when absent or unreadable, clamped to 1..top."""
    try:
        return max(1, min(top, int(str(value))))
    except (TypeError, ValueError):
        return default


def instrument(table: dict, symbol: object, missing: int, unknown: int):  # noqa: ANN201 - a Contract or a SpotPair
    """The instrument named `symbol` in `table`; Refused(missing) when absent, Refused(unknown) when not listed."""
    if symbol in (None, ""):
        raise Refused(missing)
    found = table.get(str(symbol))
    if found is None:
        raise Refused(unknown)
    return found
