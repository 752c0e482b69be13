"""A chunked request's framing beyond its body (fresh-eyes attack on a78773c), against the emulator and through
the proxy on real sockets: an extension or a trailer value without end was read until the body deadline
(the proxy grew 2 GB in 6 s, the emulator hundreds of MB and slowed everyone), and trailer fields were read
as headers (the emulator took a key sent in a trailer, where the venue reads none)."""

from __future__ import annotations

import pytest
from http_client import refused, send, status_of

from keys.demo import EXAMPLE_KEY  # the active demo key (public)
from tui.proxy import Proxy

HEAD = b"POST /spot/v1/wallet HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
ENDLESS = [(b"an extension", HEAD + b"1;" + b"e" * (2 << 20)), (b"a trailer value", HEAD + b"0\r\nX-T: " + b"t" * (2 << 20))]


@pytest.fixture
def proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    with Proxy("emulator", port=0, history=False, emulator_flavour="bitmart") as p:  # a BitMart path and header
        yield p


@pytest.mark.parametrize("what,payload", ENDLESS, ids=[w.decode() for w, _ in ENDLESS])
@pytest.mark.parametrize("server", ["emulator", "proxy"])
def test_framing_without_end_is_refused_long_before_the_body_deadline(request, server, what, payload):
    port = request.getfixturevalue("emu" if server == "emulator" else "proxy").port
    answer = refused(port, payload)  # 2 MiB sent: the old code read it all and waited for the deadline (408)
    assert status_of(answer) == 400 and b"chunk framing" in answer, answer[:300]


def test_a_key_sent_in_a_trailer_is_no_key_to_the_emulator_nor_in_the_proxys_record(proxy):
    payload = HEAD.replace(b"POST", b"GET") + b"0\r\nX-BM-KEY: " + EXAMPLE_KEY.encode() + b"\r\n\r\n"
    (answer,), _ = send(proxy.port, payload)
    assert b'"code":30001' in answer[1], answer  # "Header X-BM-KEY is empty", as the venue says it
    assert proxy.wait_for(1)
    headers = [name.lower() for name, _ in proxy.inspections[0].request.headers]
    assert "x-bm-key" not in headers and headers.count("host") == 1
