"""The known ways a client's signature goes wrong: the ids, what each means, and the parts every pre-image shares.

A signature is HMAC(secret, timestamp#memo#payload) in lower-case hex. Each generator here answers one question
about the parts a client put in, with a stable variant id per answer: "what else might that code have used as
the timestamp, the memo, the secret, or at the end of the string?". What a payload may be depends on the payload
rule (REST's is in keys.rest_variants; a WebSocket login's marker would be another), so the forensics takes the
payload alternatives from the caller and these groups from here. The digest's algorithm and encoding are read
off the signature itself (its length and alphabet). Plaintext memo and secret values stay in keys/; what
leaves is an id and a masked rendering.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

MEMO_SHOWN = "****"  # keys.signing.MEMO_MASK, here without importing the signer

# Ids are part of `inspect --json`'s contract: never renamed, only added.
MEANINGS = {
    "body-spaced-json": "the JSON body with other spacing than the bytes sent (json.dumps' \", \" and \": \" versus compact)",
    "body-sorted-keys": "the JSON body with its keys in another order than sent",
    "body-ascii-escaped": "the body with non-ASCII characters escaped (\\u00e9) while it sent them as UTF-8",
    "body-not-ascii-escaped": "the body with non-ASCII characters as UTF-8 while it sent them escaped (\\u00e9)",
    "body-empty-braces": "\"{}\" instead of the body (or query) sent",
    "get-signed-empty": "an empty payload for a GET/DELETE whose query the venue signs (the official SDK's rule)",
    "get-signed-body": "a JSON body for a GET/DELETE instead of its query string",
    "query-sorted": "the query parameters sorted, while it sent them in another order",
    "query-other-encoding": "the query encoded otherwise than sent (%20 versus +, commas, or not encoded)",
    "query-with-question-mark": "the query with its leading '?'",
    "path-and-query": "the path as well as the query or body",
    "timestamp-seconds": "a timestamp in seconds while the header carries milliseconds",
    "timestamp-other": "another timestamp than the one in the header (the clock was read twice)",
    "memo-empty": "an empty memo",
    "memo-whitespace": "the memo with whitespace around it",
    "memo-case": "the memo in another letter case (memos are case-sensitive)",
    "memo-uid": "the account UID where the key's memo belongs",
    "memo-missing": "no memo segment at all (timestamp#payload)",
    "secret-whitespace": "the secret with whitespace or a newline around it",
    "secret-quoted": "the secret with quotes around it",
    "key-secret-swapped": "the API key in place of the secret",
    "hex-uppercase": "the right string, then sent the digest in upper-case hex (the venue wants lower case)",
    "digest-base64": "the right string, then sent the digest in base64 (the venue wants lower-case hex)",
    "woox-scheme": "WOO X's pre-image (timestamp+METHOD+path+body), a different venue's scheme",
    # issue 23: what hand-written signers get wrong
    "digest-sha512": "with HMAC-SHA512 (a 128-hex-digit signature) where the venue checks HMAC-SHA256 (64)",
    "digest-sha384": "with HMAC-SHA384 (a 96-hex-digit signature) where the venue checks HMAC-SHA256 (64)",
    "digest-sha1": "with HMAC-SHA1 (a 40-hex-digit signature) where the venue checks HMAC-SHA256 (64)",
    "digest-md5": "with HMAC-MD5 (a 32-hex-digit signature) where the venue checks HMAC-SHA256 (64)",
    "hmac-key-message-swapped": "the secret as the message and the pre-image as the HMAC key (hmac.new's arguments swapped)",
    "hash-not-hmac": "a plain SHA-256 of the pre-image (with or without the secret glued to it), not an HMAC keyed by the secret",
    "secret-base64-decoded": "with the secret base64-decoded first (the venue keys the HMAC with the secret's text as issued)",
    "secret-hex-decoded": "with the secret hex-decoded first (bytes.fromhex; the venue keys the HMAC with the secret's text)",
    "secret-literal-newline": "with a literal backslash-n (two characters) at the end of the secret, as an .env file was read",
    "memo-literal-newline": "the memo with a literal backslash-n (two characters) at its end, as an .env file was read",
    "preimage-trailing-newline": "the string with a newline at its end (shell `echo` without -n, or a here-string)",
    "body-trailing-newline": "the body without the newline (or spaces) the client added after it when sending",
    "body-python-repr": "Python's str() of the parameters ({'symbol': 'BTCUSDT'}: single quotes) instead of their JSON",
    "body-json-twice": "the body JSON-encoded once where it was sent encoded twice (a JSON string holding the JSON), or the reverse",
    "body-numbers-rerendered": "the numbers rendered otherwise than sent (1e-05 versus 0.00001, 20000.0 versus 20000, \"1\" versus 1)",
    "post-signed-as-query": ("the parameters as a query string (a=1&b=2), or the empty query, as a GET helper signs, "
                             "for a POST whose JSON body the venue signs"),
    "body-form-signed-json": "the parameters as JSON, while it sent them form-encoded (a=1&b=2)",
    # hand-written signers beyond issue 23's list (s20-clients)
    "separator-other": "the parts joined by another separator than '#' (':', '|', a space, or none at all)",
    "preimage-order": "the timestamp, memo and payload in another order (memo#timestamp#payload, ...)",
    "preimage-empty-part-dropped": "timestamp#memo without the '#' before the empty payload ('#'.join of the non-empty parts)",
    "preimage-echo-dash-n": ("'-n ' before the string and a newline after it: `echo -n` in a shell whose echo takes no "
                             "options (macOS /bin/sh)"),
    "memo-is-key": "the API key where the memo belongs",
    "memo-quoted": "the memo with quotes around it (an .env value read with its quotes)",
    "memo-invisible-character": "the memo with an invisible character at its start (a byte-order mark: a file saved as UTF-8 with BOM)",
    "secret-invisible-character": ("with an invisible character at the start or end of the secret (a byte-order mark from a "
                                   "file saved as UTF-8 with BOM, a zero-width or no-break space from a web page)"),
    "timestamp-float": ("the timestamp as a float's text (1764525600123.4568, or 1764525600123.0: time.time() * 1000 never "
                        "made an int) while the header carries the integer"),
    "digest-sha3-256": "with HMAC-SHA3-256 (hashlib.sha3_256, as long as SHA-256) where the venue checks HMAC-SHA256",
    "digest-hex-base64": ("the right string, then sent its hex digest base64-encoded (88 characters) where the venue wants "
                          "the 64 hex digits themselves"),
    "signature-openssl-label": ("the right string, then sent openssl dgst's whole output line (\"SHA2-256(stdin)= \" before the "
                                "hex digits) as the signature"),
    "body-pretty-printed": ("the JSON body pretty-printed (indented, a field a line) while it sent it on one line "
                            "(JSON.stringify(body, null, 2) or json.dumps(indent=2) signed; or `curl -d @file`, which drops "
                            "the file's newlines)"),
    "body-field-added": "the body without one of its fields: the field was added after signing (a client_order_id set later, or one an SDK or proxy adds)",
    "body-bytes-repr": "Python's bytes repr of the body (b'{...}': a bytes object formatted into an f-string) instead of its text",
    "body-js-object": "the text [object Object] (a JavaScript object put into a string before JSON.stringify) instead of its JSON",
    "body-percent-encoded": "the body percent-encoded (encodeURIComponent or quote) while it sent it as plain JSON",
    "body-latin1-sent": ("the body's text as UTF-8, while it sent it encoded as ISO-8859-1 (http.client and requests encode a "
                         "str body so)"),
    "url-signed": "the whole URL (scheme, host, path and query) instead of the query string",
    "woox-v1-scheme": ("WOO X's older pre-image (the parameters sorted and urlencoded, then '|' and the timestamp), a "
                       "different venue's scheme"),
}
VARIANT_IDS = tuple(MEANINGS)

TIMESTAMP_OTHER_WINDOW_MS = 1500  # a second timestamp taken within 1.5 s of the one sent (ordered nearest first)
# The digest's length says its algorithm (bytes -> hashlib name, variant id); 32 bytes is the venue's SHA-256.
DIGESTS = {32: ("sha256", None), 64: ("sha512", "digest-sha512"), 48: ("sha384", "digest-sha384"),
           20: ("sha1", "digest-sha1"), 16: ("md5", "digest-md5")}
SUFFIXES = ((("preimage-trailing-newline",), "\n", "\\n"), (("preimage-trailing-newline",), "\r\n", "\\r\\n"))

Group = list[tuple[tuple[str, ...], str]]


# openssl dgst's output line, kept whole by a shell script: "SHA2-256(stdin)= 3f…", "HMAC-SHA256(stdin)= 3f…", "(stdin)= 3f…"
_OPENSSL_LABEL = re.compile(r"(?:[A-Za-z0-9-]{1,24})?\((?:stdin|-)\)=\s*([0-9A-Fa-f]+)")
_HEX_TEXT = re.compile(rb"[0-9a-f]+")


def read_signature(signature: str) -> tuple[bytes, str, tuple[str, ...]] | None:
    """(digest bytes, hashlib name, the ids its form shows) for a hex or base64 signature of a known length."""
    text = signature.strip()
    labelled = _OPENSSL_LABEL.fullmatch(text)
    if labelled is not None:
        read = read_signature(labelled.group(1))
        return None if read is None else (read[0], read[1], ("signature-openssl-label",) + read[2])
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = None
    if raw is not None and len(raw) in DIGESTS and len(text) == 2 * len(raw):
        name, vid = DIGESTS[len(raw)]
        return raw, name, (("hex-uppercase",) if text != text.lower() else ()) + ((vid,) if vid else ())
    import base64  # here: a hex signature, the usual one, needs no base64 (~0.6 ms of an inspect's start-up)

    try:
        raw = base64.b64decode(text, validate=True) if text else b""
    except ValueError:  # binascii.Error is one
        return None
    if len(raw) // 2 in DIGESTS and len(raw) % 2 == 0 and _HEX_TEXT.fullmatch(raw):  # base64 of the hex text, not of the digest
        name, vid = DIGESTS[len(raw) // 2]
        return bytes.fromhex(raw.decode()), name, ("digest-hex-base64",) + ((vid,) if vid else ())
    if len(raw) not in DIGESTS:
        return None
    name, vid = DIGESTS[len(raw)]
    return raw, name, ("digest-base64",) + ((vid,) if vid else ())


def seconds_variants(timestamp: str) -> Group:
    """The millisecond timestamp sent, signed as seconds (truncated, rounded, or with a fraction)."""
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) == 13):
        return []
    ms = int(timestamp)
    out = [(("timestamp-seconds",), timestamp[:10])]
    if str(round(ms / 1000)) != timestamp[:10]:
        out.append((("timestamp-seconds",), str(round(ms / 1000))))
    return out + [(("timestamp-seconds",), f"{ms / 1000:.3f}")]


def other_timestamps(timestamp: str) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every other millisecond near the one sent, nearest first, earlier before later (a second clock reading)."""
    if not (timestamp.isascii() and timestamp.isdigit()):  # '²' is a digit to isdigit, not to int
        return
    value = int(timestamp)
    for step in range(1, TIMESTAMP_OTHER_WINDOW_MS + 1):
        for other in (value - step, value + step):
            if other > 0:
                yield ("timestamp-other",), str(other)


