"""Run the console tests again and again with busy CPU loops beside them: a flaky wait shows up here.

    .venv/bin/python tests/tools/console_under_load.py --runs 20 --busy 2 [--workers 2]

By hand, never in the suite. Each run is one pytest process over tests/test_console*.py (serial, so the
busy loops, not the tests themselves, are the load); it prints each run's result and, at the end, every
test that failed with how often. Exit status 1 if any run failed.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def burn() -> None:
    while True:
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--busy", type=int, default=2, help="busy CPU loops beside the tests")
    # Two xdist workers beside two busy loops is four runnable processes on a 2-core machine: more load
    # than serial, and each run takes about half as long.
    parser.add_argument("--workers", type=int, default=0, help="pytest-xdist workers per run (0: serial)")
    parser.add_argument("tests", nargs="*", default=sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_console*.py")))
    args = parser.parse_args()
    loops = [multiprocessing.Process(target=burn, daemon=True) for _ in range(args.busy)]
    for loop in loops:
        loop.start()
    failures: collections.Counter[str] = collections.Counter()
    failed_runs = 0
    try:
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", str(args.workers), *args.tests],
                                 cwd=ROOT, capture_output=True, text=True)
            names = re.findall(r"^FAILED (\S+)", out.stdout, re.MULTILINE)
            summary = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
            print(f"run {run}/{args.runs}: {summary} ({time.perf_counter() - started:.0f} s)", flush=True)
            for name in names:
                print(f"  FAILED {name}", flush=True)
            for line in [line for line in out.stdout.splitlines() if line.startswith("E ")][:12]:
                print(f"    {line[:200]}", flush=True)
            for line in sorted(set(re.findall(r"^seed \d+ \(replay with \S+\)$", out.stdout, re.MULTILINE))):
                print(f"    {line}", flush=True)  # a failed test's random seed (tests/seeds.py), to run it again
            failures.update(names)
            failed_runs += out.returncode != 0
            if out.returncode not in (0, 1):
                print(out.stdout[-3000:], out.stderr[-3000:], sep="\n")
    finally:
        for loop in loops:
            loop.terminate()
    print(f"{failed_runs} of {args.runs} runs failed with {args.busy} busy loops beside them")
    for name, count in failures.most_common():
        print(f"  {count}x {name}")
    return 1 if failed_runs else 0


if __name__ == "__main__":
    sys.exit(main())
