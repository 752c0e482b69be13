"""An export carries exactly what a send carries: the same request builder and the same signer.

A real send to the emulator and a curl export of the same draft, signed at the same instant by the same
SigningContext, must have the same headers in the same order (the client's defaults, User-Agent included),
the same body bytes and the same URL. The key and signature are compared as the wire records them: masked.
"""

from __future__ import annotations

import asyncio
import shlex

import pytest

from keys.signing import AuthLevel, FixedClock, masked_header_value
from tui.emulator import Emulator
from tui.exchange import Draft
from tui.export import AUTOMATIC_HEADERS, curl_command, curl_script
from tui.signing_context import SigningContext
from tui.transport.wire import Wire

DRAFTS = [
    ("POST", "/contract/private/submit-leverage", (), '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}', AuthLevel.SIGNED),
    ("GET", "/contract/private/order", (("symbol", "BTCUSDT"), ("order_id", "a b")), "", AuthLevel.SIGNED),
    ("GET", "/contract/private/assets-detail", (), "", AuthLevel.KEYED),
    ("GET", "/system/time", (), "", AuthLevel.NONE),
]


def curl_parts(text: str) -> tuple[list[tuple[str, str]], str, str]:
    """(headers in order, body, url) of a one-line curl command."""
    argv = shlex.split(text)
    headers = [tuple(argv[i + 1].split(": ", 1)) for i, a in enumerate(argv) if a == "-H"]
    body = next((argv[i + 1] for i, a in enumerate(argv) if a in ("--data-binary", "--data-raw")), "")
    return headers, body, argv[-1]  # type: ignore[return-value]


@pytest.mark.parametrize("flavour", ["bitmart", "wooxpro"])
@pytest.mark.parametrize("method,path,query,body,level", DRAFTS, ids=[f"{d[0]} {d[1]}" for d in DRAFTS])
def test_the_curl_export_carries_the_headers_the_send_carried(flavour, method, path, query, body, level):
    with Emulator(flavour=flavour) as emu:
        draft = Draft(emu.venue, method, path, query, body, level)
        signing = SigningContext.for_venue(emu.venue, emu.demo_credentials(), clock=FixedClock(emu.state.now_ms()))

        async def send():
            async with Wire() as wire:
                return await wire.send(draft, signing)

        exchange = asyncio.run(send())
    sent = exchange.request
    assert exchange.failure is None and exchange.response is not None  # answered (an order that does not exist is a 400)
    headers, exported_body, url = curl_parts(curl_command(draft, signing))
    hs = draft.venue.header_set
    exported = [(name, masked_header_value(name, value, hs)) for name, value in headers]
    on_the_wire = [(name, value) for name, value in sent.headers if name.lower() not in AUTOMATIC_HEADERS]
    assert exported == on_the_wire
    assert ("User-Agent", "keyprobe/0.1") in exported  # the client's default, which the export once lacked
    assert exported_body.encode() == sent.body and url == sent.url


def test_the_curl_script_carries_the_client_defaults_too():
    with Emulator() as emu:
        draft = Draft(emu.venue, *DRAFTS[0][:4], DRAFTS[0][4])
        script = curl_script(draft)
    for header in ("User-Agent: keyprobe/0.1", "Accept: */*", "Connection: keep-alive"):
        assert shlex.quote(header) in script
