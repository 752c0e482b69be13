"""The console's finish: the diagnosis title, the clock's how-to per front end, what the composer
says about a GET body, Composer.load_draft, small terminals, and the start-up's paused collector."""

from __future__ import annotations

import gc
import io

import pytest
from console_support import freeze, press, quiet_console, run_entry, screen_text, send, settle
from rich.console import Console
from textual.widgets import Input, Label, Select, Static, TextArea
from textual.widgets._footer import FooterKey

from keys.signing import AuthLevel
from tui.clock.measure import OK, OUTSIDE_WINDOW, WARN_RECV_WINDOW, ClockEstimate, judge
from tui.console import app as console_app
from tui.console.app import KeyprobeApp
from tui.console.widgets.clock_panel import summary_text
from tui.console.widgets.composer import Composer
from tui.console.widgets.diagnosis import advice_text, title_text
from tui.console.widgets.preview import PreviewPanel
from tui.diagnosis.diagnose import diagnose_response
from tui.exchange import Draft
from tui.output.render import print_estimate, verdict_with_howto

ERROR_BODY = b'{"code":30005,"message":"Header X-BM-SIGN is wrong","trace":"t","data":{}}'


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


def estimate(offset_ms: float) -> ClockEstimate:
    verdict, sentence = judge(offset_ms, 0.6)
    return ClockEstimate(offset_ms, 0.6, 0.4, (), "server-time", verdict, sentence)


# -- the diagnosis title ----------------------------------------------------------------------------
def test_a_success_is_one_line_and_an_error_title_is_code_message_category_and_status():
    ok = diagnose_response("bitmart", 200, [], b'{"code":1000,"message":"OK","data":{}}')
    assert title_text(ok).plain == "✓ 1000 OK, HTTP 200 as documented"

    error = diagnose_response("bitmart", 401, [], ERROR_BODY)
    assert title_text(error).plain == "✗ 30005 Header X-BM-SIGN is wrong\nsignature  ·  HTTP 401  = documented 401 ✓"
    assert all(fix.text in advice_text(error).plain for fix in error.fixes)

    moved = diagnose_response("bitmart", 200, [], ERROR_BODY)  # the documented status is 401
    assert "≠ documented 401 ✗ MISMATCH" in title_text(moved).plain


def test_answers_without_a_documented_code_get_a_short_title_and_no_false_mismatch():
    html = diagnose_response("bitmart", 502, [("content-type", "text/html")], b"<html><body>502 Bad Gateway</body></html>")
    title = title_text(html).plain
    assert title.startswith("✗ Not the venue's JSON envelope") and "HTTP 502" in title and "MISMATCH" not in title
    unknown = diagnose_response("bitmart", 400, [], b'{"code":25601,"message":"Maintenance","data":{}}')
    title = title_text(unknown).plain
    assert title.startswith("✗ 25601 not in the venue's error-code document") and "“Maintenance”" in title


# -- the clock's how-to: the core says neither --sync-clock nor f8, each front end adds its own ------
@pytest.mark.parametrize("offset_ms", [-5_500.0, 90_000.0])
def test_the_clock_verdict_is_neutral_and_each_front_end_adds_its_how_to(offset_ms):
    est = estimate(offset_ms)
    assert est.verdict in (WARN_RECV_WINDOW, OUTSIDE_WINDOW)
    assert "--sync-clock" not in est.verdict_sentence and "f8" not in est.verdict_sentence
    assert "sign with the measured offset" in est.verdict_sentence

    cli = verdict_with_howto(est)
    assert cli.startswith(est.verdict_sentence) and "keyprobe send --sync-clock" in cli
    out = Console(file=io.StringIO(), width=200)
    print_estimate(est, out=out)
    assert "--sync-clock" in out.file.getvalue()

    console = summary_text(est, use_offset=False).plain
    assert est.verdict_sentence in console and "Press f8 to sign with it." in console and "--sync-clock" not in console
    assert "Signing with it now (f8 turns it off)." in summary_text(est, use_offset=True).plain


def test_a_clock_in_step_gets_no_how_to():
    est = estimate(3.0)
    assert est.verdict == OK
    assert verdict_with_howto(est) == est.verdict_sentence
    assert "f8 to sign" not in summary_text(est, use_offset=False).plain


