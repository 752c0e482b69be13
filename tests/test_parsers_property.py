"""Every parser of server data and of user files is total: random and adversarial bytes give a value
or a sentence, never an exception (issue 11, items 2 and 7).

Server data: rate-limit headers, the envelope, server_time and Date, the pretty-printer, --json,
the whole diagnosis, the console's body formatter, the terminal escaper. User files: saved requests,
history lines, the key file's header, the keymap, and bounded JSON itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from keys import bounded, vault
from tui.records import history, saved
from tui.clock.measure import date_of, server_time_of
from tui.console.keymap import load_keymap
from tui.console.widgets.body_view import format_body
from tui.console.widgets.diagnosis import advice_text, title_text
from tui.console.widgets.response import status_text
from tui.diagnosis.diagnose import diagnose
from tui.transport.envelope import read_envelope
from tui.exchange import Draft, Exchange, ResponseData, SentRequest
from tui.exchange_json import exchange_to_dict
from tui.output.render import pretty_body, render_exchange
from tui.output.terminal_safe import dumps, shown
from tui.venues import VENUES
from tui.transport.wire import parse_rate_limit

NUMBERS = ["inf", "-Infinity", "1e999", "NaN", "nan", "-0", "1" * 5000, "0x10", " 7 ", "", "10.5", "-1e308", "١٢"]
NASTY = ["\x1b]52;c;cHduZWQ=\x07", "\x1b[8m", "\x9b31m", "\u202e", "\x00", "\ud800", "[bold]x[/]", "\r\n"]


def deep(levels: int, opener: str = "[") -> str:
    closer = "]" if opener == "[" else "}"
    inner = '{"a":' if opener == "{" else "["
    return (inner * levels) + "1" + (closer * levels) if opener == "{" else "[" * levels + "]" * levels


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(NASTY + NUMBERS),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(["code", "message", "data", "server_time", "msg"]) | st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


def _json_text(value: object) -> str:
    try:
        return json.dumps(value, allow_nan=True)
    except (ValueError, RecursionError):
        return "null"


adversarial_bytes = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: _json_text(v).encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: _json_text({"code": v, "message": v, "data": {"server_time": v}}).encode("utf-8", "surrogatepass")),
    st.sampled_from(NUMBERS).map(lambda n: ('{"code":1000,"data":{"server_time":%s}}' % (n or "null")).encode()),
    st.integers(900, 120_000).map(lambda n: deep(n).encode()),
    st.integers(900, 20_000).map(lambda n: ('{"code":1000,"data":' + deep(n, "{") + "}").encode()),
    st.sampled_from(NASTY).map(lambda s: s.encode("utf-8", "surrogatepass")),
)

header_values = st.one_of(st.sampled_from(NUMBERS + NASTY), st.text(max_size=30))
header_names = st.sampled_from(["X-BM-RateLimit-Remaining", "X-BM-RateLimit-Limit", "X-BM-RateLimit-Reset", "X-BM-RateLimit-Mode",
                                "x-api-ratelimit-remaining", "Date", "Content-Type", "X-Evil"])
headers = st.lists(st.tuples(header_names, header_values), max_size=6).map(tuple)

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
BM = VENUES["bitmart"]


def exchange_of(status: int, pairs: tuple, body: bytes) -> Exchange:
    draft = Draft(BM, "GET", "/system/time")
    sent = SentRequest("GET", BM.base_url + "/system/time", (("X-BM-KEY", "#d84ea451"),), b"")
    response = ResponseData(status, shown("reason"), pairs, body, False, len(body))
    return Exchange(draft, sent, response, None, rate_limit=parse_rate_limit(pairs))


INF_HEADERS = (("X-BM-RateLimit-Remaining", "inf"), ("X-BM-RateLimit-Limit", "1e999"), ("X-BM-RateLimit-Reset", "-Infinity"))


@PROPERTY
@given(status=st.sampled_from([200, 401, 403, 429, 502, 999]), pairs=headers, body=adversarial_bytes)
@example(status=200, pairs=INF_HEADERS, body=b'{"code":1000,"data":{"server_time":1e999}}')
@example(status=200, pairs=(("Date", "Tue, 99 Foo 99999 99:99:99 GMT"),), body=b'{"code":1000,"data":{"server_time":-1e999}}')
@example(status=200, pairs=(), body=b'{"code":1000,"data":{"server_time":"1' + b"0" * 5000 + b'"}}')
@example(status=200, pairs=(), body=("[" * 100_000 + "]" * 100_000).encode())
@example(status=401, pairs=(), body=b'{"code":30005,"message":"\xff\xfe\x1b]52;c;x\x07"}')
@example(status=401, pairs=(), body=b'{"code":30005,"message":"\\u001b]52;c;eA==\\u0007 \\u009b8m"}')
def test_every_parser_of_server_data_is_total(status, pairs, body):
    parse_rate_limit(pairs)
    read_envelope(body)
    exchange = exchange_of(status, pairs, body)
    server_time_of(exchange)
    date_of(exchange)
    text, _ = pretty_body(body)
    assert "\x1b" not in shown(text, multiline=True)
    json.loads(dumps(exchange_to_dict(exchange)))  # --json stays valid JSON
    diagnosis = diagnose(exchange)
    render_exchange(exchange, diagnosis)
    json.loads(dumps(diagnosis.to_dict()))
    lines, _ = format_body(body, "application/json")
    console_text = title_text(diagnosis).plain + advice_text(diagnosis).plain + status_text(exchange).plain + "".join(lines)
    assert not {"\x1b", "\x9b", "\x07"} & set(console_text)  # the console shows server controls escaped
    value, problem = bounded.parse_json(body)
    assert problem is None or value is None


@PROPERTY
@given(data=adversarial_bytes)
@example(data=("[" * 100_000 + "]" * 100_000).encode())
@example(data=b'{"a":' * 5000 + b"1" + b"}" * 5000)
def test_every_reader_of_user_files_is_total(tmp_path_factory, data):
    folder: Path = tmp_path_factory.mktemp("files")
    request = folder / "x.request.json"
    request.write_bytes(data)
    with pytest.raises(saved.SavedRequestError):  # random bytes are never a whole saved request
        saved.load(request)
    lines = folder / "history.jsonl"
    lines.write_bytes(data + b"\n" + data)
    log = history.read(lines)
    for entry in log.entries:
        try:
            history.entry_draft(entry)
        except history.HistoryError:
            pass
    keyfile = folder / "keys.json"
    keyfile.write_bytes(data)
    keyfile.chmod(0o600)
    with pytest.raises(vault.VaultError):
        vault.read_header(keyfile)
    keymap = folder / "keymap.json"
    keymap.write_bytes(data)
    mapping, problem = load_keymap(keymap)
    assert isinstance(mapping, dict) and (problem is None or isinstance(problem, str))
    try:
        bounded.loads(data, "the file")
    except bounded.UnreadableInput as exc:
        assert str(exc).startswith("the file")


@PROPERTY
@given(record=json_values)
def test_a_saved_request_record_of_any_shape_is_a_value_or_a_sentence(record):
    for candidate in (record, {"schema": 1, "venue": "emulator", "base_url": record, "method": record, "path": record, "query": record}):
        try:
            saved.draft_from_record(candidate, "x.request.json")
        except saved.SavedRequestError as exc:
            assert str(exc).startswith("x.request.json")
