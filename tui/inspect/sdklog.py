"""The official BitMart SDK's debug log (bitmart-python-sdk-api 2.8.0, `bitmart/lib/cloud_client.py`), with
urllib3's lines and an APIException's text when the bot logs it. Produced by `config_logging(logging, DEBUG)`
(or any logging set-up: the record's prefix is ignored):

    ... DEBUG bitmart.lib.cloud_client: [POST] url=https://api-cloud-v2.bitmart.com/contract/private/submit-order
    ... DEBUG bitmart.lib.cloud_client: [PARAMS]:
    header: {'X-BM-KEY': '...', 'X-BM-SIGN': '...', 'X-BM-TIMESTAMP': '1796660143068'}
    body: {"symbol": "BTCUSDT", ...}
    ... DEBUG urllib3.connectionpool: http://127.0.0.1:34035 "POST /contract/private/submit-order HTTP/1.1" 401 110
    ... DEBUG bitmart.lib.cloud_client: response: {'code': 1000, ...}                  (a 200 only, as a dict)
    ... ERROR bot: order failed: APIException(http status=401): response={"code":30005,...}

The SDK logs `header:` and `body:` only for a request with a body; its session adds Content-Type and its
User-Agent to every request, which the log does not show (both are added here, and said in a note).
"""

from __future__ import annotations

import ast
import json
import re

from tui.inspect.budget import UNLIMITED, Budget
from tui.inspect.model import CapturedRequest, CapturedResponse, InspectError, wire_bytes

_REQUEST = re.compile(r"\[(GET|POST|PUT|DELETE)\] url=(\S+)")
_URLLIB3 = re.compile(r'"(GET|POST|PUT|DELETE) (\S+) HTTP/1\.[01]" ([0-9]{3}) ')
_EXCEPTION = re.compile(r"APIException\(http status=([0-9]{3})\): response=(.*)$")
_RESPONSE = re.compile(r"(?:cloud_client\S*?:\s*|^)response: (.*)$")
SESSION_HEADERS = (("Content-Type", "application/json"), ("User-Agent", "bitmart-python-sdk-api"))
SESSION_NOTE = ("The SDK's session adds Content-Type: application/json and its User-Agent, which its log does not "
                "show; keyprobe adds them.")


def looks_like(text: str) -> bool:
    return _REQUEST.search(text[:65536]) is not None and ("bitmart" in text[:65536] or "[PARAMS]:" in text[:65536])


def _dict(text: str, number: int) -> tuple[tuple[str, str], ...]:
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise InspectError(f"Line {number}: the SDK's `header:` is not a readable dict: {text[:80]!r}.") from None
    if not isinstance(value, dict):
        raise InspectError(f"Line {number}: the SDK's `header:` is not a dict.")
    return tuple((str(k), str(v)) for k, v in value.items())


def _response_body(text: str) -> bytes:
    """`response: {...}` is the answer's JSON as Python printed it: written back as JSON (its code and message)."""
    try:
        return json.dumps(ast.literal_eval(text.strip()), separators=(",", ":"), ensure_ascii=False).encode()
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return wire_bytes(text.strip())


def parse(text: str) -> list[CapturedRequest]:
    return read(text)[0]


def read(text: str, budget: Budget = UNLIMITED) -> tuple[list[CapturedRequest], str | None]:
    """The requests, and what the budget left unread (None: all of it was read)."""
    found: list[dict] = []
    lines = text.replace("\r\n", "\n").split("\n")
    unread = None
    for number, line in enumerate(lines, 1):
        if number & 1023 == 0 and budget.spent():
            unread = f"the log after line {number - 1:,} of {len(lines):,} was not read"
            break
        if (m := _REQUEST.search(line)) is not None:
            found.append({"method": m.group(1), "url": m.group(2), "headers": None, "body": b"", "status": None,
                          "response": None, "label": f"SDK request at line {number}"})
        elif not found:
            continue
        elif line.startswith("header: "):
            found[-1]["headers"] = _dict(line[len("header: "):], number)
        elif line.startswith("body: "):
            found[-1]["body"] = wire_bytes(line[len("body: "):])
        elif (m := _URLLIB3.search(line)) is not None:
            target = next((r for r in found if r["status"] is None and r["method"] == m.group(1)
                           and r["url"].split("://", 1)[-1].partition("/")[2] == m.group(2).lstrip("/")), found[-1])
            target["status"] = int(m.group(3))
        elif (m := _EXCEPTION.search(line)) is not None:
            target = _unanswered(found)
            target["response"] = CapturedResponse(int(m.group(1)), (), wire_bytes(m.group(2)))
        elif (m := _RESPONSE.search(line)) is not None:
            target = _unanswered(found)
            target["response"] = CapturedResponse(target["status"] or 200, (), _response_body(m.group(1)))
    if not found and unread is None:
        raise InspectError("No `[METHOD] url=...` line of the BitMart SDK's debug log was found.")
    return [_request(r) for r in found], unread


def _unanswered(found: list[dict]) -> dict:
    return next((r for r in found if r["response"] is None), found[-1])


def _request(r: dict) -> CapturedRequest:
    response = r["response"]
    if response is None and r["status"] is not None:
        response = CapturedResponse(r["status"], (), b"")
    if r["headers"] is None:  # a GET or DELETE: the SDK logs no headers for a request without a body
        return CapturedRequest(r["method"], r["url"], (), r["body"], "sdk", r["label"], response, headers_known=False,
                               notes=("The SDK logs no headers for a request without a body: its key and signature "
                                      "are not in the log.",))
    logged = r["headers"]
    names = {k.lower() for k, _ in logged}
    headers = tuple(h for h in SESSION_HEADERS if h[0].lower() not in names) + logged
    return CapturedRequest(r["method"], r["url"], headers, r["body"], "sdk", r["label"], response, notes=(SESSION_NOTE,))