# -- the start-up's paused collector ----------------------------------------------------------------
def test_the_collector_is_paused_only_if_it_was_running_and_always_resumed():
    assert gc.isenabled()
    console_app.pause_gc()
    try:
        assert not gc.isenabled()
    finally:
        console_app.resume_gc()
    assert gc.isenabled()
    gc.disable()  # someone else's choice: left alone
    try:
        console_app.pause_gc()
        console_app.resume_gc()
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- the composer -----------------------------------------------------------------------------------
async def test_the_body_line_says_what_becomes_of_a_body_and_load_draft_keeps_the_saved_auth_level():
    app = KeyprobeApp()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        composer: Composer = app.main_screen.composer
        label = composer.query_one("#body-label", Label)
        line = composer.query_one("#body-error", Static)
        editor = composer.query_one("#body", TextArea)
        assert composer.method == "GET" and "a GET signs its query, not a body" in str(label.content)
        assert editor.placeholder == "none: a GET sends no body" and not line.display

        editor.text = '{"a": 1}'  # a body typed into a GET is sent as typed, but not signed
        await settle(app, pilot)
        assert line.display and line.has_class("-warning") and "not signed" in line.content.plain
        composer.query_one("#method", Select).value = "POST"
        await settle(app, pilot)
        assert str(label.content) == "Body (JSON, sent and signed exactly as typed)" and not line.display
        editor.text = '{"a": }'
        await settle(app, pilot)
        assert line.has_class("-error") and "not valid JSON" in line.content.plain
        composer.query_one("#method", Select).value = "DELETE"  # still refused at send: flagged as an error
        await settle(app, pilot)
        assert line.has_class("-error") and not line.has_class("-warning")

        venue = app.session.target.venue
        saved = Draft(venue, "POST", "/contract/private/submit-order", (("x", "1"),), '{"symbol":"BTCUSDT"}', AuthLevel.KEYED)
        await composer.load_draft(saved)
        await settle(app, pilot)
        assert composer.draft(venue) == saved  # keyed, as saved, although the endpoint table says signed
        assert composer.query_one("#auth", Select).value == "keyed" and not line.display
        assert str(label.content) == "Body (JSON, sent and signed exactly as typed)"
        preview = app.main_screen.query_one(PreviewPanel).content.plain  # the preview follows
        assert preview.startswith("POST ") and "/contract/private/submit-order?x=1   (keyed)" in preview


# -- small terminals --------------------------------------------------------------------------------
def footer_keys(app) -> list[FooterKey]:
    return [key for key in app.main_screen.query(FooterKey) if key.display and key.region.width]


async def test_at_80x24_with_the_sidebar_focused_whole_keys_are_left_out_and_quit_and_help_stay():
    app = KeyprobeApp()
    async with app.run_test(size=(80, 24), message_hook=freeze) as pilot:
        await settle(app, pilot)
        assert (await send(app, pilot)).code == 1000
        await press(pilot, "ctrl+b")  # the sidebar, focused: its four keys come first in the footer
        keys = footer_keys(app)
        shown = " ".join(f"{k.key_display} {k.description}" for k in keys)
        for part in ("o Open", "r Replay", "^j Send", "^q Quit", "f1 Help"):
            assert part in shown, shown
        assert all(k.region.right <= 80 for k in keys), [(k.description, k.region) for k in keys]
        assert screen_text(app).splitlines()[-1].rstrip().endswith("f1 Help")  # not a key cut mid-word
        await press(pilot, "ctrl+b")  # hidden again: the keys left out come back
        assert "f2 Keys" in " ".join(f"{k.key_display} {k.description}" for k in footer_keys(app))


async def test_small_terminals_keep_every_part_and_the_footer_keys_on_screen():
    console_app.pause_gc()  # as run_console does: the first frame resumes it
    app = KeyprobeApp()
    # frozen figures: the measured offset of a loopback server is about 0 and its sign is chance (-1 ms under load)
    async with app.run_test(size=(80, 24), message_hook=freeze) as pilot:
        await settle(app, pilot)
        assert gc.isenabled()
        assert app.breakpoint_classes(80, 24) == ["-narrow", "-short"]
        assert {"-narrow", "-short"} <= set(app.main_screen.classes)
        await run_entry(app, pilot, "Break it: use a wrong secret")
        assert (await send(app, pilot)).code == 30005
        for width, height, classes in ((80, 24, ["-narrow", "-short"]), (100, 30, ["-medium", "-short"]), (140, 45, ["-wide", "-tall"])):
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
            screen = app.main_screen
            assert app.breakpoint_classes(width, height) == classes and set(classes) <= set(screen.classes)
            text = screen_text(app)
            for part in ("key demo #d84ea451 (wrong secret)", "clock", "POST", "401 Unauthorized",
                         "30005 Header X-API-SIGN is wrong", "Signing preview", "Body"):
                assert part in text, (width, height, part)
            keys = footer_keys(app)
            shown = " ".join(f"{k.key_display} {k.description}" for k in keys)
            for part in ("^j Send", "f2 Keys", "f3 Probe", "^q Quit", "f1 Help"):
                assert part in shown, (width, height, shown)
            spans = sorted((k.region.x, k.region.right) for k in keys)
            assert all(right <= width for _, right in spans)
            assert all(a_right <= b_x for (_, a_right), (b_x, _) in zip(spans, spans[1:]))  # no key covers another
            left, right = screen.query_one("#compose-column").region, screen.query_one("#response-column").region
            assert not left.overlaps(right) and left.height > 0 and right.height > 0
            for part in ("#composer", "#preview-scroll", "#summary", "#diagnosis", "#response-tabs"):
                assert screen.query_one(part).region.height >= 3, (width, height, part)
            assert screen.query_one("#path", Input).region.width >= 15
