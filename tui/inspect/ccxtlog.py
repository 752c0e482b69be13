"""ccxt's verbose output (`exchange.verbose = True`), as its Python and JavaScript versions print it.

Python (ccxt/base/exchange.py `fetch`), one line each, dicts as Python reprs:
    fetch Request: bitmart POST URL RequestHeaders: {'X-BM-KEY': ...} RequestBody: {"symbol":...}
    fetch Response: bitmart POST URL 401 ResponseHeaders: {'Date': ...} ResponseBody: {"code":30005,...}
JavaScript (js/src/base/Exchange.js), console.log with newlines between the parts, objects as util.inspect:
    fetch Request:
     bitmart POST URL
    RequestHeaders:
     { 'X-BM-KEY': '...', 'Content-Type': 'application/json' }
    RequestBody:
     {"symbol":...}
    handleRestResponse:
     bitmart POST URL 401 Unauthorized
    ResponseHeaders:
     { date: '...' }
    ResponseBody:
     {"code":30005,...}
"""

from __future__ import annotations

import ast
import re

from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import CapturedRequest, CapturedResponse, InspectError, wire_bytes, wire_char

MARKERS = ("fetch Request:", "fetch Response:", "handleRestResponse:")
# Colour codes a terminal logger put around the words (CSI ... letter, and OSC ... BEL/ST): dropped before
# reading. A JSON body cannot hold a raw ESC (JSON escapes it as \u001b), so no byte of a body is lost.
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_JS_ENTRY = re.compile(
    r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([A-Za-z_$][\w$-]*))\s*:\s*"""
    r"""(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|`((?:[^`\\]|\\.)*)`|([^,}\s]+))""",
    re.S,
)


def without_colours(text: str) -> str:
    return ANSI.sub("", text) if "\x1b" in text else text


def looks_like(text: str) -> bool:
    return "fetch Request:" in without_colours(text)


def _py_dict(text: str, what: str) -> tuple[tuple[str, str], ...]:
    try:
        value = ast.literal_eval(text.strip())
        if not isinstance(value, dict):
            raise InspectError(f"The ccxt log's {what} are not a dict.")
        return tuple((str(k), str(v)) for k, v in value.items())  # str(0xfff...) past 4300 digits: ValueError
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InspectError(f"The ccxt log's {what} are not a readable dict: {text[:80]!r}.") from None


def _js_unescape(s: str) -> str:
    # JavaScript's \uXXXX takes exactly four hex digits ('\u0041BC' is "ABC"); only \u{...} takes up to six
    return re.sub(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", _js_escape, s, flags=re.S)


def _js_escape(m: re.Match[str]) -> str:
    e = m.group(1)
    if e[0] in "ux" and len(e) > 1:
        return wire_char(int(e[1:].strip("{}"), 16))
    return {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}.get(e, e)


def _js_object(text: str) -> tuple[tuple[str, str], ...]:
    text = text.strip()
    if text in ("", "undefined", "{}"):
        return ()
    if not text.startswith("{"):
        raise InspectError(f"The ccxt log's headers are not an object: {text[:80]!r}.")
    out = []
    for m in _JS_ENTRY.finditer(text[1:-1] if text.endswith("}") else text[1:]):
        key = next(g for g in m.groups()[:3] if g is not None)
        value = next((g for g in m.groups()[3:] if g is not None), "")
        out.append((_js_unescape(key), _js_unescape(value)))
    return tuple(out)


def _body(text: str) -> bytes:
    return b"" if text in ("None", "undefined", "null", "") else wire_bytes(text)


def _status(parts: list[str]) -> int | None:
    """The status word after method and URL: three ASCII digits ('²²²' is a digit to str.isdigit, not to int)."""
    word = parts[3] if len(parts) > 3 else ""
    return int(word) if len(word) == 3 and word.isascii() and word.isdigit() else None


def parse(text: str) -> list[CapturedRequest]:
    return read(text)[0]


def read(text: str, budget: Budget = UNLIMITED) -> tuple[list[CapturedRequest], str | None]:
    """The requests, and what the budget left unread (None: all of it was read)."""
    requests: list[dict] = []
    lines = without_colours(text).replace("\r\n", "\n").split("\n")
    i = 0
    unread = None
    while i < len(lines):
        if i & 1023 == 1023 and budget.spent():
            unread = f"the log after line {i:,} of {len(lines):,} was not read"
            break
        raw = _from_marker(lines[i])  # a logger's prefix (a time, a level) before the marker is not ccxt's
        line = raw.strip()
        if line.startswith("fetch Request:") and line != "fetch Request:":
            # the body ends the line: only the line's start is trimmed, so a body's own trailing spaces stay
            requests.append(_py_request(raw.lstrip(), i + 1))
        elif line.startswith("fetch Response:") and requests:
            _attach(requests, *_py_response(line))
        elif line in ("fetch Request:", "handleRestResponse:"):
            block, i = _js_block(lines, i + 1)
            if line == "fetch Request:":
                requests.append(_js_request(block, i))
            elif requests:
                _attach(requests, *_js_response(block))
            continue
        i += 1
    if not requests and unread is None:
        raise InspectError("No `fetch Request:` line of ccxt's verbose output was found.")
    return [CapturedRequest(r["method"], r["url"], r["headers"], r["body"], "ccxt", r["label"], r.get("response"))
            for r in requests], unread


def _from_marker(line: str) -> str:
    """The line from its first marker on (a body may quote a marker later in the line: the first one counts)."""
    found = [at for at in (line.find(marker) for marker in MARKERS) if at >= 0]
    return line[min(found):] if found else line


def _attach(requests: list[dict], method: str, url: str, response: CapturedResponse) -> None:
    """The response goes to the earliest unanswered request with its method and URL: requests sent at once
    (asyncio) are logged before their answers, and answered first come, first served."""
    for r in requests:
        if r["method"] == method and r["url"] == url and "response" not in r:
            r["response"] = response
            return


def _py_request(line: str, number: int) -> dict:
    head, sep, rest = line.removeprefix("fetch Request:").lstrip().partition(" RequestHeaders: ")
    headers_text, sep2, body = rest.partition(" RequestBody: ")
    parts = head.split()
    if not sep or not sep2 or len(parts) < 3:
        raise InspectError(f"Line {number}: a `fetch Request:` line without its method, URL, headers and body.")
    return {"method": parts[1].upper(), "url": parts[2], "headers": _py_dict(headers_text, "request headers"),
            "body": _body(body), "label": f"ccxt request at line {number}"}


def _py_response(line: str) -> tuple[str, str, CapturedResponse]:
    head, _, rest = line.removeprefix("fetch Response:").strip().partition(" ResponseHeaders: ")
    headers_text, _, body = rest.partition(" ResponseBody: ")
    parts = head.split()
    status = _status(parts)
    try:
        headers = _py_dict(headers_text, "response headers")
    except InspectError:
        headers = ()
    return parts[1].upper() if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "", CapturedResponse(status, headers, _body(body))


def _js_block(lines: list[str], i: int) -> tuple[dict[str, str], int]:
    """The parts after a JS marker: the first line, then `Name:` sections up to the next marker."""
    parts: dict[str, list[str]] = {"head": []}
    current = "head"
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped in MARKERS or stripped.startswith(("fetch Request:", "fetch Response:")):
            break
        if stripped in ("RequestHeaders:", "RequestBody:", "ResponseHeaders:", "ResponseBody:", "Response:"):
            current = stripped[:-1]
            parts[current] = []
        else:
            parts[current].append(lines[i])
        i += 1
    return {k: "\n".join(v) for k, v in parts.items()}, i


def _strip_log(text: str) -> str:
    """console.log puts a space after each "\\n" argument and before the next: drop exactly those."""
    text = text.strip("\n")
    text = text[1:] if text.startswith(" ") else text
    return text[:-1] if text.endswith(" ") else text


def _js_request(block: dict[str, str], number: int) -> dict:
    parts = block["head"].split()
    if len(parts) < 3:
        raise InspectError(f"Line {number}: a `fetch Request:` block without its method and URL.")
    return {"method": parts[1].upper(), "url": parts[2], "headers": _js_object(block.get("RequestHeaders", "")),
            "body": _body(_strip_log(block.get("RequestBody", ""))), "label": f"ccxt request before line {number}"}


def _js_response(block: dict[str, str]) -> tuple[str, str, CapturedResponse]:
    parts = block["head"].split()
    status = _status(parts)
    body = block.get("ResponseBody", block.get("Response", ""))
    return (parts[1].upper() if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "",
            CapturedResponse(status, _js_object(block.get("ResponseHeaders", "")), _body(_strip_log(body))))
