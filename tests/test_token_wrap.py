"""The inspect view's caret lines stay under their characters when the signed and expected strings wrap
(tui/console/widgets/token_wrap.py): every mark, read back through the piece of text above it, is the
mark of the same character in the unwrapped pair."""

from __future__ import annotations

import json

import pytest
from marks_support import LABEL, read_back
from rich.text import Text

from tui.console.widgets.token_wrap import fold
from tui.inspect.report import marks

ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1,
         "price": "25000"}  # a realistic 7-field futures order
SIGNED = "1700000000000#****#" + json.dumps(ORDER)  # what a bot signed: json.dumps with its spaces
EXPECTED = "1700000000000#****#" + json.dumps(ORDER, separators=(",", ":"))  # what it sent, compact


def expected_marks(under: str) -> dict[int, str]:
    return {LABEL + i: m for i, m in enumerate(under) if m != " "}


@pytest.mark.parametrize(("width", "indent"), [(40, 0), (50, LABEL), (61, LABEL), (80, LABEL), (97, LABEL), (138, LABEL)])
def test_marks_stay_under_their_characters_however_the_pair_wraps(width, indent):
    """Pieces after the first are indented to the label's end, unless that takes over a third of the row."""
    under_signed, under_expected = marks(SIGNED, EXPECTED)
    assert under_signed.count("^") == 13 and under_expected.count("|") == 13  # a space after each : and ,
    source = Text("\n".join([f"     signed   {SIGNED}", f"              {under_signed}",
                             f"     expected {EXPECTED}", f"              {under_expected}", "     response  30005"]))
    rows = [row.plain for row in fold(source, width)]
    assert all(len(row) <= width for row in rows)
    split = next(i for i, row in enumerate(rows) if row.startswith("     expected"))
    assert read_back(rows[:split], f"     signed   {SIGNED}", indent) == expected_marks(under_signed)
    assert read_back(rows[split:-1], f"     expected {EXPECTED}", indent) == expected_marks(under_expected)
    assert rows[-1] == "     response  30005"
