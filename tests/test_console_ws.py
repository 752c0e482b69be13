"""The console's WebSocket view (f12, and its palette entry) against the in-process emulator: a login that succeeds,
its channels subscribed and their frames streaming until stopped; a login the emulator refuses with a documented
code (the demo key frozen from the palette), decoded with its fix; nothing of the key on screen; and the snapshot
the README shows. Waits are on the screen's own state, never on time; the emulator's push interval is injected."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from console_support import check_snapshot, freeze, press, quiet_console, run_entry, screen_text, settle, until

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.screens.ws import WebSocketScreen
from tui.emulator.ws.limits import WsLimits

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def frames_text(screen: WebSocketScreen) -> str:
    """The frames log as written, its wrapped lines joined again with no whitespace at all (a frame wraps at a
    space or folds mid-word at the log's width): compare with `bare(...)`."""
    return bare("".join(strip.text for strip in screen.query_one("#ws-frames").lines))


def bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


async def open_view(app, pilot) -> WebSocketScreen:
    await press(pilot, "f12")
    screen = app.screen
    assert isinstance(screen, WebSocketScreen)
    await until(app, pilot, lambda: screen.report is not None, "the WebSocket session's steps")
    return screen


async def test_a_login_that_succeeds_then_frames_as_they_come_until_stopped():
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.session.target.emulator.streams.limits = WsLimits(push_interval_s=0.1)  # the clock injected: pushes come fast
        screen = await open_view(app, pilot)
        report = screen.report
        assert report.passed and [s.name for s in report.steps] == ["connect", "login", "ping", "private", "public"]
        assert all(screen.query_one(f"#ws-step-{s.name}").has_class("-ok") for s in report.steps)
        assert screen.query_one("#ws-verdict").has_class("-ok")
        assert screen.query_one("#ws-channels").value == "spot/user/order:BTC_USDT spot/ticker:BTC_USDT"
        login_shown = frames_text(screen)
        assert bare('"args":["#d84ea451","') in login_shown  # the login frame, its key as a fingerprint
        seen = screen.frames_seen
        await until(app, pilot, lambda: screen.frames_seen >= seen + 5, "the ticker's pushes after the steps")
        text, frames = screen_text(app), frames_text(screen)
        assert "Every step passed on BitMart spot" in text and "#****#bitmart.WebSocket" in text
        assert bare("raw deflate") in frames and bare('"table":"spot/ticker"') in frames  # spot's compressed frames, inflated
        for shown in (text, login_shown, frames):
            assert EXAMPLE_KEY[:8] not in shown and EXAMPLE_SECRET[:8] not in shown
        await press(pilot, "ctrl+g")
        await until(app, pilot, lambda: "the links are closed" in screen_text(app), "the links to close")
        stopped = screen.frames_seen
        await settle(app, pilot)
        assert screen.frames_seen == stopped  # no frame after the stop
        await press(pilot, "escape")
        assert not isinstance(app.screen, WebSocketScreen)


async def test_a_login_refused_with_a_documented_code_is_decoded_with_its_fix():
    app = KeyprobeApp()  # WOO X Pro's dialect: the futures format, marker wooxpro.WebSocket
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use the frozen demo key")
        await run_entry(app, pilot, "WebSocket: log in, subscribe and watch the frames")
        screen = app.screen
        assert isinstance(screen, WebSocketScreen)
        await until(app, pilot, lambda: screen.report is not None, "the WebSocket session's steps")
        login = next(s for s in screen.report.steps if s.name == "login")
        assert login.ok is False and login.diagnosis.code == 91003
        assert screen.query_one("#ws-step-login").has_class("-failed")
        text = screen_text(app)
        assert "The login step fails." in text and "91003" in text and "frozen" in text.lower()
        assert any('"error":"access failed: API KEY has frozen"' in f.text for f in screen.report.frames)  # as it came
        assert bare("[close 1000 by the venue: login failed: 91003]") in frames_text(screen)  # and shown
        assert "#****#wooxpro.WebSocket" in text and EXAMPLE_KEY[:8] not in text


async def test_the_market_switch_and_typed_channels():
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_view(app, pilot)
        await press(pilot, "ctrl+o")  # BitMart: spot -> futures
        await until(app, pilot, lambda: screen.report is not None and screen.report.dialect.id == "bitmart-futures",
                    "the futures session")
        assert screen.query_one("#ws-channels").value == "futures/order futures/ticker:BTCUSDT"
        channels = screen.query_one("#ws-channels")
        channels.value = "futures/position futures/ticker:DOGEUSDT"
        channels.focus()
        await press(pilot, "enter")
        await until(app, pilot, lambda: screen.report is not None and screen.report.topics[0] == "futures/position",
                    "the session with the typed channels")
        public = next(s for s in screen.report.steps if s.name == "public")
        assert public.ok is False and "Invalid symbol param [DOGEUSDT]" in public.detail  # the futures format's words
        assert screen.query_one("#ws-step-public").has_class("-failed") and screen.query_one("#ws-step-private").has_class("-ok")


def steady(monkeypatch) -> None:
    """Freeze, at the source, what varies between runs: each frame's time and the login's signature fingerprint."""
    from tui.console.ws_live import LiveSession

    original = LiveSession._frame

    def frozen(self, frame) -> None:  # noqa: ANN001
        self.frozen_count = getattr(self, "frozen_count", 0) + 1  # per session: 1.5 ms, 3.0 ms, ...
        text = re.sub(r'(","\d{13}",")#[0-9a-f]{8}', r"\1#5c1e4a7f", frame.text)
        original(self, replace(frame, at_ms=1.5 * self.frozen_count, text=text))

    monkeypatch.setattr(LiveSession, "_frame", frozen)


def freeze_steps(message) -> None:
    freeze(message)
    from tui.console.ws_messages import WsStepDone

    if isinstance(message, WsStepDone):
        message.step = replace(message.step, ms={"connect": 1.3, "login": 0.9}.get(message.step.name, 0.0),
                               detail=re.sub(r"in \d+\.\d ms", "in 1.3 ms", message.step.detail))


@pytest.mark.screenshot
async def test_snapshot_of_a_refused_login(monkeypatch):
    steady(monkeypatch)
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=freeze_steps) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use the frozen demo key")
        await press(pilot, "f12")
        screen = app.screen
        await until(app, pilot, lambda: screen.report is not None, "the first session")
        screen.query_one("#ws-channels").value = "futures/order"  # the private channel alone: no price in the picture
        screen.action_rerun()
        await until(app, pilot, lambda: screen.report is not None and "the links are closed" in screen_text(app),
                    "the refused login and the close")
        check_snapshot(app, "websocket-refused-login")


