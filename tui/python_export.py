"""Copy as Python: a self-contained script (httpx + hmac) that signs and sends a request exactly as keyprobe does.

The URL and the body bytes come from the request builder the wire uses, so the script sends what a
keyprobe send would; the script signs what it sends (the body for POST/PUT, the query as httpx encodes
it otherwise), with a fresh millisecond timestamp. No credential is written into it: KEYPROBE_API_KEY,
KEYPROBE_SECRET and KEYPROBE_MEMO are read from the environment when it runs. It is the reference a user
compares their own code with.
"""

from __future__ import annotations


from keys.signing import BODY_SIGNED_METHODS, signs_body
from tui.exchange import Draft
from tui.venues import Venue
from tui.export import AUTOMATIC_HEADERS, build_request  # the wire's one request builder

TEMPLATE = '''#!/usr/bin/env python3
"""{method} {url}
{venue}: {level} request, exported by keyprobe. No credential is stored in this file: it reads
KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO from the environment when it runs.
Needs httpx (pip install httpx). Exit status 0 when the venue answers code 1000.
"""
import hashlib
import hmac
import json
import os
import sys
import time

import httpx

METHOD = {method!r}
URL = {url!r}  # exactly as keyprobe sends it
BODY = {body!r}  # the exact bytes sent{body_note}
LEVEL = {level!r}  # none: no key; keyed: the key header only; signed: key, timestamp and signature
KEY_HEADER, TIMESTAMP_HEADER, SIGN_HEADER = {key_header!r}, {ts_header!r}, {sign_header!r}
HEADERS = {headers!r}  # what keyprobe's client sends with every request


def payload(request: httpx.Request) -> str:
    """What the venue verifies: the body for POST/PUT, the query string (no '?') otherwise, as sent."""
    if request.method in {body_methods!r}:
        return request.content.decode("utf-8")
    return request.url.query.decode("ascii")


def main() -> int:
    request = httpx.Request(METHOD, URL, content=BODY or None, headers=HEADERS)
    if LEVEL != "none":
        request.headers[KEY_HEADER] = os.environ["KEYPROBE_API_KEY"]
    if LEVEL == "signed":
        secret = os.environ["KEYPROBE_SECRET"].encode("utf-8")
        memo = os.environ.get("KEYPROBE_MEMO", "")  # may be empty: the pre-image is then TS##PAYLOAD
        timestamp = str(time.time_ns() // 1_000_000)  # 13-digit milliseconds, the same string signed and sent
        prehash = f"{{timestamp}}#{{memo}}#{{payload(request)}}"
        request.headers[TIMESTAMP_HEADER] = timestamp
        request.headers[SIGN_HEADER] = hmac.new(secret, prehash.encode("utf-8"), hashlib.sha256).hexdigest()
    with httpx.Client(trust_env=False) as client:
        response = client.send(request)
    print(response.status_code, response.text)
    try:
        return 0 if json.loads(response.content).get("code") == 1000 else 1
    except (ValueError, AttributeError):
        return 1


if __name__ == "__main__":
    sys.exit(main())
'''


def python_script(draft: Draft, venue: Venue | None = None) -> str:
    """The script for `draft` (on `venue`, when given). Carries no credential."""
    if venue is not None:
        draft = draft._replace(venue=venue)
    request = build_request(draft)
    hs = draft.venue.header_set
    method = request.method
    note = " and signed" if signs_body(method) else " (the query is what is signed)"
    headers = {k: v for k, v in request.headers.items() if k.lower() not in AUTOMATIC_HEADERS}
    headers.setdefault("Content-Type", "application/json")  # as the signer adds it
    url = str(request.url)  # percent-encoded by httpx: no quote can end the docstring or the literal early
    return TEMPLATE.format(method=method, url=url, venue=draft.venue.name, level=draft.auth_level.value,
                           body=request.content, body_note=note, key_header=hs.key, ts_header=hs.timestamp,
                           sign_header=hs.sign, headers=headers, body_methods=tuple(sorted(BODY_SIGNED_METHODS)))

