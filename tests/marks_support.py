"""Reading the inspect view's caret lines back from folded rows (tests/test_token_wrap.py, the Traffic view)."""

from __future__ import annotations

from tui.console.widgets.token_wrap import is_marks

LABEL = 14  # "     signed   ", "     expected ": where the marked strings start


def read_back(rows: list[str], line: str, indent: int = LABEL) -> dict[int, str]:
    """{offset in `line`: mark} from folded rows: each text row (after the first, less its indent) is
    found in `line` where the one before ended, and each mark is mapped through the row above it."""
    found: dict[int, str] = {}
    cursor = start = prefix = 0
    for number, row in enumerate(rows):
        if is_marks(row):
            for column, mark in enumerate(row):
                if mark in "^|":
                    found[start + column - prefix] = mark
            continue
        prefix = 0 if number == 0 else indent
        assert row[:prefix] == " " * prefix
        piece, start = row[prefix:], cursor
        while not line.startswith(piece, start):
            assert line[start] == " ", f"text left out at {start}: {row!r}"
            start += 1
        cursor = start + len(piece)
    assert line[cursor:].strip() == ""
    return found
