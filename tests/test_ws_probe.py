"""The probe ladder's WebSocket rung (tui/ws/probe_rung.py through tui.probe's `websocket=`), over real sockets: it passes
after REST's four, carries the login's diagnosis when the stream refuses the key, and is the first failure when only the
stream refuses it."""

from __future__ import annotations

from keys.demo import demo_key
from tui.commands.probe import exit_code
from tui.emulator import EmulatorState
from tui.emulator.ws.adapter import WsAdapter
from tui.probe import LAYERS, run_probe
from tui.signing_context import SigningContext
from tui.venues import get_venue
from tui.ws.probe_rung import rung_for
from ws_support import ws_emu, ws_shared  # noqa: F401 - fixtures


def signing(emu, state: str = "active") -> SigningContext:  # noqa: ANN001
    return SigningContext.for_venue(emu.venue, demo_key(state).credentials)


async def test_the_rung_follows_the_rest_ones_and_passes(ws_emu):
    emu, adapter = ws_emu
    context = signing(emu)
    report = await run_probe(context, websocket=rung_for(context, private_url=f"{adapter.base_url}/spot/user?protocol=1.1", market="spot"))
    assert [s.name for s in report.steps] == [*LAYERS, "websocket"] and report.passed and exit_code(report) == 0
    assert "#****#bitmart.WebSocket signed" in report.steps[-1].detail
    assert report.to_dict()["steps"][-1]["name"] == "websocket"


async def test_a_frozen_key_fails_the_keyed_rung_first_and_the_stream_says_91003(ws_emu):
    emu, adapter = ws_emu
    context = signing(emu, "frozen")
    report = await run_probe(context, websocket=rung_for(context, private_url=f"{adapter.base_url}/spot/user?protocol=1.1", market="spot"))
    assert report.first_failure.name == "keyed"
    rung = report.steps[-1]
    assert (rung.name, rung.ok, rung.code) == ("websocket", False, 91003)


async def test_when_only_the_stream_refuses_the_key_it_is_the_failing_layer(ws_emu):
    emu, _ = ws_emu
    context = signing(emu)
    with WsAdapter(EmulatorState("wooxpro")) as woo:  # a stream that verifies wooxpro.WebSocket: BitMart's login fails
        rung = rung_for(context, private_url=f"{woo.base_url}/futures/user?protocol=1.1", market="futures")
        report = await run_probe(context, websocket=rung)
    assert report.first_failure.name == "websocket" and report.steps[-1].code == 91011
    assert report.verdict.startswith("The websocket layer fails. 91011 Param sign is wrong") and exit_code(report) == 1
    assert report.fixes and report.to_dict()["verdict"]["code"] == 91011


def test_the_rung_exists_where_the_private_stream_is_known(emu):
    from keys.signing import Credentials

    creds = Credentials.of("k" * 40, "s" * 64, "m")
    assert rung_for(SigningContext.for_venue(get_venue("bitmart"), creds)) is not None
    assert rung_for(SigningContext.for_venue(get_venue("bitmart-spot"), creds)) is not None
    assert rung_for(SigningContext.for_venue(get_venue("wooxpro"), creds)) is None  # no documented address
    assert rung_for(signing(emu)) is None  # the emulator's comes with its URL (phase 2: its own port)
