"""argparse types shared by the commands: each turns bad input into argparse's usage error (exit 2)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

MAX_TIMEOUT_S = 600
# tui.venues.VENUES' ids (a test checks they agree), written here so `--help` need not import the venue table.
VENUE_IDS = ("bitmart", "bitmart-spot", "wooxpro", "emulator")


def whole_number(low: int = 1, high: int | None = None) -> Callable[[str], int]:
    """A whole number in [low, high] (no upper bound when high is None)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            span = f"at least {low}" if high is None else f"between {low} and {high}"
            raise argparse.ArgumentTypeError(f"{value} is out of range: it must be {span}")
        return value

    return parse


def seconds(text: str) -> float:
    """A timeout: more than 0 and at most 600 seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= MAX_TIMEOUT_S:
        raise argparse.ArgumentTypeError(f"the timeout must be more than 0 and at most {MAX_TIMEOUT_S} seconds")
    return value