def memo_variants(memo: str, uid: str | None, api_key: str | None = None) -> list[tuple[tuple[str, ...], str | None, str]]:
    """(ids, memo to try or None for no memo segment, how to show it). Shown forms never hold the memo.
    `api_key`: the key the request carries, tried as the memo (REST passes it; a WebSocket login need not)."""
    out: list[tuple[tuple[str, ...], str | None, str]] = []
    seen = {memo}

    def add(vid: str, value: str | None, shown: str) -> None:
        if value is None or value not in seen:
            if value is not None:
                seen.add(value)
            out.append(((vid,), value, shown))

    if memo:
        add("memo-empty", "", "")
    stripped = memo.strip()
    if stripped != memo:
        add("memo-whitespace", stripped, "<memo trimmed>")
    elif memo:
        for value, shown in ((memo + " ", "<memo> "), (" " + memo, " <memo>"), (memo + "\n", "<memo>\\n"),
                             (memo + "\r\n", "<memo>\\r\\n")):
            add("memo-whitespace", value, shown)
    for value, shown in ((memo.lower(), "<memo lower-cased>"), (memo.upper(), "<memo upper-cased>"),
                         (memo.capitalize(), "<memo capitalised>"), (memo.swapcase(), "<memo case swapped>")):
        add("memo-case", value, shown)
    if memo:
        for value, shown in ((memo + "\\n", "<memo>\\\\n"), (memo + "\\r\\n", "<memo>\\\\r\\\\n")):
            add("memo-literal-newline", value, shown)  # shown escaped (\\n): a backslash and an n, not a newline
    if uid:
        add("memo-uid", uid, "<uid>")
    add("memo-missing", None, "")
    if api_key:
        add("memo-is-key", api_key, "<api key>")
    if memo:
        for value, shown in (('"' + memo + '"', '"<memo>"'), ("'" + memo + "'", "'<memo>'")):
            add("memo-quoted", value, shown)
        add("memo-invisible-character", "\ufeff" + memo, "<BOM><memo>")
    return out


