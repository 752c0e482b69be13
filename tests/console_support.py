"""Helpers for the console's Pilot tests: settle the app, read the screen as text, and compare
snapshots with the text baselines under tests/snapshots/ (`make screenshots` also writes the SVG
pictures in screenshots/; a test run never does)."""

from __future__ import annotations

import asyncio
import io
import os
import re
import time
import weakref
from pathlib import Path
from typing import Any

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = ROOT / "tests" / "snapshots"
SCREENSHOTS = ROOT / "screenshots"
UPDATE_ENV = "KEYPROBE_UPDATE_SNAPSHOTS"
SCREENSHOTS_ENV = "KEYPROBE_SCREENSHOTS"  # set by `make screenshots`
# Only turns a hang into a failure with a sentence; nothing waits for it to pass.
HANG_S = 120.0
# What a console test's process must not inherit: credentials, and the start-up benchmark's ready pipe.
DROPPED_ENV = ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_READY_FD")


async def settle(app: Any, pilot: Any) -> None:
    """Wait until the console has finished reacting to what the test did, judged by state the app and
    Textual expose, never by time or by how busy the process looks (Pilot's own pause asks whether
    the CPU is idle: on a loaded machine a starved process looks idle while a handler is half-way).

    Finished means: the main screen's deferred part (sidebar, response tabs) is mounted and any target
    it was holding back is shown; no worker is pending or running; no handler, callback or idle task
    is running in any message pump (counted by `_track_handlers`); no message waits in any queue (or
    in the slot Textual peeks the next one into) of any node on any screen of the stack; no widget is
    still mounting; no screen holds callbacks for after its next refresh. A message can start a
    worker and a worker can post a message, so the checks repeat until one pass finds nothing.
    Each wait is on an event; the deadline (HANG_S) only turns a hang into a sentence."""
    _track_handlers()
    deadline = time.monotonic() + HANG_S
    while time.monotonic() < deadline:
        await _step(app, pilot)
        main = _main_screen(app)
        if main is not None and not main._tabs_ready.is_set():
            # MainScreen mounts its tabs after the first frame; a target that arrives before waits for them
            await asyncio.wait_for(main._tabs_ready.wait(), HANG_S)
            continue
        if any(worker.state.name in ("PENDING", "RUNNING") for worker in app.workers):
            await asyncio.wait_for(app.workers.wait_for_complete(), HANG_S)
            continue
        if _handlers_running.get(app):
            await asyncio.wait_for(_handlers_done[app].wait(), HANG_S)
            continue
        if (main is not None and main._pending_target is not None) or _busy(app):
            continue
        return
    raise AssertionError(f"the console was still busy after {HANG_S:.0f} s: {_busy(app) or 'workers'} {list(app.workers)}")


async def until(app: Any, pilot: Any, condition: Any, what: str, timeout_s: float = HANG_S) -> None:
    """Settle, then let the app run until `condition()` holds (state the app exposes: a value set by a
    handler, the clipboard). The deadline only turns a hang into a sentence naming what was awaited;
    it is generous so that a loaded machine never reaches it, and nothing waits for it to pass."""
    await settle(app, pilot)
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting for {what} after {timeout_s:.0f} s")
        await pilot.pause()  # a poll interval (the condition may wait on a thread outside the app), not a wait
        await settle(app, pilot)


async def _step(app: Any, pilot: Any) -> None:
    """Let the app run until every node of the current screen has handled what was queued for it
    when this began (Pilot's own pause also waits for the CPU to look idle: a guess, and a slow one
    on a loaded machine), then bring the screen's picture up to date as a refresh would."""
    await pilot._wait_for_screen(timeout=HANG_S)
    app.screen._on_timer_update()


def _main_screen(app: Any) -> Any:
    from tui.console.screens.main import MainScreen

    return next((s for s in app.screen_stack if isinstance(s, MainScreen) and s.is_attached), None)


# app -> handlers, callbacks and idle tasks of that app running now (per app: one that a test left
# behind with a handler stuck cannot make the next test's app look busy)
_handlers_running: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()
_handlers_done: weakref.WeakKeyDictionary[Any, asyncio.Event] = weakref.WeakKeyDictionary()  # set when it drops to 0


def _track_handlers() -> None:
    """Count what Textual is running for the app between two looks at its queues (once per process).

    A message leaves its queue when its handler starts; an awaited handler (an action that opens a
    draft, a mount) can then run for many loop turns with every queue empty. Textual exposes no
    "handling" state, so its three entry points to handlers are wrapped: message dispatch, `invoke`
    in the message pump (handlers, idle handlers, call_next/call_later callbacks) and in the screen
    (call_after_refresh callbacks)."""
    import textual.message_pump as message_pump
    import textual.screen as screen

    if getattr(message_pump, "_keyprobe_tracked", False):
        return

    from textual._context import active_app

    def counted(run: Any) -> Any:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            app = active_app.get(None)
            if app is None:
                return await run(*args, **kwargs)
            done = _handlers_done.setdefault(app, asyncio.Event())
            _handlers_running[app] = _handlers_running.get(app, 0) + 1
            done.clear()
            try:
                return await run(*args, **kwargs)
            finally:
                _handlers_running[app] -= 1
                if not _handlers_running[app]:
                    done.set()

        return wrapper

    message_pump.MessagePump._dispatch_message = counted(message_pump.MessagePump._dispatch_message)
    message_pump.invoke = counted(message_pump.invoke)
    screen.invoke = counted(screen.invoke)
    message_pump._keyprobe_tracked = True


