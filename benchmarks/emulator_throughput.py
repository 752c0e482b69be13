"""Emulator throughput: keyprobe's server against aiohttp and uvicorn + Starlette serving the same routes
with the same work, side by side in one run.

Every server calls the emulator's own `handle(state, method, path, query, headers, body, client_ip)` (the
same routes, the same HMAC check, the same JSON answers, rate limits lifted) and differs only in the HTTP
server around it: keyprobe's (tui/emulator/server.py, llhttp via httptools, one asyncio Protocol per
connection), an aiohttp.web app with one catch-all route, and a Starlette app with one catch-all route under
uvicorn (its httptools protocol; the standard asyncio loop for all three, so the loop is not what is
compared). Each server runs in its own process; a load generator runs in another (one thread, a selector over
kept-alive connections, one request outstanding on each, requests built and signed before the clock starts):
a third each of GET /system/time (public), GET /contract/private/assets-detail (KEYED) and
POST /spot/v4/query/open-orders (SIGNED: an HMAC check and a JSON body). Every answer is checked (HTTP 200,
code 1000); a round with any other answer is reported, not counted. Sides alternate their order each round.

Two figures per side: requests per second of wall time (moved by whatever else runs on the machine), and
requests per CPU-second of the server process (/proc), the steadier figure on a shared machine.

The peers are for this benchmark only: `pip install aiohttp uvicorn starlette` into the venv (or
`pip install -e '.[bench]'`); a missing one is skipped with a sentence. `--before REF` adds keyprobe's
emulator as it was at a git ref (extracted with git archive), e.g. a646a29, before llhttp.

Usage: .venv/bin/python benchmarks/emulator_throughput.py [--seconds 4] [--rounds 3] [--connections 8] [--before REF]
Goal: keyprobe >= aiohttp in requests per server CPU-second (median of rounds).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import importlib.util
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
EXAMPLE_KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"  # BitMart's documented example credentials (keys/demo.py)
EXAMPLE_SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
EXAMPLE_MEMO = "test001"
SIGNED_PATH = "/spot/v4/query/open-orders"

# Each server prints its port, serves until its standard input closes.
KEYPROBE = """
import sys
from tui.emulator import Emulator
emu = Emulator().start()
emu.controls.rate_scale = 1e9
print(emu.port, flush=True)
sys.stdin.read()
emu.stop()
"""

STATE = """
import asyncio, sys, threading
from tui.emulator.handler import handle
from tui.emulator.state import EmulatorState
state = EmulatorState("bitmart")
state.controls.rate_scale = 1e9

def headers_of(pairs):
    out = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out

def serve_until_stdin_closes(start):
    threading.Thread(target=lambda: (sys.stdin.read(), __import__("os")._exit(0)), daemon=True).start()
    start()
"""

AIOHTTP = STATE + """
import socket
from aiohttp import web

async def route(request):
    reply = handle(state, request.method, request.path, request.query_string, headers_of(request.headers.items()),
                   await request.read(), request.remote or "")
    return web.Response(status=reply.status, headers=reply.headers, body=reply.body)

