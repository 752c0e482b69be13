"""A large request body is held once as text and once as bytes, and each shortcut that avoids a copy gives
the bytes and texts the long way gave: the signature (the emulator verifies it over the bytes it received),
the evidence's payload, the history's size and SHA-256, and the printed body.
benchmarks/send_body_memory.py measures the memory; these tests hold the equivalences."""

from __future__ import annotations

import hashlib
import hmac
import io
import json

from keys.signing import prehash, sign
from tui.exchange import Draft
from tui.output.render import _PIECE, _RawBody, body_text
from tui.output.terminal_safe import shown
from tui.transport.wire import BODY_PIECE, Wire


def order_batch(count: int, text: str = "kp") -> str:
    orders = ",".join(json.dumps({"symbol": "BTC_USDT", "side": "buy", "size": "1", "client_order_id": f"{text}{i:08d}"},
                                 ensure_ascii=False, separators=(",", ":")) for i in range(count))
    return '{"symbol":"BTC_USDT","orders":[' + orders + "]}"


def test_signing_the_bodys_bytes_is_signing_its_text():
    payload = order_batch(50, "ordre-é-€-😀-")
    by_text = sign("secret", "1700000000000", "memo", payload)
    by_bytes = sign("secret", "1700000000000", "memo", payload.encode("utf-8"))
    whole = hmac.new(b"secret", prehash("1700000000000", "memo", payload).encode("utf-8"), "sha256").hexdigest()
    assert by_text == by_bytes == whole


async def test_a_body_sent_in_pieces_is_signed_whole_and_its_text_not_copied(emu):
    """Over BODY_PIECE the wire hands the body to the socket in pieces: the emulator reads them, verifies the
    signature over every byte (1000), and the evidence's payload is the Draft's own text, not a decoded copy."""
    for text in ("kp", "ordre-é-😀-"):  # the second is multi-byte UTF-8: a piece may end inside a character
        emu.state.reset()  # cancel_all allows one call per 3 s: each body starts a fresh window
        body = order_batch(5000, text)
        assert BODY_PIECE < len(body.encode()) < 1024 * 1024  # past a piece, under the emulator's cap
        draft = Draft(emu.venue, "POST", "/spot/v4/cancel_all", body=body)
        async with Wire() as wire:
            exchange = await wire.send(draft, emu.demo_credentials())
        assert exchange.failure is None and json.loads(exchange.response.body)["code"] == 1000, exchange.response.body[:300]
        assert exchange.request.body == body.encode("utf-8")
        assert exchange.request.evidence.payload is draft.body


def test_the_history_hashes_a_long_body_in_pieces_as_if_whole():
    from tui.records.history import BODY_CAP, _kept_body

    # Non-ASCII characters and a lone surrogate (kept by surrogatepass) on both sides of a piece boundary.
    body = "é" * (BODY_CAP - 1) + "\ud800😀" + "x" * 1000 + "€" * BODY_CAP
    raw = body.encode("utf-8", "surrogatepass")
    kept = _kept_body({"body": body})
    assert kept["body_cut"] == {"size": len(raw), "sha256": hashlib.sha256(raw).hexdigest()}
    assert kept["body"] == body[:BODY_CAP]
    small = "é" * (BODY_CAP // 2)  # more than BODY_CAP // 4 characters, at most BODY_CAP bytes: kept whole
    assert _kept_body({"body": small}) == {"body": small}


def test_the_streamed_body_is_the_body_printed_line_by_line():
    """send --full writes the body a piece at a time; it reads as the whole-text rendering did: each line
    indented, a CR LF (even one split across two pieces) one line break, control characters escaped."""
    first = "é" * (_PIECE // 2 - 1) + "a"  # PIECE - 1 bytes: its CR ends the first piece, its LF starts the next
    second = "é" * (_PIECE // 2)  # from byte PIECE + 1: the next boundary falls inside an é
    body = ("\r\n".join([first, second, "tab\there", "esc \x1b[31m red", "", "last 😀"]) + "\r\n").encode()
    assert body[_PIECE - 1:_PIECE + 1] == b"\r\n" and body[2 * _PIECE - 1:2 * _PIECE + 1] == "é".encode()
    expected = "".join(f"    {shown(text)}\n" for text in body_text(body).splitlines())
    out = io.StringIO()
    _RawBody(body, limit=None).write(out)
    assert out.getvalue() == expected
    assert "\x1b" not in out.getvalue() and "\\x1b[31m" in out.getvalue()
    one_line = b'{"a":"' + b"x" * (3 * _PIECE) + b'"}'  # compact JSON: one line, several pieces
    out = io.StringIO()
    _RawBody(one_line, limit=None).write(out)
    assert out.getvalue() == "    " + one_line.decode() + "\n"
