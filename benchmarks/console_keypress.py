"""How long a keypress waits while the console downloads, diagnoses, lays out and shows a 20 MB
body, against a bare Textual app downloading and showing the same body, in one run (and the console
idle); when the diagnosis and the body's first screen appear; and the memory across repeated sends.

The bare app is what one writes without care for the UI loop: ctrl+j starts a thread worker that
gets the body with httpx, pretty-prints it (json.loads, json.dumps(indent=2)) and hands the lines to a
focused Textual Log (call_from_thread); the same prober measures it. It runs after the console, in
the same process: its memory figures are growth over its own start.

A keypress reaches the console as the terminal reader thread hands an event to the UI's event
loop (call_soon_threadsafe); the wait measured here is from that hand-over to the moment the loop
runs it, then the Key event is dispatched to the focused body view (a real scroll). A prober
thread does this every 20 ms, in both phases, and reads the process's RSS as it goes (the peak).
ctrl+j is handed over the same way (as the terminal does, not through Pilot.press, which waits
for the whole process to go idle). The emulator's clock is read before its fault is turned on, so
what is measured is the sends, not a clock measurement against 20 MB answers.

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
import weakref
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def serve_huge_bodies(mb: int, pipe) -> None:
    """The emulator in a process of its own, so its work (and its copies of the body) are not the
    console's: it answers every request with an `mb` MB envelope."""
    from tui.emulator import Emulator

    emulator = Emulator("bitmart")
    emulator.controls.huge_body_bytes = mb * 1024 * 1024
    emulator.start()
    pipe.send(emulator.base_url)
    pipe.recv()  # the console has read this emulator's clock: every answer is huge from now on
    emulator.controls.fault = "huge-body"
    pipe.send("on")
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
        self.peak_rss = 0.0

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
            self.peak_rss = max(self.peak_rss, rss_mb())
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

    from textual import events

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
        while app.session.target.venue.base_url != venue.base_url or app.session.estimate is None:
            await pilot.pause(0.05)  # the new emulator's clock is read (set_target measures it)
        ours.send("huge")
        ours.recv()
        before = rss_mb()
        prober.peak_rss = before
        after: list[float] = []
        busy: list[float] = []
        pressed_to: dict[str, list[float]] = {"diagnosis": [], "first screen": [], "all laid out": []}
        last_byte_to: dict[str, list[float]] = {"diagnosis": [], "first screen": [], "all laid out": []}
        screen = app.main_screen
        for _ in range(sends):
            prober.start()
            previous = weakref.ref(screen.exchange) if screen.exchange is not None else None  # not kept alive here
            t0, wall0 = time.perf_counter(), time.time()
            app._driver.send_message(events.Key("ctrl+j", None))  # as the terminal reader does
            seen: dict[str, float] = {}
            while "all laid out" not in seen:
                exchange, view = screen.exchange, screen.body_view
                now = time.perf_counter() - t0
                fresh = exchange is not None and (previous is None or exchange is not previous())  # this send's answer is in
                if fresh and screen.diagnosis is not None:
                    seen.setdefault("diagnosis", now)
                if fresh and view.line_count > 0:
                    seen.setdefault("first screen", now)
                    if getattr(view, "complete", True):  # a console that shows the body only whole
                        seen["all laid out"] = now
                await asyncio.sleep(0.002)
            assert screen.diagnosis.code == 1000, screen.diagnosis
            exchange = screen.exchange
            last_byte = exchange.started_at + exchange.timings.total_ms / 1000 - wall0
            for what, when in seen.items():
                pressed_to[what].append(when)
                last_byte_to[what].append(when - last_byte)
            exchange = view = None  # the console's references only, when the memory is read
            await asyncio.sleep(0.5)  # keys keep arriving while the body is on screen and scrolled
            busy += prober.stop()
            after.append(rss_mb())
        body = len(screen.exchange.response.body) / 1e6
        await pilot.pause()  # the prober's last keys are handled before the app closes (else: no screen for them)
    bare = await bare_app(base_url, sends)
    ours.send("done")
    server.join(10)

    def seconds(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    print(f"keypress wait on the UI loop, ms ({len(idle)} idle / {len(busy)} during {sends} sends of a {body:.1f} MB body):")
    print(f"  idle console         : p50 {statistics.median(idle):6.1f}   p99 {pct(idle, 0.99):6.1f}   max {max(idle):6.1f}")
    print(f"  during the 20 MB body: p50 {statistics.median(busy):6.1f}   p99 {pct(busy, 0.99):6.1f}   max {max(busy):6.1f}")
    for what in pressed_to:
        print(f"{what + ' on screen,':27s} s after ctrl+j: {seconds(pressed_to[what])}; after the last byte: {seconds(last_byte_to[what])}")
    print(f"memory (RSS), MB: before the sends {before:.0f}; after each send {', '.join(f'{a:.0f}' for a in after)}; "
          f"growth over the first send's {max(after) - after[0]:+.0f}; peak {prober.peak_rss:.0f}, "
          f"over before / body: {(prober.peak_rss - before) / body:.1f}x")
    print(f"bare Textual app (httpx in a thread worker, json.dumps(indent=2), a Log), the same {sends} sends:")
    print(f"  during the 20 MB body: p50 {statistics.median(bare['waits']):6.1f}   p99 {pct(bare['waits'], 0.99):6.1f}   "
          f"max {max(bare['waits']):6.1f}")
    print(f"{'first screen on screen,':27s} s after ctrl+j: {seconds(bare['first'])}")
    print(f"{'all shown,':27s} s after ctrl+j: {seconds(bare['all'])}")
    print(f"  memory growth over its start, MB: after each send {', '.join(f'{a:+.0f}' for a in bare['after'])}; "
          f"peak {bare['peak']:+.0f}, over its start / body: {bare['peak'] / body:.1f}x")
    print(f"ratio console / bare app, keypress p99 during the body: {pct(busy, 0.99) / pct(bare['waits'], 0.99):.2f}")


async def bare_app(base_url: str, sends: int) -> dict:
    """The baseline: a bare Textual app that downloads the same body and shows it, measured as the console is."""
    import json

    import httpx
    from textual import events, work
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Log

    class Bare(App[None]):
        BINDINGS = [("ctrl+j", "fetch", "Send")]

        def __init__(self) -> None:
            super().__init__()
            self.sent = self.shown_first = self.shown_all = 0

        def compose(self) -> ComposeResult:
            yield Log(id="body")
            yield Footer()

        def action_fetch(self) -> None:
            self.query_one(Log).clear()
            self.shown_first = self.shown_all = 0
            self.fetch()

        @work(thread=True, exclusive=True)
        def fetch(self) -> None:
            response = httpx.get(base_url + "/contract/private/assets-detail", timeout=60, trust_env=False)
            lines = json.dumps(json.loads(response.content), indent=2).splitlines()
            for start in range(0, len(lines), 50_000):
                self.call_from_thread(self.show, lines[start:start + 50_000], start + 50_000 >= len(lines))

        def show(self, lines: list[str], last: bool) -> None:
            self.query_one(Log).write_lines(lines)
            self.shown_first = self.shown_first or time.perf_counter()
            if last:
                self.shown_all = time.perf_counter()

    app = Bare()
    out: dict = {"waits": [], "first": [], "all": [], "after": []}
    async with app.run_test(size=(120, 40)) as pilot:
        app.query_one(Log).focus()
        start_rss = rss_mb()
        prober = Prober(asyncio.get_running_loop(), app)
        prober.peak_rss = start_rss
        for _ in range(sends):
            prober.start()
            t0 = time.perf_counter()
            app._driver.send_message(events.Key("ctrl+j", None))
            while not app.shown_all or app.shown_all < t0:
                await asyncio.sleep(0.002)
            out["first"].append(app.shown_first - t0)
            out["all"].append(app.shown_all - t0)
            await asyncio.sleep(0.5)  # keys keep arriving while the body is on screen, as for the console
            out["waits"] += prober.stop()
            out["after"].append(rss_mb() - start_rss)
        await pilot.pause()
    out["peak"] = prober.peak_rss - start_rss
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=20)
    parser.add_argument("--sends", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.mb, args.sends))
