"""Escape sequences a server, a client or a file put in text never reach the terminal as themselves, on any
screen (issue 21, finding 3: the Traffic table wrote a request target's OSC 52 clipboard write and an
alternate-screen exit to the terminal; a carriage return in a body did too, finding 13).

Each test feeds the attacks of hostile_server.TERMINAL_ATTACKS (OSC 52, an alternate-screen exit, CSI, CR, BEL,
a C1 CSI, a bidi override, each followed by a marker) through a screen, and reads what Textual wrote for the
terminal (console_support.recording_driver: the real output, escape sequences and all), never the widgets'
state: a marker must arrive, and never right behind its raw attack."""

from __future__ import annotations

import json

import pytest
from console_support import press, quiet_console, recording_driver, run_entry, send, settle, until
from hostile_server import TERMINAL_ATTACK, TERMINAL_ATTACKS, HostileServer

from tui.console.app import ConsoleOptions, KeyprobeApp

SIZE = (160, 50)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def assert_nothing_obeyed(written: list[str], where: str, markers: tuple[str, ...] = ("OSCMARK", "ALTMARK", "CSIMARK", "BIDIMARK")) -> None:
    out = "".join(written)
    obeyed = [name for name, attack in TERMINAL_ATTACKS.items() if attack in out]
    assert not obeyed, f"{where}: {obeyed} reached the terminal raw"
    missing = [m for m in markers if m not in out]
    assert not missing, f"{where}: {missing} never shown (the attack was not on screen at all)"
    written.clear()


async def test_a_hostile_answer_on_the_main_screen_its_tabs_the_diagnosis_and_compare():
    with HostileServer("terminal") as server:
        app = KeyprobeApp(ConsoleOptions(base_url=server.base_url))
        written = recording_driver(app)
        async with app.run_test(headless=False, size=SIZE) as pilot:
            await settle(app, pilot)
            written.clear()
            assert (await send(app, pilot)).code == 30005  # the message, decoded, in the diagnosis and the body's lines
            assert_nothing_obeyed(written, "diagnosis")
            app.main_screen.query_one("#path").value = "/raw/page"
            assert (await send(app, pilot)).code is None  # not JSON: the body shown as it came
            assert_nothing_obeyed(written, "body")
            for tab in ("headers", "request"):
                app.main_screen.query_one("#response-tabs").active = f"tab-{tab}"
                await settle(app, pilot)
            assert_nothing_obeyed(written, "headers and request tabs", markers=("C1MARK", "BIDIMARK"))
            await press(pilot, "f4")
            await send(app, pilot)
            await press(pilot, "f10")
            assert_nothing_obeyed(written, "compare")


async def test_the_traffic_table_and_its_detail():
    """The finding itself: a request target's escapes written raw by the Traffic table. The inspection is the
    proxy's own (inspect_request of a captured request), handed to the screen as the proxy's listener does."""
    from tui.console.screens.traffic import Exchanged, TrafficScreen
    from tui.inspect.model import CapturedRequest
    from tui.inspect.report import inspect_request

    attack = "".join(TERMINAL_ATTACKS.values())
    captured = CapturedRequest("GET", "http://127.0.0.1:8640/x?q=" + attack, (("Host", "127.0.0.1:8640"), ("X-Note", attack)),
                               attack.encode(), "proxy")
    app = KeyprobeApp()
    written = recording_driver(app)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        assert isinstance(app.screen, TrafficScreen)
        written.clear()
        app.screen.post_message(Exchanged(inspect_request(captured, [])))
        await settle(app, pilot)
        # the row (its target cut at 80 characters) and, highlighted as it arrives, its detail
        assert_nothing_obeyed(written, "traffic table and detail", markers=("OSCMARK", "ALTMARK", "BIDIMARK"))


async def test_the_paste_box():
    from textual.widgets import TextArea

    raw = (f"POST /contract/private/submit-order?q={TERMINAL_ATTACKS['osc52']} HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\n"
           f"X-Note: {TERMINAL_ATTACK}\r\nContent-Type: application/json\r\n\r\n{TERMINAL_ATTACK}\r\n")
    app = KeyprobeApp()
    written = recording_driver(app)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "f9")
        written.clear()
        app.screen.query_one("#inspect-input", TextArea).load_text(raw)
        await press(pilot, "ctrl+j")
        await until(app, pilot, lambda: "Read 1 request" in str(app.screen.query_one("#inspect-result").render()), "the paste box's result")
        assert_nothing_obeyed(written, "paste box", markers=("OSCMARK",))


async def test_the_sidebars_history_and_its_delete_dialog(tmp_path):
    """A history file (anyone's edit, or a record of a hostile exchange): its fields in the list and the dialog."""
    record = {"schema": 1, "time": "2026-12-01T10:00:00Z", "source": "send", "name": TERMINAL_ATTACKS["osc52"],
              "venue": "emulator", "family": "bitmart", "base_url": "http://127.0.0.1:8640", "profile": TERMINAL_ATTACKS["csi"],
              "method": "GET", "path": "/x" + "".join(TERMINAL_ATTACKS.values()), "query": [], "body": "", "auth": "none",
              "notes": TERMINAL_ATTACK, "status": 200, "code": 1000, "message": TERMINAL_ATTACK, "failure": None}
    (tmp_path / "history.jsonl").write_text(json.dumps(record) + "\n")
    app = KeyprobeApp()
    written = recording_driver(app)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        await settle(app, pilot)
        written.clear()
        await press(pilot, "ctrl+b")
        sidebar = app.main_screen.query_one("Sidebar")
        await until(app, pilot, lambda: len(sidebar.history_entries) == 1, "the history entry in the sidebar")
        # each line is cut at the sidebar's width: the profile line shows its start, the path its end
        # (a history path is cut at its start since 79c3eea: the end tells entries apart), both escaped
        assert_nothing_obeyed(written, "sidebar history", markers=("\\x9b31mC1MARK\\u202eBIDIMARK", "\\x1b[2J"))
        options = sidebar.query_one("#history-list")
        options.focus()
        options.highlighted = 0
        await press(pilot, "delete")
        assert_nothing_obeyed(written, "delete dialog", markers=("ALTMARK",))
        await press(pilot, "n")


async def test_the_keys_screen(monkeypatch):
    from console_support import type_and_press

    from keys import vault
    from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
    from tui.paths import keyfile_path

    monkeypatch.setenv("KEYPROBE_KDF", "test")
    opened = vault.create(keyfile_path(), "pw", vault.TEST_ONLY)
    opened.add(vault.Profile.new("main", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO, notes=TERMINAL_ATTACK))
    opened.save()
    app = KeyprobeApp()
    written = recording_driver(app)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        await settle(app, pilot)
        await type_and_press(app, pilot, "pw", "enter")
        written.clear()
        await press(pilot, "f2")
        assert_nothing_obeyed(written, "keys screen (the notes of a profile)")


async def test_the_probe_ladder():
    """The probe's calls get an undocumented code whose message is the attack: the verdict quotes it."""
    with HostileServer("terminal") as server:
        app = KeyprobeApp(ConsoleOptions(base_url=server.base_url))
        written = recording_driver(app)
        async with app.run_test(headless=False, size=SIZE) as pilot:
            await settle(app, pilot)
            written.clear()
            await press(pilot, "f3")
            await until(app, pilot, lambda: getattr(app.screen, "report", None) is not None
                        or "First failing layer" in "".join(written), "the probe's verdict")
            assert_nothing_obeyed(written, "probe", markers=("OSCMARK", "ALTMARK"))
