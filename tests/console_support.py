"""Helpers for the console's Pilot tests: settle the app, read the screen as text, and compare
snapshots with the text baselines under tests/snapshots/ (`make screenshots` also writes the SVG
pictures in screenshots/; a test run never does)."""

from __future__ import annotations

import asyncio
import io
import os
import re
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots"
SCREENSHOTS = ROOT / "screenshots"
UPDATE_ENV = "KEYPROBE_UPDATE_SNAPSHOTS"
SCREENSHOTS_ENV = "KEYPROBE_SCREENSHOTS"  # set by `make screenshots`


async def settle(app: Any, pilot: Any, rounds: int = 100) -> None:
    """Wait until the console has nothing left to do, judged by state the app exposes, never by time
    or idleness: the main screen's deferred part (sidebar, response tabs) is mounted and any target it
    was holding back is shown, no worker is pending or running, and no message waits in any queue of
    any screen on the stack (Pilot's pause looks only at the top screen). A worker's message can start
    another worker, so the checks repeat until one pass finds nothing to wait for."""
    for _ in range(rounds):
        await pilot.pause()
        main = _main_screen(app)
        if main is not None and not main._tabs_ready.is_set():
            # MainScreen mounts its tabs after the first frame; a target that arrives before waits for them
            await asyncio.wait_for(main._tabs_ready.wait(), HANG_S)
            continue
        if any(worker.state.name in ("PENDING", "RUNNING") for worker in app.workers):
            await asyncio.wait_for(app.workers.wait_for_complete(), HANG_S)
            continue
        if (main is not None and main._pending_target is not None) or _queued_messages(app):
            continue
        return
    raise AssertionError(f"the console was still busy after {rounds} rounds: workers {list(app.workers)}")


async def until(app: Any, pilot: Any, condition: Any, what: str, rounds: int = 2000) -> None:
    """Settle, then let the app run until `condition()` holds (state the app exposes: a value set by a
    handler, the clipboard); a bounded count of rounds, never a time, turns a hang into a sentence."""
    await settle(app, pilot)
    for _ in range(rounds):
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"still waiting for {what}")


# Only turns a hang into a failure with a sentence; nothing waits for it to pass.
HANG_S = 60.0


def _main_screen(app: Any) -> Any:
    from tui.console.screens.main import MainScreen

    return next((s for s in app.screen_stack if isinstance(s, MainScreen) and s.is_attached), None)


def _queued_messages(app: Any) -> bool:
    nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    return any(not node._message_queue.empty() for node in nodes)


