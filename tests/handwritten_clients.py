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
import sys
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


# -- beyond issue 23's list (s20-clients): WOO X Pro's dialect, X-API-* -----------------------------------------------
# Each is a small client as users write them, sent to the WOO X Pro emulator through the proxy.
WOO = "X-API-"
CANCEL = "/contract/private/cancel-orders"  # cancel a symbol's orders: 1000 on the emulator when signed right
CANCEL_BODY = {"symbol": "BTCUSDT"}
ECHO = "/emulator/v1/signed-echo"  # the emulator's SIGNED GET (WOO X Pro documents none)


def _post(base: str, path: str, body: str | bytes, ts: str, signature: str, **extra: str) -> None:
    headers = {**_headers(ts, signature, WOO), **extra}
    httpx.post(base + path, content=body.encode() if isinstance(body, str) else body, headers=headers)


def _cancel(base: str, preimage_of, key: bytes = SECRET.encode(), algorithm: str = "sha256") -> None:
    """Cancel an order, the signature over what `preimage_of(ts, body)` returns."""
    body, ts = json.dumps(CANCEL_BODY, separators=(",", ":")), now_ms()
    _post(base, CANCEL, body, ts, _hmac(key, preimage_of(ts, body), algorithm))


def woo_correct(base: str) -> None:
    _cancel(base, lambda ts, body: f"{ts}#{MEMO}#{body}")


def woo_no_separators(base: str) -> None:
    """"".join([ts, memo, body]): the parts remembered, the '#' between them not."""
    _cancel(base, lambda ts, body: "".join([ts, MEMO, body]))


def woo_memo_first(base: str) -> None:
    _cancel(base, lambda ts, body: f"{MEMO}#{ts}#{body}")


def woo_key_as_memo(base: str) -> None:
    _cancel(base, lambda ts, body: f"{ts}#{API_KEY}#{body}")


def woo_sha3(base: str) -> None:
    """hashlib.sha3_256 picked for "SHA256": as long, another digest."""
    _cancel(base, lambda ts, body: f"{ts}#{MEMO}#{body}", algorithm="sha3_256")


def woo_secret_with_bom(base: str) -> None:
    """The secret saved by Notepad (UTF-8 with BOM), read with encoding="utf-8" and .strip(): U+FEFF stays."""
    secret = (b"\xef\xbb\xbf" + SECRET.encode() + b"\r\n").decode("utf-8").strip()
    _cancel(base, lambda ts, body: f"{ts}#{MEMO}#{body}", key=secret.encode())


