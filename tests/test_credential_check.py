"""keys.credential_check at the door: printable ASCII skips the two character classes (they are compiled only for
a value that could hold what they find), and every refusal is still found, in ASCII and beyond it."""

from __future__ import annotations

import pytest

from keys.credential_check import problem, refusal, warnings
from keys.secret import Secret

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
    assert refusal("kéy", "secret", "memo") == (
        "The API key contains a non-ASCII character at position 2 of 3; API keys are plain ASCII (a look-alike letter "
        "from a font or a translation slipped in).")
    assert refusal(KEY, "s" * 64, "memo") is None


@pytest.mark.parametrize("value, sentence", [
    ("\ufeffmemo", "The memo contains a byte-order mark (U+FEFF) at position 1 of 5; it cannot be sent in a request."),
    ("memo\n", "The memo contains a line feed (LF) at position 5 of 5; it cannot be sent in a request."),
    ("memo ", "The memo ends with whitespace (position 5 of 5): a paste picked up a space. Enter it again without it."),
    ("\u3000memo", "The memo starts with whitespace (position 1 of 5): a paste picked up a space."),
    ("'memo'", "The memo is wrapped in quotes (positions 1 and 6); enter it without them."),
    ("`memo\u00b4", "The memo is wrapped in quotes (positions 1 and 6)"),
    ('""', "The memo is wrapped in quotes (positions 1 and 2)"),
])
def test_each_refusal_names_the_field_and_where(value, sentence):
    assert problem("memo", value).startswith(sentence)


def test_a_value_that_is_no_text_or_holds_an_invisible_character_is_told_how_to_enter_it_again():
    assert problem("secret", "ab\udcffcd") == (
        "The secret holds bytes that are not UTF-8 text at position 3 of 5 (an environment variable set from other "
        "bytes, or a terminal in another encoding); enter it again as text.")
    assert problem("API key", "k\r") == (
        "The API key contains a carriage return (CR) at position 2 of 2; it cannot be sent in a request. Enter it again "
        "(copy it from the venue's page, not from a file with Windows line endings).")


@pytest.mark.parametrize("value", ["(memo)", "'", "memo'", "'memo", "\u00e9memo\u00e9", "x"])
def test_brackets_a_lone_quote_or_one_quote_are_not_wrapping(value):
    assert problem("memo", value) is None


def test_refusal_names_the_first_field_with_a_problem():
    assert refusal(KEY, "s\t", "memo\n").startswith("The secret contains a tab")
    assert refusal(KEY, "s" * 64, "memo\n").startswith("The memo contains a line feed")
    assert refusal(Secret(KEY + " "), Secret("s"), Secret("m")).startswith("The API key ends with whitespace")
    assert problem("memo", "mémo", ascii_only=False) is None and problem("memo", "", ascii_only=True) is None


SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"


def test_warnings_say_what_looks_wrong_in_a_sentence_without_the_value():
    assert warnings(KEY, SECRET, "test001") == [] and warnings("", "", "") == []
    assert warnings(KEY.upper(), SECRET.upper(), "memo") == []  # hex in either case
    assert warnings(Secret("xyz"), Secret(SECRET), Secret("test001")) == [
        "The API key is 3 characters, not all hexadecimal; BitMart keys are 40 hexadecimal characters. Check that the "
        "whole key was pasted."]
    assert warnings(KEY[:-1], SECRET, "test001") == [
        "The API key is 39 characters; BitMart keys are 40 hexadecimal characters. Check that the whole key was pasted."]
    assert warnings(KEY, "g" * 64, "test001") == [
        "The secret is 64 characters, not all hexadecimal; BitMart secrets are 64 hexadecimal characters. Check that the "
        "whole secret was pasted."]
    assert warnings(KEY, SECRET + "0", "test001") == [
        "The secret is 65 characters; BitMart secrets are 64 hexadecimal characters. Check that the whole secret was pasted."]
    assert warnings(KEY, SECRET, "5550001") == [
        "The memo is all digits: that is usually the account UID, not the memo you typed when creating the key."]
    assert warnings(KEY, SECRET, KEY) == [
        "The memo is the same as the API key: the memo is the name you gave the key when you created it."]
    assert len(warnings("k", "s", "1")) == 3
