"""The known ways a client's signature goes wrong, as candidate pre-image parts (issue 12 item 3).

Each generator answers one question about the request as it was sent: "what else might that code have
signed here?", with a stable variant id per answer. Candidates are grouped by the part of the pre-image
they change (payload, timestamp, memo, secret), so forensics can also try one change from each of two
groups (a spaced body signed with a seconds timestamp). Plaintext memo and secret values stay here and in
keys.forensics; what leaves keys/ is the id and a masked rendering of the memo.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode

# Ids exactly as issue 12 lists them: they are part of `inspect --json`'s contract.
VARIANT_IDS = (
    "body-spaced-json", "body-sorted-keys", "body-ascii-escaped", "body-not-ascii-escaped", "body-empty-braces",
    "get-signed-empty", "get-signed-body", "query-sorted", "query-other-encoding", "query-with-question-mark",
    "path-and-query", "timestamp-seconds", "timestamp-other", "memo-empty", "memo-whitespace", "memo-case",
    "memo-uid", "memo-missing", "secret-whitespace", "secret-quoted", "key-secret-swapped", "hex-uppercase",
    "digest-base64", "woox-scheme",
)
# What each mistake means, for the verdict's sentence ("the code signed ...").
MEANINGS = {
    "body-spaced-json": "the JSON body with other spacing than the bytes sent (json.dumps' \", \" and \": \" versus compact)",
    "body-sorted-keys": "the JSON body with its keys in another order than sent",
    "body-ascii-escaped": "the body with non-ASCII characters escaped (\\u00e9) while it sent them as UTF-8",
    "body-not-ascii-escaped": "the body with non-ASCII characters as UTF-8 while it sent them escaped (\\u00e9)",
    "body-empty-braces": "\"{}\" instead of the body (or query) sent",
    "get-signed-empty": "an empty payload for a GET/DELETE whose query the venue signs",
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
}
TIMESTAMP_OTHER_WINDOW_MS = 1500  # a second timestamp taken within 1.5 s of the one sent (ordered nearest first)
_STYLES = [(spaced, sort, ascii_) for spaced in (False, True) for sort in (False, True) for ascii_ in (True, False)]


def _dump(obj: object, spaced: bool, sort: bool, ascii_: bool) -> str:
    return json.dumps(obj, separators=(", ", ": ") if spaced else (",", ":"), sort_keys=sort, ensure_ascii=ascii_)


def body_variants(body: str) -> list[tuple[tuple[str, ...], str]]:
    """Other serialisations of the same JSON body: each flips one (or two) of spacing, key order, escaping."""
    out: list[tuple[tuple[str, ...], str]] = []
    if body != "{}":
        out.append((("body-empty-braces",), "{}"))
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError):
        return out
    if not isinstance(obj, (dict, list)):
        return out
    try:
        sent = next((s for s in _STYLES if _dump(obj, *s) == body), None)
    except (ValueError, RecursionError):
        return out
    has_non_ascii = not body.isascii() or "\\u" in body
    if sent is None:  # hand-formatted JSON: compare against compact, key order kept, escaping as sent
        sent = (False, False, "\\u" in body or body.isascii())
    seen = {body}
    for spaced, sort, ascii_ in _STYLES:
        ids = []
        if spaced != sent[0]:
            ids.append("body-spaced-json")
        if sort != sent[1]:
            ids.append("body-sorted-keys")
        if ascii_ != sent[2]:
            if not has_non_ascii:
                continue  # escaping changes nothing in an all-ASCII body
            ids.append("body-ascii-escaped" if ascii_ else "body-not-ascii-escaped")
        if not ids or len(ids) > 2:
            continue
        text = _dump(obj, spaced, sort, ascii_)
        if text not in seen:
            seen.add(text)
            out.append((tuple(ids), text))
    return out


def query_variants(query: str) -> list[tuple[tuple[str, ...], str]]:
    """The query as other code might have signed it: sorted, encoded otherwise, with its `?`."""
    if not query:
        return []
    out: list[tuple[tuple[str, ...], str]] = []
    seen = {query}

    def add(vid: str, text: str) -> None:
        if text not in seen:
            seen.add(text)
            out.append(((vid,), text))

    add("query-sorted", "&".join(sorted(query.split("&"))))
    pairs = parse_qsl(query, keep_blank_values=True)
    add("query-other-encoding", unquote(query.replace("+", " ")))  # signed before encoding
    add("query-other-encoding", urlencode(pairs))  # quote_plus: spaces as +
    add("query-other-encoding", urlencode(pairs, quote_via=quote))  # spaces as %20
    add("query-other-encoding", urlencode(pairs, quote_via=quote, safe=","))  # commas kept
    add("query-other-encoding", urlencode(pairs, safe=","))
    add("query-other-encoding", "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs).replace("%2C", ","))
    add("query-with-question-mark", "?" + query)
    add("query-sorted", "&".join(sorted(urlencode(pairs).split("&"))))
    return out


def payload_variants(method: str, path: str, query: str, body: str, body_signed: bool) -> list[tuple[tuple[str, ...], str]]:
    """Every other payload a client might have put after the second `#`."""
    out: list[tuple[tuple[str, ...], str]] = []
    if body_signed:
        out += body_variants(body) if body else [(("body-empty-braces",), "{}")]
        if query:
            out += [(("path-and-query",), f"{path}?{query}"), (("query-with-question-mark",), "?" + query)]
        out.append((("path-and-query",), path + body))
        return out
    # GET / DELETE: the payload is the query; clients disagree (field-notes.md 5)
    if query:
        out.append((("get-signed-empty",), ""))
    out += query_variants(query)
    if body:
        out.append((("get-signed-body",), body))
    elif query:
        params = dict(parse_qsl(query, keep_blank_values=True))
        out += [(("get-signed-body",), json.dumps(params, separators=(",", ":"))), (("get-signed-body",), json.dumps(params))]
    out.append((("body-empty-braces",), "{}"))
    out.append((("path-and-query",), f"{path}?{query}" if query else path))
    return out


def seconds_variants(timestamp: str) -> list[tuple[tuple[str, ...], str]]:
    """The millisecond timestamp sent, signed as seconds (truncated, rounded, or with a fraction)."""
    if not (timestamp.isdigit() and len(timestamp) == 13):
        return []
    ms = int(timestamp)
    out = [(("timestamp-seconds",), timestamp[:10])]
    if str(round(ms / 1000)) != timestamp[:10]:
        out.append((("timestamp-seconds",), str(round(ms / 1000))))
    return out + [(("timestamp-seconds",), f"{ms / 1000:.3f}")]


def other_timestamps(timestamp: str) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every other millisecond near the one sent, nearest first (a second clock reading signed)."""
    if not timestamp.isdigit():
        return
    value = int(timestamp)
    for step in range(1, TIMESTAMP_OTHER_WINDOW_MS + 1):
        for other in (value - step, value + step):
            if other > 0:
                yield ("timestamp-other",), str(other)