def secret_variants(secret: str, api_key: str) -> list[tuple[tuple[str, ...], bytes]]:
    """(ids, HMAC key bytes): the secret as other code might have keyed the HMAC with it."""
    out: list[tuple[tuple[str, ...], bytes]] = []
    seen = {secret.encode("utf-8", "surrogateescape")}

    def add(vid: str, value: str | bytes) -> None:
        key = value if isinstance(value, bytes) else value.encode("utf-8", "surrogateescape")
        if key and key not in seen:
            seen.add(key)
            out.append(((vid,), key))

    stripped = secret.strip()
    if stripped != secret:
        add("secret-whitespace", stripped)
    for value in (secret + "\n", secret + " ", " " + secret, secret + "\r\n", secret + "\t"):
        add("secret-whitespace", value)
    unquoted = secret.strip().strip("'\"")
    if unquoted != secret.strip():
        add("secret-quoted", unquoted)
    for quote_char in ('"', "'"):
        add("secret-quoted", quote_char + secret + quote_char)
    for value in (secret + "\\n", secret + "\\r\\n", stripped + "\\n"):
        add("secret-literal-newline", value)
    try:
        add("secret-hex-decoded", bytes.fromhex(stripped))
    except ValueError:
        pass
    import base64  # here: only a mismatch builds the secret's variants

    padded = stripped + "=" * (-len(stripped) % 4)
    for decode in (lambda text: base64.b64decode(text, validate=True), base64.urlsafe_b64decode):
        try:
            add("secret-base64-decoded", decode(padded))
        except ValueError:  # binascii.Error is one
            pass
    add("key-secret-swapped", api_key)
    for value in ("\ufeff" + stripped, stripped + "\u200b", "\u200b" + stripped, stripped + "\u00a0"):
        add("secret-invisible-character", value)
    return out


