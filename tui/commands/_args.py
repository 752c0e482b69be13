"""argparse types shared by the commands: each turns bad input into argparse's usage error (exit 2)."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

TYPE_CHECKING = False  # typing's flag without importing typing: `decode` and `--help` load this module
if TYPE_CHECKING:
    from collections.abc import Callable

MAX_TIMEOUT_S = 600
# tui.venues.VENUES' ids (a test checks they agree), written here so `--help` need not import the venue table.
VENUE_IDS = ("wooxpro", "bitmart", "bitmart-spot", "emulator")  # WOO X Pro leads, as in tui.venues


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


def terminal_columns(stream: object = None) -> int:
    """shutil.get_terminal_size().columns for `stream` (default: the process's stdout): COLUMNS when it is a
    positive number, else the terminal's width, else 80. Without importing shutil, which loads the compression
    modules: that import was a sixth of `python -c pass` in `decode` and `--help` (benchmarks/cli_startup.py)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size((stream or sys.__stdout__).fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def help_formatter(kind: type[argparse.HelpFormatter] = argparse.HelpFormatter) -> Callable[..., argparse.HelpFormatter]:
    """`kind` at the width argparse itself picks (the terminal's columns minus 2), which argparse would otherwise
    ask shutil for on every add_argument (terminal_columns says why not)."""
    return partial(kind, width=terminal_columns() - 2)


_DURATION_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
MAX_DURATION_S = 366 * 86400


def duration(text: str) -> float:
    """A span: seconds as a number, or with a unit: 90s, 30m, 2h, 1.5d (at most a year)."""
    stripped = text.strip().lower()
    number, unit = stripped, "s"
    for suffix in sorted(_DURATION_UNITS, key=len, reverse=True):
        if stripped.endswith(suffix):
            number, unit = stripped[: -len(suffix)].strip(), suffix
            break
    try:
        value = float(number) * _DURATION_UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a duration: write seconds, or 90s, 30m, 2h, 1d") from None
    if not 0 <= value <= MAX_DURATION_S:  # also refuses nan
        raise argparse.ArgumentTypeError(f"the duration must be between 0 and a year, not {text!r}")
    return value


def bounded_number(low: float, high: float, what: str) -> Callable[[str], float]:
    """A number in [low, high]; `what` names it in the message (e.g. "the interval in seconds")."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number ({what})") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{what} must be between {low:g} and {high:g}, not {text}")
        return value

    return parse
