"""The probe screen against the in-process emulator: the ladder rung by rung (one message per
rung, each shown as it lands), every layer passing on the working demo key (the emulator's WebSocket
login included: its stream is on its own port), and a frozen key stopping at the keyed layer with its
documented row and fix."""

from __future__ import annotations

from dataclasses import replace

import pytest
from console_support import check_snapshot, freeze, press, quiet_console, run_entry, screen_text, settle
from textual.widgets import Static

from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.messages import ProbeFinished, ProbeStepDone
from tui.console.screens.probe import ProbeScreen
from tui.probe.ladder import LAYERS

SIZE = (120, 40)
BITMART = ConsoleOptions(flavour="bitmart")
FIXED_MS = {"venue": 0.0, "public": 3.2, "clock": 41.0, "keyed": 2.6, "signed": 2.9, "websocket": 4.1}
RUNGS = (*LAYERS, "websocket")  # the emulator's stream is known: the ladder climbs the WebSocket rung too


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def freeze_probe(message) -> None:
    """Snapshot hook: each rung's time and the clock rung's measured figures made fixed."""
    freeze(message)
    if isinstance(message, ProbeStepDone):
        step = message.step
        detail = step.detail
        if step.name == "clock" and step.estimate is not None:
            from tui.clock.measure import judge

            detail = f"offset +0.2 ms ± 0.6 ms ({step.estimate.method}, 5 samples, min RTT 0.4 ms). {judge(0.2, 0.6)[1]}"
        message.step = replace(step, ms=FIXED_MS[step.name], detail=detail)


async def open_probe(app, pilot) -> ProbeScreen:
    await press(pilot, "f3")
    screen = app.screen
    assert isinstance(screen, ProbeScreen) and screen.report is not None
    return screen


async def test_the_demo_key_passes_every_layer_rung_by_rung():
    seen: list = []
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await settle(app, pilot)
        screen = await open_probe(app, pilot)
        report = screen.report
        assert report.passed and [s.name for s in report.steps] == list(RUNGS) and report.layers == RUNGS
        # One message per rung, in ladder order, then the verdict (the hook sees a message again
        # at each node it bubbles through: count each message once).
        probe_messages = [m for m in {id(m): m for m in seen}.values() if isinstance(m, (ProbeStepDone, ProbeFinished))]
        assert [getattr(m, "step", None) and m.step.name for m in probe_messages] == [*RUNGS, None]
        assert isinstance(probe_messages[-1], ProbeFinished)
        assert screen.states == {name: "ok" for name in RUNGS}
        assert "#****#wooxpro.WebSocket signed" in screen.query_one("#step-websocket", Static).content.plain
        for name in RUNGS:
            row = screen.query_one(f"#step-{name}", Static)
            assert row.has_class("-ok") and "✓" in row.content.plain
        signed = screen.query_one("#step-signed", Static).content.plain
        assert "40035" in signed or "40037" in signed  # "order not found": the signature verified
        assert "Every layer passed" in screen_text(app)
        assert screen.query_one("#probe-verdict").has_class("-ok")

        await press(pilot, "r")  # run it again
        assert screen.report is not report and screen.report.passed
        await press(pilot, "escape")
        assert not isinstance(app.screen, ProbeScreen)


@pytest.mark.screenshot
async def test_the_frozen_key_stops_at_the_keyed_layer_with_its_diagnosis():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=freeze_probe) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use the frozen demo key")
        screen = await open_probe(app, pilot)
        report = screen.report
        failed = report.first_failure
        assert failed is not None and failed.name == "keyed"
        assert screen.states["public"] == "ok" and screen.states["clock"] == "ok" and screen.states["keyed"] == "failed"
        diagnosis = report.verdict_diagnosis
        assert diagnosis is not None and diagnosis.code == failed.code
        verdict = screen.query_one("#probe-verdict", Static).content.plain
        assert "First failing layer: keyed" in verdict and str(failed.code) in verdict
        assert diagnosis.message in verdict and report.fixes and report.fixes[0] in verdict
        assert screen.query_one("#probe-verdict").has_class("-failed")
        check_snapshot(app, "probe-ladder")


async def test_probe_is_reachable_from_the_palette_and_bound_with_ids():
    from console_support import entry

    from tui.console.screens.dialogs import AskScreen, ConfirmScreen
    from tui.console.screens.keys import KeysScreen
    from tui.console.screens.main import MainScreen
    from tui.console.screens.profile_form import ProfileFormScreen
    from tui.console.screens.unlock import UnlockScreen
    from tui.console.widgets.sidebar import Sidebar

    ids = [b.id for cls in (KeyprobeApp, MainScreen, ProbeScreen, KeysScreen, ProfileFormScreen, UnlockScreen,
                            ConfirmScreen, AskScreen, Sidebar) for b in cls.BINDINGS]
    assert all(ids) and len(ids) == len(set(ids))  # every binding can be remapped by its own id
    assert {"main.save", "main.keys", "main.probe", "probe.rerun", "sidebar.replay", "keys.lock"} <= set(ids)
    for cls in (ProbeScreen, KeysScreen, ProfileFormScreen, UnlockScreen, ConfirmScreen, AskScreen, Sidebar):
        assert cls.HELP.startswith("## ")  # F1 has something to say on each
    app = KeyprobeApp(BITMART)  # a time endpoint: the clock rung takes milliseconds, not the Date header's seconds
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        entry(app, "Probe: find the failing layer for this key").callback()
        await settle(app, pilot)
        assert isinstance(app.screen, ProbeScreen) and app.screen.report.passed
        await press(pilot, "f1")
        assert "which layer fails" in screen_text(app).lower()


@pytest.mark.parametrize("frozen", [False, True])
async def test_at_80x24_the_verdict_is_on_screen_without_scrolling(frozen):
    """The verdict is what the probe is for: at 80x24 the ladder's four rungs wrap to ~20 lines, and the
    verdict below them was off screen. It must be wholly inside the visible part of the screen."""
    app = KeyprobeApp(BITMART)  # a time endpoint: the clock rung takes milliseconds, not the Date header's seconds
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        if frozen:
            await run_entry(app, pilot, "Break it: use the frozen demo key")
        screen = await open_probe(app, pilot)
        verdict = screen.query_one("#probe-verdict", Static)
        body = screen.query_one("#probe-body")
        assert ("First failing layer" in verdict.content.plain) is frozen
        visible = body.region  # the scroll's window on the screen
        shown = verdict.region  # the verdict's visible part, in screen coordinates
        assert body.scroll_y == 0
        assert shown.height == verdict.outer_size.height and visible.contains_region(shown), (shown, visible)
