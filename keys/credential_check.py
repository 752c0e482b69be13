"""Credential hygiene at the door: what may not be in an API key, a secret or a memo, and what is
merely suspicious.

Refused (a sentence naming the field and the 1-based position, never the value): control characters
(CR from a Windows line ending, LF, NUL, tab...), zero-width and other invisible format characters,
surrounding whitespace or quotes, straight or typographic (a paste from a shell line, a JSON file or a chat
window: ‘ ’ “ ” « »), bytes that are not UTF-8 text (an environment variable), and anything non-ASCII in
the key, which travels in an HTTP header. Each of these either breaks the header (h11 refuses it, and
the old failure said "the server answered with something that is not valid HTTP") or signs a string
the venue never sees (a 30005 nobody can explain).

Warned about, not refused: a key that is not 40 hexadecimal characters, a secret that is not 64, a
memo of only digits (the account UID, not the memo), a memo equal to the key.
"""

from __future__ import annotations

import re

from keys.secret import Secret

KEY_LENGTH, SECRET_LENGTH = 40, 64
_HEX = r"[0-9a-fA-F]*"
# Cc (controls) and Cf (format: zero-width space/joiners, BOM, bidi marks, soft hyphen) in one pass. This and
# _NOT_TEXT are patterns re compiles at their first search (and caches): printable ASCII, what keys are, holds
# nothing either finds and is never searched, so a send or an inspect compiles neither (~0.5 ms of a start-up).
_INVISIBLE = r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]"
_NAMES = {"\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\x00": "a NUL byte", "\t": "a tab", "\ufeff": "a byte-order mark (U+FEFF)"}
# Straight quotes, and the typographic ones an editor or a chat window puts around a paste: every Unicode
# initial or final quote (‘ ’ “ ” « » ‹ › ‛ ‟ ...), plus the low-9 (‚ „), corner (「 」 『 』), full-width and prime marks.
_QUOTES = "\"'`\u00b4\u201a\u201e\u2032\u2033\u300c\u300d\u300e\u300f\uff02\uff07"
# A lone surrogate is how Python holds bytes that were not UTF-8 (KEYPROBE_SECRET=$(printf 'x\\xff')).
_NOT_TEXT = r"[\ud800-\udfff]"


def _is_quote(char: str) -> bool:
    if char in _QUOTES:
        return True
    if char.isascii():  # no ASCII character is an initial or final quote mark (Pi, Pf) but those listed
        return False
    import unicodedata

    return unicodedata.category(char) in ("Pi", "Pf")


def _describe(char: str) -> str:
    import unicodedata

    named = _NAMES.get(char)
    if named:
        return named
    kind = "a control character" if unicodedata.category(char) == "Cc" else "an invisible character"
    return f"{kind} (U+{ord(char):04X})"


def problem(field: str, value: Secret | str, *, ascii_only: bool = False) -> str | None:
    """The first thing that makes `value` unusable as `field`, as a sentence; None when it is fine."""
    text = value.reveal() if isinstance(value, Secret) else value
    if not text:
        return None
    printable_ascii = text.isascii() and text.isprintable()
    found = None if printable_ascii else re.search(_NOT_TEXT, text)
    if found:
        return (f"The {field} holds bytes that are not UTF-8 text at position {found.start() + 1} of {len(text)} "
                "(an environment variable set from other bytes, or a terminal in another encoding); enter it again as text.")
    found = None if printable_ascii else re.search(_INVISIBLE, text)
    if found:
        return (f"The {field} contains {_describe(found.group())} at position {found.start() + 1} of {len(text)}; "
                "it cannot be sent in a request. Enter it again (copy it from the venue's page, not from a file with Windows line endings).")
    if text != text.strip():
        where = "starts" if text[0].isspace() else "ends"
        position = 1 if where == "starts" else len(text)
        return (f"The {field} {where} with whitespace (position {position} of {len(text)}): a paste picked up a space. "
                "Enter it again without it.")
    if len(text) >= 2 and _is_quote(text[0]) and _is_quote(text[-1]):
        return f"The {field} is wrapped in quotes (positions 1 and {len(text)}); enter it without them."
    if ascii_only and not text.isascii():
        position = next(i for i, c in enumerate(text) if not c.isascii()) + 1
        return (f"The {field} contains a non-ASCII character at position {position} of {len(text)}; "
                "API keys are plain ASCII (a look-alike letter from a font or a translation slipped in).")
    return None


def refusal(api_key: Secret | str, secret: Secret | str, memo: Secret | str) -> str | None:
    """The first problem among the three, each named; None when all three may be used."""
    return (
        problem("API key", api_key, ascii_only=True)
        or problem("secret", secret)
        or problem("memo", memo)
    )


# Whose shape the warning compares with. WOO X Pro documents no key length; its pages' example key and secret
# are BitMart's (40 and 64 hexadecimal characters), so a WOO X Pro key is told so, not "BitMart keys are...".
_SHAPE_OF = {
    "wooxpro": ("WOO X Pro's example key is", "WOO X Pro's example secret is"),
    "emulator": ("the emulator's demo keys are", "the emulator's demo secrets are"),
}
_BITMART_SHAPE = ("BitMart keys are", "BitMart secrets are")


def warnings(api_key: Secret | str, secret: Secret | str, memo: Secret | str, venue: str = "bitmart") -> list[str]:
    """Suspicious but possible: each a sentence, never a value. `venue` (a tui.venues id) names whose shape."""
    keys_are, secrets_are = _SHAPE_OF.get(venue, _BITMART_SHAPE)
    key = api_key.reveal() if isinstance(api_key, Secret) else api_key
    sec = secret.reveal() if isinstance(secret, Secret) else secret
    mem = memo.reveal() if isinstance(memo, Secret) else memo
    notes = []
    if key and (len(key) != KEY_LENGTH or not re.fullmatch(_HEX, key)):
        notes.append(f"The API key is {_shape(key)}; {keys_are} {KEY_LENGTH} hexadecimal characters. Check that the whole key was pasted.")
    if sec and (len(sec) != SECRET_LENGTH or not re.fullmatch(_HEX, sec)):
        notes.append(f"The secret is {_shape(sec)}; {secrets_are} {SECRET_LENGTH} hexadecimal characters. Check that the whole secret was pasted.")
    if mem and mem.isdigit():
        notes.append("The memo is all digits: that is usually the account UID, not the memo you typed when creating the key.")
    if mem and mem == key:
        notes.append("The memo is the same as the API key: the memo is the name you gave the key when you created it.")
    return notes


def _shape(value: str) -> str:
    hexadecimal = "" if re.fullmatch(_HEX, value) else ", not all hexadecimal"
    count = "1 character" if len(value) == 1 else f"{len(value)} characters"
    return f"{count}{hexadecimal}"
