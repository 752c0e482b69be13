"""REST's payload alternatives: what else a client might have put after the second `#` (issues 12 and 23).

The venue signs a POST/PUT over its body's exact bytes and a GET/DELETE over its exact query string
(keys.payload). Each function returns (ids, payload) pairs for the request as it was sent, the likeliest
first; at most two ids from the payload's own group (a spaced body with its numbers re-rendered), so the
forensics can pair each with one change of another part (a seconds timestamp, a memo, a secret).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode

Group = list[tuple[tuple[str, ...], str]]
# A bigger body gets only the check as sent: each variant is a copy of it, and building them is pure Python over every
# number (a 1 MiB array of numbers took 8 s past the search's 2 s budget, holding the proxy's checker). An order
# body is a few hundred bytes, a batch of them a few KiB.
MAX_BODY_FOR_VARIANTS = 64 * 1024
_STYLES = [(spaced, sort, ascii_) for spaced in (False, True) for sort in (False, True) for ascii_ in (True, False)]
# A JSON string or number token: numbers are re-rendered, strings kept (a digit inside a string is not a number).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?', re.S)
_NUMERIC_STRING = re.compile(r'"(-?(?:0|[1-9][0-9]{0,30})(?:\.[0-9]{1,30})?)"')
_FORM = re.compile(r"[\w.%+-]+=[^&]*(?:&[\w.%+-]+=[^&]*)*")


def _dump(obj: object, spaced: bool, sort: bool, ascii_: bool) -> str:
    return json.dumps(obj, separators=(", ", ": ") if spaced else (",", ":"), sort_keys=sort, ensure_ascii=ascii_)


_PLACE = re.compile(r'"\\u001a([0-9]+)\\u001a"')


class _Tokens(list):
    """The number tokens of a JSON text, each parsed as a placeholder string, so a re-serialisation keeps every
    number exactly as sent (json.dumps would write 0.00001000 as 1e-05) and only spacing, order or escaping change."""

    def placeholder(self, token: str) -> str:
        self.append(token)
        return f"\x1a{len(self) - 1}\x1a"

    def dump(self, obj: object, spaced: bool, sort: bool, ascii_: bool) -> str:
        return _PLACE.sub(lambda m: self[int(m.group(1))], _dump(obj, spaced, sort, ascii_))


def _loads_raw(text: str) -> tuple[object, _Tokens]:
    tokens = _Tokens()
    try:
        return json.loads(text, parse_float=tokens.placeholder, parse_int=tokens.placeholder,
                          parse_constant=tokens.placeholder), tokens
    except (ValueError, RecursionError):
        return None, tokens


def _loads(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _sent_style(body: str, obj: object, tokens: _Tokens) -> tuple[bool, bool, bool] | None:
    """(spaced, sorted, ascii) of the body as sent; hand-formatted JSON reads as compact, order kept, escaping as sent."""
    try:
        sent = next((s for s in _STYLES if tokens.dump(obj, *s) == body), None)
    except (ValueError, RecursionError):
        return None
    return sent or (False, False, "\\u" in body or body.isascii())


def _style_variants(body: str, obj: object, tokens: _Tokens) -> Group:
    """Other serialisations of the same JSON, numbers as sent: each flips one or two of spacing, key order, escaping."""
    sent = _sent_style(body, obj, tokens)
    if sent is None:
        return []
    has_non_ascii = not body.isascii() or "\\u" in body
    out: Group = []
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
        text = tokens.dump(obj, spaced, sort, ascii_)
        if text not in seen:
            seen.add(text)
            out.append((tuple(ids), text))
    return out


def _js_number(value: float) -> str:
    """JavaScript's Number#toString: plain between 1e-7 and 1e21, else an exponent without padding (1e-7, 1e+21)."""
    if value == int(value) and abs(value) < 1e21:
        return str(int(value))
    if 1e-7 <= abs(value) < 1e21:
        return format(Decimal(repr(value)), "f")
    mantissa, _, exponent = repr(value).partition("e")
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"


def _renderings(token: str) -> tuple[str, str, str, str]:
    """A number token as Python's float repr, as a plain decimal, as JavaScript writes it, and as an int or float."""
    try:
        value = float(token)
        plain = format(Decimal(token), "f")
    except (ValueError, OverflowError, InvalidOperation):
        return token, token, token, token
    is_int = not any(c in token for c in ".eE")
    python = repr(value) if not is_int else token
    js = _js_number(value) if value == value and abs(value) != float("inf") else token
    other_type = token + ".0" if is_int else (str(int(value)) if value.is_integer() and abs(value) < 1e16 else token)
    return python, plain, js, other_type


