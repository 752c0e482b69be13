"""The console, driven by Pilot against its own in-process emulator (a real loopback server):
the newcomer's flow from a first success to each error provoked on purpose."""

from __future__ import annotations

import json

import pytest
from console_support import entry, press, quiet_console, run_entry, screen_text, send, send_refused, settle, type_and_press
from textual.widgets import Input, Static, TextArea

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.console.app import DARK_THEME, LIGHT_THEME, KeyprobeApp
from tui.console.messages import ExchangeReceived, SendStarted
from tui.console.screens.curl import CurlScreen
from tui.console.screens.help import HelpScreen
from tui.console.widgets.body_view import BodyLog, BodyView
from tui.console.widgets.token_wrap import SEPARATORS, TokenWrapped

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def test_opens_on_the_emulator_and_the_demo_request_succeeds():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        target = app.session.target
        assert target.venue.is_emulator and target.emulator.running and target.venue.family == "wooxpro"  # WOO X Pro leads
        assert target.credentials.fingerprint == "#d84ea451"
        # WOO X Pro documents no time endpoint: its clock is in the Date header (seconds to read), so it is read
        # when asked (f5) or after a 30007, as for a real venue, not at start
        assert app.session.estimate is None and "clock not measured (f5)" in screen_text(app)
        assert "Local emulator (WOO X Pro)" in screen_text(app) and "#d84ea451" in screen_text(app)

        diagnosis = await send(app, pilot)
        assert diagnosis.code == 1000 and diagnosis.outcome.value == "success"
        exchange = app.main_screen.exchange
        assert exchange.request.method == "GET" and exchange.request.url.endswith("/contract/private/assets-detail")
        assert app.main_screen.query_one(BodyView).line_count == len(json.dumps(json.loads(exchange.response.body), indent=2).splitlines())
        assert "200 OK" in screen_text(app)
        # A success is one line, no notes: the body below gets the room.
        panel = app.main_screen.query_one("#diagnosis")
        assert panel.has_class("-brief") and panel.region.height == 3 and not panel.query_one("#diag-advice").display
        assert panel.query_one("#diag-title", Static).content.plain == "✓ 1000 OK, HTTP 200 as documented"
        assert json.loads(exchange.response.body)["message"] == "Ok"  # as WOO X Pro's pages show it
        assert exchange.request.header("X-API-KEY") == "#d84ea451" and exchange.request.header("X-BM-KEY") is None
        assert diagnosis.notes and not any(note in screen_text(app) for note in diagnosis.notes)
        assert app.main_screen.query_one("#response-tabs").region.height > 20
    assert not target.emulator.running  # stopped on exit


async def test_alt_enter_also_sends_a_signed_post():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        diagnosis = await send(app, pilot, "alt+enter")
        assert diagnosis.code == 1000
        evidence = app.main_screen.exchange.request.evidence
        assert evidence.level.value == "signed" and evidence.preimage_masked.endswith(app.main_screen.composer.body)


async def test_wrong_secret_from_the_palette_gives_30005_naming_the_cause():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await press(pilot, "ctrl+p")
        await type_and_press(app, pilot, "wrong secret")
        await settle(app, pilot)  # the palette searches in a worker of its own: settle waits for it
        hits = app.screen.query("CommandList")
        assert hits and hits.first().option_count and "wrong secret" in str(hits.first().get_option_at_index(0).prompt)
        await press(pilot, "enter")
        assert app.session.target.tampered == "secret"
        # A secret only matters to signed requests: the entry switched the composer to one.
        assert app.main_screen.composer.method == "POST"

        diagnosis = await send(app, pilot)
        assert diagnosis.code == 30005
        assert any("secret" in text.lower() for text in (*diagnosis.causes, *(f.text for f in diagnosis.fixes)))
        screen = app.main_screen
        assert screen.query_one("#diag-evidence").has_class("-signature")
        signed = screen.query_one("#diag-signed", TokenWrapped).source.plain
        sent = screen.query_one("#diag-sent", TokenWrapped).source.plain
        assert "#****#" in signed and EXAMPLE_MEMO not in signed  # memo masked
        assert screen.composer.body in signed and screen.composer.body in sent  # the same bytes, side by side
        assert "30005" in screen_text(app)


