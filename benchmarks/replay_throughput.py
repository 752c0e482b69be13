"""Replay throughput: `keyprobe replay` of a folder of saved requests vs a bare httpx loop.

Both sides send the same N requests (half KEYED GET /contract/private/assets-detail, half SIGNED
POST /contract/private/cancel-order) to one emulator, at the same concurrency, in the same run,
alternating which goes first each round so drift and warm-up hit both alike. It runs twice: with the
emulator in its own process (the fair figure: this process is then the client alone), then in this
process as before (the emulator's threads share the interpreter with both sides, pulling the ratio
towards 1).

- keyprobe: load the folder (tui.saved), sign afresh and send through the one Wire, diagnose each
  answer (tui.diagnose) and append it to the history (tui.history): everything `keyprobe replay`
  does except drawing the table.
- bare: the same requests already in memory; inline HMAC, httpx.AsyncClient.send, json.loads.

Usage: .venv/bin/python benchmarks/replay_throughput.py [--requests 500] [--rounds 7] [--concurrency 8]
Goal: keyprobe / bare <= 1.25 (median wall time of the rounds, emulator apart). The best-of-rounds ratio is
printed too, and the client-CPU ratio (thread time of the sending thread) and the whole-process CPU ratio
(medians): on a shared machine they are the figures least moved by other processes.
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

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key  # noqa: E402
from keys.signing import AuthLevel  # noqa: E402
from tui import saved  # noqa: E402
from tui.emulator import Emulator  # noqa: E402
from tui.exchange import Draft  # noqa: E402
from tui.replay import ReplayJob, replay  # noqa: E402
from tui.signing_context import SigningContext  # noqa: E402
from tui.venues import emulator_venue  # noqa: E402
from tui.wire import Wire  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from emulator_process import emulator_process  # noqa: E402


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


async def keyprobe_block(folder: Path, credentials, concurrency: int) -> tuple[float, float, float, int]:
    start, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
    requests, problems = saved.load_all([folder])
    assert not problems, problems
    jobs = [ReplayJob.from_saved(r) for r in requests]
    async with Wire() as wire:
        results = await replay(jobs, lambda job: SigningContext.for_venue(job.draft.venue, credentials), wire=wire, concurrency=concurrency)
    elapsed, cpu, process = time.perf_counter() - start, time.thread_time() - cpu, time.process_time() - process
    return elapsed, cpu, process, sum(1 for r in results if r.diagnosis.code in (1000, 40037))


async def bare_block(drafts: list[Draft], concurrency: int) -> tuple[float, float, float, int]:
    import httpx

    start, cpu, process = time.perf_counter(), time.thread_time(), time.process_time()
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
    return time.perf_counter() - start, time.thread_time() - cpu, time.process_time() - process, good


def run_rounds(base_url: str, home: str, args: argparse.Namespace, reset=None) -> dict[str, dict[str, list[float]]]:
    """Per side, per figure (wall, thread, process): seconds per round."""
    folder = Path(home) / f"collection-{abs(hash(base_url))}"
    drafts = make_folder(folder, emulator_venue(base_url), args.requests)
    credentials = demo_key().credentials
    figures = {side: {"wall": [], "thread": [], "process": []} for side in ("keyprobe", "bare")}
    for rnd in range(args.rounds + 1):  # round 0 warms both up and is not counted
        for side in (("keyprobe", "bare") if rnd % 2 else ("bare", "keyprobe")):
            if side == "keyprobe":
                *measured, good = asyncio.run(keyprobe_block(folder, credentials, args.concurrency))
            else:
                *measured, good = asyncio.run(bare_block(drafts, args.concurrency))
            if good != args.requests:
                raise SystemExit(f"{side}: only {good} of {args.requests} requests got the expected answer")
            if rnd:
                for name, value in zip(("wall", "thread", "process"), measured):
                    figures[side][name].append(value)
        if reset is not None:
            reset()  # fresh rate counters and orders each round
    return figures


def report(title: str, figures: dict[str, dict[str, list[float]]], n: int) -> float:
    kp, bare = figures["keyprobe"], figures["bare"]

    def med(xs: list[float]) -> float:
        return statistics.median(xs)

    print(f"\n{title}")
    for label, side in (("keyprobe replay", kp), ("bare httpx loop", bare)):
        print(f"{label}: median {med(side['wall']) * 1000:8.1f} ms  ({n / med(side['wall']):7.0f} req/s)   "
              f"rounds: {', '.join(f'{t * 1000:.0f}' for t in side['wall'])}")
    print(f"CPU (medians): client thread keyprobe {med(kp['thread']) * 1000:.1f} ms, bare {med(bare['thread']) * 1000:.1f} ms; "
          f"whole process keyprobe {med(kp['process']) * 1000:.1f} ms, bare {med(bare['process']) * 1000:.1f} ms")
    ratio = med(kp["wall"]) / med(bare["wall"])
    print(f"ratio keyprobe/bare: {ratio:.3f} median, {min(kp['wall']) / min(bare['wall']):.3f} best of rounds, "
          f"client CPU {med(kp['thread']) / med(bare['thread']):.3f}, process CPU {med(kp['process']) / med(bare['process']):.3f}")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    print(f"{args.requests} requests x {args.rounds} rounds, concurrency {args.concurrency}")
    with tempfile.TemporaryDirectory() as home:
        os.environ["KEYPROBE_HOME"] = home  # the history goes here, not into the user's
        with emulator_process() as base_url:
            apart = report("emulator in its own process (the fair figure)", run_rounds(base_url, home, args), args.requests)
        with Emulator() as emu:
            emu.controls.rate_limit = 10**9

            def reset() -> None:
                emu.state.reset()
                emu.controls.rate_limit = 10**9

            report("emulator in this process (its threads share the interpreter with both sides)",
                   run_rounds(emu.base_url, home, args, reset), args.requests)
    print(f"\ngoal: keyprobe/bare <= 1.25 on the wall median with the emulator apart: {apart:.3f}, {'met' if apart <= 1.25 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
