"""`keyprobe send --json` written a piece at a time (terminal_safe.dump): the same characters dumps() gave for the
whole document, a large body's document parses back to the file's bytes, nothing in it can drive a terminal, and a
reader that closes the pipe ends it quietly. benchmarks/send_body_memory.py measures the memory."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from keys.demo import demo_key
from keys.signing import AuthLevel
from tui.output import render, terminal_safe
from tui.cli import EXIT_BROKEN_PIPE, main
from tui.diagnosis.diagnose import diagnose
from tui.exchange import Draft
from tui.exchange_json import exchange_to_dict
from tui.output.render import body_text
from tui.output.terminal_safe import JsonText, dump, dumps
from tui.venues import VENUES
from tui.transport.wire import Wire

# Every character a terminal could obey: C0 (the document's one newline is its last character), DEL, C1, bidi.
TERMINAL_CONTROLS = {*map(chr, range(0x20)), "\x7f", *map(chr, range(0x80, 0xA0)), "\u061c", "\u200e", "\u200f",
                     *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)), "\u2028", "\u2029"}
HOSTILE = "\x1b[8m hidden \x1b]52;c;cGF5bG9hZA==\x07 \x9b31m \u202eevil\u202c \x7f \u2028"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


def big_body(target_bytes: int) -> str:
    """Compact JSON of about `target_bytes`, with multi-byte characters (a piece boundary falls inside one) and raw
    C1 and bidi characters in its strings (legal JSON, and nothing a terminal may receive raw)."""
    order = '{"symbol":"BTC_USDT","side":"buy","size":"1","client_order_id":"é😀\u202e\x85\x9b%08d"}'
    count = target_bytes // len((order % 0).encode())
    return '{"symbol":"BTC_USDT","orders":[' + ",".join(order % i for i in range(count)) + "]}"


def streamed(document) -> str:
    out = io.StringIO()
    dump(document, out, default=str)
    return out.getvalue()


def raw_controls(text: str) -> set[str]:
    return set(text) & TERMINAL_CONTROLS


async def exchange_with(draft: Draft, response: httpx.Response):
    async with Wire(transport=httpx.MockTransport(lambda r: response)) as wire:
        return await wire.send(draft, demo_key().credentials)


@pytest.mark.parametrize("venue, method, path, body", [
    ("bitmart", "POST", "/spot/v2/submit_order", '{"symbol":"BTC_USDT","note":"é \u202e x\x85 \\u001b"}'),
    ("bitmart", "GET", "/spot/v1/wallet?currency=BTC", ""),
    ("wooxpro", "POST", "/v3/order", '{"symbol":"SPOT_BTC_USDT","order_type":"LIMIT"}'),
])
async def test_the_streamed_document_is_the_one_dumps_gave(venue, method, path, body):
    """Byte for byte: the document `send --json` printed before it was streamed (dumps of plain strings; the same
    characters as main's output, compared by hand on the same exchanges), for a small body, with hostile answers."""
    answer = httpx.Response(200, content=json.dumps({"code": 30005, "message": HOSTILE}).encode() + b"\xff",
                            headers={"X-Evil": HOSTILE.replace("\x07", "").encode()})
    ex = await exchange_with(Draft(VENUES[venue], method, path, body=body), answer)
    plain = exchange_to_dict(ex)
    # The values the document always held: the body and the pre-image whole, the answer decoded with replacement.
    assert plain["request"]["body"] == body_text(ex.request.body)
    assert plain["request"]["signing"]["payload"] == ex.request.evidence.payload
    assert plain["request"]["signing"]["preimage_masked"] == ex.request.evidence.preimage_masked
    assert plain["response"]["body"] == body_text(ex.response.body)
    for document in (plain, exchange_to_dict(ex, streamed=True)):
        document["diagnosis"] = diagnose(ex).to_dict()
        document["clock"] = None
    text = streamed(document)
    assert text == dumps(plain, default=str)
    assert json.loads(text) == json.loads(dumps(plain, default=str))
    assert not raw_controls(text) and "\\u001b]52;" in text and "\\u202e" in text and "\\u009b" in text


async def test_the_signing_fields_of_an_unsigned_request_stay_null():
    ex = await exchange_with(Draft(VENUES["bitmart"], "GET", "/system/time", auth=AuthLevel.NONE), httpx.Response(200, json={"code": 1000}))
    text = streamed(exchange_to_dict(ex, streamed=True))
    assert text == dumps(exchange_to_dict(ex), default=str)
    assert json.loads(text)["request"]["signing"]["preimage_masked"] is None


values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text() | st.integers() | st.floats() | st.booleans() | st.none(), inner, max_size=4),
    max_leaves=20,
)


class Opaque:
    def __str__(self) -> str:
        return "opaque \x1b[2J"


@settings(max_examples=300, deadline=None)
@given(value=values | st.builds(lambda v: [v, Opaque(), JsonText(lambda: ("a\x9b", "b\u202e" * 3))], values))
def test_dump_writes_what_dumps_returns(value):
    """Any JSON value (NaN, non-string keys, tuples, an object turned into text by default=, control characters),
    with strings cut in slices of two characters: the same text dumps() returns."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(terminal_safe, "JSON_PIECE", 2)
        assert streamed(value) == dumps(value, default=str)


def test_dump_refuses_a_key_json_refuses():
    with pytest.raises(TypeError):
        streamed({(1, 2): 3})
    with pytest.raises(TypeError):
        json.dumps({(1, 2): 3})


class Sink:
    """A file that keeps only the size of the longest write and the document's length and last characters."""

    def __init__(self) -> None:
        self.longest = self.size = 0
        self.tail = ""

    def write(self, text: str) -> int:
        self.longest, self.size = max(self.longest, len(text)), self.size + len(text)
        self.tail = (self.tail + text)[-64:]
        return len(text)


