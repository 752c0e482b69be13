"""`keyprobe --help`, `--version` and `decode 30005` against `python -c pass`, in one run, alternating,
median of N (goal: --help and decode at most 3x; neither imports httpx, Textual or rich).

Each command is timed twice: as users run it (the `keyprobe` console script next to this interpreter,
which is what `make run`'s venv puts on PATH) and as `python -m tui` (runpy adds its own imports).
Bytecode caching is on for the children whatever this shell says (PYTHONDONTWRITEBYTECODE is dropped), as it
is for an installed keyprobe: otherwise every run recompiles keyprobe's own modules and that is what is timed.
Wall time is what a person waits; CPU time (user + system of the child) is printed beside it because on
a shared, loaded machine it moves far less than wall time between runs.

    .venv/bin/python benchmarks/cli_startup.py [--rounds 11]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def once(command: list[str]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=ENV)
    wall = (time.perf_counter() - t) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def cases() -> dict[str, list[str]]:
    python = sys.executable
    script = str(Path(python).with_name("keyprobe"))
    found = {"python -c pass": [python, "-c", "pass"]}
    for words in (["--help"], ["--version"], ["decode", "30005"]):
        if Path(script).exists():
            found[f"keyprobe {' '.join(words)}"] = [script, *words]
        found[f"python -m tui {' '.join(words)}"] = [python, "-m", "tui", *words]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    rounds = parser.parse_args().rounds
    commands = cases()
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():
        once(command)  # warm-up: bytecode caches, page cache
    for _ in range(rounds):
        for name, command in commands.items():
            wall, cpu = once(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base_wall = statistics.median(walls["python -c pass"])
    base_cpu = statistics.median(cpus["python -c pass"]) or 1.0
    print(f"start-up, median of {rounds} alternating rounds (wall = waited, cpu = user+sys of the child):")
    for name in commands:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"  {name:30s}: wall {wall:7.1f} ms {wall / base_wall:5.2f}x   cpu {cpu:7.1f} ms {cpu / base_cpu:5.2f}x")


if __name__ == "__main__":
    main()
