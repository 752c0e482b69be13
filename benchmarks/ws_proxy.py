"""What the proxy's WebSocket side adds to a frame's round trip: a text ping answered by the emulator, through
`keyprobe proxy` (frame for frame: websockets' parser finds each frame's end, the login check keeps what it needs)
vs through a bare asyncio byte pipe doing the same hops without reading a byte (the fair floor for any relay),
vs straight to the emulator. Same process layout for the relays (a loop thread each), same client, same run;
rounds alternate which path goes first.

Usage: .venv/bin/python benchmarks/ws_proxy.py [--rounds 5] [--pings 2000]
Goal: the proxy's median round trip <= 1.25x the bare pipe's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("KEYPROBE_HOME", tempfile.mkdtemp(prefix="keyprobe-bench-"))

from websockets.asyncio.client import connect  # noqa: E402

from tui.emulator import Emulator  # noqa: E402
from tui.emulator.ws.limits import WsLimits  # noqa: E402
from tui.proxy import Proxy  # noqa: E402


class BarePipe:
    """A TCP relay that copies bytes both ways as they come: no parsing, no checking, no copy kept."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.server = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._serve, "127.0.0.1", 0), self.loop).result()
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)

        async def copy(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
            dst.close()

        await asyncio.gather(copy(reader, up_writer), copy(up_reader, writer), return_exceptions=True)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


async def round_trips(url: str, pings: int) -> list[float]:
    times = []
    async with connect(url, compression=None, proxy=None, ping_interval=None, max_queue=None) as ws:
        for _ in range(pings):
            t0 = time.perf_counter()
            await ws.send('{"action":"ping"}')
            await ws.recv()
            times.append((time.perf_counter() - t0) * 1e6)
    return times


def main(rounds: int, pings: int) -> None:
    emu = Emulator(ws_limits=WsLimits(max_messages_per_s=1e9)).start()  # the venue's 20 a second would close the link
    pipe = BarePipe(emu.port)
    proxy = Proxy(emu.base_url, port=0, history=False).start()
    paths = {"direct": emu.ws_url, "bare pipe": f"ws://127.0.0.1:{pipe.port}", "keyprobe proxy": f"ws://127.0.0.1:{proxy.port}"}
    results: dict[str, list[float]] = {name: [] for name in paths}
    try:
        for r in range(rounds):
            order = list(paths) if r % 2 == 0 else list(reversed(paths))
            for name in order:
                results[name] += asyncio.run(round_trips(paths[name] + "/futures/api?protocol=1.1", pings))
    finally:
        proxy.stop()
        pipe.stop()
        emu.stop()
    print(f"{rounds} rounds x {pings} text pings (futures: '{{\"action\":\"ping\"}}' -> pong), round trip in us")
    medians = {}
    for name, times in results.items():
        times.sort()
        medians[name] = statistics.median(times)
        print(f"{name:<15}: median {medians[name]:8.1f}   p90 {times[int(len(times) * 0.9)]:8.1f}   p99 {times[int(len(times) * 0.99)]:8.1f}")
    ratio = medians["keyprobe proxy"] / medians["bare pipe"]
    print(f"ratio proxy/bare pipe: {ratio:.3f} on the median (goal <= 1.25: {'met' if ratio <= 1.25 else 'NOT met'}); "
          f"the proxy adds {medians['keyprobe proxy'] - medians['direct']:.1f} us to a direct round trip")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pings", type=int, default=2000)
    options = parser.parse_args()
    main(options.rounds, options.pings)
