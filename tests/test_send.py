"""`keyprobe send` end to end against the emulator: exit codes 0/1/2/3, --json, secrets never printed."""

from __future__ import annotations

import json
import re
import socket

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.cli import main
from tui.emulator import Emulator

ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'
SUBMIT = ["send", "POST", "/contract/private/submit-order"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    for secret in (EXAMPLE_SECRET, EXAMPLE_MEMO, EXAMPLE_KEY):
        assert secret not in out and secret not in err
    return code, out, err


def requests_seen(emu: Emulator) -> int:
    """Requests the emulator counted (every endpoint, with a key or without)."""
    return emu.state.limiter.counted


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_success_on_an_in_process_emulator_exits_0(capsys):
    code, out, err = run(capsys, *SUBMIT, "--body", ORDER)
    assert code == 0
    assert "Started an in-process emulator" in err and "demo key" in err
    assert "X-API-KEY: #d84ea451" in out and "HTTP/1.1 200 OK" in out  # WOO X Pro's emulator, the default
    assert ORDER in out and '"code": 1000' in out and "Diagnosis: 1000" in out
    assert "#****#" in out  # the pre-image, memo masked


def test_an_api_error_exits_1_with_the_diagnosis(capsys, emu):
    code, out, _ = run(capsys, *SUBMIT, "--base-url", emu.base_url, "--venue", "emulator", "--emulator-flavour", "bitmart", "--demo-key", "frozen", "--body", ORDER)
    assert code == 1 and "30003" in out and "what to do:" in out


def test_an_html_502_exits_1(capsys, emu):
    emu.controls.fault = "html502"
    code, out, _ = run(capsys, "send", "GET", "/system/time", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart")
    assert code == 1 and "502" in out and "Bad Gateway" in out


def test_a_refused_connection_exits_3(capsys):
    port = closed_port()
    code, out, _ = run(capsys, "send", "GET", "/system/time", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{port}", "--emulator-flavour", "bitmart")
    assert code == 3
    assert f"Connection refused by 127.0.0.1:{port}: nothing is listening there. Is an emulator running there? " \
           f"Start one with `keyprobe emulator --port {port}`" in out


def test_a_timeout_exits_3(capsys):
    # An emulator of its own: the request the client gave up on is still counted a second later, and on
    # the shared emulator that count landed in whichever test ran then (a flake under load).
    with Emulator(latency_ms=1_000) as slow:
        code, out, _ = run(capsys, "send", "GET", "/system/time", "--venue", "emulator", "--base-url", slow.base_url, "--emulator-flavour", "bitmart", "--timeout", "0.1")
    assert code == 3 and "did not finish the exchange within the --timeout of 0.1 s" in out


def test_an_invalid_body_is_refused_with_its_position_and_nothing_is_sent(capsys, emu):
    code, out, err = run(capsys, *SUBMIT, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", '{"symbol":"BTCUSDT",}')
    assert code == 2 and out == ""
    assert "not valid JSON" in err and "line 1, column 21 (character 20)" in err
    assert requests_seen(emu) == 0  # the emulator counted no request at all


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "send", "GET", "/system/time", "--query", "novalue")[0] == 2
    code, _, err = run(capsys, "send", "GET", "https://api-cloud-v2.bitmart.com/system/time")
    assert code == 2 and "--base-url" in err
    code, _, err = run(capsys, "send", "GET", "/x", "--venue", "bitmart", "--base-url", "ftp://x")
    assert code == 2 and "--base-url must look like" in err
    code, _, err = run(capsys, "send", "GET", "/x", "--venue", "bitmart", "--demo-key", "frozen")
    assert code == 2 and "only with --venue emulator" in err
    with pytest.raises(SystemExit) as info:
        main(["send", "FETCH", "/x"])
    assert info.value.code == 2


def test_a_signed_call_without_a_key_exits_2_before_sending(capsys):
    code, out, err = run(capsys, *SUBMIT, "--venue", "bitmart", "--body", ORDER)
    assert code == 2 and out == "" and "needs a key" in err and "KEYPROBE_API_KEY" in err


def test_a_key_is_not_sent_to_a_host_it_is_not_bound_to(capsys, emu, monkeypatch):
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", EXAMPLE_MEMO)
    # BitMart's key table says api-cloud*.bitmart.com only: pointing it at another host must not sign.
    code, out, _ = run(capsys, *SUBMIT, "--venue", "bitmart", "--base-url", emu.base_url, "--body", ORDER)
    assert code == 2 and "Refusing to sign for 127.0.0.1" in out and "Nothing was sent" in out
    assert out.count("Refusing to sign for 127.0.0.1") == 1, out  # said once, not echoed by the detail and diagnosis
    assert requests_seen(emu) == 0
    # Allowed on purpose, the same key works there (and is counted: the check above can see a send).
    code, _, err = run(capsys, *SUBMIT, "--venue", "bitmart", "--base-url", emu.base_url, "--allow-host", "127.0.0.1", "--body", ORDER)
    assert code == 0 and "environment" in err and requests_seen(emu) == 1


def test_json_output_has_the_documented_shape_and_no_secret(capsys, emu):
    code, out, _ = run(capsys, *SUBMIT, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", ORDER, "--json")
    assert code == 0
    data = json.loads(out)
    assert {"request", "response", "timings_ms", "diagnosis"} <= set(data)
    assert data["diagnosis"]["code"] == 1000 and data["diagnosis"]["outcome"] == "success"
    assert data["request"]["body"] == ORDER and data["request"]["method"] == "POST"
    assert ["X-BM-KEY", "#d84ea451"] in data["request"]["headers"]
    assert data["request"]["signing"]["preimage_masked"].endswith("#****#" + ORDER)
    assert data["response"]["status"] == 200 and data["response"]["json"]["code"] == 1000
    assert data["timings_ms"]["total"] > 0 and data["exit_code"] == 0


def test_json_output_of_a_transport_failure(capsys):
    code, out, _ = run(capsys, "send", "GET", "/system/time", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{closed_port()}", "--emulator-flavour", "bitmart", "--json")
    data = json.loads(out)
    assert code == 3 and data["response"] is None and data["failure"]["kind"] == "refused"
    assert data["diagnosis"]["outcome"] == "transport-failure"


def test_sync_clock_turns_30007_into_success(capsys):
    with Emulator(skew_s=-75) as emu:
        base = ["--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", ORDER]
        code, out, _ = run(capsys, *SUBMIT, *base)
        assert code == 1 and "30007" in out
        code, out, _ = run(capsys, *SUBMIT, *base, "--sync-clock")
    assert code == 0 and "outside-30007-window" in out
    # it says it signs with the offset; telling the person to add the --sync-clock they just gave read badly
    assert "This send signs with the measured offset (--sync-clock)" in out and "With `keyprobe send --sync-clock`" not in out
    # the measured offset, within its own bound of the true -75 s (not "-75..." as text: -74998 is right too)
    offset = int(re.search(r"timestamp corrected by ([+-]\d+) ms", out)[1])
    bound = float(re.search(r"bound\s+± ([\d.]+) ms", out)[1])
    assert abs(offset + 75_000) <= bound + 0.5, (offset, bound)


def test_query_order_and_body_file(capsys, emu, tmp_path):
    body = tmp_path / "order.json"
    body.write_text(ORDER + "\n", encoding="utf-8")
    code, out, _ = run(capsys, *SUBMIT, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body-file", str(body), "--json")
    assert code == 0 and json.loads(out)["request"]["body"] == ORDER + "\n"
    code, out, _ = run(capsys, "send", "GET", "/contract/public/details?symbol=BTCUSDT", "--query", "b=2", "--query", "a=1",
                       "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json")
    assert json.loads(out)["request"]["url"].endswith("/contract/public/details?symbol=BTCUSDT&b=2&a=1")


def test_a_missing_body_file_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, *SUBMIT, "--body-file", str(tmp_path / "nope.json"))
    assert code == 2 and "no such file" in err


def test_a_body_argument_that_is_not_utf8_is_a_usage_error_and_nothing_is_sent(capsys, emu, tmp_path):
    """`--body $'{"a":"\\xff"}'`: the byte reaches argv as a surrogate, which could be neither sent as typed nor
    recorded (the history's writer raised on it). A sentence, exit 2, nothing sent, nothing recorded."""
    for extra in ((), ("--json",)):
        code, out, err = run(capsys, *SUBMIT, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", '{"a":"\udcff"}', *extra)
        assert (code, out) == (2, "") and err == "keyprobe send: --body is not UTF-8 text (character 6).\n"
    assert requests_seen(emu) == 0 and not (tmp_path / "home").exists()


def test_send_is_recorded_in_the_history_without_secrets(capsys, emu, tmp_path):
    run(capsys, *SUBMIT, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--body", ORDER)
    text = (tmp_path / "home").rglob("*")
    files = [p for p in text if p.is_file()]
    assert files, "history file written"
    blob = "".join(p.read_text(encoding="utf-8", errors="replace") for p in files)
    assert "submit-order" in blob and EXAMPLE_KEY not in blob and EXAMPLE_SECRET not in blob


def test_a_large_body_is_printed_once_and_kept_out_of_reprs(capsys, emu, tmp_path):
    """The signed body is printed once, by default its first REQUEST_BODY_SHOWN characters and with --full
    whole: the pre-image line points at it instead of repeating it, and no repr (an asyncio task's, a crash
    report's) copies it (a 20 MB body printed twice, and repr'd, took 500 MB)."""
    from tui.output.render import REQUEST_BODY_SHOWN, _size

    marker = "m" * 50_000
    body = json.dumps({**json.loads(ORDER), "clientOrderId": marker}, separators=(",", ":"))
    path = tmp_path / "body.json"
    path.write_text(body)
    code, out, _ = run(capsys, *SUBMIT, "--base-url", emu.base_url, "--venue", "emulator", "--emulator-flavour", "bitmart", "--body-file", str(path))
    assert code == 0 and "30005" not in out  # the emulator verified the signature over the whole body
    assert "    " + body[:REQUEST_BODY_SHOWN] + "\n" in out and body[:REQUEST_BODY_SHOWN + 1] not in out
    assert f"the first {REQUEST_BODY_SHOWN:,} characters of {_size(len(body))} (--full prints the whole body)" in out
    code, full, _ = run(capsys, *SUBMIT, "--base-url", emu.base_url, "--venue", "emulator", "--emulator-flavour", "bitmart", "--body-file", str(path), "--full")
    assert code == 0 and full.count(marker) == 1 and "    " + body + "\n" in full and "--full prints" not in full
    for printed in (out, full):
        preimage = next(line for line in printed.splitlines() if line.lstrip().startswith("pre-image"))
        assert re.search(r"pre-image \d{13}#\*\*\*\*#<the body above, %d bytes>" % len(body), preimage), preimage

    from tui.exchange import Draft, SentRequest
    from tui.venues import VENUES
    from keys.signing import AuthLevel, SigningEvidence, BITMART_HEADERS

    evidence = SigningEvidence(AuthLevel.SIGNED, BITMART_HEADERS, "h", timestamp="1", payload=body, memo_length=3)
    assert evidence.preimage_masked == "1#****#" + body
    sent = SentRequest("POST", "https://h/x", (), body.encode(), evidence)
    for value in (Draft(VENUES["emulator"], "POST", "/x", body=body), sent):
        assert marker not in repr(value)
