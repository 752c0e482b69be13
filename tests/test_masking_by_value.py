"""A secret, a memo and a key are masked by value, in every spelling, in every record and output (issue 21,
finding 4: the proxy and inspect masked exact strings only; a percent-encoded memo went to the history decoded,
in clear; an upper-cased secret appeared whole in --json; pieces of a secret appeared everywhere; a key sent in
the other venue's header names was recorded unmasked).

Canary values (random, seed printed: KEYPROBE_CANARY_SEED replays them) are spelled every way a client spells
them (exact, upper and lower case, percent-encoded in both hex cases and twice, `+` for the space, JSON \\u
escapes, pieces of them) and pushed through inspect (curl, raw HTTP, a ccxt log, HAR; text and --json), the
proxy over real loopback (its lines, its JSON, the history), `send` (text, --json, the history, `history`) and
the console (the paste box and the Traffic view, read from what Textual wrote for the terminal). Every output
and every file is then searched for any 8 characters of any of them, read back in every spelling
(tests/leaks.py, written apart from the masker)."""

from __future__ import annotations

import base64
import io
import json
import random
import shlex
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from leaks import find_leaks, random_value
from seeds import drawn_seed

from keys.signing import sign
from tui.cli import main

SEED = drawn_seed("KEYPROBE_CANARY_SEED")
_rng = random.Random(SEED)
SECRET = random_value(_rng, 40)
MEMO = random_value(_rng, 12) + " " + random_value(_rng, 11)  # a space: `+` or %20 in a query
API_KEY = "".join(_rng.choice("0123456789abcdef") for _ in range(40))
CANARIES = (SECRET, MEMO, API_KEY)
TS = "1700000000000"


def spellings(value: str) -> dict[str, str]:
    """How a client might put `value` in a request, each a different string."""
    piece = value[3:14]
    return {
        "exact": value, "upper": value.upper(), "lower": value.lower(),
        "percent": quote(value, safe=""), "percent-every-byte": "".join(f"%{b:02X}" for b in value.encode()),
        "percent-lower-hex": "".join(f"%{b:02x}" for b in value.encode()), "percent-twice": quote(quote(value, safe=""), safe=""),
        "plus": quote_plus(value), "json-escaped": "".join(f"\\u{ord(c):04x}" for c in value),
        "piece": piece, "piece-upper-percent": quote(piece.upper(), safe=""),
        "base64-url": base64.urlsafe_b64encode(value.encode()).decode().rstrip("="),  # fresh-eyes attack on 26ca1db
    }


SPELLED = [s for value in CANARIES for s in spellings(value).values()]
QUERY = "&".join(f"n{i}={s}" for i, s in enumerate(SPELLED))
BODY = json.dumps({"symbol": "BTCUSDT", "notes": SPELLED}).replace("\\\\u", "\\u")  # the \\u spellings as JSON escapes
NOTE_HEADERS = [(f"X-Note-{i}", s) for i, s in enumerate(SPELLED)]
ANSWER = json.dumps({"code": 30005, "message": "Header X-BM-SIGN is wrong " + " ".join(SPELLED[:11]), "trace": "t", "data": {}})


def assert_no_leak(outputs: list[tuple[str, str | bytes]]) -> None:
    leaks = find_leaks(outputs, CANARIES, spellings=True)
    assert not leaks, f"seed {SEED}: {sorted(set(leaks))[:10]}"


def files_under(folder: Path) -> list[tuple[str, bytes]]:
    return [(str(p), p.read_bytes()) for p in folder.rglob("*") if p.is_file() and p.name != "keys.json"]


