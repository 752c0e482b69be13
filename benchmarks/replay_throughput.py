"""Replay throughput: the `keyprobe replay FOLDER` command against a bare script doing the same work.

Both sides are new processes, alternating round after round, against one emulator in a process of its
own (its CPU is not counted): they load the same folder of N saved requests (half KEYED GET
/contract/private/assets-detail, half SIGNED POST /contract/private/cancel-order), sign each afresh, send
them at the same concurrency over one connection pool, read each JSON answer, print a line per request,
and write a log line per request: keyprobe its history (it also diagnoses each answer), the bare script
(benchmarks/bare_replay.py) a JSON-lines file of the same fields. Wall time and each child's CPU (user +
system, from wait4) are taken; a warm-up round of each is not counted.

Usage: .venv/bin/python benchmarks/replay_throughput.py [--requests 500] [--rounds 5] [--concurrency 8]
Goal: keyprobe / bare <= 1.25 on the median wall time (the CPU ratio is printed beside it: on a shared
machine it moves less than wall time).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from emulator_process import emulator_process  # noqa: E402

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET  # noqa: E402
from keys.signing import AuthLevel  # noqa: E402
from tui.records import saved  # noqa: E402
from tui.exchange import Draft  # noqa: E402
from tui.venues import emulator_venue  # noqa: E402

GOAL = 1.25


def make_folder(folder: Path, base_url: str, n: int) -> None:
    venue = emulator_venue(base_url)
    for i in range(n):
        if i % 2:
            body = json.dumps({"symbol": "BTCUSDT", "order_id": str(10**15 + i)}, separators=(",", ":"))
            draft = Draft(venue, "POST", "/contract/private/cancel-order", body=body, auth=AuthLevel.SIGNED)
        else:
            draft = Draft(venue, "GET", "/contract/private/assets-detail", auth=AuthLevel.KEYED)
        saved.save(draft, f"r{i:04d}", folder)


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    err = child.stderr.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{command[1]} exited {code}: {err.decode(errors='replace')[-500:]}")
    return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000, code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    python = sys.executable
    script = Path(python).with_name("keyprobe")
    keyprobe = [str(script)] if script.exists() else [python, "-m", "tui"]
    with tempfile.TemporaryDirectory() as home, emulator_process() as base_url:
        folder, log = Path(home) / "requests", Path(home) / "bare-log.jsonl"
        make_folder(folder, base_url, args.requests)
        base = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_") and k != "PYTHONDONTWRITEBYTECODE"}
        sides = {
            # keyprobe signs emulator files with the emulator's demo key (the same credentials as the bare side's)
            "keyprobe replay": ([*keyprobe, "replay", str(folder), "--concurrency", str(args.concurrency)],
                                base | {"KEYPROBE_HOME": home}),
            "bare script": ([python, str(ROOT / "benchmarks" / "bare_replay.py"), str(folder), str(log), str(args.concurrency)],
                            base | {"KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET, "KEYPROBE_MEMO": EXAMPLE_MEMO}),
        }
        figures = {name: {"wall": [], "cpu": []} for name in sides}
        for round_ in range(args.rounds + 1):  # round 0 warms both up and is not counted
            for name in (list(sides) if round_ % 2 else list(reversed(sides))):
                wall, cpu, _code = run(*sides[name])
                if round_:
                    figures[name]["wall"].append(wall)
                    figures[name]["cpu"].append(cpu)
        history_lines = sum(1 for _ in (Path(home) / "history.jsonl").open("rb"))
        log_lines = sum(1 for _ in log.open("rb"))
    n = args.requests
    print(f"{n} saved requests per run, {args.rounds} alternating rounds, concurrency {args.concurrency}, "
          "emulator in its own process; each side a new process (medians):")
    for name, f in figures.items():
        wall = statistics.median(f["wall"])
        print(f"  {name:15s}: wall {wall:8.1f} ms ({n / wall * 1000:5.0f} req/s)   CPU {statistics.median(f['cpu']):8.1f} ms   "
              f"rounds: {', '.join(f'{t:.0f}' for t in f['wall'])}")
    kp, bare = figures["keyprobe replay"], figures["bare script"]
    ratio = statistics.median(kp["wall"]) / statistics.median(bare["wall"])
    print(f"ratio keyprobe / bare: wall {ratio:.3f}, CPU {statistics.median(kp['cpu']) / statistics.median(bare['cpu']):.3f}; "
          f"written: history {history_lines} lines (capped at 1000), bare log {log_lines} lines")
    print(f"goal: wall <= {GOAL}: {'met' if ratio <= GOAL else 'NOT met'} (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
