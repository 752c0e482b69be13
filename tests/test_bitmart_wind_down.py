"""Issue 22's done-when: with the date injected (the emulator's clock moved, so its Date header stands there, and the
lifecycle's local clock with it), each of BitMart's states shows for an order, a deposit address, a withdrawal and a
balance query, in the CLI, in --json and in the console; nothing of it for WOO X Pro. Also decode, the probe's venue
rung, keys add, the profile form, the status bar and the emulator's banner."""

from __future__ import annotations

import json
import socket
import time
from datetime import datetime, timezone

import pytest
from console_support import press, quiet_console, run_entry, screen_text, send, settle, until

from keys import lifecycle
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.cli import main
from tui.emulator import Emulator

UTC = timezone.utc
DATES = {"before": datetime(2026, 7, 1, 12, tzinfo=UTC), "between": datetime(2026, 8, 1, 12, tzinfo=UTC),
         "no-trading": datetime(2026, 9, 1, 12, tzinfo=UTC), "ceased": datetime(2027, 2, 15, 12, tzinfo=UTC)}
TRADING = "BitMart discontinued trading on 2026-08-26 (notice of 2026-07-26)"
DEPOSITS = "BitMart suspended new registrations, all deposits and new spot orders on 2026-07-26 (notice of 2026-07-26)"
GONE = "BitMart ceased operations on 2027-01-31 (notice of 2026-07-26)"
DEADLINE = "Withdraw before 2027-01-31 15:59 UTC"
UPCOMING = "BitMart discontinues all trading on 2026-08-26 at 01:00 UTC"
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
WITHDRAW = '{"currency":"USDT-TRC20","amount":"10","destination":"To Digital Address","address":"T0"}'
REQUESTS = {  # what each is, and its CLI arguments (signed ones sign with the measured offset: the server is elsewhen)
    "order": ["POST", "/contract/private/submit-order", "--body", ORDER, "--sync-clock"],
    "deposit": ["GET", "/account/v1/deposit/address", "--query", "currency=USDT-TRC20"],
    "withdrawal": ["POST", "/account/v1/withdraw/apply", "--body", WITHDRAW, "--sync-clock"],
    "balance": ["GET", "/account/v1/wallet"],
}
# (state, request) -> (leads?, the sentence) ; None: nothing is said
EXPECTED = {
    ("before", r): None for r in REQUESTS
} | {
    ("between", "order"): (False, UPCOMING), ("between", "deposit"): (True, DEPOSITS),
    ("between", "withdrawal"): (False, DEADLINE), ("between", "balance"): (False, DEADLINE),
    ("no-trading", "order"): (True, TRADING), ("no-trading", "deposit"): (True, DEPOSITS),
    ("no-trading", "withdrawal"): (False, DEADLINE), ("no-trading", "balance"): (False, DEADLINE),
} | {("ceased", r): (True, GONE) for r in REQUESTS}


