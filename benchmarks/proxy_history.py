"""The proxy's history: how much of its busy time goes to writing the history, beside the same run without it.

A Proxy runs in this process in front of an emulator in a process of its own (four runs, with and without
the history alternating, each side's two averaged); a client thread sends N
signed requests through it, one at a time on a kept-alive connection. The proxy's busy time is the CPU of
its own threads (the relay's loop, the observer, and the history writer when there is one), read from
their per-thread clocks; the history's part is the observer's time inside Proxy._record plus the writer
thread's. The history file starts near its caps (--prefill entries of a real exchange's size), as in a
proxy that has run for a while, so its compactions are part of what is measured. The same run without
the history (history=False) is the baseline: the proxy's busy time per exchange with nothing written.

Usage: .venv/bin/python benchmarks/proxy_history.py [--requests 600] [--prefill 990]
Goal: the history's share of the proxy's busy time <= 15%.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from emulator_process import emulator_process  # noqa: E402

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key  # noqa: E402

PATH = "/contract/private/cancel-order"
GOAL = 0.15


def signed(i: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))
    ts = str(time.time_ns() // 1_000_000)
    sign = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), {"X-BM-KEY": EXAMPLE_KEY, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign, "Content-Type": "application/json"}


def thread_cpu(thread: threading.Thread) -> float:
    return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def run(upstream: str, requests: int, history: bool) -> dict[str, float]:
    from tui.proxy import Proxy
    from tui.proxy import service

    in_record = [0.0]
    original = service.Proxy._record

    def timed(self, *args):  # the observer's time handing a record over (and, before, writing it)
        start = time.thread_time()
        try:
            return original(self, *args)
        finally:
            in_record[0] += time.thread_time() - start

    service.Proxy._record = timed
    try:
        with Proxy(upstream, port=0, credentials=[demo_key().credentials], history=history) as proxy:
            with httpx.Client(base_url=proxy.base_url, trust_env=False) as client:
                for i in range(20):  # warm-up: connections, imports, caches; not counted
                    body, headers = signed(i)
                    client.post(PATH, content=body, headers=headers)
                proxy.wait_for(20, 60)
                threads = [t for t in threading.enumerate() if t.name.startswith(("proxy-", "history"))]
                before = {t: thread_cpu(t) for t in threads}
                record0 = in_record[0]
                for i in range(20, 20 + requests):
                    body, headers = signed(i)
                    client.post(PATH, content=body, headers=headers)
                proxy.wait_for(20 + requests, 120)
                writer = getattr(proxy, "_history_writer", None)
                if writer is not None:
                    writer.flush()  # what was handed over is written before the clocks are read
                spent = {t.name: thread_cpu(t) - before[t] for t in threads if t.is_alive()}
                recording = in_record[0] - record0
            problems = list(proxy.history_problems)
    finally:
        service.Proxy._record = original
    if problems:
        raise SystemExit(f"the history was not written: {problems[0]}")
    busy = sum(spent.values())
    writer_cpu = sum(v for name, v in spent.items() if name.startswith("history"))
    return {"busy": busy, "history": recording + writer_cpu, "threads": spent}


def merged(figures: list[dict]) -> dict:
    """The runs of one side added up (per exchange figures divide by twice the requests)."""
    threads: dict[str, float] = {}
    for f in figures:
        for name, value in f["threads"].items():
            threads[name] = threads.get(name, 0.0) + value / len(figures)
    return {"busy": sum(f["busy"] for f in figures) / len(figures), "history": sum(f["history"] for f in figures) / len(figures),
            "threads": threads}


def prefill(path: Path, count: int) -> None:
    """`count` entries like a proxied cancel-order's, so the file sits just under its entry cap."""
    from tui.records import history
    from tui.exchange import Draft, Exchange, ResponseData, Timings
    from tui.venues import get_venue

    body = json.dumps({"symbol": "BTCUSDT", "order_id": "1"})
    answer = json.dumps({"code": 40037, "message": "The order id is not exist", "trace": "x" * 36, "data": {}}).encode()
    exchange = Exchange(Draft(get_venue("emulator"), "POST", PATH, body=body), None,
                        ResponseData(400, "", (("Content-Type", "application/json"),), answer, False, len(answer)), None,
                        Timings(total_ms=1.0))
    entry = history.entry_for(exchange, None, source="proxy", notes="signature match")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(json.dumps(entry, separators=(",", ":")).encode() + b"\n" for _ in range(count)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--prefill", type=int, default=990)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, emulator_process() as upstream:
        os.environ["KEYPROBE_HOME"] = home
        from tui import paths

        prefill(paths.history_path(), args.prefill)
        runs: dict[bool, list[dict]] = {False: [], True: []}
        for history in (False, True, True, False):  # each side first once: warm-up and drift land on both
            runs[history].append(run(upstream, args.requests, history=history))
        written = sum(1 for _ in paths.history_path().open("rb"))
        without, with_history = (merged(runs[False]), merged(runs[True]))
    n = args.requests
    print(f"{n} signed POST {PATH} through an in-process proxy (emulator in its own process), history prefilled "
          f"with {args.prefill} entries; CPU of the proxy's threads, ms per exchange:")
    for label, figures in (("without history (baseline)", without), ("with history", with_history)):
        threads = ", ".join(f"{name} {v * 1000 / n:.3f}" for name, v in sorted(figures["threads"].items()))
        print(f"  {label:28s}: busy {figures['busy'] * 1000 / n:.3f}   ({threads})")
    share = with_history["history"] / with_history["busy"]
    print(f"history's part of the busy time: {with_history['history'] * 1000 / n:.3f} ms per exchange = {share:.1%} "
          f"(busy time over the baseline: {with_history['busy'] / without['busy']:.2f}x); "
          f"{written} lines in the history file afterwards")
    print(f"goal: <= {GOAL:.0%}: {'met' if share <= GOAL else 'NOT met'} (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