def woo_base64_of_hex(base: str) -> None:
    body, ts = json.dumps(CANCEL_BODY, separators=(",", ":")), now_ms()
    _post(base, CANCEL, body, ts, base64.b64encode(_hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}").encode()).decode())


def woo_float_timestamp(base: str) -> None:
    """ts = time.time() * 1000: int() for the header, the float itself in the f-string."""
    body, ts = json.dumps(CANCEL_BODY, separators=(",", ":")), time.time() * 1000
    _post(base, CANCEL, body, str(int(ts)), _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"))


def woo_field_added_after_signing(base: str) -> None:
    order = dict(ORDER)
    ts = now_ms()
    signature = _hmac(SECRET.encode(), f"{ts}#{MEMO}#{json.dumps(order, separators=(',', ':'))}")
    order["client_order_id"] = "bot1" + ts[-6:]  # set after the signer ran
    httpx.post(base + PATH, json=order, headers=_headers(ts, signature, WOO))


def woo_woox_v1_scheme(base: str) -> None:
    """Ported from a WOO X (v1) client: the sorted parameters urlencoded, then |timestamp."""
    ts = now_ms()
    signature = _hmac(SECRET.encode(), urlencode(sorted(ORDER.items())) + "|" + ts)
    requests.post(base + PATH, json=ORDER, headers=_headers(ts, signature, WOO), timeout=5)


class _BodySigner(requests.auth.AuthBase):
    """A requests AuthBase signing r.body, which json= made bytes: "b'{...}'" is signed."""

    def __call__(self, r):
        ts = now_ms()
        r.headers.update(_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{r.body}"), WOO))
        return r


def woo_authbase_bytes_repr(base: str) -> None:
    requests.post(base + PATH, json=ORDER, auth=_BodySigner(), timeout=5)


def woo_latin1_str_body(base: str) -> None:
    """ensure_ascii=False and a str body: http.client sends it as ISO-8859-1, the UTF-8 text was signed."""
    body, ts = json.dumps({**ORDER, "client_order_id": "ordré1"}, separators=(",", ":"), ensure_ascii=False), now_ms()
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    try:
        conn.request("POST", PATH, body=body, headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"), WOO))
        conn.getresponse().read()
    finally:
        conn.close()


def woo_full_url_signed(base: str) -> None:
    """A SIGNED GET whose code signed the whole URL, not the query string."""
    url, ts = f"{base}{ECHO}?{urlencode(KEYED_QUERY)}", now_ms()
    requests.get(url, headers=_headers(ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{url}"), WOO), timeout=5)


def woo_join_drops_empty_payload(base: str) -> None:
    """"#".join(filter(None, [ts, memo, query])): no query, so "ts#memo" is signed."""
    ts = now_ms()
    requests.get(base + ECHO, headers=_headers(ts, _hmac(SECRET.encode(), "#".join(filter(None, [ts, MEMO, ""]))), WOO), timeout=5)


def woo_trailing_slash(base: str) -> None:
    body, ts = json.dumps(CANCEL_BODY, separators=(",", ":")), now_ms()
    _post(base, CANCEL + "/", body, ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"))


def woo_secret_as_key(base: str) -> None:
    body, ts = json.dumps(CANCEL_BODY, separators=(",", ":")), now_ms()
    _post(base, CANCEL, body, ts, _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"), **{WOO + "KEY": SECRET})


def woo_charset_and_lowercase_names(base: str) -> None:
    """Correct: a charset on the Content-Type and lower-case header names."""
    body, ts = json.dumps(CANCEL_BODY), now_ms()
    httpx.post(base + CANCEL, content=body.encode(), headers={
        "x-api-key": API_KEY, "x-api-timestamp": ts, "x-api-sign": _hmac(SECRET.encode(), f"{ts}#{MEMO}#{body}"),
        "content-type": "application/json; charset=utf-8", "user-agent": "bot/2"})


def woo_utcnow_in_another_zone(base: str) -> None:
    """datetime.utcnow().timestamp() on a machine at UTC+8: the epoch is 8 hours off (its own process, for TZ)."""
    code = ("import datetime,hashlib,hmac,json,sys,urllib.request as u\n"
            "b=json.dumps({'symbol':'BTCUSDT'},separators=(',',':'))\n"
            "ts=str(int(datetime.datetime.utcnow().timestamp()*1000))\n"
            "s=hmac.new(sys.argv[3].encode(),f'{ts}#{sys.argv[4]}#{b}'.encode(),hashlib.sha256).hexdigest()\n"
            "r=u.Request(sys.argv[1]+'/contract/private/cancel-orders',b.encode(),{'X-API-KEY':sys.argv[2],"
            "'X-API-TIMESTAMP':ts,'X-API-SIGN':s,'Content-Type':'application/json'})\n"
            "try: u.urlopen(r).read()\nexcept Exception as e: e.read()\n")
    subprocess.run([sys.executable, "-c", code, base, API_KEY, SECRET, MEMO], env={"TZ": "Asia/Shanghai", "PATH": "/usr/bin:/bin"},
                   check=True, timeout=30)


WOO_BASH = r"""
set -eu
ts=$(date +%s%3N)
body='{"symbol":"BTCUSDT"}'
SIGN_LINE
curl -s -o /dev/null -X POST "$BASE/contract/private/cancel-orders" \
  -H "X-API-KEY: $KEY" -H "X-API-TIMESTAMP: $ts" -H "X-API-SIGN: $sign" -H 'Content-Type: application/json' DATA
"""


def _woo_bash(base: str, sign_line: str, data: str = '--data-raw "$body"', prelude: str = "") -> None:
    env = {"PATH": "/usr/bin:/bin", "BASE": base, "KEY": API_KEY, "SECRET": SECRET, "MEMO": MEMO}
    script = prelude + WOO_BASH.replace("SIGN_LINE", sign_line).replace("DATA", data)
    subprocess.run(["bash", "-c", script], env=env, check=True, timeout=30)


def bash_openssl_label_kept(base: str) -> None:
    """openssl's whole line kept: X-API-SIGN: SHA2-256(stdin)= 3f..."""
    _woo_bash(base, """sign=$(printf '%s' "$ts#$MEMO#$body" | openssl dgst -sha256 -hmac "$SECRET")""")


def bash_macos_echo_dash_n(base: str) -> None:
    """Written for macOS's /bin/sh, whose echo takes no options: `echo -n X` prints "-n X" and a newline (the
    function below does what that echo does)."""
    _woo_bash(base, """sign=$(echo -n "$ts#$MEMO#$body" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')""",
              prelude="""echo() { printf '%s\\n' "$*"; }\n""")


def bash_curl_data_at_file(base: str) -> None:
    """The order pretty-printed in a file, signed with $(cat), sent with -d @file: curl drops its newlines."""
    prelude = """f=$(mktemp); trap 'rm -f "$f"' EXIT; printf '{\\n  "symbol": "BTCUSDT",\\n  "side": 1\\n}\\n' > "$f"\n"""
    _woo_bash(base, """body=$(cat "$f"); sign=$(printf '%s' "$ts#$MEMO#$body" | openssl dgst -sha256 -hmac "$SECRET" | awk '{print $NF}')""",
              data='-d @"$f"', prelude=prelude)
