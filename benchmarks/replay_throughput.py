"""Replay throughput: `keyprobe replay` of a folder of saved requests vs a bare httpx loop.

Both sides send the same N requests (half KEYED GET /contract/private/assets-detail, half SIGNED
POST /contract/private/cancel-order) to one in-process emulator, at the same concurrency, in the
same run, alternating which goes first each round so drift and warm-up hit both alike.

- keyprobe: load the folder (tui.saved), sign afresh and send through the one Wire, diagnose each
  answer (tui.diagnose) and append it to the history (tui.history): everything `keyprobe replay`
  does except drawing the table.
- bare: the same requests already in memory; inline HMAC, httpx.AsyncClient.send, json.loads.

Usage: .venv/bin/python benchmarks/replay_throughput.py [--requests 500] [--rounds 7] [--concurrency 8]
Goal: keyprobe / bare <= 1.25 (median wall time of the rounds). The best-of-rounds ratio is printed too,
and the client-CPU ratio (thread time of the sending thread, medians): on a shared machine they are the
figures least moved by other processes.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402
from keys.signing import AuthLevel  # noqa: E402
from tui import saved  # noqa: E402
from tui.emulator import Emulator  # noqa: E402
from tui.exchange import Draft  # noqa: E402
from tui.replay import ReplayJob, replay  # noqa: E402
from tui.signing_context import SigningContext  # noqa: E402
from tui.wire import Wire  # noqa: E402


def make_folder(folder: Path, venue, n: int) -> list[Draft]:
    drafts = []
    for i in range(n):
        if i % 2:
            body = json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))
            draft = Draft(venue, "POST", "/contract/private/cancel-order", body=body, auth=AuthLevel.SIGNED)
        else:
            draft = Draft(venue, "GET", "/contract/private/assets-detail", auth=AuthLevel.KEYED)
        saved.save(draft, f"r{i:04d}", folder)
        drafts.append(draft)
    return drafts


async def keyprobe_block(folder: Path, credentials, concurrency: int) -> tuple[float, float, int]:
    start, cpu = time.perf_counter(), time.thread_time()
    requests, problems = saved.load_all([folder])
    assert not problems, problems
    jobs = [ReplayJob.from_saved(r) for r in requests]
    async with Wire() as wire:
        results = await replay(jobs, lambda job: SigningContext.for_venue(job.draft.venue, credentials), wire=wire, concurrency=concurrency)
    elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
    return elapsed, cpu, sum(1 for r in results if r.diagnosis.code in (1000, 40037))


async def bare_block(drafts: list[Draft], concurrency: int) -> tuple[float, float, int]:
    import httpx

    start, cpu = time.perf_counter(), time.thread_time()
    gate = asyncio.Semaphore(concurrency)
    good = 0
    async with httpx.AsyncClient(trust_env=False) as client:

        async def one(d: Draft) -> None:
            nonlocal good
            headers = {"Content-Type": "application/json", "X-BM-KEY": EXAMPLE_KEY}
            if d.auth_level is AuthLevel.SIGNED:
                ts = str(time.time_ns() // 1_000_000)
                mac = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{d.body}".encode(), hashlib.sha256)
                headers |= {"X-BM-TIMESTAMP": ts, "X-BM-SIGN": mac.hexdigest()}
            async with gate:
                r = await client.request(d.method, d.url, content=d.body_bytes or None, headers=headers)
            if json.loads(r.content).get("code") in (1000, 40037):
                good += 1

        await asyncio.gather(*(one(d) for d in drafts))
    return time.perf_counter() - start, time.thread_time() - cpu, good


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home, Emulator() as emu:
        os.environ["KEYPROBE_HOME"] = home  # the history goes here, not into the user's
        emu.controls.rate_limit = 10**9
        folder = Path(home) / "collection"
        drafts = make_folder(folder, emu.venue, args.requests)
        credentials = emu.demo_credentials()
        kp_times: list[float] = []
        bare_times: list[float] = []
        kp_cpu: list[float] = []
        bare_cpu: list[float] = []
        for rnd in range(args.rounds + 1):  # round 0 warms both up and is not counted
            order = ("keyprobe", "bare") if rnd % 2 else ("bare", "keyprobe")
            for side in order:
                if side == "keyprobe":
                    elapsed, cpu, good = asyncio.run(keyprobe_block(folder, credentials, args.concurrency))
                else:
                    elapsed, cpu, good = asyncio.run(bare_block(drafts, args.concurrency))
                if good != args.requests:
                    print(f"{side}: only {good} of {args.requests} requests got the expected answer", file=sys.stderr)
                    return 1
                if rnd:
                    (kp_times if side == "keyprobe" else bare_times).append(elapsed)
                    (kp_cpu if side == "keyprobe" else bare_cpu).append(cpu)
            emu.state.reset()  # fresh rate counters and orders each round
            emu.controls.rate_limit = 10**9

    kp, bare = statistics.median(kp_times), statistics.median(bare_times)
    n = args.requests
    print(f"{n} requests x {args.rounds} rounds, concurrency {args.concurrency}, in-process emulator")
    print(f"keyprobe replay: median {kp * 1000:8.1f} ms  ({n / kp:7.0f} req/s)   rounds: {', '.join(f'{t * 1000:.0f}' for t in kp_times)}")
    print(f"bare httpx loop: median {bare * 1000:8.1f} ms  ({n / bare:7.0f} req/s)   rounds: {', '.join(f'{t * 1000:.0f}' for t in bare_times)}")
    ratio = kp / bare
    cpu_ratio = statistics.median(kp_cpu) / statistics.median(bare_cpu)
    print(f"client CPU (the sending thread; the emulator runs in others): keyprobe {statistics.median(kp_cpu) * 1000:.1f} ms, "
          f"bare {statistics.median(bare_cpu) * 1000:.1f} ms (medians)")
    print(f"ratio keyprobe/bare: {ratio:.3f} median, {min(kp_times) / min(bare_times):.3f} best of rounds, "
          f"client CPU {cpu_ratio:.3f}  (goal <= 1.25 on the wall median: {'met' if ratio <= 1.25 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
