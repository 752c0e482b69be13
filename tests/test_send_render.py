"""tui/output/render.py: what `keyprobe send` prints, on exchanges built by the real Wire over MockTransport."""

from __future__ import annotations

import io
import json

import httpx
from rich.console import Console

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET, demo_key
from tui.diagnosis.diagnose import diagnose
from tui.exchange import Draft
from tui.exchange_json import exchange_to_dict
from tui.output.render import BODY_LINES, print_exchange
from tui.venues import VENUES
from tui.transport.wire import Wire

BITMART = VENUES["bitmart"]


async def exchange_with(response: httpx.Response, draft: Draft | None = None, **wire_kwargs):
    async with Wire(transport=httpx.MockTransport(lambda r: response), **wire_kwargs) as wire:
        return await wire.send(draft or Draft(BITMART, "POST", "/contract/private/submit-order", body="{}"), demo_key().credentials)


def printed(exchange, *, terminal: bool, full: bool = False) -> str:
    buf = io.StringIO()
    out = Console(file=buf, force_terminal=terminal, color_system=None, width=200, soft_wrap=True)
    print_exchange(exchange, diagnose(exchange), full=full, out=out)
    return buf.getvalue()


async def test_server_text_is_never_taken_as_markup():
    ex = await exchange_with(httpx.Response(200, json={"code": 30005, "message": "[bold red]boom[/] [link=x]"}))
    text = printed(ex, terminal=False)
    assert "[bold red]boom[/] [link=x]" in text


async def test_a_long_body_is_cut_on_a_terminal_only():
    rows = {"code": 1000, "message": "OK", "data": [{"i": i} for i in range(200)]}
    ex = await exchange_with(httpx.Response(200, json=rows))
    on_tty = printed(ex, terminal=True)
    assert "more lines not shown on the terminal" in on_tty and '"i": 199' not in on_tty
    assert '"i": 199' in printed(ex, terminal=True, full=True)
    piped = printed(ex, terminal=False)
    assert '"i": 199' in piped and "more lines" not in piped
    assert on_tty.count("\n") < BODY_LINES + 40


async def test_a_body_on_one_line_is_cut_on_a_terminal_too():
    # A hostile server's 32 MiB of NULs on one line (a gzip bomb) went whole to the terminal, 128 MiB escaped
    # (fresh-eyes attack on a78773c): the line cap never saw more than one line.
    ex = await exchange_with(httpx.Response(200, content=b"\x00" * 100_000 + b"END"))
    on_tty = printed(ex, terminal=True)
    assert "83,619 more characters not shown on the terminal" in on_tty
    assert "END" not in on_tty and len(on_tty) < 100_000
    assert "END" in printed(ex, terminal=True, full=True) and "END" in printed(ex, terminal=False)


async def test_truncated_body_is_announced():
    ex = await exchange_with(httpx.Response(200, content=b'{"code":1000,"data":"' + b"x" * 5000 + b'"}'), body_cap=1000)
    text = printed(ex, terminal=False)
    assert "The body was cut at 1000 B; the server sent 4.9 KiB in all." in text
    data = exchange_to_dict(ex)
    assert data["response"]["truncated"] and data["response"]["size"] == 5023 and data["response"]["json"] is None


async def test_non_json_body_is_shown_as_received():
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    ex = await exchange_with(httpx.Response(502, content=html, headers={"Content-Type": "text/html"}))
    text = printed(ex, terminal=False)
    assert "HTTP/1.1 502 Bad Gateway" in text and html.decode() in text
    assert exchange_to_dict(ex)["response"]["json"] is None


async def test_nothing_secret_reaches_the_output_or_the_json():
    ex = await exchange_with(httpx.Response(200, json={"code": 1000, "message": "OK"}))
    blob = printed(ex, terminal=False) + json.dumps(exchange_to_dict(ex))
    evidence = ex.request.evidence
    for secret in (EXAMPLE_KEY, EXAMPLE_SECRET, "test001", evidence.signature):
        assert secret not in blob
    assert evidence.timestamp in blob and "#****#{}" in blob


async def test_an_undelivered_request_says_so():
    def refuse(request):
        raise httpx.ConnectError("All connection attempts failed")

    async with Wire(transport=httpx.MockTransport(refuse)) as wire:
        ex = await wire.send(Draft(BITMART, "GET", "/system/time"), None)
    assert "not sent: the connection failed before the request left" in printed(ex, terminal=False) and not ex.went_out
