"""Send overhead: keyprobe's pipeline (Wire.send + diagnose) vs a bare httpx loop with inline HMAC.

Both sides send the same N signed POST /contract/private/cancel-order requests, one at a time on a
kept-alive connection, to one in-process emulator, in the same run. The work alternates in blocks
(keyprobe block, bare block, bare block, keyprobe block, ...) so drift, warm-up and the emulator's
own cost land on both sides alike.

- keyprobe: Draft -> Wire.send (new VenueSigner per send, trace extension, streamed body with a cap,
  masked SentRequest, rate-limit headers) -> tui.diagnose.diagnose.
- bare: httpx.AsyncClient.post(content=..., headers=...) with hmac.new(...).hexdigest() inline and
  response.json().

Usage: .venv/bin/python benchmarks/send_overhead.py [--requests 500] [--block 50]
Goal: keyprobe / bare <= 1.10.
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
from tui.diagnose import diagnose  # noqa: E402
from tui.emulator import Emulator  # noqa: E402
from tui.exchange import Draft  # noqa: E402
from tui.wire import Wire  # noqa: E402

PATH = "/contract/private/cancel-order"


def body_for(i: int) -> str:
    return json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))


async def keyprobe_block(wire: Wire, venue, creds, start: int, n: int) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.thread_time()
    for i in range(start, start + n):
        exchange = await wire.send(Draft(venue, "POST", PATH, body=body_for(i), auth=AuthLevel.SIGNED), creds)
        diagnosis = diagnose(exchange)
        if exchange.failure is not None or diagnosis.code not in (1000, 40035, 40037):
            raise SystemExit(f"keyprobe side got {diagnosis.headline}")
    return time.perf_counter() - t0, time.thread_time() - c0


async def bare_block(client, url: str, start: int, n: int) -> tuple[float, float]:
    secret, key, memo = EXAMPLE_SECRET.encode(), EXAMPLE_KEY, EXAMPLE_MEMO
    t0, c0 = time.perf_counter(), time.thread_time()
    for i in range(start, start + n):
        body = body_for(i)
        ts = str(time.time_ns() // 1_000_000)
        sign = hmac.new(secret, f"{ts}#{memo}#{body}".encode(), hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-BM-KEY": key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign}
        response = await client.post(url, content=body.encode(), headers=headers)
        code = response.json().get("code")
        if code not in (1000, 40035, 40037):
            raise SystemExit(f"bare side got code {code}")
    return time.perf_counter() - t0, time.thread_time() - c0


async def main(requests: int, block: int) -> None:
    import httpx

    with Emulator() as emu:
        emu.controls.rate_limit = 10**9  # the limiter is not what is measured
        venue, creds = emu.venue, demo_key().credentials
        wall: dict[str, list[float]] = {"keyprobe": [], "bare": []}
        cpu: dict[str, list[float]] = {"keyprobe": [], "bare": []}
        async with Wire() as wire, httpx.AsyncClient(timeout=httpx.Timeout(15, connect=5), trust_env=False) as client:
            url = emu.base_url + PATH
            # Warm both: connections, imports, the emulator's first-request costs.
            await keyprobe_block(wire, venue, creds, 0, 20)
            await bare_block(client, url, 0, 20)
            done = order = 0
            while done < requests:
                n = min(block, requests - done)
                for side in (("keyprobe", "bare") if order % 2 == 0 else ("bare", "keyprobe")):
                    if side == "keyprobe":
                        w, c = await keyprobe_block(wire, venue, creds, done, n)
                    else:
                        w, c = await bare_block(client, url, done, n)
                    wall[side].append(w / n)
                    cpu[side].append(c / n)
                done += n
                order += 1

    def ms(xs: list[float]) -> float:
        return statistics.median(xs) * 1e3

    wall_ratios = [k / b for k, b in zip(wall["keyprobe"], wall["bare"])]
    cpu_ratios = [k / b for k, b in zip(cpu["keyprobe"], cpu["bare"])]
    print(f"requests per side: {requests} (blocks of {block}, alternating), signed POST {PATH}, one kept-alive connection")
    print("                                  wall ms/request   client CPU ms/request   (medians of blocks)")
    print(f"keyprobe (Wire.send + diagnose):  {ms(wall['keyprobe']):8.3f}          {ms(cpu['keyprobe']):8.3f}")
    print(f"bare httpx + inline HMAC:         {ms(wall['bare']):8.3f}          {ms(cpu['bare']):8.3f}")
    print(f"ratio keyprobe / bare: wall {statistics.median(wall_ratios):.3f}, client CPU {statistics.median(cpu_ratios):.3f} "
          f"(median of {len(wall_ratios)} paired blocks); goal <= 1.10")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--block", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.block))
