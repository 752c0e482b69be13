"""Host binding through a real send: Profile.allowed_hosts -> Wire.send -> VenueSigner, against loopback."""

from __future__ import annotations

import asyncio
import socket

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import AuthLevel
from keys.vault import Profile
from tui.exchange import Draft, FailureKind
from tui.signing_context import SigningContext
from tui.venues import get_venue
from tui.transport.wire import Wire

LEVERAGE = '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}'


def send(profile: Profile, base_url: str):
    venue = get_venue(profile.venue).at(base_url)
    draft = Draft(venue, "POST", "/contract/private/submit-leverage", body=LEVERAGE, auth=AuthLevel.SIGNED, profile=profile.name)

    async def go():
        async with Wire.with_timeout(5) as wire:
            return await wire.send(draft, SigningContext.for_profile(profile))

    return asyncio.run(go())


def test_an_emulator_profile_signs_for_loopback(emu):
    profile = Profile.new("local", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
    exchange = send(profile, emu.base_url)
    assert exchange.failure is None and exchange.response.status == 200
    assert b'"code":1000' in exchange.response.body


def test_a_bitmart_profile_refuses_another_host_and_sends_nothing():
    profile = Profile.new("main", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
    with socket.socket() as listener:  # a port that records whether anyone connected
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.setblocking(False)
        exchange = send(profile, f"http://127.0.0.1:{listener.getsockname()[1]}")
        with pytest.raises(BlockingIOError):
            listener.accept()  # no connection was ever made
    assert exchange.response is None and exchange.request is None
    assert exchange.failure.kind is FailureKind.SIGNING_REFUSED
    sentence = exchange.failure.sentence
    assert sentence.startswith("Refusing to sign for 127.0.0.1: this key belongs to BitMart futures v2, whose hosts are ")
    assert "api-cloud-v2.bitmart.com" in sentence and "Nothing was sent." in sentence


def test_an_allowed_extra_host_opens_the_binding(emu):
    profile = Profile.new("main", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO, extra_hosts=["127.0.0.1"])
    exchange = send(profile, emu.base_url)
    assert exchange.failure is None and b'"code":1000' in exchange.response.body
