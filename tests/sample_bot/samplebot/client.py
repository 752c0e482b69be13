"""The bot's exchange client: BitMart's signing rule written from the documentation, urllib for HTTP.

X-BM-SIGN = hex(HMAC-SHA256(secret, timestamp + "#" + memo + "#" + payload)), the payload being the JSON body
of a POST and the query string of a GET.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from urllib.parse import urlencode

TIMESTAMP_OUT_OF_WINDOW = 30007


class ExchangeError(Exception):
    def __init__(self, code: int | None, message: str, status: int) -> None:
        super().__init__(f"{code}: {message} (HTTP {status})")
        self.code, self.message, self.status = code, message, status


class Client:
    def __init__(self, base_url: str, api_key: str, secret: str, memo: str,
                 header_names: tuple[str, str, str] = ("X-BM-KEY", "X-BM-TIMESTAMP", "X-BM-SIGN"),
                 sort_body_keys: bool = False) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key, self.secret, self.memo = api_key, secret, memo
        self.key_header, self.timestamp_header, self.sign_header = header_names
        self.offset_ms = 0  # server minus local, once sync_time has run
        self.sort_body_keys = sort_body_keys  # a bug some bots have: the signed body is not the sent body

    def now_ms(self) -> int:
        return int(time.time() * 1000) + self.offset_ms

    def sign(self, timestamp: str, payload: str) -> str:
        message = f"{timestamp}#{self.memo}#{payload}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    def call(self, method: str, path: str, params: dict | None = None, body: dict | None = None, auth: str = "signed") -> dict:
        query = urlencode(params or {})
        data = json.dumps(body, separators=(",", ":")) if body is not None else ""
        headers = {"Content-Type": "application/json"}
        if auth in ("keyed", "signed"):
            headers[self.key_header] = self.api_key
        if auth == "signed":
            timestamp = str(self.now_ms())
            signed = json.dumps(body, separators=(",", ":"), sort_keys=True) if self.sort_body_keys and body else data
            headers[self.timestamp_header] = timestamp
            headers[self.sign_header] = self.sign(timestamp, signed if method == "POST" else query)
        url = self.base_url + path + (f"?{query}" if query else "")
        request = urllib.request.Request(url, data=data.encode() if method == "POST" else None, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            answer = json.loads(raw)
        except ValueError:
            raise ExchangeError(None, raw[:80].decode("utf-8", "replace"), status) from None
        if answer.get("code") != 1000:
            raise ExchangeError(answer.get("code"), answer.get("message", ""), status)
        return answer["data"]

    def sync_time(self) -> int:
        """Set the offset from the server's clock: the middle of the round trip."""
        before = time.time() * 1000
        server = int(self.call("GET", "/system/time", auth="none")["server_time"])
        after = time.time() * 1000
        self.offset_ms = round(server - (before + after) / 2)
        return self.offset_ms

    def balance(self, currency: str = "USDT") -> str:
        for asset in self.call("GET", "/contract/private/assets-detail", auth="keyed"):
            if asset["currency"] == currency:
                return asset["available_balance"]
        return "0"

    def place_order(self, symbol: str, side: int, size: int, price: str, leverage: str = "10") -> int:
        """Place a limit order; a timestamp outside the window is retried once after syncing the clock."""
        order = {"symbol": symbol, "side": side, "type": "limit", "leverage": leverage, "open_type": "isolated",
                 "size": size, "price": price}
        try:
            return self.call("POST", "/contract/private/submit-order", body=order)["order_id"]
        except ExchangeError as error:
            if error.code != TIMESTAMP_OUT_OF_WINDOW:
                raise
            self.sync_time()
            return self.call("POST", "/contract/private/submit-order", body=order)["order_id"]