# Ids whose candidates are not paired with a second clock reading (~3,000 timestamps each): rarer mistakes, tried
# alone and with the other parts' mistakes only, so they add a few hundred HMACs to the worst case, not thousands.
NOT_WITH_OTHER_TIMESTAMPS = frozenset({
    "memo-is-key", "memo-quoted", "memo-invisible-character", "body-pretty-printed", "body-field-added",
    "body-bytes-repr", "body-js-object", "body-percent-encoded", "body-latin1-sent", "url-signed"})
SEPARATORS = ("", ":", "|", ",", " ", "&", ";", ".", "_", "-", "\n", "/", "+")


def layout_variants(timestamp: str, memo: str, api_key: str = "") -> list[tuple[tuple[str, ...], str, str, str, str]]:
    """The pre-image laid out otherwise, as (ids, prefix, suffix, prefix shown, suffix shown): the message is
    prefix + payload + suffix, so a big payload is never copied for a prefix. Shown forms mask the memo."""
    shown = MEMO_SHOWN if memo else ""
    out: list[tuple[tuple[str, ...], str, str, str, str]] = []
    for sep in SEPARATORS:
        out.append((("separator-other",), f"{timestamp}{sep}{memo}{sep}", "", f"{timestamp}{sep}{shown}{sep}", ""))
    if memo:  # the three parts in the other five orders, '#' between them
        out += [(("preimage-order",), f"{memo}#{timestamp}#", "", f"{shown}#{timestamp}#", ""),
                (("preimage-order",), "", f"#{timestamp}#{memo}", "", f"#{timestamp}#{shown}"),
                (("preimage-order",), "", f"#{memo}#{timestamp}", "", f"#{shown}#{timestamp}"),
                (("preimage-order",), f"{timestamp}#", f"#{memo}", f"{timestamp}#", f"#{shown}"),
                (("preimage-order",), f"{memo}#", f"#{timestamp}", f"{shown}#", f"#{timestamp}")]
    for newline, newline_shown in (("\n", "\\n"), ("", "")):
        out.append((("preimage-echo-dash-n",), f"-n {timestamp}#{memo}#", newline, f"-n {timestamp}#{shown}#", newline_shown))
    return out


def empty_part_dropped(timestamp: str, memo: str) -> tuple[str, str]:
    """'#'.join(filter(None, [timestamp, memo, ""])): the pre-image of an empty payload without its last '#'."""
    return f"{timestamp}#{memo}", f"{timestamp}#{MEMO_SHOWN if memo else ''}"


MAX_FLOAT_TIMESTAMPS = 8192  # the floats in [ms, ms + 1) for any timestamp from 2**39 ms (2017) on


def float_timestamps(timestamp: str) -> Iterator[str]:
    """The texts of every float in [ms, ms + 1) (time.time() * 1000 kept a float: int() for the header, the float
    itself in the f-string), Python's repr and JavaScript's String() alike; 4,096 of them for today's dates. Only for
    a millisecond timestamp (13 to 15 digits, at most 8,192 floats): [1, 2) holds 2**52 of them, and a header
    `X-API-TIMESTAMP: 1` held the proxy's checker for ever, its list growing until the memory ran out. The bound is
    on the value, not the digits: `0000000000000` is 13 digits and [0, 1) holds 2**62 floats."""
    if not (timestamp.isascii() and timestamp.isdigit() and 13 <= len(timestamp) <= 15):
        return
    value, end = float(int(timestamp)), int(timestamp) + 1
    if math.ulp(value) < 1 / MAX_FLOAT_TIMESTAMPS:
        return
    while value < end:
        yield repr(value)
        value = math.nextafter(value, math.inf)
