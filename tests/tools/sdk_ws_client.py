"""BitMart's official SDK 2.8.0 WebSocket clients, unmodified (only the URL is ours), run for a test.

    python sdk_ws_client.py URL spot|futures KEY SECRET MEMO TOPIC...

Logs in, subscribes the topics, and prints every message the SDK hands its callback as one JSON line, until
stdin closes. Then os._exit: the SDK's ping timers are non-daemon threads that reschedule themselves forever.
"""

import json
import os
import sys

from bitmart.websocket.futures_socket_client import FuturesSocketClient
from bitmart.websocket.spot_socket_client import SpotSocketClient


def main() -> None:
    url, market, key, secret, memo, *topics = sys.argv[1:]
    kind = SpotSocketClient if market == "spot" else FuturesSocketClient

    def on_message(message: object) -> None:
        print(json.dumps(message), flush=True)

    client = kind(stream_url=url, on_message=on_message, api_key=key, api_secret_key=secret, api_memo=memo, ping_interval=1)
    client.login(timeout=0)  # the SDK sleeps `timeout` seconds after sending the login; the emulator answers in order
    client.subscribe(topics)
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    try:
        main()
    except BaseException as exc:  # noqa: BLE001 - say it on stdout for the test, then leave without the timers
        print(json.dumps({"exception": f"{type(exc).__name__}: {exc}"}), flush=True)
        os._exit(1)
