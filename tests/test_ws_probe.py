"""The probe ladder's WebSocket rung (tui/ws/probe_rung.py through tui.probe.ladder's `websocket=`), over real sockets: it passes
after REST's four, carries the login's diagnosis when the stream refuses the key, and is the first failure when only the
stream refuses it."""

from __future__ import annotations

import json
import socket

import pytest

from keys.demo import demo_key
from tui.cli import main
from tui.commands.probe import exit_code
from tui.probe.ladder import LAYERS, run_probe
from tui.signing_context import SigningContext
from tui.venues import get_venue
from tui.ws.probe_rung import missing_rung, rung_for
from ws_support import woo_emu, ws_emu  # noqa: F401 - fixtures


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


async def test_when_only_the_stream_refuses_the_key_it_is_the_failing_layer(ws_emu, woo_emu):
    emu, _ = ws_emu
    context = signing(emu)
    _, woo = woo_emu  # a stream that verifies wooxpro.WebSocket: BitMart's login fails
    rung = rung_for(context, private_url=f"{woo.base_url}/futures/user?protocol=1.1", market="futures")
    report = await run_probe(context, websocket=rung)
    assert report.first_failure.name == "websocket" and report.steps[-1].code == 91011
    assert report.verdict.startswith("The websocket layer fails. 91011 Param sign is wrong") and exit_code(report) == 1
    assert report.fixes and report.to_dict()["verdict"]["code"] == 91011


def test_the_rung_exists_where_the_private_stream_is_known():
    from keys.signing import Credentials

    creds = Credentials.of("k" * 40, "s" * 64, "m")
    assert rung_for(SigningContext.for_venue(get_venue("bitmart"), creds)) is not None
    assert rung_for(SigningContext.for_venue(get_venue("bitmart-spot"), creds)) is not None
    woo = SigningContext.for_venue(get_venue("wooxpro"), creds)
    assert rung_for(woo) is None and "pass --base-url wss://HOST" in missing_rung(woo)  # no documented address


async def test_the_emulators_rung_is_on_its_own_port(ws_emu):
    emu, _ = ws_emu
    report = await run_probe(signing(emu), websocket=rung_for(signing(emu)))
    rung = report.steps[-1]
    assert (rung.name, rung.ok) == ("websocket", True) and rung.detail.startswith(f"{emu.ws_url}/spot/user?protocol=1.1: logged in")


@pytest.fixture
def no_dns_beyond_loopback(monkeypatch):
    """Resolving any name but loopback fails the test: nothing may reach for a real venue's host."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        assert host in ("127.0.0.1", "::1", "localhost", None), f"tried to resolve {host!r}"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.mark.parametrize("venue", ["bitmart", "bitmart-spot"])
def test_a_loopback_base_url_takes_the_stream_with_it(ws_emu, capsys, monkeypatch, no_dns_beyond_loopback, venue):
    """`probe --venue bitmart --base-url http://127.0.0.1:PORT` once built its rung for wss://openapi-ws-v2.bitmart.com."""
    emu, streams = ws_emu
    monkeypatch.setenv("KEYPROBE_API_KEY", "k" * 40)
    monkeypatch.setenv("KEYPROBE_SECRET", "s" * 64)
    main(["probe", "--json", "--venue", venue, "--base-url", emu.base_url, "--samples", "2"])
    (rung,) = [s for s in json.loads(capsys.readouterr().out)["steps"] if s["name"] == "websocket"]
    market = "futures" if venue == "bitmart" else "spot"
    assert rung["detail"].startswith(f"{emu.ws_url}/{market}/user?protocol=1.1: ")
    # the key is BitMart's, the host loopback: refused before anything was sent, as for REST
    assert rung["ok"] is False and "Refusing to sign for 127.0.0.1" in rung["detail"] and not streams.log


def test_keyprobe_ws_follows_a_loopback_base_url_too(ws_emu, capsys, monkeypatch, no_dns_beyond_loopback):
    emu, streams = ws_emu
    monkeypatch.setenv("KEYPROBE_API_KEY", "k" * 40)
    monkeypatch.setenv("KEYPROBE_SECRET", "s" * 64)
    assert main(["ws", "--json", "--venue", "bitmart", "--base-url", emu.base_url]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["private_url"] == f"{emu.ws_url}/futures/user?protocol=1.1"
    assert doc["public_url"] == f"{emu.ws_url}/futures/api?protocol=1.1"
