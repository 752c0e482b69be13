"""`keyprobe ws` against the emulator's WebSocket side over real loopback sockets: every step in each dialect, the
documented refusals decoded with fixes and evidence, the exit codes, the transport policy, and no secret in the
output."""

from __future__ import annotations

import json
import random

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.signing import Credentials
from leaks import find_leaks, random_value
from seeds import drawn_seed
from tui.cli import main
from ws_support import woo_emu, ws_emu  # noqa: F401 - fixtures


def run_ws(capsys, *argv: str) -> tuple[int, dict]:  # noqa: ANN001
    code = main(["ws", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def steps(doc: dict) -> dict:
    return {s["name"]: s["ok"] for s in doc["steps"]}


@pytest.mark.parametrize("market", ["spot", "futures"])
def test_every_step_passes_on_the_emulator(ws_emu, capsys, market):
    _, adapter = ws_emu
    code, doc = run_ws(capsys, "--base-url", adapter.base_url, "--emulator-flavour", "bitmart", "--market", market)
    assert code == 0 and steps(doc) == {"connect": True, "login": True, "ping": True, "private": True, "public": True}
    login = doc["login"]
    assert login["preimage"] == f"{login['timestamp']}#****#bitmart.WebSocket" and login["key"] == "#d84ea451"
    sent = [f for f in doc["frames"] if f["direction"] == "sent"]
    key, ts, sign = json.loads(sent[0]["text"])["args"][:3]
    assert (key, ts) == ("#d84ea451", login["timestamp"])  # the key as its fingerprint
    assert sign == login["signature"] and len(sign) == 9 and sign.startswith("#")  # and the signature, as REST shows it
    received = [f for f in doc["frames"] if f["direction"] == "received"]
    assert all(f["compressed"] for f in received if f["text"] != "pong") == (market == "spot")
    assert any('"last_price"' in f["text"] for f in received)  # the ticker's first data frame, inflated
    assert EXAMPLE_KEY not in json.dumps(doc) and EXAMPLE_SECRET[:8] not in json.dumps(doc)


@pytest.mark.parametrize("state, market, code, words", [
    ("frozen", "spot", 91003, None), ("expired", "futures", 91004, "access failed: API KEY over expire time"),
    ("ip-restricted", "spot", 30010, None),
])
def test_a_refused_login_exits_1_with_the_documented_row(ws_emu, capsys, state, market, code, words):
    _, adapter = ws_emu
    exit_code, doc = run_ws(capsys, "--base-url", adapter.base_url, "--emulator-flavour", "bitmart", "--market", market, "--demo-key", state)
    assert exit_code == 1 and doc["first_failure"] == "login"
    (login,) = [s for s in doc["steps"] if s["name"] == "login"]
    assert login["diagnosis"]["code"] == code and login["diagnosis"]["fixes"]
    if words:  # the futures format says it in words; the diagnosis matched them to the row
        assert login["diagnosis"]["body_message"] == words
    assert any("closed the link" in note for note in login["diagnosis"]["notes"])
    assert steps(doc)["public"] is True  # the public link does not need the key


def test_a_wrong_memo_puts_the_memo_fix_first_with_its_evidence(ws_emu, capsys, monkeypatch):
    _, adapter = ws_emu
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", "4471823")  # the account UID where the memo belongs
    exit_code, doc = run_ws(capsys, "--base-url", adapter.base_url, "--emulator-flavour", "bitmart")
    (login,) = [s for s in doc["steps"] if s["name"] == "login"]
    d = login["diagnosis"]
    assert exit_code == 1 and d["code"] == 91011
    assert "memo" in d["fixes"][0] and "all digits" in d["fix_evidence"][0]


def test_wooxpro_logs_in_with_its_marker(woo_emu, capsys):
    _, streams = woo_emu
    code, doc = run_ws(capsys, "--base-url", streams.base_url, "--emulator-flavour", "wooxpro")
    assert code == 0 and doc["dialect"] == "wooxpro" and doc["login"]["marker"] == "wooxpro.WebSocket"


def test_a_refused_subscription_exits_1_with_its_code(ws_emu, capsys):
    _, adapter = ws_emu
    code, doc = run_ws(capsys, "--base-url", adapter.base_url, "--emulator-flavour", "bitmart", "--channel", "spot/user/order:BTC_USDT",
                       "--channel", "spot/ticker:DOGE_USDT")
    assert code == 1 and doc["first_failure"] == "public"
    (public,) = [s for s in doc["steps"] if s["name"] == "public"]
    assert public["diagnosis"]["code"] == 92001


def test_only_public_channels_skip_the_private_subscription(ws_emu, capsys):
    _, adapter = ws_emu
    code, doc = run_ws(capsys, "--base-url", adapter.base_url, "--emulator-flavour", "bitmart", "--channel", "spot/depth5:BTC_USDT")
    assert code == 0 and steps(doc)["private"] is None and steps(doc)["login"] is True
    depth = [json.loads(f["text"]) for f in doc["frames"] if '"asks"' in f["text"]]
    assert depth and len(depth[0]["data"][0]["asks"]) == 5


def test_a_key_goes_only_to_its_venues_hosts(ws_emu, capsys, monkeypatch):
    """KEYPROBE_* for BitMart, a loopback URL: refused before anything is sent (exit 2), as for REST."""
    _, adapter = ws_emu
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    code, doc = run_ws(capsys, "--venue", "bitmart", "--base-url", adapter.base_url)
    assert code == 2 and doc["steps"][0]["failure"] == "signing-refused"
    assert "Refusing to sign for 127.0.0.1" in doc["steps"][0]["detail"]
    assert not any(EXAMPLE_KEY in str(entry.message) for entry in adapter.log)  # the login never left


def test_plain_ws_to_a_real_host_is_refused(capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    code, doc = run_ws(capsys, "--venue", "bitmart", "--base-url", "ws://openapi-ws-v2.bitmart.com", "--channel", "futures/order")
    assert code == 2 and "over plain ws://" in doc["steps"][0]["detail"]


def test_usage_problems_are_sentences_with_the_persons_own_url(capsys):
    assert main(["ws", "--base-url", "wss://host/path"]) == 2
    assert "not 'wss://host/path'" in capsys.readouterr().err
    assert main(["ws", "--channel", "spot/ticker:\udcff"]) == 2  # argv bytes that were not UTF-8
    assert "not UTF-8" in capsys.readouterr().err


def test_nothing_listening_is_a_transport_failure(capsys):
    code, doc = run_ws(capsys, "--base-url", "ws://127.0.0.1:1")
    assert code == 3 and doc["steps"][0]["failure"] == "refused"


def test_the_in_process_emulator_runs_its_websocket_side_too(capsys):
    assert main(["ws"]) == 0  # WOO X Pro's emulator, the default
    out = capsys.readouterr().out
    assert "✓ 2 login" in out and "Every step passed on WOO X Pro" in out and "#****#wooxpro.WebSocket" in out
    assert main(["ws", "--emulator-flavour", "bitmart"]) == 0
    out = capsys.readouterr().out
    assert "✓ 2 login" in out and "Every step passed on BitMart spot" in out and "#****#bitmart.WebSocket" in out


def test_no_secret_memo_or_key_in_any_output(ws_emu, capsys, monkeypatch):
    """A canary key the venue does not know: the refusal, the frames and the human view show it only by fingerprint."""
    rng = random.Random(drawn_seed("KEYPROBE_WS_CANARY_SEED"))
    key, secret, memo = "cafe" + random_value(rng, 36), random_value(rng, 64), random_value(rng, 24)
    _, adapter = ws_emu
    monkeypatch.setenv("KEYPROBE_API_KEY", key)
    monkeypatch.setenv("KEYPROBE_SECRET", secret)
    monkeypatch.setenv("KEYPROBE_MEMO", memo)
    outputs = []
    for extra in (["--json"], []):
        code = main(["ws", "--base-url", adapter.base_url, *extra])
        captured = capsys.readouterr()
        outputs += [("stdout", captured.out), ("stderr", captured.err)]
        assert code == 1
    assert "91002" in outputs[0][1]  # the venue does not know the key: it was sent and refused
    assert find_leaks(outputs, [secret, memo, key]) == []


def test_a_key_echoed_at_the_display_cut_is_still_masked():
    """A server that echoes the key just where a long frame is cut for display: the mask goes first, the cut after."""
    from keys import redact
    from keys.secret import MASK
    from tui.ws.frames import MAX_SHOWN, display

    creds = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "m" * 8)
    hide = redact.masking(((creds.secret, MASK), (creds.memo, MASK), (creds.api_key, creds.fingerprint)))
    text, clipped = display("x" * (MAX_SHOWN - 20) + EXAMPLE_KEY + "y" * 100, hide)
    assert clipped and EXAMPLE_KEY[:8] not in text and "#d84ea451" in text


STEERS = {  # how each documented login refusal is provoked, and its code
    "frozen": (("--demo-key", "frozen"), {}, 0, 91003),
    "expired": (("--demo-key", "expired"), {}, 0, 91004),
    "ip-restricted": (("--demo-key", "ip-restricted"), {}, 0, 30010),
    "wrong-memo": ((), {"KEYPROBE_MEMO": "4471823"}, 0, 91011),
    "unknown-key": ((), {"KEYPROBE_API_KEY": "ab" * 20}, 0, 91002),
    "stale-clock": ((), {}, 90, 91022),  # the venue's clock 90 s ahead: the login's timestamp is out of its window
}


@pytest.mark.parametrize("steer", list(STEERS))
@pytest.mark.parametrize("dialect", ["bitmart-spot", "bitmart-futures", "wooxpro"])
def test_each_dialect_logs_in_and_is_refused_with_each_documented_code(emu, shared_wooxpro, capsys, monkeypatch, dialect, steer):
    """Each dialect: the demo key logs in; then each refusal the emulator can give a login is decoded with a fix."""
    from ws_support import fresh_streams

    venue = shared_wooxpro if dialect == "wooxpro" else emu
    if dialect == "wooxpro":
        venue.state.reset()
    fresh_streams(venue)
    market = {"bitmart-spot": "spot", "bitmart-futures": "futures", "wooxpro": "futures"}[dialect]
    common = ["--base-url", venue.base_url, "--market", market, "--channel", "futures/order" if market == "futures" else
              "spot/user/balance:BALANCE_UPDATE", "--emulator-flavour", venue.flavour]
    code, doc = run_ws(capsys, *common)
    assert code == 0 and doc["dialect"] == dialect, doc["verdict"]
    args, env, skew, expected = STEERS[steer]
    if env:
        monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
        monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
        monkeypatch.setenv("KEYPROBE_MEMO", "test001")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
    venue.controls.skew_s = skew
    try:
        code, doc = run_ws(capsys, *common, *args)
    finally:
        venue.controls.skew_s = 0
        if dialect == "wooxpro":
            venue.state.reset()
    (login,) = [s for s in doc["steps"] if s["name"] == "login"]
    assert code == 1 and login["diagnosis"]["code"] == expected and login["diagnosis"]["fixes"], login
    assert doc["verdict"]["fixes"] and doc["verdict"]["exit_code"] == 1
