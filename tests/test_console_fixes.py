"""The newcomer's list, fixed: f7's script signs with the corrected clock once f8 is on (run by the
real sh, curl and openssl against the skewed emulator), the emulator's switches say what they do,
the rate-limit line reads as used-of-limit, the palette has one entry per thing."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from console_support import HANG_S, press, quiet_console, run_entry, send, settle, until

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.console.app import ConsoleOptions, KeyprobeApp
from tui.console.commands import entries

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def run_script(text: str) -> dict:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("KEYPROBE_")}
    env |= {"KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET, "KEYPROBE_MEMO": EXAMPLE_MEMO}
    out = subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=env, timeout=HANG_S)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl")
async def test_f7_script_signs_with_the_corrected_clock_after_f8():
    app = KeyprobeApp(ConsoleOptions(flavour="bitmart"))  # its time endpoint measures the 90 s in milliseconds
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Emulator: skew its clock +90 s")
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-leverage (signed)")
        assert (await send(app, pilot)).code == 30007  # the clock is measured again after it
        measured = app.session
        await until(app, pilot, lambda: measured.estimate is not None and measured.estimate.offset_ms > 80_000, "the re-measured +90 s offset")
        await press(pilot, "f7")
        await until(app, pilot, lambda: "KEYPROBE_SECRET" in (app.clipboard or ""), "the f7 script on the clipboard")
        assert run_script(app.clipboard)["code"] == 30007  # local time: outside the window
        first = app.clipboard
        await press(pilot, "escape", "f8")  # sign with local time + the measured offset
        await until(app, pilot, lambda: measured.use_offset, "f8 turning the corrected clock on")
        await press(pilot, "f7")
        await until(app, pilot, lambda: app.clipboard != first, "the second f7 script")
        script = app.clipboard
        # ~ +90,000 ms as measured, either side of it (89,999 was read as "not +9..." once: the flake)
        added = re.search(r"TS=\$\(\( TS \+ (\d+) \)\)", script)
        assert added is not None and abs(int(added.group(1)) - 90_000) < 1_000, script
        assert run_script(script)["code"] == 1000


async def test_the_huge_body_switch_says_it_stays_on_and_the_rate_limit_reads_used_of_limit():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        used = []
        for _ in range(2):
            assert (await send(app, pilot)).code == 1000
            line = app.main_screen.query_one("#rate-limit").content.plain
            rate = app.main_screen.exchange.rate_limit
            used.append(rate.remaining)  # the header named Remaining counts the requests used
            assert f"{rate.remaining} of {rate.limit} used in this window ({rate.reset} s)" in line, line
        assert used[1] == used[0] + 1  # one more request, one more used (the header counts used ones)

        app.session.target.emulator.controls.huge_body_bytes = 64 * 1024
        await run_entry(app, pilot, "Emulator: fault huge body (20 MB)")
        said = list(app._notifications)[-1].message
        assert "until" in said and "no fault" in said.lower()
        for _ in range(2):  # it stays on, as it says
            assert (await send(app, pilot)).code == 1000
            assert len(app.main_screen.exchange.response.body) >= 64 * 1024


async def test_palette_titles_are_unique_and_name_one_thing_each():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        titles = [e.title for e in entries(app)]
        assert len(titles) == len(set(titles))
        from textual.command import SimpleProvider  # noqa: F401 - Textual's own entries come from App.COMMANDS

        system = [c.title if hasattr(c, "title") else c[0] for c in app.get_system_commands(app.screen)]
        everything = [t.lower() for t in titles + system]
        assert sum(t.startswith("theme") for t in everything) == 1, everything
        assert sum("help" in t for t in everything) == 1, everything
        assert sum(t == "keys" for t in everything) == 0, everything  # the bindings list is not called "Keys"


async def test_the_signing_preview_timestamp_keeps_up_with_the_clock():
    import re
    import time

    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")

        def shown_stamp() -> int:
            text = app.main_screen.query_one("#preview").content.plain
            return int(re.search(r"X-API-TIMESTAMP: (\d{13})", text).group(1))

        first = shown_stamp()
        looked = int(time.time() * 1000)  # no await since `first` was read: the next refresh comes after this
        await until(app, pilot, lambda: shown_stamp() > first, "a newer timestamp in the signing preview")
        assert shown_stamp() >= looked  # read from the clock at the refresh, not kept from before (no offset is applied)


async def test_at_80x24_the_path_shows_its_start_and_the_footer_keeps_quit_and_help_with_the_body_focused():
    from console_support import screen_text

    app = KeyprobeApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.main_screen.query_one("#body").focus()
        await settle(app, pilot)
        lines = screen_text(app).splitlines()
        assert "/contract/private/assets-detail" in lines[3], lines[3]  # whole, on its own row (not "ct/private/assets-detail")
        assert "Quit" in lines[-1] and "Help" in lines[-1], lines[-1]
        assert lines[0].startswith(" keyprobe") and "clock" in lines[0] and "╭" in lines[1]  # the status bar is one line


def readme_tour() -> str:
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    return text[text.index("## Five minutes, offline"):text.index("The same engine runs headless:")]


async def test_the_readme_tour_works_as_written():
    """README "Five minutes, offline", step by step and key by key, on the WOO X Pro emulator it opens on."""
    tour = readme_tour()
    for said in ("**Local emulator (WOO X Pro)**", "X-API-* headers", "*Break it: use a wrong secret*", "**30005**",
                 "*Break it: restore the demo key*", "*Emulator: skew its clock +90 s*", "**30007**", "**f8**", "**f3**",
                 "`keyprobe --emulator-flavour bitmart`"):
        assert said in tour, said
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = app.session.target  # step 1
        assert target.venue.name == "Local emulator (WOO X Pro)" and target.credentials.api_key.fingerprint() == "#d84ea451"
        ok = await send(app, pilot)  # step 2
        sent = app.main_screen.exchange
        assert ok.code == 1000 and sent.response.status == 200 and sent.rate_limit.present
        assert sent.request.header("X-API-KEY") == "#d84ea451"
        await run_entry(app, pilot, "Break it: use a wrong secret")  # step 3
        assert (await send(app, pilot)).code == 30005
        wrong = app.main_screen.exchange.response  # the answer the tour quotes
        assert wrong.status == 401 and b'"message":"Header X-API-SIGN is wrong"' in wrong.body
        assert '`"message":"Header X-API-SIGN is wrong"`' in tour
        assert app.main_screen.query("#diag-signed-vs-sent")  # the pre-image beside the bytes sent
        await run_entry(app, pilot, "Break it: restore the demo key")
        await run_entry(app, pilot, "Emulator: skew its clock +90 s")
        assert (await send(app, pilot)).code == 30007  # the clock is measured again after it, from the Date header
        assert app.session.estimate.method == "date-header" and app.session.estimate.offset_ms > 89_000
        await press(pilot, "f8")
        assert (await send(app, pilot)).code == 1000
        await press(pilot, "f3")  # step 4: the ladder names the clock, still 90 s ahead
        await until(app, pilot, lambda: getattr(app.screen, "report", None) is not None, "the probe's report")
        report = app.screen.report
        assert [s.name for s in report.steps][0] == "venue" and report.first_failure.name == "clock"
    bitmart = KeyprobeApp(ConsoleOptions(flavour="bitmart"))  # step 5: one switch away
    async with bitmart.run_test(size=SIZE) as pilot:
        await settle(bitmart, pilot)
        assert (await send(bitmart, pilot)).code == 1000
        assert bitmart.main_screen.exchange.request.header("X-BM-KEY") == "#d84ea451"
