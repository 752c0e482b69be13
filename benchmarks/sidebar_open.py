"""Opening the sidebar with 10,000 saved requests: the console's records service (parsed files
cached by modification time and size) against parsing every file each time (what the sidebar did
on every ctrl+b), in one run; and `keyprobe history` reading the newest 20 of 100,000 lines from
the end against a bare script reading and parsing the whole file. (100,000 lines is ~25 MB, past the
20 MiB that history.read itself accepts: the bare side reads it with plain open and json.loads.)

    .venv/bin/python benchmarks/sidebar_open.py [--files 10000] [--lines 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(fn, rounds: int = 5) -> list[float]:
    out = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    os.environ["KEYPROBE_HOME"] = tempfile.mkdtemp(prefix="keyprobe-bench-")
    from keys.signing import AuthLevel
    from tui import paths
    from tui.records import history, saved
    from tui.console.records import Records
    from tui.exchange import Draft
    from tui.venues import get_venue

    venue = get_venue("emulator")
    folder = paths.saved_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(args.files):
        saved.save(Draft(venue, "POST", f"/contract/private/submit-order/{i}", body='{"symbol":"BTCUSDT"}', auth=AuthLevel.SIGNED), f"r{i:05d}", folder)
    records = Records()
    first = timed(records.load, 1)[0]
    cached = timed(records.load)
    every = timed(lambda: saved.listing(folder), 3)
    records.close()
    print(f"sidebar open, {args.files:,} saved requests, ms:")
    print(f"  parse every file (before)        : median {statistics.median(every):7.1f}")
    print(f"  records service, first open      : {first:7.1f}")
    print(f"  records service, reopen (cached) : median {statistics.median(cached):7.1f}   ratio {statistics.median(cached) / statistics.median(every):.2f}")

    row = {**saved.draft_record(Draft(venue, "GET", "/system/time")), "schema": 1, "source": "send", "status": 200, "code": 1000}
    with paths.history_path().open("w") as fh:
        for i in range(args.lines):
            fh.write(json.dumps({**row, "name": f"n{i}"}) + "\n")
    def every_line() -> list[dict]:
        with paths.history_path().open("rb") as fh:
            return [json.loads(line) for line in fh if line.strip()][::-1][:20]

    assert every_line() == history.read_newest(20).newest_first()  # the same 20 entries, newest first
    whole = timed(every_line, 3)
    tail = timed(lambda: history.read_newest(20).newest_first())
    print(f"history, newest 20 of {args.lines:,} lines, ms:")
    print(f"  read and parse every line        : median {statistics.median(whole):7.1f}")
    print(f"  read_newest (from the end)       : median {statistics.median(tail):7.1f}   ratio {statistics.median(tail) / statistics.median(whole):.3f}")


if __name__ == "__main__":
    main()