def _busy(app: Any) -> str:
    """What the app is still doing (empty when nothing), from Textual's state."""
    if _handlers_running.get(app):
        return f"{_handlers_running[app]} handler(s) running"
    nodes = [app, *(node for screen in app.screen_stack for node in screen.walk_children(with_self=True))]
    for node in nodes:
        if not node._message_queue.empty() or node._pending_message is not None:
            return f"a message queued for {node!r}"
        if node._next_callbacks:
            return f"a callback queued on {node!r}"
        if not node._mounted_event.is_set():
            return f"{node!r} still mounting"
    for screen in app.screen_stack:
        if screen._callbacks:
            return f"a callback waiting for {screen!r} to refresh"
    return ""


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
    for name in DROPPED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


async def press(pilot: Any, *keys: str) -> None:
    """Press `keys` one at a time, each handled to its end (settle) before the next, as a person types.
    Pilot's press waits for the top screen's queues and then for the CPU to look idle: a worker the
    key started, or a screen under a modal, can still be busy when it returns."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot.app, pilot)


def burst(app: Any, *keys: str) -> None:
    """Hand `keys` to the app the way the terminal driver does when one read carries them all (a
    password manager's auto-type, a fast typist): queued at once, none waiting for the one before.
    Names as Pilot's press takes them ("a", "tab", "enter", "ctrl+s"); the caller settles after."""
    from textual import events

    characters = {"tab": "\t", "enter": "\r", "space": " "}
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else characters.get(key))
        event.set_sender(app)
        app._driver.send_message(event)


async def type_and_press(app: Any, pilot: Any, text: str, *keys: str) -> None:
    """Put `text` into the focused field as one paste, then press `keys` (e.g. "enter"): typing a
    passphrase one key at a time costs a settle per key; the field and what follows are the same."""
    app.focused.insert_text_at_cursor(text)
    await settle(app, pilot)
    await press(pilot, *keys)


async def send(app: Any, pilot: Any, key: str = "ctrl+j") -> Any:
    """Press the send key and wait until its answer is shown: received, diagnosed, its body laid out
    and the send recorded in the history (the send worker ends after that); returns the Diagnosis."""
    main = app.main_screen
    before = main.exchange
    await press(pilot, key)
    await until(app, pilot, lambda: main.exchange is not before and main.exchange is not None and main.diagnosis is not None,
                f"the answer to the send ({key}) and its diagnosis")
    return main.diagnosis


async def send_refused(app: Any, pilot: Any, key: str = "ctrl+j") -> str:
    """Press the send key when the console must refuse to send; waits for the refusal on the status
    line ("Not sent: ...") and returns that line."""
    line = app.main_screen.query_one("#status-line")
    await press(pilot, key)
    await until(app, pilot, lambda: line.content.plain.startswith("Not sent: "), f"the console to refuse the send ({key})")
    return line.content.plain


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
            response = response._replace(body=body, headers=headers, size=len(body))
        message.exchange = ex._replace(timings=timings, response=response, started_at=0.0)
    elif isinstance(message, ClockMeasured):
        from tui.clock.measure import ClockSample, judge

        est = message.estimate
        offset = 90_000.3 if est.offset_ms > 1000 else (-90_000.3 if est.offset_ms < -1000 else 0.2)
        verdict, sentence = judge(offset, 0.6)
        samples = tuple(ClockSample(rtt_ms=r, offset_ms=offset, used=r < 0.9, chosen=r == 0.41) for r in FIXED_RTTS)
        message.estimate = replace(est, offset_ms=offset, bound_ms=0.6, rtt_ms=0.41, samples=samples,
                                   verdict=verdict, verdict_sentence=sentence)  # the method stays: the venue's


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


# -- what reaches the terminal ---------------------------------------------------------------------
def recording_driver(app: Any) -> list[str]:
    """Make `app` (run with run_test(headless=False)) write its frames as a terminal driver would, into the
    list returned: Textual's own output, escape sequences and all, exactly what LinuxDriver writes to the
    terminal (only where it goes differs). Reading that, not the widgets' state, is how a test knows what a
    terminal would have been told to do."""
    from textual.drivers.headless_driver import HeadlessDriver

    written: list[str] = []

    class RecordingDriver(HeadlessDriver):
        @property
        def is_headless(self) -> bool:
            return False

        def write(self, data: str) -> None:
            written.append(data)

    app.driver_class = RecordingDriver
    return written