async def test_a_large_body_is_written_in_slices_without_a_copy_of_it(monkeypatch):
    """A body is in the document three times, never as one text: no write is longer than an escaped slice, and what
    dump() allocates while writing is bounded by a slice, not by the body (slices made small to keep the test quick)."""
    monkeypatch.setattr(terminal_safe, "JSON_PIECE", 4096)
    monkeypatch.setattr(render, "_PIECE", 4096)
    body = big_body(2**20)
    ex = await exchange_with(Draft(VENUES["bitmart"], "POST", "/spot/v4/cancel_all", body=body), httpx.Response(200, json={"code": 1000}))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        sink = Sink()
        dump(exchange_to_dict(ex, streamed=True), sink, default=str)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert sink.size > 3 * len(body) and sink.tail.endswith("}")
    assert sink.longest <= 6 * 4096  # \uXXXX is the longest escape of one character
    # Bounded by a slice (its text, its escape, their terminal-safe copy; 4 bytes a character with an emoji), not
    # by the body: one copy of the body's text alone is several times this bound.
    bound = 8 * 4 * 4096
    assert bound < len(body.encode()) and peak < bound, f"dump allocated {peak} bytes at its peak for a {len(body.encode())}-byte body"


class Recorder(io.StringIO):
    longest = 0

    def write(self, text: str) -> int:
        self.longest = max(self.longest, len(text))
        return super().write(text)


def test_send_json_of_a_large_body_parses_back_to_the_files_bytes(capsys, monkeypatch, emu, tmp_path):
    """End to end against the emulator (which verifies the signature over every byte): the document is written in
    slices, parses, its body is the file's bytes, the payload is the body, the pre-image ends with it, and no raw
    control character is in it."""
    path = tmp_path / "batch.json"
    path.write_text(big_body(900 * 1024), encoding="utf-8")  # under the emulator's 1 MiB cap, many slices and pieces
    monkeypatch.setattr(sys, "stdout", stdout := Recorder())
    code = main(["send", "POST", "/spot/v4/cancel_all", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart",
                 "--body-file", str(path), "--json"])
    out, err = stdout.getvalue(), capsys.readouterr().err
    assert code == 0 and err == "" and out.endswith("}\n")
    assert stdout.longest <= 6 * terminal_safe.JSON_PIECE < len(out) // 3  # never the document, nor a body, in one write
    assert not raw_controls(out[:-1])
    document = json.loads(out)
    request = document["request"]
    assert request["body"].encode("utf-8") == path.read_bytes()
    assert request["signing"]["payload"] == request["body"]
    assert request["signing"]["preimage_masked"] == f"{request['signing']['timestamp']}#****#{request['body']}"
    assert document["response"]["json"]["code"] == 1000 and document["exit_code"] == 0


def test_a_reader_that_closes_the_pipe_ends_it_quietly(tmp_path):
    """`keyprobe send --body-file BIG --json | head -c 100`: the document is far larger than a pipe's buffer, so the
    writer is still writing when the reader closes; it stops with the SIGPIPE status and says nothing."""
    path = tmp_path / "batch.json"
    path.write_text(big_body(900 * 1024), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "tui", "send", "POST", "/spot/v4/cancel_all", "--venue", "emulator",
                             "--body-file", str(path), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "KEYPROBE_HOME": str(tmp_path)})
    head = proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE  # a hang guard, not a timing
    assert head.startswith(b'{"request": {"method": "POST"') and err == b""


def test_a_reader_that_closes_the_pipe_on_the_text_output_gets_the_sigpipe_status_too(tmp_path):
    """Fresh-eyes attack on 26ca1db: the text output (rich) answered a closed pipe with rich's own SystemExit(1),
    which is keyprobe's "the API answered an error"."""
    path = tmp_path / "batch.json"
    path.write_text(big_body(900 * 1024), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "tui", "send", "POST", "/spot/v4/cancel_all", "--venue", "emulator",
                             "--body-file", str(path), "--full"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "KEYPROBE_HOME": str(tmp_path)})
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE, err  # a hang guard, not a timing
    assert b"Traceback" not in err


def test_send_json_says_why_a_send_is_not_in_the_history(tmp_path, monkeypatch, capsys):
    """Before, --json dropped the sentence (a full disk, a home that is a file): a script could not tell."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KEYPROBE_HOME", str(blocker))
    assert main(["send", "GET", "/contract/public/details", "--venue", "emulator", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert "Could not write the history" in document["history_problem"]
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    assert main(["send", "GET", "/contract/public/details", "--venue", "emulator", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["history_problem"] is None


@pytest.mark.parametrize("text", ["a\x7fb", "\x7f\x7f", "plain ascii", '{\n  "a": "\x7f"\n}', "é \x7f \x85"])
def test_del_is_escaped_in_ascii_and_other_text_alike(text):
    """ASCII text takes a shortcut past the escape table (DEL is its only ASCII character): the same JSON."""
    expected = json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f").replace("\x85", "\\u0085")
    assert dumps(text) == expected and streamed(text) == expected and "\x7f" not in dumps(text)