def _numbers_rerendered(body: str) -> list[str]:
    """The body with its numbers rendered each other way, everything else (spacing, order, strings) as sent."""
    tokens = list(_TOKEN.finditer(body))
    numbers = [m for m in tokens if not m.group().startswith('"')]
    out: list[str] = []
    if numbers:
        rendered = [_renderings(m.group()) for m in numbers]  # once per number, not once per way
        for way in range(4):
            pieces, last = [], 0
            for m, ways in zip(numbers, rendered):
                pieces += [body[last:m.start()], ways[way]]
                last = m.end()
            out.append("".join(pieces) + body[last:])
        # and every number as a string ("size":"1" signed, "size":1 sent)
        out.append(_TOKEN.sub(lambda m: m.group() if m.group().startswith('"') else f'"{m.group()}"', body))
    if _NUMERIC_STRING.search(body):  # and the reverse: strings of digits sent, numbers signed
        out.append(_TOKEN.sub(lambda m: _NUMERIC_STRING.sub(r"\1", m.group()) if m.group().startswith('"') else m.group(), body))
    return [text for text in dict.fromkeys(out) if text != body]


MAX_FIELDS_DROPPED = 32  # body-field-added: one candidate per top-level field
_ENCODE_URI_SAFE = "-_.!~*'()"  # what JavaScript's encodeURIComponent leaves alone


def _rarer_body_variants(body: str, obj: object, tokens: _Tokens) -> Group:
    """What hand-written signers did to the body beyond re-serialising it (each one candidate or a few)."""
    out: Group = [(("body-bytes-repr",), repr(body.encode("utf-8", "surrogateescape"))),
                  (("body-js-object",), "[object Object]"),
                  (("body-percent-encoded",), quote(body, safe=_ENCODE_URI_SAFE, errors="surrogateescape")),
                  (("body-percent-encoded",), quote_plus(body, safe="", errors="surrogateescape"))]
    sent = _sent_style(body, obj, tokens)
    if sent is None:
        return out
    try:
        for indent in (2, 4):
            out.append((("body-pretty-printed",), _PLACE.sub(lambda m: tokens[int(m.group(1))],
                                                             json.dumps(obj, indent=indent, ensure_ascii=sent[2]))))
        if isinstance(obj, dict) and 1 < len(obj) <= MAX_FIELDS_DROPPED:
            for name in obj:
                out.append((("body-field-added",), tokens.dump({k: v for k, v in obj.items() if k != name}, *sent)))
    except (ValueError, RecursionError):
        pass
    return out


def body_variants(body: str) -> Group:
    """Other serialisations of the body sent: spacing, key order, escaping, numbers, repr, twice-encoded."""
    out: Group = []
    if body != "{}":
        out.append((("body-empty-braces",), "{}"))
    raw = body.encode("utf-8", "surrogateescape")
    if not body.isascii() and raw != body.encode("utf-8", "replace"):  # bytes that are no UTF-8: ISO-8859-1 sent
        out.append((("body-latin1-sent",), raw.decode("latin-1")))
    stripped = body.strip()
    if stripped != body and stripped:
        out.append((("body-trailing-newline",), stripped))
        for ids, text in body_variants(stripped):
            if text != body and len(ids) == 1 and ids != ("body-empty-braces",):
                out.append((ids + ("body-trailing-newline",), text))
        return out
    obj, tokens = _loads_raw(body)
    if isinstance(obj, str):  # sent as a JSON string holding the JSON: the code signed the inner text
        out.append((("body-json-twice",), obj))
        inner, inner_tokens = _loads_raw(obj)
        if isinstance(inner, (dict, list)):
            out += [(("body-json-twice",) + ids, text) for ids, text in _style_variants(obj, inner, inner_tokens) if len(ids) == 1]
        return out
    if isinstance(obj, (dict, list)):
        styles = _style_variants(body, obj, tokens)
        out += styles
        out += [(("body-numbers-rerendered",), text) for text in _numbers_rerendered(body)]
        for ids, text in styles:
            if len(ids) == 1:
                out += [(ids + ("body-numbers-rerendered",), t) for t in _numbers_rerendered(text)]
        params = _loads(body)  # with Python's own numbers: what the signing code's dict held
        out += [(("body-python-repr",), str(params))]
        out += [(("body-json-twice",), json.dumps(text)) for text in (body, tokens.dump(obj, False, False, True),
                                                                      tokens.dump(obj, True, False, True))]
        if isinstance(params, dict):
            out += [(("post-signed-as-query",), text) for text in _as_query(params)]
        out += _rarer_body_variants(body, obj, tokens)
    elif _FORM.fullmatch(body):
        out += [(("body-form-signed-json",), text) for text in _form_as_json(body)]
    elif body.startswith("{") and (params := _python_dict(body)) is not None:  # str(dict) sent: its JSON signed
        out += [(("body-python-repr",), _dump(params, spaced, False, True)) for spaced in (True, False)]
    return _unique(out, body)


def _python_dict(text: str) -> dict | None:
    import ast

    try:
        value = ast.literal_eval(text) if len(text) < 65536 else None
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _as_query(obj: dict) -> list[str]:
    """A JSON object's parameters as a GET helper would sign them (the empty query of a POST, or urlencoded)."""
    flat = {str(k): ("true" if v is True else "false" if v is False else v) for k, v in obj.items()
            if not isinstance(v, (dict, list))}
    pairs = [(k, str(v)) for k, v in flat.items()]
    esc = "surrogateescape"  # a body that was no UTF-8 (ISO-8859-1 sent) keeps its bytes as stand-ins
    return ["", urlencode(pairs, errors=esc), urlencode(pairs, quote_via=quote, errors=esc), "&".join(f"{k}={v}" for k, v in pairs),
            urlencode(sorted(pairs), errors=esc), urlencode([(k, str(v)) for k, v in obj.items()], errors=esc)]


