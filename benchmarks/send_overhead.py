"""Send overhead: keyprobe's pipeline (Wire.send + diagnose) vs a bare httpx loop with inline HMAC.

Both sides send the same N signed POST /contract/private/cancel-order requests, one at a time on a
kept-alive connection, to one emulator, in the same run. The work alternates in blocks (keyprobe
block, bare block, bare block, keyprobe block, ...) so drift and warm-up land on both sides alike.

It runs twice: with the emulator in its own process (the fair figure: the measured process is the
client alone, so its whole-process CPU is the client's), then in this process as before (its server
threads share the interpreter with both clients and pull the ratio towards 1). Client CPU is the
sending thread's; process CPU is the whole process's (the emulator's threads included when in-process).

- keyprobe: Draft -> Wire.send (new VenueSigner per send, trace extension, streamed body with a cap,
  masked SentRequest, rate-limit headers) -> tui.diagnosis.diagnose.diagnose.
- bare: httpx.AsyncClient.post(content=..., headers=...) with hmac.new(...).hexdigest() inline and
  response.json().

Usage: .venv/bin/python benchmarks/send_overhead.py [--requests 500] [--block 50]
Goal: keyprobe / bare <= 1.10 on the wall time with the emulator in its own process.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key  # noqa: E402
from keys.signing import AuthLevel  # noqa: E402
from tui.diagnosis.diagnose import diagnose  # noqa: E402
from tui.emulator import Emulator  # noqa: E402
from tui.exchange import Draft  # noqa: E402
from tui.venues import emulator_venue  # noqa: E402
from tui.transport.wire import Wire  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from emulator_process import emulator_process  # noqa: E402

PATH = "/contract/private/cancel-order"


def body_for(i: int) -> str:
    return json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))


async def keyprobe_block(wire: Wire, venue, creds, start: int, n: int) -> tuple[float, float, float]:
    t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
    for i in range(start, start + n):
        exchange = await wire.send(Draft(venue, "POST", PATH, body=body_for(i), auth=AuthLevel.SIGNED), creds)
        diagnosis = diagnose(exchange)
        if exchange.failure is not None or diagnosis.code not in (1000, 40035, 40037):
            raise SystemExit(f"keyprobe side got {diagnosis.headline}")
    return time.perf_counter() - t0, time.thread_time() - c0, time.process_time() - p0


async def bare_block(client, url: str, start: int, n: int) -> tuple[float, float, float]:
    secret, key, memo = EXAMPLE_SECRET.encode(), EXAMPLE_KEY, EXAMPLE_MEMO
    t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
    for i in range(start, start + n):
        body = body_for(i)
        ts = str(time.time_ns() // 1_000_000)
        sign = hmac.new(secret, f"{ts}#{memo}#{body}".encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-BM-KEY": key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign}
        response = await client.post(url, content=body.encode(), headers=headers)
        code = response.json().get("code")
        if code not in (1000, 40035, 40037):
            raise SystemExit(f"bare side got code {code}")
    return time.perf_counter() - t0, time.thread_time() - c0, time.process_time() - p0


async def measure(base_url: str, requests: int, block: int) -> dict[str, dict[str, list[float]]]:
    """Per side, per figure (wall, thread, process): seconds per request of each block."""
    import httpx

    venue, creds = emulator_venue(base_url), demo_key().credentials
    figures = {side: {"wall": [], "thread": [], "process": []} for side in ("keyprobe", "bare")}
    async with Wire() as wire, httpx.AsyncClient(timeout=httpx.Timeout(15, connect=5), trust_env=False) as client:
        url = base_url + PATH
        # Warm both: connections, imports, the emulator's first-request costs.
        await keyprobe_block(wire, venue, creds, 0, 20)
        await bare_block(client, url, 0, 20)
        done = order = 0
        while done < requests:
            n = min(block, requests - done)
            for side in (("keyprobe", "bare") if order % 2 == 0 else ("bare", "keyprobe")):
                if side == "keyprobe":
                    measured = await keyprobe_block(wire, venue, creds, done, n)
                else:
                    measured = await bare_block(client, url, done, n)
                for name, value in zip(("wall", "thread", "process"), measured):
                    figures[side][name].append(value / n)
            done += n
            order += 1
    return figures


def report(title: str, figures: dict[str, dict[str, list[float]]]) -> float:
    def ms(xs: list[float]) -> float:
        return statistics.median(xs) * 1e3

    def ratio(name: str) -> float:
        return statistics.median(k / b for k, b in zip(figures["keyprobe"][name], figures["bare"][name]))

    kp, bare = figures["keyprobe"], figures["bare"]
    print(f"\n{title}")
    print("                                  wall ms/request   client CPU ms/request   process CPU ms/request")
    print(f"keyprobe (Wire.send + diagnose):  {ms(kp['wall']):8.3f}          {ms(kp['thread']):8.3f}                {ms(kp['process']):8.3f}")
    print(f"bare httpx + inline HMAC:         {ms(bare['wall']):8.3f}          {ms(bare['thread']):8.3f}                {ms(bare['process']):8.3f}")
    print(f"ratio keyprobe / bare: wall {ratio('wall'):.3f}, client CPU {ratio('thread'):.3f}, process CPU {ratio('process'):.3f} "
          f"(medians of {len(kp['wall'])} paired blocks)")
    return ratio("wall")


async def main(requests: int, block: int) -> None:
    print(f"requests per side: {requests} (blocks of {block}, alternating), signed POST {PATH}, one kept-alive connection; "
          "figures are medians of blocks")
    with emulator_process() as base_url:
        apart = report("emulator in its own process (the fair figure)", await measure(base_url, requests, block))
    with Emulator() as emu:
        emu.controls.rate_limit = 10**9  # the limiter is not what is measured
        report("emulator in this process (its threads share the interpreter with both sides)", await measure(emu.base_url, requests, block))
    print(f"\ngoal: keyprobe / bare <= 1.10 on the wall time with the emulator apart: {apart:.3f}, {'met' if apart <= 1.10 else 'NOT met'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--block", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.block))
