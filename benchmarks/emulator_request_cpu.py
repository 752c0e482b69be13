"""CPU one emulator request costs, hostile numbers and long klines beside the cheapest request, in one run.

Each request goes through the emulator's handler (tui.emulator.handle: routing, the gateway's checks, the
route) on a fresh venue, and its cost is the handler thread's own CPU time (time.thread_time), which other
processes on the machine do not stretch the way they stretch the wall clock. The baseline is the cheapest
request the same emulator answers, GET /system/time. A 500-week kline is measured twice: on a fresh emulator
(the price walk is built as far as it reaches) and again (the walk is kept).

With `--before CHECKOUT` each case also runs in a child process on that checkout's code, its CPU capped with
RLIMIT_CPU: a case that used to run for ever is reported as killed at the cap, not waited for.

    .venv/bin/python benchmarks/emulator_request_cpu.py [--repeat 5] [--before /path/to/checkout] [--cap 20]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
CASES = {  # name -> (method, path, query, body); a body is signed with the demo key
    "GET /system/time (baseline)": ("GET", "/system/time", "", None),
    "signed futures order": ("POST", "/contract/private/submit-order", "", ORDER),
    'order "size":"1e999999999"': ("POST", "/contract/private/submit-order", "", ORDER.replace('"size":1', '"size":"1e999999999"')),
    'order "price":"1e999999999"': ("POST", "/contract/private/submit-order", "", ORDER.replace('"20000"', '"1e999999999"')),
    "order size of 4,000 digits": ("POST", "/contract/private/submit-order", "", ORDER.replace('"size":1', '"size":"' + "9" * 4000 + '"')),
    'spot notional "1e999999"': ("POST", "/spot/v2/submit_order", "", '{"symbol":"BTC_USDT","side":"buy","type":"market","notional":"1e999999"}'),
    'transfer "amount":"1e-999999999"': ("POST", "/account/v1/transfer-contract", "", '{"currency":"USDT","amount":"1e-999999999","type":"spot_to_contract"}'),
    "kline 500 weeks, fresh emulator": ("GET", "/contract/public/kline", "symbol=BTCUSDT&step=10080&start_time=1&end_time=99999999999", None),
    "kline 500 hours": ("GET", "/contract/public/kline", "symbol=BTCUSDT&step=60&start_time=1", None),
    "spot klines 200 months": ("GET", "/spot/quotation/v3/klines", "symbol=BTC_USDT&step=43200&limit=200", None),
}
KEPT = "kline 500 weeks, walk kept"


def measure(name: str, repeat: int) -> list[float]:
    """CPU ms of each of `repeat` runs of case `name`, each on a fresh venue (the kept-walk case reuses one)."""
    from keys.signing import sign
    from tui.emulator import EmulatorState, handle

    method, path, query, body = CASES["kline 500 weeks, fresh emulator" if name == KEPT else name]
    state = EmulatorState("bitmart")
    handle(state, "POST", "/contract/private/submit-order", "", {}, b"{}", "127.0.0.1")  # imports and tables, uncounted
    out = []
    for _ in range(repeat):
        if name != KEPT:
            state = EmulatorState("bitmart")
        state.controls.rate_scale = 10**6
        headers = {}
        if body is not None:
            key, creds, ts = state.keys[0].listing()["api_key"], state.credentials("active"), str(state.now_ms())
            headers = {"X-BM-KEY": key, "X-BM-TIMESTAMP": ts, "X-BM-SIGN": sign(creds.secret, ts, creds.memo, body)}
        if name == KEPT:
            handle(state, method, path, query, headers, b"", "127.0.0.1")
        started = time.thread_time()
        reply = handle(state, method, path, query, headers, (body or "").encode(), "127.0.0.1")
        out.append((time.thread_time() - started) * 1000)
        assert reply.status != 500, (name, reply.body[:200])
    return out


def before(checkout: str, name: str, repeat: int, cap_s: int) -> str:
    """The case on another checkout's code, in a child whose CPU is capped: its median ms, or why it stopped."""
    env = {**os.environ, "PYTHONPATH": checkout}

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (cap_s, cap_s + 1))

    done = subprocess.run([sys.executable, __file__, "--worker", name, "--repeat", str(repeat)], cwd=checkout, env=env,
                          capture_output=True, text=True, preexec_fn=cap)
    if done.returncode != 0:
        reason = f"killed at the {cap_s} s CPU cap" if done.returncode in (-24, -9, 152, 137) else done.stderr.strip().splitlines()[-1][:60]
        return reason
    return f"{statistics.median(json.loads(done.stdout)):.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--before", metavar="CHECKOUT")
    parser.add_argument("--cap", type=int, default=20, help="CPU seconds a --before case may use")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(measure(args.worker, args.repeat)))
        return
    sys.path.insert(0, str(ROOT))
    names = list(CASES)
    names.insert(names.index("kline 500 weeks, fresh emulator") + 1, KEPT)
    base = statistics.median(measure(names[0], args.repeat))
    print(f"handler CPU per request (thread_time), median of {args.repeat}, load average {os.getloadavg()[0]:.2f}")
    print(f"  {'request':40s} {'median':>9s} {'max':>9s} {'x baseline':>11s}" + ("   before (" + args.before + ")" if args.before else ""))
    for name in names:
        runs = measure(name, args.repeat)
        line = f"  {name:40s} {statistics.median(runs):7.2f}ms {max(runs):7.2f}ms {statistics.median(runs) / base:10.1f}x"
        if args.before:
            line += "   " + (before(args.before, name, 1, args.cap) if name != KEPT else "-")
        print(line, flush=True)


if __name__ == "__main__":
    main()