async def test_wrong_memo_gives_30005_too_and_restoring_the_key_fixes_it():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use a wrong memo")
        assert (await send(app, pilot)).code == 30005
        await run_entry(app, pilot, "Break it: restore the demo key")
        assert (await send(app, pilot)).code == 1000


async def test_skewed_emulator_clock_gives_30007_with_the_clock_panel_then_the_corrected_clock_works():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        await run_entry(app, pilot, "Emulator: skew its clock +90 s")

        diagnosis = await send(app, pilot)
        assert diagnosis.code == 30007
        screen = app.main_screen
        assert screen.query_one("#diag-evidence").has_class("-clock")
        estimate = app.session.estimate  # re-measured automatically after the 30007
        assert abs(estimate.offset_ms - 90_000) <= estimate.bound_ms + 50
        assert estimate.verdict == "outside-30007-window" and estimate.method == "date-header"  # WOO X Pro: no time endpoint
        clock_text = screen.query_one("#diag-clock .clock-summary", Static).content.plain
        assert f"{estimate.offset_ms:+,.1f} ms" in clock_text and estimate.verdict_sentence in clock_text
        assert "Press f8 to sign with it." in clock_text and "--sync-clock" not in clock_text
        # The title stays short; the evidence behind it is in the fixes, where it belongs.
        title = screen.query_one("#diag-title", Static).content.plain
        assert title.splitlines() == ["✗ 30007 Header X-API-TIMESTAMP range. Within a minute", "timestamp  ·  HTTP 401  = documented 401 ✓"]
        evidence = next(fix.evidence for fix in diagnosis.fixes if fix.evidence)
        assert evidence not in title and evidence in screen.query_one("#diag-advice", Static).content.plain
        assert not screen.query_one("#diagnosis").has_class("-brief")

        await press(pilot, "f8")  # sign with local time + the measured offset
        assert app.session.clock().apply
        assert (await send(app, pilot)).code == 1000


async def test_invalid_json_body_is_flagged_and_nothing_is_sent():
    seen: list[type] = []
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, message_hook=lambda m: seen.append(type(m))) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        app.main_screen.query_one("#body", TextArea).text = '{"symbol": "BTCUSDT", "side": }'
        await settle(app, pilot)
        body_error = app.main_screen.query_one("#body-error", Static)
        assert body_error.has_class("-error") and "line 1, column" in body_error.content.plain

        await send_refused(app, pilot)
        assert SendStarted not in seen and ExchangeReceived not in seen
        assert app.main_screen.exchange is None
        assert "Not sent" in screen_text(app) and "not valid JSON" in screen_text(app)


async def test_a_10_mb_body_renders_and_search_steps_through_matches():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.session.target.emulator.controls.huge_body_bytes = 10 * 1024 * 1024
        await run_entry(app, pilot, "Emulator: fault huge body (20 MB)")
        assert (await send(app, pilot)).code == 1000
        body = app.main_screen.exchange.response.body
        assert len(body) >= 10 * 1024 * 1024
        view = app.main_screen.query_one(BodyView)
        expected = json.dumps(json.loads(body), indent=2).splitlines()
        assert view.line_count == len(expected)

        view.log_widget.focus()
        await press(pilot, "slash")
        assert app.main_screen.query_one("#body-search", Input).has_focus
        await type_and_press(app, pilot, "STATE", "enter")  # case-insensitive: every order has a "state"
        await settle(app, pilot)
        matches = [i for i, line in enumerate(expected) if "state" in line]
        assert view.matches == matches and len(matches) > 1
        log = view.query_one(BodyLog)
        assert log.match_line == matches[0] and log.has_focus
        await press(pilot, "n")
        assert log.match_line == matches[1]
        await press(pilot, "N", "N")
        assert log.match_line == matches[-1]  # wraps around
        assert f"of {len(matches):,}" in screen_text(app)


