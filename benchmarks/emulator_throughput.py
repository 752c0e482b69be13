"""Emulator throughput: today's server vs the server before issue 13, side by side in one run.

Each server runs in its own process; a load generator runs in a third (one thread, a selector over
kept-alive connections with one request outstanding on each, requests built and signed before the
clock starts). The
baseline is the emulator as it was at BASELINE_REF (the ThreadingHTTPServer, a thread per connection),
extracted with `git archive` into a temporary folder and run from there unchanged; "current" is this
checkout. Both get the same mix, in turn, alternating which goes first each round:

  GET /system/time (public), GET /contract/private/assets-detail (KEYED),
  POST /spot/v4/query/open-orders on current / POST /contract/private/cancel-orders on the baseline
  (SIGNED: HMAC check and a JSON body; the baseline has no spot routes, and both leave no state behind).

Rate limits are lifted on both (they would answer 429 after a few requests). Every answer is checked
(HTTP 200, code 1000); a round with any other answer is reported, not counted. Two figures per side:
requests per second of wall time (what a client sees, moved by whatever else runs on the machine), and
requests per CPU-second of the server process (/proc), the steadier figure on a shared machine.

Usage: .venv/bin/python benchmarks/emulator_throughput.py [--seconds 4] [--rounds 3] [--connections 8]
Goal: current >= 2 x baseline requests per second (median of rounds).
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
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_REF = "3fe5613"  # main before issue 13: the thread-per-connection server
EXAMPLE_KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"  # BitMart's documented example credentials (keys/demo.py)
EXAMPLE_SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
EXAMPLE_MEMO = "test001"

SERVE = """
import sys
from tui.emulator import Emulator
emu = Emulator().start()
c = emu.controls
if hasattr(c, "rate_scale"):
    c.rate_scale = 1e9
else:
    c.rate_limit = 10**9
print(emu.port, flush=True)
sys.stdin.read()
emu.stop()
"""


def request_bytes(signed_path: str) -> list[bytes]:
    ts = str(time.time_ns() // 1_000_000)
    body = b'{"symbol":"BTCUSDT"}' if "cancel-orders" in signed_path else b"{}"
    sign = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return [
        b"GET /system/time HTTP/1.1\r\nHost: bench\r\n\r\n",
        f"GET /contract/private/assets-detail HTTP/1.1\r\nHost: bench\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n\r\n".encode(),
        (f"POST {signed_path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n"
         f"X-BM-TIMESTAMP: {ts}\r\nX-BM-SIGN: {sign}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body,
    ]


def generate(port: int, seconds: float, connections: int, signed_path: str) -> dict:
    """The load generator (run in its own process): one thread, a selector over `connections` kept-alive
    sockets, one request outstanding on each (no pipelining, as real clients send). Returns the answers
    received in `seconds` and how many were not 200 / code 1000."""
    import selectors
    import socket

    mix = request_bytes(signed_path)
    selector = selectors.DefaultSelector()
    state = {}
    for n in range(connections):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        state[sock] = [bytearray(), n]  # receive buffer, next request index
        selector.register(sock, selectors.EVENT_READ)
    done = bad = 0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    for sock, (_, n) in state.items():
        sock.sendall(mix[n % 3])
    while time.perf_counter() < deadline:
        for key, _ in selector.select(timeout=1):
            sock = key.fileobj
            buffer, n = state[sock]
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed a kept-alive connection")
            buffer += chunk
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                continue
            head = bytes(buffer[:end])
            length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n", 1)[0])
            if len(buffer) < end + 4 + length:
                continue
            answer = bytes(buffer[end + 4 : end + 4 + length])
            del buffer[: end + 4 + length]
            done += 1
            if not (head.startswith(b"HTTP/1.1 200 ") and b'"code":1000' in answer):
                bad += 1
            state[sock][1] = n + 1
            sock.sendall(mix[(n + 1) % 3])
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    for sock in state:
        sock.close()
    return {"requests": done, "bad": bad, "seconds": elapsed, "generator_cpu": cpu}


def baseline_tree(ref: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="emulator-baseline-"))
    archive = subprocess.run(["git", "archive", ref, "tui", "keys"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def start_server(pythonpath: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    proc = subprocess.Popen([sys.executable, "-c", SERVE], cwd=pythonpath, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: subprocess.Popen, port: int, seconds: float, connections: int, signed_path: str) -> dict:
    before = cpu_seconds(server.pid)
    out = subprocess.run([sys.executable, __file__, "--generate", str(port), str(seconds), str(connections), signed_path],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    result["server_cpu"] = cpu_seconds(server.pid) - before
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        port, seconds, connections, signed_path = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        print(json.dumps(generate(port, seconds, connections, signed_path)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args()

    tree = baseline_tree(args.baseline_ref)
    sides = {"current": (ROOT, "/spot/v4/query/open-orders"), f"baseline ({args.baseline_ref})": (tree, "/contract/private/cancel-orders")}
    servers = {name: start_server(path) for name, (path, _) in sides.items()}
    rates: dict[str, list[float]] = {name: [] for name in sides}
    per_cpu: dict[str, list[float]] = {name: [] for name in sides}
    busy: dict[str, list[float]] = {name: [] for name in sides}  # share of the wall time each process was on a CPU
    try:
        print(f"{args.connections} kept-alive connections, {args.seconds:g} s per side per round, {args.rounds} rounds; "
              "servers and load generator in separate processes")
        for r in range(args.rounds):
            order = list(sides) if r % 2 == 0 else list(reversed(sides))
            for name in order:
                result = measure(*servers[name], args.seconds, args.connections, sides[name][1])
                if result["bad"]:
                    print(f"  round {r + 1} {name}: {result['bad']} answers were not 200/1000; round not counted")
                    continue
                rates[name].append(result["requests"] / result["seconds"])
                per_cpu[name].append(result["requests"] / max(result["server_cpu"], 0.01))
                busy[name].append((result["server_cpu"] / result["seconds"], result["generator_cpu"] / result["seconds"]))
    finally:
        for proc, _ in servers.values():
            proc.stdin.close()
            proc.wait(timeout=10)
    for name, values in rates.items():
        shown = ", ".join(f"{v:.0f}" for v in values)
        print(f"{name:>20}: median {statistics.median(values):6.0f} req/s wall, {statistics.median(per_cpu[name]):6.0f} req per "
              f"server CPU-second   rounds (req/s): {shown}")
        server_busy, generator_busy = (statistics.median(b[i] for b in busy[name]) for i in (0, 1))
        print(f"{'':>22}CPU busy (median): server {server_busy:.0%}, load generator {generator_busy:.0%}")
    (current, baseline), (current_cpu, baseline_cpu) = ((statistics.median(v) for v in d.values()) for d in (rates, per_cpu))
    print(f"ratio current / baseline: {current / baseline:.2f} wall, {current_cpu / baseline_cpu:.2f} per server CPU-second (goal >= 2)")


if __name__ == "__main__":
    main()