app = web.Application()
app.router.add_route("*", "/{tail:.*}", route)
sock = socket.create_server(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
serve_until_stdin_closes(lambda: web.run_app(app, sock=sock, print=None, access_log=None, handle_signals=False))
"""

UVICORN = STATE + """
import socket
import uvicorn
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

async def route(request):
    reply = handle(state, request.method, request.url.path, request.url.query, headers_of(request.headers.items()),
                   await request.body(), request.client.host if request.client else "")
    return Response(reply.body, status_code=reply.status, headers=dict(reply.headers))

app = Starlette(routes=[Route("/{path:path}", route, methods=["GET", "POST", "DELETE", "HEAD"])])
sock = socket.create_server(("127.0.0.1", 0))
# Accepted sockets inherit TCP_NODELAY from the listener (Linux): uvicorn writes head and body apart, and
# without it each answer waits out the client's delayed ACK (40 ms), which measured the kernel, not uvicorn.
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(app, loop="asyncio", http="httptools", log_level="warning", access_log=False, lifespan="off")
serve_until_stdin_closes(lambda: uvicorn.Server(config).run(sockets=[sock]))
"""

PEERS = {"aiohttp": (AIOHTTP, ("aiohttp",)), "uvicorn+Starlette": (UVICORN, ("uvicorn", "starlette", "httptools"))}


def request_bytes() -> list[bytes]:
    ts = str(time.time_ns() // 1_000_000)
    body = b'{"symbol":"BTC_USDT"}'
    sign = hmac.new(EXAMPLE_SECRET.encode(), f"{ts}#{EXAMPLE_MEMO}#{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return [
        b"GET /system/time HTTP/1.1\r\nHost: bench\r\n\r\n",
        f"GET /contract/private/assets-detail HTTP/1.1\r\nHost: bench\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n\r\n".encode(),
        (f"POST {SIGNED_PATH} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n"
         f"X-BM-TIMESTAMP: {ts}\r\nX-BM-SIGN: {sign}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body,
    ]


def generate(port: int, seconds: float, connections: int) -> dict:
    """The load generator (run in its own process): one thread, a selector over `connections` kept-alive
    sockets, one request outstanding on each (no pipelining, as real clients send). Returns the answers
    received in `seconds` and how many were not 200 / code 1000."""
    import selectors
    import socket

    mix = request_bytes()
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


def tree_at(ref: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="emulator-before-"))
    archive = subprocess.run(["git", "archive", ref, "tui", "keys"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def start_server(code: str, pythonpath: Path) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=pythonpath, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return proc, int(proc.stdout.readline())


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(server: subprocess.Popen, port: int, seconds: float, connections: int) -> dict:
    before = cpu_seconds(server.pid)
    out = subprocess.run([sys.executable, __file__, "--generate", str(port), str(seconds), str(connections)],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    result["server_cpu"] = cpu_seconds(server.pid) - before
    return result


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        print(json.dumps(generate(int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--before", metavar="REF", help="also run keyprobe's emulator as it was at this git ref")
    args = parser.parse_args()

    sides: dict[str, tuple[str, Path]] = {"keyprobe": (KEYPROBE, ROOT)}
    for name, (code, modules) in PEERS.items():
        missing = [m for m in modules if importlib.util.find_spec(m) is None]
        if missing:
            print(f"{name}: skipped, {', '.join(missing)} not installed (pip install aiohttp uvicorn starlette, or -e '.[bench]').")
        else:
            sides[name] = (code, ROOT)
    if args.before:
        sides[f"keyprobe {args.before}"] = (KEYPROBE, tree_at(args.before))
    servers = {name: start_server(code, path) for name, (code, path) in sides.items()}
    rates: dict[str, list[float]] = {name: [] for name in sides}
    per_cpu: dict[str, list[float]] = {name: [] for name in sides}
    busy: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    try:
        print(f"{args.connections} kept-alive connections, {args.seconds:g} s per side per round, {args.rounds} rounds; "
              f"each server and the load generator in its own process; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        for r in range(args.rounds):
            order = list(sides)[r % len(sides):] + list(sides)[: r % len(sides)]
            for name in order:
                result = measure(*servers[name], args.seconds, args.connections)
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
    for name in sides:
        if not rates[name]:
            print(f"{name:>22}: no round counted")
            continue
        shown = ", ".join(f"{v:.0f}" for v in per_cpu[name])
        server_busy = statistics.median(b[0] for b in busy[name])
        print(f"{name:>22}: {statistics.median(per_cpu[name]):6.0f} req per server CPU-second, {statistics.median(rates[name]):6.0f} req/s wall "
              f"(server busy {server_busy:.0%})   rounds per CPU-s: {shown}")
    mine = statistics.median(per_cpu["keyprobe"]) if per_cpu["keyprobe"] else 0.0
    for name in sides:
        if name != "keyprobe" and per_cpu[name]:
            print(f"keyprobe / {name}: {mine / statistics.median(per_cpu[name]):.2f} per server CPU-second, "
                  f"{statistics.median(rates['keyprobe']) / statistics.median(rates[name]):.2f} wall"
                  + (" (goal >= 1)" if name == "aiohttp" else ""))


if __name__ == "__main__":
    main()
