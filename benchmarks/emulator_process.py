"""The emulator in a process of its own, for benchmarks that measure a client's whole process.

With the emulator in the measured process, its server threads share the interpreter (and the GIL)
with both clients and add the same cost to each side, which pulls every ratio towards 1. Run apart,
the client's process CPU is the client's alone.

    with emulator_process() as base_url: ...

The child is `python -c` with the emulator's rate limit lifted (it is not what is measured); it prints
its base URL, serves until its standard input closes, then stops.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import sys
from tui.emulator import Emulator, http1
if len(sys.argv) > 1:
    http1.MAX_BODY_BYTES = int(sys.argv[1])  # a benchmark that sends a body past the emulator's 1 MiB cap
with Emulator() as emu:
    emu.controls.rate_limit = 10**9
    print(emu.base_url, flush=True)
    sys.stdin.read()  # until the parent closes our standard input
"""


@contextmanager
def emulator_process(max_body_bytes: int | None = None) -> Iterator[str]:
    cap = [] if max_body_bytes is None else [str(max_body_bytes)]
    child = subprocess.Popen([sys.executable, "-c", CHILD, *cap], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base_url = child.stdout.readline().strip()
        if not base_url.startswith("http://"):
            raise SystemExit(f"the emulator process did not start (it printed {base_url!r})")
        yield base_url
    finally:
        child.stdin.close()
        child.wait(timeout=30)
