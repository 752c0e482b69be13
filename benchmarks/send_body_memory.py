"""Peak memory of `keyprobe send --body-file` with a 20 MB body, printed and as `--json`, against a bare
sign-and-post script, in one run (goal: keyprobe at most 3 times the body, either way).

Each client runs in a process of its own against the emulator in another (emulator_process.py, its 1 MiB
request cap raised to hold the body, so it reads the whole body and verifies the signature over it). A
client's cost is its peak RSS (os.wait4's ru_maxrss for that child alone) minus the same client's peak when
it sends a small body (`{"symbol":"BTC_USDT"}`): the interpreter, httpx and keyprobe's modules are then left out, and what
remains is what the body costs. The bare client reads the file as bytes, signs it with hmac (the same
pre-image, timestamp#memo#body) and posts the bytes with httpx: the least any client can hold.

The body is a batch of small order objects (`{"orders":[{...},...]}`), compact JSON, the shape a
large signed request has in practice. keyprobe's output goes to a pipe (its body preview and the answer
are read and dropped), and history is written to a temporary KEYPROBE_HOME. `--json` prints one document that
holds the body three times (request.body, signing.payload, signing.preimage_masked), all of it read and dropped.

    .venv/bin/python benchmarks/send_body_memory.py [--mb 20] [--runs 3] [--send-arg=--full]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from emulator_process import ROOT, emulator_process  # noqa: E402

PATH = "/spot/v4/cancel_all"  # a signed POST the emulator answers 1000 after verifying the signature

BARE = """
import hmac, sys, time, httpx
from keys.demo import demo_key
key = demo_key("active").credentials
api_key, secret, memo = (v._value for v in (key.api_key, key.secret, key.memo))  # a bare script holds plain strings
base_url, path = sys.argv[1], sys.argv[2]
with open(sys.argv[3], "rb") as f:
    body = f.read()
ts = str(time.time_ns() // 1_000_000)
mac = hmac.new(secret.encode(), f"{ts}#{memo}#".encode(), "sha256")
mac.update(body)
headers = {"X-BM-KEY": api_key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": mac.hexdigest(), "Content-Type": "application/json"}
r = httpx.post(base_url + path, content=body, headers=headers, timeout=120)
print(r.status_code, r.text[:200])
"""


def write_body(path: Path, target_bytes: int) -> int:
    """Write about `target_bytes` of compact JSON to `path`, a piece at a time, and return its size. This process
    never holds the body: Linux counts the peak RSS of a process before exec() in the child's ru_maxrss, so a
    parent that had held the body would lift every child's figure to its own."""
    order = '{"symbol":"BTC_USDT","side":"buy","type":"limit","size":"0.001","price":"65000.5","client_order_id":"kp%012d"}'
    with path.open("w") as f:
        size = f.write('{"symbol":"BTC_USDT","orders":[')
        i = 0
        while size < target_bytes - 200:
            size += f.write(("," if i else "") + order % i)
            i += 1
        size += f.write("]}")
    return size


def peak_mib(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Peak RSS of one child in MiB (ru_maxrss is in KiB on Linux), and the last line it printed."""
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tail = b""
    for chunk in iter(lambda: child.stdout.read(1 << 16), b""):
        tail = (tail + chunk)[-4096:]
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    lines = tail.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else ""
    return usage.ru_maxrss / 1024, f"exit {child.returncode}: {last if len(last) <= 100 else '…' + last[-99:]}"  # --json: its end


CLIENTS = ("keyprobe send", "keyprobe send --json", "bare hmac + httpx")


def measure(runs: int, keyprobe: list[str], send_args: list[str], python: str, base_url: str, big: Path, empty: Path, home: Path):
    env = {**os.environ, "KEYPROBE_HOME": str(home)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    def send(*extra: str):
        return lambda f: [*keyprobe, "send", "POST", PATH, "--venue", "emulator", "--base-url", base_url,
                          "--body-file", str(f), *send_args, *extra]

    commands = {
        "keyprobe send": send(),
        "keyprobe send --json": send("--json"),
        "bare hmac + httpx": lambda f: [python, "-c", BARE, base_url, PATH, str(f)],
    }
    peaks: dict[tuple[str, str], list[float]] = {}
    said: dict[str, str] = {}
    for command in commands.values():
        peak_mib(command(empty), env)  # warm-up: bytecode caches, page cache
    for _ in range(runs):
        for name in CLIENTS:
            for label, f in (("empty", empty), ("body", big)):
                peak, last = peak_mib(commands[name](f), env)
                peaks.setdefault((name, label), []).append(peak)
                if label == "body":
                    said[name] = last
    return peaks, said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0, help="body size in MB (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per client and body, alternating (default 3)")
    parser.add_argument("--send-arg", action="append", default=[], metavar="ARG",
                        help="also pass ARG to both keyprobe sends (--send-arg=--full: the whole body printed)")
    args = parser.parse_args()
    python = sys.executable
    script = str(Path(python).with_name("keyprobe"))
    keyprobe = [script] if Path(script).exists() else [python, "-m", "tui"]
    with tempfile.TemporaryDirectory() as tmp:
        big, empty = Path(tmp, "big.json"), Path(tmp, "empty.json")
        size = write_body(big, int(args.mb * 2**20))
        empty.write_bytes(b'{"symbol":"BTC_USDT"}')
        size_mib = size / 2**20
        with emulator_process(max_body_bytes=size + (1 << 20)) as base_url:
            peaks, said = measure(args.runs, keyprobe, args.send_arg, python, base_url, big, empty, Path(tmp, "home"))
    extra = f" ({' '.join(args.send_arg)})" if args.send_arg else ""
    print(f"keyprobe send{extra}; body: {size_mib:.1f} MiB of compact JSON ({PATH}), emulator in its own process; peak RSS of each client,")
    print(f"median of {args.runs} alternating runs; 'body cost' = peak with the body - peak with the small body")
    print(f"  {'':22s} {'peak small':>10s} {'peak body':>10s} {'body cost':>10s} {'x body':>7s}   last line")
    for name in CLIENTS:
        base, loaded = statistics.median(peaks[(name, "empty")]), statistics.median(peaks[(name, "body")])
        cost = loaded - base
        print(f"  {name:22s} {base:7.1f} MiB {loaded:7.1f} MiB {cost:7.1f} MiB {cost / size_mib:6.2f}x   {said[name]}")
    print("goal: keyprobe's body cost at most 3x the body, with and without --json")


if __name__ == "__main__":
    main()
