"""The proxy's added latency: the same signed requests sent straight to the emulator and through
`keyprobe proxy`, alternating in blocks, in one run. The emulator and the proxy each run in their own
process (as a bot would use them); the client is one kept-alive httpx.Client per path.

The proxy runs as users run it: lint, forensics (KEYPROBE_* set, so every signature is checked),
diagnosis and a history line per exchange, all on its observer thread, off the relay's path.

Usage: .venv/bin/python benchmarks/proxy_overhead.py [--requests 400] [--block 20] [--no-history]
Goal: added latency at p50 <= 1 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402

PATH = "/contract/private/cancel-order"


def signed(i: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))
    ts = str(time.time_ns() // 1_000_000)
    sign = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), {"X-BM-KEY": EXAMPLE_KEY, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign, "Content-Type": "application/json"}


def block(client: httpx.Client, start: int, n: int) -> list[float]:
    out = []
    for i in range(start, start + n):
        body, headers = signed(i)
        t0 = time.perf_counter()
        response = client.post(PATH, content=body, headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 500:
            raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:200]}")
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc): the proxy's own cost, whatever the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--block", type=int, default=20)
    parser.add_argument("--no-history", action="store_true", help="run the proxy with --no-history (the relay and inspection only)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="keyprobe-bench-")
    env = {**os.environ, "KEYPROBE_HOME": home, "KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET,
           "KEYPROBE_MEMO": EXAMPLE_MEMO}
    py = [sys.executable, "-m", "tui"]
    emulator = subprocess.Popen(py + ["emulator", "--port", "0", "--json"], stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    proxy = None
    try:
        upstream = json.loads(emulator.stdout.readline())["base_url"]
        proxy = subprocess.Popen(py + ["proxy", "--upstream", upstream, "--port", "0"] + (["--no-history"] if args.no_history else []), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        via = proxy.stderr.readline().split("listening on ", 1)[1].split()[0]
        direct_ms, proxied_ms = [], []
        with httpx.Client(base_url=upstream, trust_env=False) as d, httpx.Client(base_url=via, trust_env=False) as p:
            block(d, 0, args.block), block(p, 0, args.block)  # warm-up: connections, imports, caches
            i = args.block
            turn = 0
            cpu0 = cpu_seconds(proxy.pid)
            while len(direct_ms) < args.requests:
                first, second = ((d, direct_ms), (p, proxied_ms)) if turn % 2 == 0 else ((p, proxied_ms), (d, direct_ms))
                for client, sink in (first, second):
                    sink += block(client, i, args.block)
                    i += args.block
                turn += 1
            proxy_cpu_ms = (cpu_seconds(proxy.pid) - cpu0) * 1000 / len(proxied_ms)
    finally:
        for proc in (proxy, emulator):
            if proc is not None:
                proc.terminate()
                proc.wait(10)

    def q(xs, p):
        return statistics.quantiles(xs, n=100)[p - 1]

    print(f"requests per side: {len(direct_ms)} (blocks of {args.block}, alternating), signed POST {PATH}, "
          "emulator and proxy in their own processes, kept-alive connections")
    print(f"{'':28} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8}")
    for name, xs in (("direct to the emulator", direct_ms), ("through keyprobe proxy", proxied_ms)):
        print(f"{name:28} {statistics.median(xs):8.3f} {q(xs, 90):8.3f} {q(xs, 99):8.3f}")
    added = statistics.median(proxied_ms) - statistics.median(direct_ms)
    print(f"added latency at p50: {added:.3f} ms (goal <= 1 ms)")
    print(f"proxy process CPU per exchange: {proxy_cpu_ms:.3f} ms (relay, lint, forensics, diagnosis, history; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
