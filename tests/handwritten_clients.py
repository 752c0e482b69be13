"""Small hand-written WOO X Pro / BitMart signers, as users write them (no SDK, no ccxt exchange), each with one
realistic mistake or none. Every client is real: httpx, requests, http.client, urllib, or bash with openssl and
curl. Each takes the base URL (the proxy in front of the emulator) and sends one request; the answer is theirs.

The key material is the emulator's demo key (public by design), as a user would paste it into the script.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import subprocess
import time
import urllib.request
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

import httpx
import requests

from keys.demo import EXAMPLE_KEY as API_KEY
from keys.demo import EXAMPLE_MEMO as MEMO
from keys.demo import EXAMPLE_SECRET as SECRET

PATH = "/contract/private/submit-order"
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": "20000"}
KEYED_GET = "/contract/private/order-history"  # KEYED: the venue checks the key alone
KEYED_QUERY = {"symbol": "BTCUSDT"}


def now_ms() -> str:
    return str(time.time_ns() // 1_000_000)


def _hmac(key: bytes, message: str, algorithm: str = "sha256") -> str:
    return hmac.new(key, message.encode(), algorithm).hexdigest()


def _headers(ts: str, signature: str, prefix: str = "X-BM-") -> dict[str, str]:
    return {f"{prefix}KEY": API_KEY, f"{prefix}TIMESTAMP": ts, f"{prefix}SIGN": signature,
            "Content-Type": "application/json", "User-Agent": "my-bot/1.0"}


# -- httpx ---------------------------------------------------------------------------------------------------------
def httpx_correct(base: str) -> None:
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    httpx.post(base + PATH, content=body.encode(), headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}")))


def httpx_sha512(base: str) -> None:
    """CryptoJS.HmacSHA512 copied from another exchange's example."""
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    httpx.post(base + PATH, content=body.encode(), headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}", "sha512")))


def httpx_sha512_json_kwarg(base: str) -> None:
    """SHA-512 and the quick start's json.dumps signed, while httpx's json= sends compact JSON: two mistakes."""
    ts = now_ms()
    httpx.post(base + PATH, json=ORDER, headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{json.dumps(ORDER)}", "sha512")))


def httpx_hex_decoded_secret(base: str) -> None:
    """The secret looks like hex, so the code decodes it to bytes first."""
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    httpx.post(base + PATH, content=body.encode(), headers=_headers(ts, _hmac(bytes.fromhex(SECRET), f"{ts}#{MEMO}#{body}")))


def httpx_numbers_rerendered(base: str) -> None:
    """Prices as floats in the signed dict (json.dumps writes 1e-05); the sending layer formats them as plain decimals."""
    params = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "open_type": "isolated", "size": 1, "price": 0.00001}
    ts = now_ms()
    signature = _hmac(SECRET.encode(), f"{ts}#{MEMO}#{json.dumps(params, separators=(',', ':'))}")
    wire = json.dumps({k: (format(Decimal(repr(v)), "f") if isinstance(v, float) else v) for k, v in params.items()},
                      separators=(",", ":")).replace('"0.00001"', "0.00001")
    httpx.post(base + PATH, content=wire.encode(), headers=_headers(ts, signature))


def httpx_post_signed_as_query(base: str) -> None:
    """A GET helper (sign the urlencoded parameters) reused for a POST that sends JSON."""
    ts = now_ms()
    signature = _hmac(SECRET.encode(), f"{ts}#{MEMO}#{urlencode(ORDER)}")
    httpx.post(base + PATH, content=json.dumps(ORDER, separators=(",", ":")).encode(), headers=_headers(ts, signature))


