"""`keyprobe ws`'s session (connect, login, ping, private subscribe, public subscribe and first data) vs a bare
websockets script doing the same steps, against the same emulator streams, in the same run.

- keyprobe: tui.ws.client.run_session: keys.ws_login signs and sends (the transport policy, evidence), every frame
  decoded with the inflate cap, classified, masked and escaped for the report, refusals diagnosed.
- bare: websockets.asyncio.client.connect per link, hmac.new(...).hexdigest() inline, json.dumps, zlib inflate,
  json.loads, checking only that each answer is the expected one.

Rounds alternate which side goes first; the emulator (its streams on its own HTTP port) runs in this process, in its
own thread, as in send_overhead.py's in-process figure.

Usage: .venv/bin/python benchmarks/ws_session.py [--rounds 21] [--market spot|futures]
Goal: keyprobe / bare <= 1.25 on the median wall time of a session.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.asyncio.client import connect  # noqa: E402

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key  # noqa: E402
from keys.hosts import LOOPBACK_HOSTS  # noqa: E402
from tui.emulator import Emulator  # noqa: E402
from tui.ws.client import Plan, run_session  # noqa: E402
from tui.ws.dialects import DIALECTS, emulator_urls  # noqa: E402


async def keyprobe_session(plan: Plan) -> float:
    t0 = time.perf_counter()
    report = await run_session(plan)
    if report.exit_code != 0:
        raise SystemExit(f"keyprobe side: {report.verdict}")
    return time.perf_counter() - t0


def _text(message: str | bytes) -> str:
    return message if isinstance(message, str) else zlib.decompressobj(-zlib.MAX_WBITS).decompress(message).decode()


async def bare_session(dialect, private_url: str, public_url: str) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    op = dialect.op_key
    async with connect(private_url, compression=None, proxy=None) as ws:
        ts = str(time.time_ns() // 1_000_000)
        sign = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{dialect.marker}".encode(), hashlib.sha256).hexdigest()
        login = {"op": "login", "args": [EXAMPLE_KEY, ts, sign]} if op == "op" else {"action": "access", "args": [EXAMPLE_KEY, ts, sign, "web"]}
        await ws.send(json.dumps(login, separators=(",", ":")))
        answer = json.loads(_text(await ws.recv()))
        assert answer in ({"event": "login"}, {"action": "access", "success": True}), answer
        await ws.send(dialect.text_ping)
        assert "pong" in _text(await ws.recv())
        await ws.send(json.dumps({op: "subscribe", "args": [dialect.default_private]}, separators=(",", ":")))
        assert "subscribe" in _text(await ws.recv())
    async with connect(public_url, compression=None, proxy=None) as ws:
        await ws.send(json.dumps({op: "subscribe", "args": [dialect.default_public]}, separators=(",", ":")))
        assert "subscribe" in _text(await ws.recv())
        assert "last_price" in _text(await ws.recv())
    return time.perf_counter() - t0


async def main(rounds: int, market: str) -> None:
    dialect = DIALECTS["bitmart-spot" if market == "spot" else "bitmart-futures"]
    with Emulator() as emu:
        public_url, private_url = emulator_urls(emu.ws_url, dialect)
        plan = Plan(dialect, private_url, public_url, demo_key().credentials, LOOPBACK_HOSTS, "Local emulator",
                    (dialect.default_private, dialect.default_public))
        await keyprobe_session(plan)  # warm-up, uncounted: imports, first connections
        await bare_session(dialect, private_url, public_url)
        ours, bare = [], []
        for i in range(rounds):
            if i % 2:
                bare.append(await bare_session(dialect, private_url, public_url))
                ours.append(await keyprobe_session(plan))
            else:
                ours.append(await keyprobe_session(plan))
                bare.append(await bare_session(dialect, private_url, public_url))
    k, b = statistics.median(ours) * 1000, statistics.median(bare) * 1000
    print(f"{rounds} sessions each ({dialect.name}: connect, login, ping, private subscribe, public subscribe + first data)")
    print(f"keyprobe run_session : median {k:7.2f} ms   min {min(ours) * 1000:7.2f}   max {max(ours) * 1000:7.2f}")
    print(f"bare websockets      : median {b:7.2f} ms   min {min(bare) * 1000:7.2f}   max {max(bare) * 1000:7.2f}")
    print(f"ratio keyprobe/bare  : {k / b:.3f} median, {min(ours) / min(bare):.3f} of minima  (goal <= 1.25 on the median: "
          f"{'met' if k / b <= 1.25 else 'NOT met'})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--market", choices=("spot", "futures"), default="spot")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.market))