@pytest.fixture
def canary_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setenv("KEYPROBE_API_KEY", API_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", MEMO)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    return tmp_path


# -- inspect, every format ------------------------------------------------------------------------------------
def _signature() -> str:
    return sign(SECRET, TS, MEMO, BODY)


def _curl() -> str:
    argv = ["curl", f"https://api-cloud-v2.bitmart.com/contract/private/submit-order?{QUERY}", "-H", f"X-BM-KEY: {API_KEY}",
            "-H", f"X-BM-TIMESTAMP: {TS}", "-H", f"X-BM-SIGN: {_signature()}", "-H", "Content-Type: application/json"]
    for name, value in NOTE_HEADERS:
        argv += ["-H", f"{name}: {value}"]
    return shlex.join(argv + ["--data-raw", BODY])


def _raw_http() -> str:
    head = "".join(f"{k}: {v}\r\n" for k, v in [("Host", "api-cloud-v2.bitmart.com"), ("X-API-KEY", API_KEY), ("X-BM-KEY", API_KEY),
                                                 ("X-BM-TIMESTAMP", TS), ("X-BM-SIGN", _signature()), ("Content-Type", "application/json"),
                                                 *NOTE_HEADERS, ("Content-Length", str(len(BODY.encode())))])
    response = f"HTTP/1.1 401 Unauthorized\r\nContent-Length: {len(ANSWER)}\r\n\r\n{ANSWER}"
    target = f"/contract/private/submit-order?{QUERY.replace(' ', '+')}"  # a request line holds no space
    return f"POST {target} HTTP/1.1\r\n{head}\r\n{BODY}\r\n{response}"


def _ccxt_log() -> str:
    headers = {"X-BM-KEY": API_KEY, "X-BM-TIMESTAMP": TS, "X-BM-SIGN": _signature(), "Content-Type": "application/json", **dict(NOTE_HEADERS)}
    url = f"https://api-cloud-v2.bitmart.com/contract/private/submit-order?{QUERY}"
    return (f"\nfetch Request: bitmart POST {url} RequestHeaders: {headers!r} RequestBody: {BODY}\n"
            f"\nfetch Response: bitmart POST {url} 401 ResponseHeaders: {{'Date': 'Mon, 30 Nov 2026 18:00:00 GMT'}} ResponseBody: {ANSWER}\n")


def _har() -> str:
    headers = [{"name": k, "value": v} for k, v in [("X-BM-KEY", API_KEY), ("X-BM-TIMESTAMP", TS), ("X-BM-SIGN", _signature()),
                                                     ("Content-Type", "application/json"), *NOTE_HEADERS]]
    return json.dumps({"log": {"entries": [{
        "request": {"method": "POST", "url": f"https://api-cloud-v2.bitmart.com/contract/private/submit-order?{QUERY}",
                    "headers": headers, "postData": {"text": BODY}},
        "response": {"status": 401, "headers": [], "content": {"text": ANSWER}},
    }]}})


@pytest.mark.parametrize("make, fmt", [(_curl, "curl"), (_raw_http, "http"), (_ccxt_log, "ccxt"), (_har, "har")])
def test_inspect_masks_every_spelling_in_text_and_json(canary_env, capsys, make, fmt):
    path = canary_env / "input.txt"
    path.write_text(make())
    outputs = []
    for extra in ([], ["--json"]):
        code = main(["inspect", str(path), *extra])
        out, err = capsys.readouterr()
        outputs += [(f"inspect {fmt} {extra} stdout", out), (f"inspect {fmt} {extra} stderr", err)]
    assert f"({fmt})" in outputs[0][1] or f'"format": "{fmt}"' in outputs[2][1], outputs[0][1][:300]
    path.unlink()
    assert_no_leak(outputs + files_under(canary_env))


# -- the proxy, over real loopback ----------------------------------------------------------------------------
def test_the_proxy_masks_every_spelling_in_its_lines_json_and_history(canary_env):
    from keys.signing import Credentials
    from tui.inspect.render import lines, one_line
    from tui.proxy import Proxy
    from tui.output.terminal_safe import dumps

    creds = Credentials.of(API_KEY, SECRET, MEMO)
    with Proxy("emulator", port=0, credentials=[creds], emulator_flavour="bitmart") as proxy:
        with httpx.Client(timeout=30) as http:
            for key_header in ("X-BM-KEY", "X-API-KEY"):  # both venues' names, to the BitMart-flavoured emulator
                headers = {key_header: API_KEY, key_header.replace("KEY", "TIMESTAMP"): TS, key_header.replace("KEY", "SIGN"): _signature(),
                           "Content-Type": "application/json", **dict(NOTE_HEADERS)}
                http.post(f"{proxy.base_url}/contract/private/submit-order?{QUERY}", content=BODY.encode(), headers=headers)
        assert proxy.wait_for(2)
        outputs = []
        for n, inspection in enumerate(proxy.inspections, 1):
            outputs.append((f"proxy --json line {n}", dumps(inspection.to_dict())))
            outputs.append((f"proxy line {n}", one_line(inspection)))
            outputs.append((f"traffic detail {n}", "\n".join(line.plain for line in lines(n, inspection))))
    history = canary_env / "history.jsonl"
    assert history.exists() and len(history.read_text().splitlines()) == 2
    assert_no_leak(outputs + files_under(canary_env))


# -- send, its --json, the history ----------------------------------------------------------------------------
def test_send_and_history_mask_every_spelling(canary_env, emu, capsys):
    outputs = []
    for extra in ([], ["--json", "--save", "canary"]):  # the saved request too: it kept them in clear (fresh-eyes attack)
        argv = ["send", "POST", "/contract/private/submit-order", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", BODY, *extra]
        for i, s in enumerate(SPELLED):
            argv += ["--query", f"n{i}={s}"]
        main(argv)
        out, err = capsys.readouterr()
        outputs += [(f"send {extra} stdout", out), (f"send {extra} stderr", err)]
        assert "30002" in out  # the emulator does not know the canary key: answered, and shown
    for extra in ([], ["--json"]):
        main(["history", *extra])
        out, err = capsys.readouterr()
        outputs += [(f"history {extra}", out + err)]
    assert (canary_env / "requests" / "canary.request.json").exists()
    assert_no_leak(outputs + files_under(canary_env))


# -- the console: the paste box and the Traffic view -----------------------------------------------------------
async def test_the_console_masks_every_spelling_in_the_paste_box_and_the_traffic_view(monkeypatch, tmp_path, emu):
    import threading

    from console_support import press, quiet_console, recording_driver, run_entry, screen_text, settle, type_and_press, until
    from textual.widgets import DataTable, TextArea

    from keys import vault
    from tui.console.app import KeyprobeApp
    from tui.paths import keyfile_path

    quiet_console(monkeypatch, tmp_path)
    monkeypatch.setenv("KEYPROBE_KDF", "test")
    opened = vault.create(keyfile_path(), "pw", vault.TEST_ONLY)
    opened.add(vault.Profile.new("canary", "emulator", API_KEY, SECRET, MEMO, base_url=emu.base_url))
    opened.save()
    app = KeyprobeApp()
    written = recording_driver(app)
    outputs: list[tuple[str, str]] = []
    async with app.run_test(headless=False, size=(160, 50)) as pilot:
        await settle(app, pilot)
        await type_and_press(app, pilot, "pw", "enter")
        assert app.session.target.profile == "canary"
        await press(pilot, "f9")
        app.screen.query_one("#inspect-input", TextArea).load_text(_curl())
        await press(pilot, "ctrl+j")
        await until(app, pilot, lambda: "Read 1 request" in str(app.screen.query_one("#inspect-result").render()), "the paste box's result")
        # the result (the pasted text above it is the person's own input, shown as pasted)
        outputs += [("paste box result", str(app.screen.query_one("#inspect-result").render()))]
        await press(pilot, "escape")
        written.clear()
        await run_entry(app, pilot, "Traffic: the proxy's exchanges, live")
        await run_entry(app, pilot, "Proxy: start in front of this venue")
        await until(app, pilot, lambda: getattr(app, "keyprobe_proxy", None) is not None, "the proxy started")
        proxy = app.keyprobe_proxy
        try:
            headers = {"X-API-KEY": API_KEY, "X-API-TIMESTAMP": TS, "X-API-SIGN": _signature(), "Content-Type": "application/json",
                       **dict(NOTE_HEADERS)}
            thread = threading.Thread(target=lambda: httpx.post(f"{proxy.base_url}/contract/private/submit-order?{QUERY}",
                                                                content=BODY.encode(), headers=headers, timeout=30))
            thread.start()
            table = app.screen.query_one("#traffic-table", DataTable)
            await until(app, pilot, lambda: table.row_count == 1, "the proxied exchange in the Traffic table")
            thread.join()
            outputs += [("traffic screen", screen_text(app))]
        finally:
            await run_entry(app, pilot, "Proxy: stop")
            await until(app, pilot, lambda: proxy._loop is None, "the proxy stopped")
    outputs += [("what the console wrote for the terminal from the Traffic view on", "".join(written))]
    assert_no_leak(outputs + files_under(tmp_path))


def test_a_captured_requests_repr_shows_no_key_or_signature():
    """A crash screen (Textual's, rich's pretty locals) or a log that prints a capture: its key and signature headers
    show as fingerprints, in either venue's names, while the fields keep what was captured."""
    from rich.pretty import pretty_repr

    from tui.inspect.model import CapturedRequest

    signature = "a1" * 32
    for key_header, sign_header in (("X-BM-KEY", "X-BM-SIGN"), ("x-api-key", "X-Api-Sign")):
        req = CapturedRequest("POST", "https://cloud-api.wooxpro.com/contract/private/submit-order",
                              ((key_header, API_KEY), (sign_header, signature), ("X-Trace", "kept")), b"{}", "proxy")
        assert req.header(key_header) == API_KEY  # still checkable
        for shown in (repr(req), pretty_repr(req), pretty_repr({"locals": [req]})):
            assert find_leaks([("repr", shown)], [API_KEY, signature]) == [], shown
            assert "kept" in shown and "#" in shown
