"""`keyprobe send` as a command vs a bare httpx + hmac script doing the same send: CPU of the whole process.

Each side is a new process that signs one POST /contract/private/cancel-order with the same KEYPROBE_*
credentials, sends it to one emulator (in a process of its own, so it is not counted), reads the answer,
prints the request as sent and the answer, and appends a line about the send to a history file (in a
scratch KEYPROBE_HOME); they alternate, round after round, and each child's CPU (user + system, from
wait4) is taken. keyprobe also diagnoses the answer, as a user's `keyprobe send` does: that is the work it
adds on purpose. Output goes to a pipe (/dev/null), as in a script or CI. Bytecode caches are on for
every side (as for an installed program); a warm-up round of each is not counted.

Is the baseline the same work? The bare script (benchmarks/bare_send.py) does every step keyprobe's send
does except the diagnosis, and does each the plain way a person writes a one-off script: httpx's sync
Client. keyprobe sends through its one async send path (tui.transport.wire.Wire, DESIGN.md "one way through"), so
it also pays asyncio and anyio's asyncio backend (httpcore's async locks and network layer load it): that
is a cost of keyprobe's design, not of the work, so the goal is measured against the sync script. A third
side, the same bare script through httpx.AsyncClient (`bare_send.py --async`), is printed beside it to show
what the async path costs by itself; it is not the goal's baseline (that would hide keyprobe's choice in
the baseline).

    .venv/bin/python benchmarks/send_cpu.py [--rounds 21] [--importtime]

--importtime also prints keyprobe's slowest imports (`python -X importtime`, cumulative microseconds).
Goal (issue 26): keyprobe / bare (sync) <= 1.3 on the median CPU.
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

PATH = "/contract/private/cancel-order"
BODY = json.dumps({"symbol": "BTCUSDT", "order_id": "1000000000000001"}, separators=(",", ":"))
GOAL = 1.3
BARE, BARE_ASYNC = "bare httpx + hmac", "bare, AsyncClient"


def run(command: list[str], env: dict[str, str]) -> tuple[float, float, int]:
    """(wall ms, CPU ms, exit code) of one child."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - start) * 1000, (usage.ru_utime + usage.ru_stime) * 1000, child.returncode


def commands(base_url: str) -> dict[str, list[str]]:
    python = sys.executable
    script = Path(python).with_name("keyprobe")
    keyprobe = [str(script)] if script.exists() else [python, "-m", "tui"]
    return {
        "keyprobe send": [*keyprobe, "send", "POST", PATH, "--venue", "emulator", "--base-url", base_url, "--body", BODY],
        BARE: [python, str(ROOT / "benchmarks" / "bare_send.py"), base_url, PATH, BODY],
        BARE_ASYNC: [python, str(ROOT / "benchmarks" / "bare_send.py"), base_url, PATH, BODY, "--async"],
    }


def importtime(command: list[str], env: dict[str, str], top: int = 15) -> None:
    python = sys.executable
    argv = [python, "-X", "importtime", "-m", "tui", *command[command.index("send"):]]
    err = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = (part.strip() for part in line.split("|"))
            if cumulative.isdigit():
                rows.append((int(cumulative), name))
    print(f"\nkeyprobe send's slowest imports (cumulative µs, one run):")
    for cumulative, name in sorted(rows, reverse=True)[:top]:
        print(f"  {cumulative:8d}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home, emulator_process() as base_url:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"KEYPROBE_HOME": home, "KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET,
                "KEYPROBE_MEMO": EXAMPLE_MEMO}
        sides = commands(base_url)
        figures: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": []} for name in sides}
        for round_ in range(args.rounds + 1):  # round 0 warms the caches and is not counted
            order = list(sides) if round_ % 2 else list(reversed(sides))
            for name in order:
                wall, cpu, code = run(sides[name], env)
                if code != 1:  # the order does not exist: 40037, exit 1, on both sides (a full send and answer)
                    raise SystemExit(f"{name} exited {code}; run it by hand: {' '.join(sides[name])}")
                if round_:
                    figures[name]["wall"].append(wall)
                    figures[name]["cpu"].append(cpu)
        print(f"one signed POST {PATH} per process, {args.rounds} alternating rounds, emulator in its own process; medians:")
        for name, figure in figures.items():
            print(f"  {name:18s}: CPU {statistics.median(figure['cpu']):7.1f} ms   wall {statistics.median(figure['wall']):7.1f} ms")
        kp = figures["keyprobe send"]
        for name in (BARE, BARE_ASYNC):
            bare = figures[name]
            ratio = statistics.median(kp["cpu"]) / statistics.median(bare["cpu"])
            paired = statistics.median(k / b for k, b in zip(kp["cpu"], bare["cpu"]))
            print(f"ratio keyprobe / {name}: CPU {ratio:.3f} (median of paired rounds {paired:.3f}), "
                  f"wall {statistics.median(kp['wall']) / statistics.median(bare['wall']):.3f}")
            if name == BARE:
                goal = ratio
        print(f"goal: CPU <= {GOAL} x the sync bare script's: {goal:.3f}, {'met' if goal <= GOAL else 'NOT met'}"
              f" (load average {os.getloadavg()[0]:.2f})")
        if args.importtime:
            importtime(sides["keyprobe send"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