_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,30})")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]{0,30})\.[0-9]{1,30}")
MAX_TYPED_FIELDS = 6  # each number-like form field was a number or a string in the signed dict: 2**6 readings at most


def _form_as_json(body: str) -> list[str]:
    """The form's parameters as the JSON a code signed before sending them form-encoded (requests' data=): a
    form loses the types, so each field that reads as a number is tried as a number and as a string."""
    pairs = parse_qsl(body, keep_blank_values=True)
    numeric = [i for i, (_, value) in enumerate(pairs) if _INT.fullmatch(value) or _FLOAT.fullmatch(value)]
    choices = range(1 << len(numeric)) if len(numeric) <= MAX_TYPED_FIELDS else (0, (1 << len(numeric)) - 1)
    out = []
    for choice in choices:
        typed = dict(pairs)
        for bit, index in enumerate(numeric):
            if choice >> bit & 1:
                key, value = pairs[index]
                typed[key] = int(value) if _INT.fullmatch(value) else float(value)
        out += [_dump(typed, spaced, False, True) for spaced in (True, False)]
    return out


def _unique(group: Group, sent: str) -> Group:
    seen, out = {sent}, []
    for ids, text in group:
        if text not in seen:
            seen.add(text)
            out.append((ids, text))
    return out


def query_variants(query: str) -> Group:
    """The query as other code might have signed it: sorted, encoded otherwise, with its `?`."""
    if not query:
        return []
    pairs = parse_qsl(query, keep_blank_values=True)
    out: Group = [
        (("query-sorted",), "&".join(sorted(query.split("&")))),
        (("query-other-encoding",), unquote(query.replace("+", " "))),  # signed before encoding
        (("query-other-encoding",), urlencode(pairs)),  # quote_plus: spaces as +
        (("query-other-encoding",), urlencode(pairs, quote_via=quote)),  # spaces as %20
        (("query-other-encoding",), urlencode(pairs, quote_via=quote, safe=",")),  # commas kept
        (("query-other-encoding",), urlencode(pairs, safe=",")),
        (("query-other-encoding",), "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs).replace("%2C", ",")),
        (("query-with-question-mark",), "?" + query),
        (("query-sorted",), "&".join(sorted(urlencode(pairs).split("&")))),
    ]
    return _unique(out, query)


def payload_variants(method: str, path: str, query: str, body: str, body_signed: bool, urls: tuple[str, ...] = ()) -> Group:
    """Every other payload a REST client might have put after the second `#`, the likeliest first. `urls`: the
    request's whole URL as the client may have written it (a proxy's own and the venue's), when known."""
    if len(body) > MAX_BODY_FOR_VARIANTS:
        return []
    out: Group = []
    if body_signed:
        out += body_variants(body) if body else [(("body-empty-braces",), "{}")]
        if query:
            out += [(("path-and-query",), f"{path}?{query}"), (("query-with-question-mark",), "?" + query),
                    (("post-signed-as-query",), query)]
        out.append((("path-and-query",), path + body))
        return _unique(out, body)
    # GET / DELETE: the payload is the query; clients disagree (field-notes.md 5)
    if query:
        out.append((("get-signed-empty",), ""))
    out += query_variants(query)
    if body:
        out.append((("get-signed-body",), body))
    elif query:
        params = dict(parse_qsl(query, keep_blank_values=True))
        out += [(("get-signed-body",), json.dumps(params, separators=(",", ":"))), (("get-signed-body",), json.dumps(params)),
                (("body-python-repr",), str(params))]
    out.append((("body-empty-braces",), "{}"))
    out.append((("path-and-query",), f"{path}?{query}" if query else path))
    out += [(("url-signed",), url) for url in urls]
    return _unique(out, query)


def woox_preimages(timestamp: str, method: str, path: str, query: str, body: str) -> Group:
    """WOO X's (developer.woox.io, a different venue) `timestamp + METHOD + path + body` pre-images."""
    target = f"{path}?{query}" if query else path
    forms = [f"{timestamp}{method}{target}{body}", f"{timestamp}{method}{path}{body}"]
    out = [(("woox-scheme",), text) for text in dict.fromkeys(forms)]
    params = _loads(body) if body else dict(parse_qsl(query, keep_blank_values=True))
    if isinstance(params, dict) and params:  # v1: the parameters sorted and urlencoded, then |timestamp
        pairs = sorted((str(k), "true" if v is True else "false" if v is False else str(v)) for k, v in params.items()
                       if not isinstance(v, (dict, list)))
        v1 = [urlencode(pairs, errors="surrogateescape"), "&".join(f"{k}={v}" for k, v in pairs)]
        out += [(("woox-v1-scheme",), f"{text}|{timestamp}") for text in dict.fromkeys(v1)]
    return out
