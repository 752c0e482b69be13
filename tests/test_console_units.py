"""The console's Textual-free parts: the signing preview, the keymap file, body formatting and
search, the timing bar, the emulator switches, the curl helpers, the session and the CLI fast path."""

from __future__ import annotations

import asyncio
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key, tampered
from keys.signing import AuthLevel, Credentials, FixedClock
from tui.console.curl import masked_for_display, render_curl
from tui.console.emulator_switches import SWITCHES
from tui.console.keymap import load_keymap
from tui.console.session import ConsoleSession, NoTarget
from tui.console.signing_preview import preview
from tui.console.target import ConsoleTarget
from tui.console.body_text import BodyText, lay_out
from tui.console.widgets.timing_bar import bar_text, segments
from tui.exchange import Draft, Timings
from tui.venues import VENUES, signing_hosts

DEMO = demo_key().credentials
VENUE = VENUES["bitmart"]


# -- signing preview ------------------------------------------------------------------------------
def test_preview_of_a_signed_post_masks_the_memo_and_signs_the_body():
    body = '{"symbol":"BTCUSDT"}'
    p = preview(Draft(VENUE, "POST", "/contract/private/submit-order", body=body), DEMO, FixedClock(1700000000123))
    assert p.preimage == f"1700000000123#****#{body}"
    headers = dict(p.headers)
    assert headers["X-BM-KEY"] == "#d84ea451" and headers["X-BM-TIMESTAMP"] == "1700000000123"
    shown = repr(p)
    assert EXAMPLE_MEMO not in shown and EXAMPLE_SECRET not in shown and EXAMPLE_KEY not in shown
    assert p.payload_kind == "body" and p.problem is None


def test_preview_of_a_get_signs_the_query_string_and_warns_about_a_body():
    draft = Draft(VENUE, "GET", "/contract/private/order", query=(("symbol", "BTCUSDT"), ("order_id", "23")), body="{}", auth=AuthLevel.SIGNED)
    p = preview(draft, DEMO, FixedClock(1))
    assert p.preimage == "1#****#symbol=BTCUSDT&order_id=23" and p.payload_kind == "query string"
    assert "not signed" in p.problem


def test_preview_of_keyed_public_and_keyless_requests():
    keyed = preview(Draft(VENUE, "GET", "/contract/private/assets-detail"), DEMO, FixedClock(1))
    assert keyed.level == "keyed" and keyed.preimage is None and "X-BM-KEY" in dict(keyed.headers)
    public = preview(Draft(VENUE, "GET", "/system/time"), DEMO, FixedClock(1))
    assert public.level == "none" and set(dict(public.headers)) == {"Content-Type"}
    keyless = preview(Draft(VENUE, "GET", "/contract/private/assets-detail"), None, FixedClock(1))
    assert "needs a key" in keyless.problem
    wooxpro = preview(Draft(VENUES["wooxpro"], "POST", "/contract/private/submit-order", body="{}"), DEMO, FixedClock(1))
    assert "X-API-SIGN" in dict(wooxpro.headers)


def test_preview_of_an_empty_memo_shows_two_hashes():
    p = preview(Draft(VENUE, "POST", "/x", body="{}", auth=AuthLevel.SIGNED), Credentials.of("k" * 20, "s" * 20, ""), FixedClock(5))
    assert p.preimage == "5##{}"


# -- keymap ---------------------------------------------------------------------------------------
def test_keymap_file(tmp_path):
    path = tmp_path / "keymap.json"
    assert load_keymap(path) == ({}, None)
    path.write_text('{"main.send": " ctrl+s ", "app.theme": ""}')
    assert load_keymap(path) == ({"main.send": "ctrl+s"}, None)
    path.write_text('{"main.send": ')
    keymap, problem = load_keymap(path)
    assert keymap == {} and "not valid JSON" in problem and "line 1" in problem
    path.write_text('["main.send"]')
    assert "one JSON object" in load_keymap(path)[1]
    path.write_text('{"main.send": 5, "app.theme": "f9", "body.next": ["n"]}')
    keymap, problem = load_keymap(path)
    assert keymap == {"app.theme": "f9"}  # the good entry applies
    assert "entries 'main.send', 'body.next' must map to keys written as a string" in problem and "app.theme" not in problem