def httpx_wooxpro_headers(base: str) -> None:
    """WOO X Pro's header names (X-API-*) on a BitMart host: a right signature the venue never reads."""
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    httpx.post(base + PATH, content=body.encode(), headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"), "X-API-"))


# -- requests ------------------------------------------------------------------------------------------------------
def requests_python_repr(base: str) -> None:
    """str(params) signed (Python's repr, single quotes), json= sent."""
    ts = now_ms()
    requests.post(base + PATH, json=ORDER, headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{ORDER}")), timeout=5)


def requests_json_twice(base: str) -> None:
    """The body serialised once to sign it, then handed to json= again: a JSON string holding the JSON is sent."""
    body, ts = json.dumps(ORDER), now_ms()
    requests.post(base + PATH, json=body, headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}")), timeout=5)


def requests_form_encoded(base: str) -> None:
    """data= instead of json=: the JSON is signed, the parameters are sent form-encoded."""
    ts = now_ms()
    headers = _headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{json.dumps(ORDER)}"))
    del headers["Content-Type"]
    requests.post(base + PATH, data=ORDER, headers=headers, timeout=5)


def requests_env_file(base: str, env_text: str) -> None:
    """Key material read from an .env file by a hand-rolled parser: a value's `\\n` stays two characters."""
    env = dict(line.split("=", 1) for line in env_text.splitlines() if "=" in line)
    secret, memo = env["BITMART_SECRET"], env["BITMART_MEMO"]
    body, ts = json.dumps(ORDER), now_ms()
    requests.post(base + PATH, data=body, headers=_headers(ts, _hmac(secret.encode(), f"{ts}#{memo}#{body}")), timeout=5)


def requests_literal_newline_secret(base: str) -> None:
    requests_env_file(base, f"BITMART_SECRET={SECRET}\\n\nBITMART_MEMO={MEMO}\n")


def requests_literal_newline_memo(base: str) -> None:
    requests_env_file(base, f"BITMART_SECRET={SECRET}\nBITMART_MEMO={MEMO}\\n\n")


# -- http.client ---------------------------------------------------------------------------------------------------
def _http_client_post(base: str, body: bytes, headers: dict[str, str], path: str = PATH) -> None:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("POST", path, body=body, headers=headers)
        conn.getresponse().read()
    finally:
        conn.close()


def http_client_sha1(base: str) -> None:
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    _http_client_post(base, body.encode(), _headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}", "sha1")))


def http_client_trailing_newline(base: str) -> None:
    """The body written to a file with print() and read back whole: its newline is sent, not signed."""
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    _http_client_post(base, (body + "\n").encode(), _headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}")))


def http_client_plain_hash(base: str) -> None:
    """sha256(secret + message) where the venue wants an HMAC."""
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    signature = hashlib.sha256(f"{SECRET}{ts}#{MEMO}#{body}".encode()).hexdigest()
    _http_client_post(base, body.encode(), _headers(ts, signature))


# -- urllib --------------------------------------------------------------------------------------------------------
def _urllib(base: str, path: str, body: bytes | None, headers: dict[str, str], method: str = "POST") -> None:
    request = urllib.request.Request(base + path, data=body, headers=headers, method=method)
    try:
        urllib.request.urlopen(request, timeout=5).read()
    except urllib.error.HTTPError as answer:  # a 4xx is the venue's answer, read like any other
        answer.read()


def urllib_base64_decoded_secret(base: str) -> None:
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    _urllib(base, PATH, body.encode(), _headers(ts, _hmac(base64.b64decode(SECRET), f"{ts}#{MEMO}#{body}")))


def urllib_hmac_arguments_swapped(base: str) -> None:
    body, ts = json.dumps(ORDER, separators=(",", ":")), now_ms()
    signature = hmac.new(f"{ts}#{MEMO}#{body}".encode(), SECRET.encode(), hashlib.sha256).hexdigest()
    _urllib(base, PATH, body.encode(), _headers(ts, signature))


def urllib_keyed_get_signed_empty(base: str) -> None:
    """The official SDK's rule, hand-written: a GET is signed over "" (the venue checks only the key there)."""
    ts = now_ms()
    headers = _headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#"))
    _urllib(base, f"{KEYED_GET}?{urlencode(KEYED_QUERY)}", None, headers, "GET")


def urllib_keyed_get_signed_query(base: str) -> None:
    ts = now_ms()
    query = urlencode(KEYED_QUERY)
    _urllib(base, f"{KEYED_GET}?{query}", None, _headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{query}")), "GET")


# -- bash with openssl and curl -------------------------------------------------------------------------------------
BASH = r"""
set -eu
ts=$(date +%s%3N)
body='{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
sign=$(ECHO "$ts#$MEMO#$body" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.* //')
curl -s -o /dev/null -X POST "$BASE/contract/private/submit-order" \
  -H "X-BM-KEY: $KEY" -H "X-BM-TIMESTAMP: $ts" -H "X-BM-SIGN: $sign" -H 'Content-Type: application/json' \
  --data-raw "$body"
"""


def _bash(base: str, echo: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "BASE": base, "KEY": API_KEY, "SECRET": SECRET, "MEMO": MEMO}
    subprocess.run(["bash", "-c", BASH.replace("ECHO", echo)], env=env, check=True, timeout=30)


def bash_echo_newline(base: str) -> None:
    """`echo` without -n: the signed string ends in a newline."""
    _bash(base, "echo")


def bash_correct(base: str) -> None:
    _bash(base, "printf '%s'")