def memo_variants(memo: str, uid: str | None) -> list[tuple[tuple[str, ...], str | None, str]]:
    """(ids, memo to try or None for no memo segment, how to show it). Shown forms never hold the memo."""
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
        for value, shown in ((memo + " ", "<memo> "), (" " + memo, " <memo>"), (memo + "\n", "<memo>\\n"), (memo + "\r\n", "<memo>\\r\\n")):
            add("memo-whitespace", value, shown)
    for value, shown in ((memo.lower(), "<memo lower-cased>"), (memo.upper(), "<memo upper-cased>"),
                         (memo.capitalize(), "<memo capitalised>"), (memo.swapcase(), "<memo case swapped>")):
        add("memo-case", value, shown)
    if uid:
        add("memo-uid", uid, "<uid>")
    add("memo-missing", None, "")
    return out


def secret_variants(secret: str, api_key: str) -> list[tuple[tuple[str, ...], str]]:
    out: list[tuple[tuple[str, ...], str]] = []
    seen = {secret}

    def add(vid: str, value: str) -> None:
        if value and value not in seen:
            seen.add(value)
            out.append(((vid,), value))

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
    add("key-secret-swapped", api_key)
    return out


def woox_preimages(timestamp: str, method: str, path: str, query: str, body: str) -> list[str]:
    """WOO X's (developer.woox.io, a different venue) `timestamp + METHOD + path + body` pre-images."""
    target = f"{path}?{query}" if query else path
    forms = [f"{timestamp}{method}{target}{body}", f"{timestamp}{method}{path}{body}"]
    return list(dict.fromkeys(forms))
