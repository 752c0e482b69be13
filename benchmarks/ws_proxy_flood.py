"""What one WebSocket client flooding tiny frames costs everyone else: how late a server's event loop runs a callback
(what every other connection's next step waits for) while a client sends a message never finished in endless empty
continuation frames (6 bytes each). `keyprobe proxy` next to a bare asyncio byte pipe carrying the same flood (no
parsing: the floor for any relay); the emulator next to websockets' own asyncio server (the same parser). Each idle
and flooded, the flood from its own process, all in one run.

Usage: .venv/bin/python benchmarks/ws_proxy_flood.py [--samples 40]
Figures and what they showed before the fixes: benchmarks/README.md (ws_proxy_flood.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("KEYPROBE_HOME", tempfile.mkdtemp(prefix="keyprobe-bench-"))

from ws_proxy import BarePipe  # noqa: E402

from tui.emulator import Emulator  # noqa: E402
from tui.proxy import Proxy  # noqa: E402

FLOOD = r"""
import socket, struct, sys
from websockets.client import ClientProtocol
from websockets.uri import parse_uri
port = int(sys.argv[1])
protocol = ClientProtocol(parse_uri(f"ws://127.0.0.1:{port}/futures/api?protocol=1.1"))
protocol.send_request(protocol.connect())
sock = socket.create_connection(("127.0.0.1", port))
sock.sendall(b"".join(protocol.data_to_send()))
while not protocol.events_received():
    protocol.receive_data(sock.recv(4096))
frame = lambda opcode, payload=b"", fin=True: struct.pack("!BB", (0x80 if fin else 0) | opcode, 0x80 | len(payload)) + b"\0\0\0\0" + payload
sock.sendall(frame(1, b'{"action":"ping"}'))  # a request: the emulator does not close the link as lifeless
sock.sendall(frame(1, b"pi", fin=False))
print("flooding", flush=True)
chunk = frame(0, fin=False) * 20000
try:
    while True:
        sock.sendall(chunk)
except OSError:
    pass
"""


def lags(loop, count: int) -> list[float]:  # noqa: ANN001 - an asyncio loop running in its own thread
    """How late `loop` runs a callback, `count` times, 20 ms apart (ms)."""
    out = []
    for _ in range(count):
        done = threading.Event()
        t0 = time.perf_counter()
        loop.call_soon_threadsafe(done.set)
        done.wait()
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.02)
    return out


def flooded(port: int, loop, count: int) -> list[float]:  # noqa: ANN001
    flood = subprocess.Popen([sys.executable, "-c", FLOOD, str(port)], stdout=subprocess.PIPE, text=True)
    try:
        assert flood.stdout.readline().strip() == "flooding"
        time.sleep(0.5)  # the flood under way (not a measurement: the samples below are)
        return lags(loop, count)
    finally:
        flood.kill()
        flood.wait()


class PlainServer:
    """websockets' own asyncio server, answering nothing: the fair peer for the emulator's side (the same parser,
    its own reading and framing)."""

    def __init__(self) -> None:
        from websockets.asyncio.server import serve

        async def drain(ws) -> None:  # noqa: ANN001
            async for _ in ws:
                pass

        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        async def start():  # noqa: ANN202
            return await serve(drain, "127.0.0.1", 0, compression=None, max_size=4096, ping_interval=None)

        self.server = asyncio.run_coroutine_threadsafe(start(), self.loop).result()
        self.port = self.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()
            await self.server.wait_closed()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)


def main(count: int) -> None:
    logging.disable(logging.CRITICAL)  # the floods' resets, logged by websockets and asyncio, are expected
    emu, target = Emulator().start(), Emulator().start()  # behind the relays; flooded directly (not already busy)
    pipe = BarePipe(emu.port)
    proxy = Proxy(emu.base_url, port=0, history=False).start()
    plain = PlainServer()
    for loop in (pipe.loop, plain.loop):
        loop.set_exception_handler(lambda loop, context: None)
    relays = {"bare pipe": (pipe.port, pipe.loop), "keyprobe proxy": (proxy.port, proxy._loop),
              "websockets serve": (plain.port, plain.loop), "emulator": (target.port, target._server.loop)}
    results = {}
    try:
        for name, (port, loop) in relays.items():
            results[name] = (lags(loop, count), flooded(port, loop, count))
    finally:
        proxy.stop()
        pipe.stop()
        plain.stop()
        emu.stop()
        target.stop()
    print(f"{count} samples per server: how late its loop runs a callback, ms; load average {os.getloadavg()[0]:.2f}")
    for name, (idle, during) in results.items():
        during.sort()
        print(f"{name:<16}: idle median {statistics.median(idle):6.2f}   during a tiny-frame flood median "
              f"{statistics.median(during):6.2f}  p90 {during[int(len(during) * 0.9)]:6.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=40)
    main(parser.parse_args().samples)