@pytest.fixture(autouse=True)
def environment_key(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", EXAMPLE_MEMO)


def standing_at(state: str, flavour: str = "bitmart") -> Emulator:
    """An emulator whose clock (and Date header) stands at the state's date."""
    return Emulator(flavour, skew_s=DATES[state].timestamp() - time.time())


@pytest.fixture(scope="module", params=list(DATES))
def at(request):
    with standing_at(request.param) as emu:
        emu.controls.rate_scale = 100
        yield request.param, emu


def cli(capsys, emu, request: str, *extra: str, venue: str = "bitmart") -> tuple[str, dict]:
    argv = ["send", *REQUESTS[request], "--venue", venue, "--base-url", emu.base_url, "--allow-host", "127.0.0.1",
            "--no-history"]
    main(argv)
    text = capsys.readouterr().out
    main([*argv, "--json"])
    return text, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("request_kind", list(REQUESTS))
def test_each_state_in_the_cli_and_in_json(capsys, at, request_kind):
    state, emu = at
    text, out = cli(capsys, emu, request_kind)
    expected = EXPECTED[(state, request_kind)]
    venue_state = out["venue_state"]
    assert venue_state == out["diagnosis"]["venue_state"] and venue_state["judged_by"] == "date-header"
    assert venue_state["at"].startswith(DATES[state].strftime("%Y-%m-%d"))
    diagnosis_line = next(line for line in text.splitlines() if line.startswith("Diagnosis: "))
    if expected is None:
        assert venue_state["state"] == "operating" and venue_state["sentence"] is None
        assert "BitMart" not in text.replace("BitMart futures v2", "")  # the venue's name on the key line aside
        return
    leads, sentence = expected
    assert venue_state["leads"] is leads and sentence in venue_state["sentence"]
    if leads:  # whatever the code: the documented row is still shown below it, and what to do instead
        assert diagnosis_line.startswith(f"Diagnosis: {sentence}. ") and out["diagnosis"]["headline"].startswith(sentence)
        assert out["diagnosis"]["fixes"][0] in " ".join(text.split())  # the lifecycle's fix, on a success too
        assert out["diagnosis"]["code"] is not None and out["diagnosis"]["row"] is not None
    else:
        assert sentence not in diagnosis_line and sentence in text  # a note, under the same diagnosis as before
        assert not out["diagnosis"]["headline"].startswith("BitMart")


def test_woo_x_pro_has_nothing_of_it_even_after_bitmart_ceased(capsys):
    # WOO X Pro has one state, live: standing after BitMart's end by the local clock (its clock is read from the
    # Date header, seconds per measurement, so its emulator keeps the real time and nothing needs syncing)
    with Emulator("wooxpro") as woo, lifecycle.clock_at(DATES["ceased"]):
        for method, path, body in (("POST", "/contract/private/submit-order", ORDER), ("GET", "/contract/private/assets-detail", "")):
            argv = ["send", method, path, *(["--body", body] if body else []), "--venue", "wooxpro", "--base-url", woo.base_url,
                    "--allow-host", "127.0.0.1", "--no-history"]
            main(argv)
            text = capsys.readouterr().out
            main([*argv, "--json"])
            out = json.loads(capsys.readouterr().out)
            assert out["diagnosis"]["code"] == 1000 and "BitMart" not in text
            assert out["venue_state"]["state"] == "live" and out["venue_state"]["sentence"] is None


def test_after_operations_cease_a_failed_connection_says_so_too(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once the block ends
    base = ["send", "GET", "/account/v1/wallet", "--venue", "bitmart", "--base-url", f"http://127.0.0.1:{port}",
            "--allow-host", "127.0.0.1", "--no-history", "--json"]
    for state, says in (("no-trading", False), ("ceased", True)):
        with lifecycle.clock_at(DATES[state]):  # no answer, no Date header: the local clock decides
            assert main(base) == 3
        out = json.loads(capsys.readouterr().out)
        assert out["failure"]["kind"] == "refused" and out["venue_state"]["judged_by"] == "local-clock"
        assert out["diagnosis"]["headline"].startswith(GONE) is says


# -- the console ---------------------------------------------------------------------------------------------------
ENTRIES = {"order": "Endpoint: POST /contract/private/submit-order (signed)",
           "deposit": "Endpoint: GET /account/v1/deposit/address (keyed)",
           "withdrawal": "Endpoint: POST /account/v1/withdraw/apply (signed)",
           "balance": "Endpoint: GET /account/v1/wallet (keyed)"}


async def test_each_state_in_the_console(at):
    from textual.widgets import Static

    from tui.console.app import ConsoleOptions, KeyprobeApp

    state, emu = at
    app = KeyprobeApp(ConsoleOptions(venue="bitmart", base_url=emu.base_url))
    with lifecycle.clock_at(DATES[state]):
        async with app.run_test(size=(140, 45)) as pilot:
            await settle(app, pilot)
            # the status bar keeps the URL; the composer's notice under the venue says the state
            status, notice = screen_text(app).splitlines()[0], app.main_screen.query_one("#venue-notice", Static)
            words = {"before": None, "between": "BitMart is winding down since 2026-07-26",
                     "no-trading": "BitMart stopped trading 2026-08-26", "ceased": "BitMart ended operations 2027-01-31"}[state]
            assert emu.base_url in status, status
            shown = " ".join(notice.content.plain.split()) if notice.display else ""
            assert (words in shown) if words else ("⚠" not in status and not shown), (status, shown)
            await press(pilot, "f5")  # the server's clock stands elsewhen: measure it, then sign with it (f8)
            await until(app, pilot, lambda: app.session.estimate is not None, "the clock measured")
            await press(pilot, "f8")
            for kind, entry in ENTRIES.items():
                await run_entry(app, pilot, entry)
                diagnosis = await send(app, pilot)
                assert diagnosis.code not in (30007, 30005), (kind, diagnosis.headline)  # it reached the venue's answer
                panel = app.main_screen.query_one("#diag-title", Static).content.plain
                expected = EXPECTED[(state, kind)]
                if expected is None:
                    assert "⚠" not in panel and diagnosis.venue_state.quiet
                elif expected[0]:
                    assert panel.startswith(f"⚠ {expected[1]}"), (kind, panel)
                else:  # a note: under a success it is the panel's second line, else among the notes
                    assert not panel.startswith("⚠") and expected[1] in (panel + " ".join(diagnosis.notes)), (kind, panel)


async def test_the_console_s_woo_x_pro_target_has_no_warning():
    from tui.console.app import KeyprobeApp

    app = KeyprobeApp()
    with lifecycle.clock_at(DATES["ceased"]):
        async with app.run_test(size=(140, 45)) as pilot:
            await settle(app, pilot)
            assert "⚠" not in screen_text(app) and (await send(app, pilot)).venue_state is None  # the emulator


async def test_the_profile_form_warns_when_bitmart_is_chosen(tmp_path):
    from textual.widgets import Select, Static

    from tui.console.screens.profile_form import ProfileFormScreen
    from tui.console.app import KeyprobeApp

    app = KeyprobeApp()
    with lifecycle.clock_at(DATES["no-trading"]):
        async with app.run_test(size=(140, 45)) as pilot:
            await settle(app, pilot)
            app.push_screen(ProfileFormScreen())
            await settle(app, pilot)
            form = app.screen
            venue, warning = form.query_one("#venue", Select), form.query_one("#venue-warning", Static)
            assert venue.value == "wooxpro" and not warning.display  # WOO X Pro leads, and has nothing to warn of
            assert [value for _, value in venue._options][:1] == ["wooxpro"]
            venue.value = "bitmart"
            await settle(app, pilot)
            assert warning.display and TRADING in warning.content.plain and "serves only to read balances" in warning.content.plain
            venue.value = "wooxpro"
            await settle(app, pilot)
            assert not warning.display


# -- decode, the probe, keys add, the emulator's banner --------------------------------------------------------
@pytest.mark.parametrize("state", list(DATES))
def test_decode_venue_bitmart_says_the_state_first(capsys, state):
    with lifecycle.clock_at(DATES[state]):
        main(["decode", "30005", "--venue", "bitmart"])
        first = capsys.readouterr().out.splitlines()[0]
        main(["decode", "30005", "--venue", "bitmart", "--json"])
        out = json.loads(capsys.readouterr().out)
        main(["decode", "30005", "--venue", "wooxpro"])
        woo = capsys.readouterr().out
    sentence = {"before": None, "between": "BitMart suspended new registrations", "no-trading": "BitMart discontinued trading",
                "ceased": "BitMart ceased operations"}[state]  # the first line, wrapped at the output's width
    assert out["venue_state"]["state"] == {"before": "operating", "between": "winding-down", "no-trading": "trading-discontinued",
                                           "ceased": "ceased"}[state]
    assert (first.startswith(f"! {sentence}") if sentence else first.startswith("30005")), first
    assert out["headline"].startswith(GONE) is (state == "ceased")  # without an endpoint, only the end leads
    assert "BitMart" not in woo


def test_the_probe_s_venue_rung(capsys, emu):
    base = ["probe", "--venue", "bitmart", "--base-url", emu.base_url, "--allow-host", "127.0.0.1", "--samples", "1", "--json"]
    for state, ok in (("before", True), ("between", True), ("no-trading", False), ("ceased", False)):
        with lifecycle.clock_at(DATES[state]):
            main(base)
        out = json.loads(capsys.readouterr().out)
        venue = out["steps"][0]
        assert venue["name"] == "venue" and venue["ok"] is ok, (state, venue)
        if state == "no-trading":  # the other rungs still run: a key may still read balances to withdraw
            assert out["first_failure"] == "venue" and TRADING in out["verdict"]["sentence"] and out["verdict"]["code"] is None
            assert "WOO X Pro" in out["verdict"]["fixes"][0]
            assert [s["ok"] for s in out["steps"][1:5]] == [True, True, True, True]  # REST's rungs
        if state == "ceased":  # nothing answers any more: nothing above it is tried
            assert {s["ok"] for s in out["steps"][1:]} == {None} and GONE in venue["detail"]
    with lifecycle.clock_at(DATES["ceased"]):
        main(["probe", "--venue", "emulator", "--base-url", emu.base_url, "--samples", "1", "--json"])
    assert json.loads(capsys.readouterr().out)["steps"][0]["ok"] is True  # the emulator has no lifecycle


def test_keys_add_warns_for_bitmart_and_not_for_woo_x_pro(capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "correct horse")
    monkeypatch.setenv("KEYPROBE_KDF", "test")
    assert main(["keys", "init"]) == 0
    capsys.readouterr()
    with lifecycle.clock_at(DATES["no-trading"]):
        assert main(["keys", "add", "old", "--venue", "bitmart"]) == 0
        bitmart = capsys.readouterr().err
        assert main(["keys", "add", "new", "--venue", "wooxpro"]) == 0
        woo = capsys.readouterr().err
    assert f"warning: {TRADING}." in bitmart and "keyprobe keys add NAME --venue wooxpro" in bitmart
    assert "BitMart" not in woo


def test_the_emulator_banner_says_the_real_bitmart_is_winding_down():
    import argparse

    from keys.demo import DEMO_KEYS
    from tui.commands.emulator import _table

    listing = [k.listing() for k in DEMO_KEYS]
    args = argparse.Namespace(venue="bitmart", header_prefix="X-API-", skew=0.0, drift=0.0, latency=0.0, rate_scale=1.0)
    with lifecycle.clock_at(DATES["no-trading"]):
        banner = _table("http://127.0.0.1:8640", args, listing)
        woo = _table("http://127.0.0.1:8640", argparse.Namespace(**{**vars(args), "venue": "wooxpro"}), listing)
    with lifecycle.clock_at(DATES["before"]):
        before = _table("http://127.0.0.1:8640", args, listing)
    assert f"The real BitMart is winding down: {TRADING}." in banner and "without --venue bitmart it plays WOO X Pro" in banner
    assert "winding down" not in woo and "winding down" not in before