def test_keymap_ids_no_binding_has_are_named():
    from tui.console.keymap import binding_ids, unknown_ids

    known = binding_ids()
    assert {"main.send", "app.quit", "keys.create", "fields.next", "query.add_here", "traffic.toggle"} <= known
    assert unknown_ids({"main.send": "f9"}, known) is None
    sentence = unknown_ids({"main.sned": "f9", "main.send": "f8"}, known)
    assert "entry 'main.sned': no binding has that id" in sentence and "'main.send'" not in sentence


# -- body -----------------------------------------------------------------------------------------
def _lines(text):
    return [text.line(i) for i in range(text.count)]


@pytest.mark.parametrize("body", [
    b'{"code":1000,"data":[1,2]}',
    b'{"a": {"b": [], "c": {}, "d": [[1], {"e": null}]}, "f": "x, [y] {z}", "g h": "i j", "k": "\\"]"}',
    b'[{"order_id":"1","state":4},{"order_id":"2","state":4}]',
    b'{\n  "pretty": [\n    1,\n    2\n  ]\n}\n',
    b"[]",
])
def test_json_is_laid_out_with_the_same_lines_as_json_dumps_indent_2(body):
    text, note = lay_out(body, "application/json")
    expected = json.dumps(json.loads(body), indent=2, ensure_ascii=False).splitlines()
    assert note == f"JSON, {len(expected):,} lines"
    # The same lines, indentation and tokens (json.dumps puts a space after a colon; the body had none).
    assert _lines(text) == json.dumps(json.loads(body), indent=2, ensure_ascii=False, separators=(",", ":")).splitlines()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet=' ,:{}[]"\\ab\u00e9\n'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(alphabet=' ,:{}"ab', max_size=4), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(value=_JSON, slice_bytes=st.integers(min_value=1, max_value=40), spaced=st.booleans())
def test_any_json_is_laid_out_like_json_dumps_whatever_the_slices(value, slice_bytes, spaced):
    import tui.console.body_text as body_text

    body = json.dumps(value, indent=1 if spaced else None).encode()
    expected = json.dumps(value, indent=2, separators=(",", ":")).splitlines()
    old, body_text.SLICE_BYTES = body_text.SLICE_BYTES, slice_bytes
    try:
        text, note = lay_out(body)
    finally:
        body_text.SLICE_BYTES = old
    if isinstance(value, (list, dict)):
        assert _lines(text) == expected, body
    else:
        assert note.startswith("not JSON")


def test_anything_else_is_shown_as_it_came():
    text, note = lay_out(b"<html><body>502 Bad Gateway</body></html>\r\n", "text/html")
    assert note.startswith("HTML") and _lines(text) == ["<html><body>502 Bad Gateway</body></html>"]
    text, note = lay_out(b'{"code": 100', None)  # cut short: does not nest back, shown as it came
    assert note.startswith("not JSON") and _lines(text) == ['{"code": 100']
    text, note = lay_out(b'{"code": 100, "data": [1,', None, truncated=True)  # cut at the cap: laid out
    assert note.startswith("JSON") and _lines(text)[:2] == ["{", '  "code":100,']
    assert _lines(lay_out(b"\xff\xfe bytes", None)[0]) == ["\ufffd\ufffd bytes"]
    assert lay_out(b"", None)[1] == "empty body"


