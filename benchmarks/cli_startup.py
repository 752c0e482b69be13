"""`keyprobe --help`, `keyprobe --version` and `keyprobe decode 30005` against `python -c pass`, in one
run, alternating, median of N (goal: --help at most 3x; it no longer imports httpx to build parsers).

    .venv/bin/python benchmarks/cli_startup.py [--rounds 11]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def once(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - t) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    rounds = parser.parse_args().rounds
    cases = {
        "python -c pass": ["-c", "pass"],
        "keyprobe --help": ["-m", "tui", "--help"],
        "keyprobe --version": ["-m", "tui", "--version"],
        "keyprobe decode 30005": ["-m", "tui", "decode", "30005"],
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    for args in cases.values():
        once(args)  # warm-up: bytecode caches, page cache
    for _ in range(rounds):
        for name, args in cases.items():
            times[name].append(once(args))
    base = statistics.median(times["python -c pass"])
    print(f"start-up, median of {rounds} alternating rounds:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:24s}: {median:7.1f} ms   {median / base:5.2f}x")


if __name__ == "__main__":
    main()
