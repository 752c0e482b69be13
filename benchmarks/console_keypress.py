"""How long a keypress waits while the console downloads, diagnoses, lays out and shows a 20 MB
body, against the same console idle, in one run; and the process's memory across repeated sends.

A keypress reaches the console as the terminal reader thread hands an event to the UI's event
loop (call_soon_threadsafe); the wait measured here is from that hand-over to the moment the loop
runs it, then the Key event is dispatched to the focused body view (a real scroll). A prober
thread does this every 20 ms, in both phases.

    .venv/bin/python benchmarks/console_keypress.py [--mb 20] [--sends 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def serve_huge_bodies(mb: int, pipe) -> None:
    """The emulator in a process of its own, so its work (and its copies of the body) are not the
    console's: it answers every request with an `mb` MB envelope."""
    from tui.emulator import Emulator

    emulator = Emulator("bitmart")
    emulator.controls.huge_body_bytes = mb * 1024 * 1024
    emulator.controls.fault = "huge-body"
    emulator.start()
    pipe.send(emulator.base_url)
    pipe.recv()  # until the benchmark is done
    emulator.stop()


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


class Prober:
    def __init__(self, loop: asyncio.AbstractEventLoop, app) -> None:
        self.loop, self.app = loop, app
        self.waits: list[float] = []
        self.running = False

    def _arrived(self, posted: float) -> None:
        from textual import events

        if not self.running:
            return
        self.waits.append((time.perf_counter() - posted) * 1000)
        focused = self.app.focused
        if focused is not None:
            focused.post_message(events.Key("down", None))

    def _run(self) -> None:
        while self.running:
            self.loop.call_soon_threadsafe(self._arrived, time.perf_counter())
            time.sleep(0.02)

    def start(self) -> None:
        self.waits, self.running = [], True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self) -> list[float]:
        self.running = False
        self.thread.join()
        return self.waits


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(mb: int, sends: int) -> None:
    os.environ["KEYPROBE_HOME"] = tempfile.mkdtemp(prefix="keyprobe-bench-")
    import multiprocessing

    from keys.demo import demo_key
    from tui.console.app import KeyprobeApp
    from tui.console.base_url import at_base_url
    from tui.venues import emulator_venue

    spawn = multiprocessing.get_context("spawn")  # started before the app takes over stdout
    ours, theirs = spawn.Pipe()
    server = spawn.Process(target=serve_huge_bodies, args=(mb, theirs), daemon=True)
    server.start()
    base_url = ours.recv()
    app = KeyprobeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        while app.session.estimate is None:  # the emulator is up and its clock read
            await pilot.pause(0.05)
        loop = asyncio.get_running_loop()
        app.main_screen.query_one("#body-log").focus()
        prober = Prober(loop, app)

        prober.start()
        await asyncio.sleep(3)
        idle = prober.stop()

        venue = emulator_venue(base_url)
        app.set_target(at_base_url(venue, base_url, demo_key().credentials)[0])
        while app.session.target.venue.base_url != venue.base_url:
            await pilot.pause(0.05)
        before = rss_mb()
        after: list[float] = []
        busy: list[float] = []
        shown_after: list[float] = []
        for _ in range(sends):
            prober.start()
            t0 = time.perf_counter()
            await pilot.press("ctrl+j")
            view = app.main_screen.body_view
            while not (app.main_screen.exchange is not None and view.line_count > 0):
                await pilot.pause(0.01)
            shown_after.append(time.perf_counter() - t0)
            assert app.main_screen.diagnosis.code == 1000, app.main_screen.diagnosis
            await pilot.pause(0.5)  # keys keep arriving while the body is on screen and scrolled
            busy += prober.stop()
            after.append(rss_mb())
        body = len(app.main_screen.exchange.response.body) / 1e6
        ours.send("done")
        server.join(10)

    print(f"keypress wait on the UI loop, ms ({len(idle)} idle / {len(busy)} during {sends} sends of a {body:.1f} MB body):")
    print(f"  idle console        : p50 {statistics.median(idle):6.1f}   p99 {pct(idle, 0.99):6.1f}   max {max(idle):6.1f}")
    print(f"  during the 20 MB body: p50 {statistics.median(busy):6.1f}   p99 {pct(busy, 0.99):6.1f}   max {max(busy):6.1f}")
    print(f"ctrl+j to the body on screen, s: {', '.join(f'{s:.2f}' for s in shown_after)}")
    print(f"memory (RSS), MB: before the sends {before:.0f}; after each send {', '.join(f'{a:.0f}' for a in after)}; "
          f"growth over the first send's {max(after) - after[0]:+.0f}; peak over before / body: {(max(after) - before) / body:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--sends", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.mb, args.sends))