def screen_text(app: Any) -> str:
    """The screen as plain text, the same frame export_screenshot() draws."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def quiet_console(monkeypatch: Any, home: Path) -> None:
    """A console test's environment: its own KEYPROBE_HOME (no key file, no keymap), no KEYPROBE_*
    credentials, and no blinking cursors (a blink between two frames would change a snapshot)."""
    from textual.widgets import Input, TextArea

    monkeypatch.setenv("KEYPROBE_HOME", str(home))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_READY_FD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


async def type_and_press(app: Any, pilot: Any, text: str, *keys: str) -> None:
    """Put `text` into the focused field as one paste, then press `keys` (e.g. "enter"). Pilot waits
    for the app to go idle after every key (about 40 ms each), so typing a passphrase one key at a
    time costs half a second; the field and what follows the keys are the same either way."""
    app.focused.insert_text_at_cursor(text)
    await settle(app, pilot)
    if keys:
        await pilot.press(*keys)


async def send(app: Any, pilot: Any, key: str = "ctrl+j") -> Any:
    """Press the send key and wait for the answer, its diagnosis and the body; returns the Diagnosis."""
    await pilot.press(key)
    await settle(app, pilot)
    return app.main_screen.diagnosis


def entry(app: Any, title: str) -> Any:
    """The command palette entry with this title (the palette lists exactly these)."""
    from tui.console.commands import entries

    found = [e for e in entries(app) if e.title == title]
    assert found, f"no palette entry {title!r}"
    return found[0]


async def run_entry(app: Any, pilot: Any, title: str) -> None:
    result = entry(app, title).callback()
    if hasattr(result, "__await__"):
        await result
    await settle(app, pilot)


# -- snapshots -----------------------------------------------------------------------------------
# What varies from run to run is frozen at the source where it can be (timings, trace ids, the
# clock's samples: a message hook swaps them before the handlers see them) and normalised in the
# text where it cannot (the emulator's port, millisecond timestamps taken at send time).
FIXED_TRACE = b'"trace":"00000000-0000-4000-8000-000000000000"'
FIXED_RTTS = (0.52, 0.41, 0.44, 0.47, 0.43, 0.95, 0.46, 0.45)
_PORT = re.compile(r"127\.0\.0\.1:\d{4,5}")
_MILLIS = re.compile(r"(?<![\d])1\d{12}(?![\d])")
_SVG_ID = re.compile(r"terminal-\d+")


def freeze(message: Any) -> None:
    """A run_test(message_hook=...) that makes the volatile figures of a send fixed."""
    from dataclasses import replace

    from tui.console.messages import ClockMeasured, ExchangeReceived
    from tui.exchange import Timings

    if isinstance(message, ExchangeReceived):
        ex = message.exchange
        timings = Timings(connect_ms=None, tls_ms=None, request_sent_ms=0.4, first_byte_ms=6.7, body_ms=0.2, total_ms=9.4)
        response = ex.response
        if response is not None:
            body = re.sub(rb'"trace":\s*"[^"]*"', FIXED_TRACE, response.body)
            headers = tuple((k, _steady_date(v, ex) if k.lower() == "date" else v) for k, v in response.headers)
            response = replace(response, body=body, headers=headers, size=len(body))
        message.exchange = replace(ex, timings=timings, response=response, started_at=0.0)
    elif isinstance(message, ClockMeasured):
        from tui.clock import ClockSample, judge

        est = message.estimate
        offset = 90_000.3 if est.offset_ms > 1000 else (-90_000.3 if est.offset_ms < -1000 else 0.2)
        verdict, sentence = judge(offset, 0.6)
        samples = tuple(ClockSample(rtt_ms=r, offset_ms=offset, used=r < 0.9, chosen=r == 0.41) for r in FIXED_RTTS)
        message.estimate = replace(est, offset_ms=offset, bound_ms=0.6, rtt_ms=0.41, samples=samples,
                                   method="server-time", verdict=verdict, verdict_sentence=sentence)


def _steady_date(value: str, exchange: Any) -> str:
    """The Date header moved to the signed timestamp's second plus the skew rounded to 10 s: the
    diagnosis compares the two, and a 1 s tick between runs must not change its sentence."""
    from email.utils import formatdate, parsedate_to_datetime

    stamp = exchange.request.header(exchange.venue.header_set.timestamp) if exchange.request else None
    if not stamp:
        return value
    sent_s = int(stamp) // 1000
    skew = round((parsedate_to_datetime(value).timestamp() - sent_s) / 10) * 10
    return formatdate(sent_s + skew, usegmt=True)


def normalise(text: str) -> str:
    text = _PORT.sub("127.0.0.1:48640", text)
    text = _MILLIS.sub("1700000000000", text)
    return _SVG_ID.sub("terminal-keyprobe", text)


def check_snapshot(app: Any, name: str) -> str:
    """Compare the screen's text with tests/snapshots/NAME.txt; returns the SVG picture of the screen.

    A test run only compares: KEYPROBE_UPDATE_SNAPSHOTS=1 rewrites the baseline, and `make screenshots`
    (KEYPROBE_SCREENSHOTS=1) writes the picture to screenshots/NAME.svg for the README. The text is what
    is compared, so a renderer detail cannot make the test flaky."""
    text = "\n".join(line.rstrip() for line in normalise(screen_text(app)).splitlines()) + "\n"
    svg = normalise(app.export_screenshot(title=f"keyprobe: {name}"))
    if os.environ.get(SCREENSHOTS_ENV) == "1":
        SCREENSHOTS.mkdir(exist_ok=True)
        (SCREENSHOTS / f"{name}.svg").write_text(svg, encoding="utf-8")
    baseline = SNAPSHOTS / f"{name}.txt"
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        baseline.write_text(text, encoding="utf-8")
        return svg
    assert baseline.exists(), f"no baseline for {name}: run with {UPDATE_ENV}=1, check {baseline} and commit it"
    expected = baseline.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from {baseline} ({UPDATE_ENV}=1 to accept):\n{text}"
    return svg