def test_a_big_body_is_laid_out_in_blocks_in_at_most_four_times_its_memory():
    import tracemalloc

    from tui.emulator.handler import _huge_data

    body = b'{"code":1000,"data":' + _huge_data(2 * 1024 * 1024) + b"}"
    tracemalloc.start()
    try:
        text, _ = lay_out(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    expected = json.dumps(json.loads(body), indent=2).splitlines()
    assert text.count == len(expected) and len(text.block_span) > 10
    for index in (0, 5, len(expected) // 2, len(expected) - 2, len(expected) - 1):
        assert text.line(index) == expected[index].replace('": ', '":', 1)
    assert peak <= 4 * len(body), f"peak {peak:,} bytes for a {len(body):,}-byte body"


def test_search_finds_lines_case_insensitively_once_each():
    text, _ = lay_out(b'{"Alpha":"alpha","beta":1,"ALPHABET":[]}')
    assert text.find("alpha") == [1, 3] and text.find("zzz") == [] and text.find("") == []
    many, _ = lay_out(b"[" + b",".join(b'"x"' for _ in range(50_000)) + b"]")
    assert many.find("x") == list(range(1, 50_001)) and len(many.find("x", limit=10)) == 10



# -- timing bar -----------------------------------------------------------------------------------
def test_timing_bar_is_proportional_and_fills_the_width():
    timings = Timings(connect_ms=10.0, tls_ms=None, request_sent_ms=0.1, first_byte_ms=30.0, body_ms=60.0, total_ms=100.1)
    parts = segments(timings)
    assert [name for name, _ in parts] == ["connect", "send", "wait", "body"]
    text = bar_text(parts, 100)
    assert len(text.plain) == 100
    widths = [span.end - span.start for span in text.spans]
    assert widths[0] == 10 and widths[1] == 1 and widths[2] == 30 and widths[3] == 59  # the tiny phase still shows
    assert bar_text([], 50).plain == ""


# -- emulator switches ----------------------------------------------------------------------------
def test_every_emulator_switch_changes_the_emulator_and_says_so():
    from tui.emulator import Emulator

    emulator = Emulator()  # not started: the switches act on its state
    by_title = {s.title: s for s in SWITCHES}
    by_title["Emulator: skew its clock +90 s"].apply(emulator)
    assert emulator.controls.skew_s == 90
    by_title["Emulator: freeze the demo key"].apply(emulator)
    assert emulator.state.key_state(emulator.state.key("active")) == "frozen"
    by_title["Emulator: maintenance on"].apply(emulator)
    by_title["Emulator: service down"].apply(emulator)
    by_title["Emulator: rate limit 3 per minute"].apply(emulator)
    by_title["Emulator: fault huge body (20 MB)"].apply(emulator)
    c = emulator.controls
    assert (c.maintenance, c.service_down, c.rate_limit, c.fault) == (True, True, 3, "huge-body")
    sentence = by_title["Emulator: reset everything"].apply(emulator)
    assert "fresh" in sentence
    assert (c.skew_s, c.maintenance, c.service_down, c.fault) == (0, False, False, None)
    assert emulator.state.key_state(emulator.state.key("active")) == "active"
    by_title["Emulator: drift its clock +5,000 ppm"].apply(emulator)
    assert c.drift_ppm == 5_000
    by_title["Emulator: stop its drift"].apply(emulator)
    by_title["Emulator: skew its clock +90 s"].apply(emulator)
    assert c.drift_ppm == 0 and c.skew_s == 90
    by_title["Emulator: drift its clock +50 ppm"].apply(emulator)
    assert "4.3 s a day" in by_title["Emulator: drift its clock +50 ppm"].apply(emulator) and c.drift_ppm == 50
    by_title["Emulator: reset its clock"].apply(emulator)
    assert (c.drift_ppm, c.skew_s, emulator.state.drift_ms()) == (0, 0, 0)
    for switch in SWITCHES:
        assert switch.apply(emulator), switch.title  # every switch answers with a sentence
    emulator.state.reset()


# -- break it on purpose --------------------------------------------------------------------------
def test_tampered_credentials_differ_in_one_character():
    wrong_secret = tampered(DEMO, "secret")
    assert wrong_secret.secret != DEMO.secret and wrong_secret.memo == DEMO.memo and wrong_secret.api_key == DEMO.api_key
    wrong_memo = tampered(DEMO, "memo")
    assert wrong_memo.memo != DEMO.memo and len(wrong_memo.memo) == len(DEMO.memo)
    with pytest.raises(ValueError):
        tampered(DEMO, "key")


# -- curl -----------------------------------------------------------------------------------------
def test_curl_display_masks_the_key_and_problems_are_sentences():
    target = ConsoleTarget(VENUE, DEMO, signing_hosts(VENUE), profile="demo")
    draft = Draft(VENUE, "POST", "/contract/private/submit-order", body='{"a":1}')
    text, title, problem = render_curl(target, draft, FixedClock(1700000000000), script=False)
    assert problem is None and "signed now" in title
    shown = masked_for_display(text, VENUE.header_set)
    assert EXAMPLE_KEY in text and EXAMPLE_KEY not in shown and "#d84ea451" in shown
    assert "X-BM-SIGN: " in shown and "X-BM-TIMESTAMP: 1700000000000" in shown
    assert render_curl(None, None, FixedClock(1), script=False)[2].startswith("Nothing to copy")
    bad = Draft(VENUE, "POST", "/x", body="{")
    assert "not valid JSON" in render_curl(target, bad, FixedClock(1), script=False)[2]
    elsewhere = ConsoleTarget(VENUE, DEMO, frozenset({"example.org"}), profile="demo")
    assert "Refusing to sign" in render_curl(elsewhere, draft, FixedClock(1), script=False)[2]


# -- session --------------------------------------------------------------------------------------
def test_session_waits_for_a_target_and_explains_when_there_is_none():
    async def go() -> None:
        session = ConsoleSession()
        session.fail("The local emulator did not start: port in use.")
        with pytest.raises(NoTarget, match="port in use"):
            await session.wait_target()

    asyncio.run(go())


def test_session_clock_applies_the_offset_only_when_asked_and_measured():
    session = ConsoleSession()
    assert session.clock().apply is False
    session.use_offset = True
    assert session.clock().apply is False  # nothing measured yet

    class Estimate:
        offset_ms = 90_000.0

    session.estimate = Estimate()
    clock = session.clock()
    assert clock.apply and clock.offset_ms == 90_000.0


def test_session_stops_its_emulator_once():
    from tui.emulator import Emulator

    emulator = Emulator().start()
    session = ConsoleSession()
    session.set_target(ConsoleTarget(emulator.venue, emulator.demo_credentials(), signing_hosts(emulator.venue), profile="demo", emulator=emulator))
    session.stop_emulator()
    session.stop_emulator()
    assert not emulator.running


# -- cli ------------------------------------------------------------------------------------------
def test_console_arguments_skip_the_subcommand_modules():
    from tui import cli

    assert cli._console_args([]).console_venue is None
    args = cli._console_args(["--venue", "wooxpro", "--profile", "main"])
    assert (args.console_venue, args.console_profile, args.command) == ("wooxpro", "main", None)
    for argv in (["send", "GET", "/x"], ["--help"], ["--venue", "nowhere"], ["sned"]):
        assert cli._console_args(argv) is None  # the full parser takes over (and reports errors)


def test_a_body_nested_100000_deep_is_laid_out_with_bounded_indentation():
    from tui.console.body_text import MAX_INDENT

    text, note = lay_out(b"[" * 100_000 + b"]" * 100_000)
    assert note == "JSON, 199,999 lines"  # the innermost [] is one line
    deep = text.line(99_998)
    assert deep.startswith("  " * MAX_INDENT + "[depth 99998] ") and len(deep) < 200


def test_the_status_bars_clock_says_whether_f8_applies_the_offset_not_local():
    """"(local)" beside "Local emulator" read as the emulator's clock (issue 26's new user): the words name f8."""
    from types import SimpleNamespace

    from tui.console.widgets.status_bar import clock_text

    estimate = SimpleNamespace(offset_ms=90_000.3, bound_ms=0.6, verdict="outside-30007-window")
    assert clock_text(estimate, False).plain == "clock +90,000 ms ±0.6 ms (f8 off)"
    assert clock_text(estimate, True).plain == "clock +90,000 ms ±0.6 ms (f8 on)"
    assert clock_text(estimate, True, short=True).plain == "clock +90,000 ms ±0.6 ms"