async def test_f1_lists_the_view_its_keys_and_their_ids():
    from textual.binding import Binding
    from textual.widgets import Static

    from tui.console.screens.help import HelpScreen

    ids = [b.id for cls in (KeyprobeApp, WebSocketScreen) for b in cls.BINDINGS if isinstance(b, Binding)]
    assert all(ids) and len(ids) == len(set(ids)) and {"app.websocket", "ws.rerun", "ws.stop", "ws.market", "ws.close"} <= set(ids)
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        assert "app.websocket" in app.screen.query_one("#help-keys", Static).content.plain
        await press(pilot, "escape")
        await open_view(app, pilot)
        await press(pilot, "f1")
        keys = app.screen.query_one("#help-keys", Static).content.plain
        assert "WebSocket: log in, subscribe, watch" in screen_text(app) and "ws.stop" in keys and "ws.market" in keys


REFUSALS = (  # palette entries that break the login on purpose, and the documented code each one gets
    ("Break it: use the frozen demo key", 91003),
    ("Break it: use the expired demo key", 91004),
    ("Break it: use the ip-restricted demo key", 30010),
    ("Break it: use a wrong secret", 91011),
    ("Break it: use a wrong memo", 91011),
)


@pytest.mark.parametrize("flavour", ["bitmart", "wooxpro"])
async def test_each_dialect_logs_in_and_each_documented_refusal_is_decoded(flavour):
    """BitMart spot and futures, and WOO X Pro: the demo key logs in; each key state, a wrong secret or memo, and a
    clock outside the 60 s window are refused with their documented code and decoded with a fix on screen."""
    app = KeyprobeApp(ConsoleOptions(flavour=flavour))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = await open_view(app, pilot)
        for market in (("spot", "futures") if flavour == "bitmart" else ("futures",)):
            if screen.report.dialect.market != market:
                await press(pilot, "ctrl+o")
                await until(app, pilot, lambda: screen.report is not None and screen.report.dialect.market == market, market)
            assert screen.report.passed, screen.report.verdict
            dialect = screen.report.dialect.name
            steers = [*REFUSALS, ("Emulator: skew its clock +90 s", 91022)]
            for title, code in steers:
                await run_entry(app, pilot, title)
                screen.action_rerun()
                await until(app, pilot, lambda: screen.report is not None, f"{dialect} after {title!r}")
                login = next(s for s in screen.report.steps if s.name == "login")
                assert login.ok is False and login.diagnosis.code == code, (dialect, title, login.detail)
                verdict = screen.query_one("#ws-verdict").content.plain
                assert "The login step fails." in verdict and "Fixes" in verdict and login.diagnosis.fixes[0].text in verdict
                await run_entry(app, pilot, "Emulator: reset its clock")
                await run_entry(app, pilot, "Break it: restore the demo key")
            screen.action_rerun()
            await until(app, pilot, lambda: screen.report is not None, "the demo key again")
            assert screen.report.passed