async def test_bindings_have_ids_and_the_keymap_file_remaps_them(tmp_path):
    from tui.console.screens.main import MainScreen
    from tui.console.widgets.query_table import QueryTable

    ids = []
    for cls in (KeyprobeApp, MainScreen, QueryTable, BodyLog, HelpScreen, CurlScreen):
        for binding in cls.BINDINGS:
            assert binding.id, f"{cls.__name__} binds {binding.key} without an id"
            ids.append(binding.id)
    assert len(ids) == len(set(ids))

    (tmp_path / "keymap.json").write_text(json.dumps({"main.send": "ctrl+s"}))
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert (await send(app, pilot, "ctrl+s")).code == 1000


async def test_theme_toggles_by_key_and_palette():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.theme == DARK_THEME
        await press(pilot, "ctrl+t")
        assert app.theme == LIGHT_THEME
        await run_entry(app, pilot, "Theme: toggle light / dark")
        assert app.theme == DARK_THEME


async def test_copy_as_curl_holds_no_secret_or_memo_and_the_modal_masks_the_key():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-order (signed)")
        await press(pilot, "f6")
        command = app.clipboard
        assert command.startswith("curl ") and "X-API-SIGN" in command and "X-API-TIMESTAMP" in command
        assert EXAMPLE_SECRET not in command and EXAMPLE_MEMO not in command
        assert isinstance(app.screen, CurlScreen)
        shown = app.screen.query_one("#curl-text", Static).content.plain
        assert EXAMPLE_KEY not in shown and "#d84ea451" in shown
        await press(pilot, "escape")

        await press(pilot, "f7")
        script = app.clipboard
        assert "$KEYPROBE_SECRET" in script or "${KEYPROBE_SECRET" in script
        assert EXAMPLE_SECRET not in script and EXAMPLE_MEMO not in script and EXAMPLE_KEY not in script


async def test_f1_shows_help_for_the_focused_widget_and_the_keys_with_their_ids():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.main_screen.query_one(BodyLog).focus()
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "## Body" not in text and "/ search (case-insensitive)" in text  # BodyView.HELP, as Markdown
        keys = app.screen.query_one("#help-keys", Static).content.plain
        for binding_id in ("body.search", "body.next", "main.send", "main.curl", "app.quit", "app.help", "app.theme"):
            assert binding_id in keys
        for general in ("f2 keys", "f3 probe", "ctrl+s saves the request", "ctrl+b shows the sidebar"):
            assert general in text  # the general help follows the focused part's
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_palette_offers_every_action_and_emulator_switch():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for title in (
            "Send the request",
            "Copy as curl (signed)",
            "Clock: measure the offset again",
            "Emulator: maintenance on",
            "Emulator: service down",
            "Emulator: rate limit 3 per minute",
            "Emulator: fault HTML 502 page",
            "Emulator: freeze the demo key",
            "Break it: use the expired demo key",
        ):
            entry(app, title)
        await run_entry(app, pilot, "Emulator: freeze the demo key")
        assert (await send(app, pilot)).code == 30003
        await run_entry(app, pilot, "Emulator: unfreeze the demo key")
        await run_entry(app, pilot, "Emulator: fault HTML 502 page")
        diagnosis = await send(app, pilot)
        assert diagnosis.outcome.value == "not-envelope" and diagnosis.actual_status == 502
        assert "HTML" in app.main_screen.query_one("#body-note", Static).content.plain


async def test_at_140x45_the_30005_columns_break_between_tokens_never_inside_one():
    """The signed pre-image and the sent body, side by side: each shown line fits its column and ends at a
    separator, so `"BTCUSDT"` is never cut in two; the shown lines put together are the bytes unchanged."""
    app = KeyprobeApp()
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Break it: use a wrong secret")
        await settle(app, pilot)
        assert (await send(app, pilot)).code == 30005
        for column in ("#diag-signed", "#diag-sent"):
            widget = app.main_screen.query_one(column, TokenWrapped)
            width = widget.content_size.width
            shown_lines = widget.content.plain.split("\n")
            source_lines = widget.source.plain.split("\n")
            assert "".join(shown_lines) == "".join(source_lines)
            assert len(shown_lines) > len(source_lines)  # the body is longer than a column: it was wrapped
            assert all(len(line) <= width for line in shown_lines), (width, shown_lines)
            continued = [line for line in shown_lines if line not in source_lines]
            assert continued and all(line[-1] in SEPARATORS for line in continued[:-1]), shown_lines
