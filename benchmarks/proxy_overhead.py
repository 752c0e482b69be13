"""The proxy's added latency: the same signed requests sent straight to the emulator, through `keyprobe
proxy` and through mitmdump in reverse-proxy mode (same upstream), alternating in blocks, in one run.

The emulator and each proxy run in their own process (as a bot would use them); the client is one kept-alive
httpx.Client per path. keyprobe's proxy runs as users run it: lint, forensics (KEYPROBE_* set, so every
signature is checked), diagnosis and a history line per exchange, all on its observer thread, off the
relay's path; mitmdump runs with its defaults (it prints a line per flow; both outputs go to /dev/null).
Added latency = a side's percentile minus the direct path's, same run.

mitmproxy is for this benchmark only, and pins versions of h11 and cryptography that keyprobe's venv must
not get: install it in a venv of its own (`python3 -m venv /tmp/mitm && /tmp/mitm/bin/pip install mitmproxy`)
and name it with --mitmdump /tmp/mitm/bin/mitmdump (or $MITMDUMP, or have mitmdump on PATH); without it, that
side is skipped with a sentence. `--before REF` adds keyprobe's proxy as it was at a git ref (git archive).

Usage: .venv/bin/python benchmarks/proxy_overhead.py [--requests 400] [--block 20] [--no-history] [--mitmdump PATH] [--before REF]
Goals: added latency at p50 <= 0.5 ms; p99 no worse than mitmdump's.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
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
        if response.status_code >= 500 or b'"code":' not in response.content:
            raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:200]}")
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc): a proxy's own cost, whatever the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the proxy on port {port} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # polling a port that is not open yet
    raise SystemExit(f"nothing listened on port {port} within {seconds:g} s")


def keyprobe_proxy(root: Path, upstream: str, env: dict, no_history: bool) -> tuple[subprocess.Popen, str]:
    cmd = [sys.executable, "-m", "tui", "proxy", "--upstream", upstream, "--port", "0"] + (["--no-history"] if no_history else [])
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=root,
                            env={**env, "PYTHONPATH": str(root)})
    return proc, proc.stderr.readline().split("listening on ", 1)[1].split()[0]


def mitmdump_proxy(binary: str, upstream: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    home = tempfile.mkdtemp(prefix="mitm-bench-")
    proc = subprocess.Popen([binary, "--mode", f"reverse:{upstream}", "--listen-host", "127.0.0.1", "--listen-port", str(port),
                             "--set", f"confdir={home}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def tree_at(ref: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="proxy-before-"))
    archive = subprocess.run(["git", "archive", ref, "tui", "keys"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--block", type=int, default=20)
    parser.add_argument("--no-history", action="store_true", help="run keyprobe's proxy with --no-history (the relay and inspection only)")
    parser.add_argument("--mitmdump", default=os.environ.get("MITMDUMP") or shutil.which("mitmdump"))
    parser.add_argument("--before", metavar="REF", help="also run keyprobe's proxy as it was at this git ref")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="keyprobe-bench-")
    env = {**os.environ, "KEYPROBE_HOME": home, "KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET,
           "KEYPROBE_MEMO": EXAMPLE_MEMO}
    emulator = subprocess.Popen([sys.executable, "-m", "tui", "emulator", "--port", "0", "--json"], stdout=subprocess.PIPE, text=True,
                                env=env, cwd=ROOT)
    procs: dict[str, subprocess.Popen] = {}
    try:
        upstream = json.loads(emulator.stdout.readline())["base_url"]
        urls = {"direct to the emulator": upstream}
        procs["keyprobe proxy"], urls["keyprobe proxy"] = keyprobe_proxy(ROOT, upstream, env, args.no_history)
        if args.mitmdump and Path(args.mitmdump).exists():
            procs["mitmdump (reverse)"], urls["mitmdump (reverse)"] = mitmdump_proxy(args.mitmdump, upstream)
        else:
            print("mitmdump: skipped, not found (install mitmproxy in a venv of its own and pass --mitmdump PATH; see the docstring).")
        if args.before:
            name = f"keyprobe proxy {args.before}"
            procs[name], urls[name] = keyprobe_proxy(tree_at(args.before), upstream, env, args.no_history)
        clients = {name: httpx.Client(base_url=url, trust_env=False) for name, url in urls.items()}
        times: dict[str, list[float]] = {name: [] for name in urls}
        for client in clients.values():
            block(client, 0, args.block)  # warm-up: connections, imports, caches
        cpu0 = {name: cpu_seconds(p.pid) for name, p in procs.items()}
        i, turn = args.block, 0
        names = list(urls)
        while len(times[names[0]]) < args.requests:
            order = names[turn % len(names):] + names[: turn % len(names)]
            for name in order:
                times[name] += block(clients[name], i, args.block)
                i += args.block
            turn += 1
        cpu_ms = {name: (cpu_seconds(p.pid) - cpu0[name]) * 1000 / len(times[name]) for name, p in procs.items()}
        for client in clients.values():
            client.close()
    finally:
        for proc in [*procs.values(), emulator]:
            proc.terminate()
            proc.wait(10)

    def q(xs: list[float], p: int) -> float:
        return statistics.quantiles(xs, n=100)[p - 1]

    direct = times["direct to the emulator"]
    print(f"requests per side: {len(direct)} (blocks of {args.block}, rotating), signed POST {PATH}, the emulator and each "
          f"proxy in its own process, kept-alive connections; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':28} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'added p50':>10} {'added p99':>10} {'CPU/exchange':>13}")
    for name, xs in times.items():
        added = "" if xs is direct else f"{statistics.median(xs) - statistics.median(direct):10.3f} {q(xs, 99) - q(direct, 99):10.3f}"
        cpu = f"{cpu_ms[name]:10.3f} ms" if name in cpu_ms else ""
        print(f"{name:28} {statistics.median(xs):8.3f} {q(xs, 90):8.3f} {q(xs, 99):8.3f} {added:>21} {cpu:>13}")
    mine = times["keyprobe proxy"]
    print(f"keyprobe added latency at p50: {statistics.median(mine) - statistics.median(direct):.3f} ms (goal <= 0.5 ms)")
    if "mitmdump (reverse)" in times:
        theirs = times["mitmdump (reverse)"]
        print(f"p99: keyprobe {q(mine, 99):.3f} ms, mitmdump {q(theirs, 99):.3f} ms (goal: keyprobe's no worse)")
    print("keyprobe's CPU per exchange includes its inspection and history line (observer thread); mitmdump's, its flow line.")


if __name__ == "__main__":
    main()