async def test_a_flooding_venue_posts_one_notice_at_a_time_and_keeps_a_bounded_backlog():
    """The view's session, headless: 5,000 frames after the login; the UI side is told once until it takes them, and
    never holds more than KEEP_FRAMES of them."""
    import asyncio

    from websockets.asyncio.server import serve

    from keys.signing import Credentials
    from tui.console.network import NetworkThread
    from tui.console.ws_live import KEEP_FRAMES, LiveSession
    from tui.ws.client import Plan
    from tui.ws.dialects import DIALECTS

    async def flood(ws) -> None:  # noqa: ANN001
        await ws.recv()
        await ws.send('{"event":"login"}')
        await ws.recv()  # the ping
        await ws.send("pong")
        for i in range(5000):
            await ws.send('{"table":"spot/ticker","data":[{"n":%d}]}' % i)
        await ws.close()

    server = await serve(flood, "127.0.0.1", 0, compression=None)
    port = server.sockets[0].getsockname()[1]
    dialect = DIALECTS["bitmart-spot"]
    plan = Plan(dialect, f"ws://127.0.0.1:{port}/user", None, Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "test001"),
                frozenset({"127.0.0.1"}), "a flooding venue", ("spot/ticker:BTC_USDT",), timeout_s=10)
    notices, taken, done, noticed = [], [], asyncio.Event(), asyncio.Event()
    network = NetworkThread("test-network")
    loop = asyncio.get_running_loop()

    def notice() -> None:  # on the network thread, as the view's post_message would be
        notices.append(1)
        loop.call_soon_threadsafe(noticed.set)

    live = LiveSession(network, plan, on_step=lambda step: None, on_ready=lambda report: None, on_frames=notice,
                       on_done=lambda report: loop.call_soon_threadsafe(done.set),
                       on_failed=lambda sentence: loop.call_soon_threadsafe(done.set))
    try:
        live.start()
        while not done.is_set():  # the view's handler: one take per notice
            waiting = [asyncio.ensure_future(noticed.wait()), asyncio.ensure_future(done.wait())]
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in waiting:
                task.cancel()
            noticed.clear()
            taken.append(live.take())
        taken.append(live.take())
    finally:
        live.stop()
        network.close()
        server.close()
        await server.wait_closed()
    frames = [f for batch in taken for f in batch]
    assert len(notices) <= len(taken) + 1  # one notice per take, whatever the rate
    assert len(frames) + live.dropped >= 5000 and all(len(batch) <= KEEP_FRAMES for batch in taken)


async def test_a_login_through_the_consoles_proxy_reaches_the_traffic_view():
    """The console's proxy in front of its emulator; a WebSocket login with the wrong memo goes through it: the Traffic
    view gets the handshake and the link's row (method WS), its detail naming the mistake and the decoded refusal."""
    import asyncio

    from textual.widgets import DataTable, Static

    from tui.console.screens.traffic import TrafficScreen
    from tui.ws.client import run_session
    from tui.ws.urls import plan_for
    from keys.signing import Credentials

    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        assert isinstance(app.screen, TrafficScreen)
        await run_entry(app, pilot, "Proxy: start in front of this venue")
        await until(app, pilot, lambda: getattr(app, "keyprobe_proxy", None) is not None, "the proxy started")
        proxy = app.keyprobe_proxy
        try:
            target = app.session.target.with_credentials(Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "TEST001"), "memo")
            plan = plan_for(target, "spot", ("spot/user/order:BTC_USDT",), ws_base=f"ws://127.0.0.1:{proxy.port}")
            report = await asyncio.to_thread(asyncio.run, run_session(plan))  # a bot of its own, off the app's loop
            assert report.first_failure.name == "login"
            table = app.screen.query_one("#traffic-table", DataTable)
            await until(app, pilot, lambda: table.row_count == 2, "the handshake and the link in the Traffic table")
            assert [str(table.get_row_at(i)[1]) for i in range(2)] == ["GET", "WS"]
            table.move_cursor(row=1)
            await settle(app, pilot)
            detail = app.screen.query_one("#traffic-detail", Static).render()
            assert "memo-case" in str(detail) and "91011" in str(detail)
        finally:
            await run_entry(app, pilot, "Proxy: stop")
            await until(app, pilot, lambda: proxy._loop is None, "the proxy stopped")
