"""keys.credential_check at the door: printable ASCII skips the two character classes (they are compiled only for
a value that could hold what they find), and every refusal is still found, in ASCII and beyond it."""

from __future__ import annotations

import pytest

from keys.credential_check import problem, refusal

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"


@pytest.mark.parametrize("value, sentence", [
    (KEY + "\r", "contains a carriage return (CR) at position 41 of 41"),  # ASCII, not printable
    ("ab\tcd", "contains a tab at position 3 of 5"),
    ("ab\x7fcd", "contains a control character (U+007F) at position 3"),
    ("ab\x00", "contains a NUL byte at position 3"),
    ("me\u200bmo", "contains an invisible character (U+200B) at position 3 of 5"),
    ("x\x85y", "contains a control character (U+0085) at position 2"),
    ("ab\udcffcd", "holds bytes that are not UTF-8 text at position 3 of 5"),
    (" " + KEY, "starts with whitespace (position 1 of 41)"),
    ('"secret-value"', "is wrapped in quotes (positions 1 and 14)"),
    ("«secret-value»", "is wrapped in quotes (positions 1 and 14)"),  # typographic: Unicode's Pi and Pf
    ("\u2018secret-value\u2019", "is wrapped in quotes"),
])
def test_each_refusal_is_found_whatever_the_characters(value, sentence):
    found = problem("secret", value)
    assert found is not None and sentence in found, found


@pytest.mark.parametrize("value", [KEY, "memo-1", "A-memo with spaces inside", "é-memo-ü", "mémo«inside»"])
def test_usable_values_pass(value):
    assert problem("memo", value) is None


def test_a_non_ascii_key_is_refused_and_named_first():
    assert "non-ASCII character at position 2" in refusal("kéy", "secret", "memo")
    assert refusal(KEY, "s" * 64, "memo") is None
