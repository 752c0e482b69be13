"""The CLI's output as lines of (text, style) pieces: plain text when the output is not a terminal (a pipe, a
file, CI: rich is not even imported), rich's colours when it is. `keyprobe send` and `keyprobe inspect` print
this way; the console turns the same lines into rich Text (`rich_text`).

Loading rich and laying a text out cost `send` ~20 ms of its start-up (benchmarks/send_cpu.py) for colours a
pipe never shows. Piped, a line is written as its pieces' text and a newline: what rich writes for the same
Text when the output is not a terminal (soft wrap, no highlighting), and tests/test_styled_output.py holds
the two to the same characters.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, TextIO

    from rich.console import Console
    from rich.text import Text

Line = list[tuple[str, str]]  # (text, rich style; "" for none)


def plain(line: Line) -> str:
    return "".join(text for text, _ in line)


def rich_text(line: Line) -> Text:
    from rich.text import Text

    return Text.assemble(*((text, style) if style else text for text, style in line))


def _isatty(file: Any) -> bool:
    try:
        return bool(file.isatty())
    except (AttributeError, ValueError):  # a closed stream, or an object without isatty
        return False


class Output:
    """Where lines go. Given a rich Console, through it (tests, a caller with its own); else on `file` (default
    stdout): plain text when it is not a terminal, through keyprobe's safe rich Console when it is."""

    def __init__(self, console: Console | None = None, *, file: TextIO | None = None, stderr: bool = False) -> None:
        if console is None:
            file = file if file is not None else (sys.stderr if stderr else sys.stdout)
            if _isatty(file):
                from tui.output.safe_console import safe_console

                console = safe_console(file=file)
        self.console = console
        self.file = console.file if console is not None else file
        self.is_terminal = console is not None and console.is_terminal

    def line(self, line: Line = ()) -> None:  # type: ignore[assignment]
        if self.console is None:
            self.file.write(plain(line) + "\n")
        else:
            self.console.print(rich_text(line))

    def lines(self, lines: Iterable[Line]) -> None:
        if self.console is None:
            self.file.write("".join(plain(line) + "\n" for line in lines))
        else:
            for line in lines:
                self.console.print(rich_text(line))

    def renderable(self, item: Any) -> None:
        """An object that draws itself: `plain_lines()` when plain, rich's protocol on a console."""
        if self.console is None:
            self.lines(item.plain_lines())
        else:
            self.console.print(item)
