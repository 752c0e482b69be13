"""send, replay, probe and skew against a hostile loopback server (tests/hostile_server.py).

Every case checks the sentence and the exit code, that the history holds what was sent, that no
control character from the server reaches the output raw, and that no 8-character piece of the key,
secret or memo appears in any output or in any file keyprobe wrote.
"""

from __future__ import annotations

import json
import os
import random
import re
from pathlib import Path

import pytest

from hostile_server import HostileServer
from keys.signing import AuthLevel
from tui.records import history, saved
from tui.cli import main
from tui.exchange import Draft
from tui.venues import emulator_venue

SEED = int(os.environ.get("KEYPROBE_TEST_SEED", random.randrange(1 << 30)))
print(f"test_hostile seed {SEED}")
_rng = random.Random(SEED)
KEY = "".join(_rng.choice("0123456789abcdef") for _ in range(40))
SECRET = "".join(_rng.choice("0123456789abcdef") for _ in range(64))
MEMO = "memo-" + "".join(_rng.choice("abcdefghijkmnpqrstuvwyz") for _ in range(12))  # no "x": see run()
RAW_CONTROLS = ("\x1b", "\x9b", "\x07", "\x9c", "\x9d")
KEYED = ["GET", "/contract/private/assets-detail"]


def pieces(value: str, size: int = 8) -> set[str]:
    return {value[i : i + size] for i in range(len(value) - size + 1)}


SECRET_PIECES = pieces(KEY) | pieces(SECRET) | pieces(MEMO)


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("KEYPROBE_HOME", str(home))
    monkeypatch.setenv("KEYPROBE_API_KEY", KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", MEMO)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return home


def run(capsys, home: Path, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    # The huge-body mode's 34 MiB of "x" cannot hold a piece of a credential (none has an "x"); collapsing
    # it keeps the hundred substring searches fast.
    assert_clean(home, re.sub(r"x{4096,}", "x…", out + err))
    return code, out, err


def assert_clean(home: Path, output: str) -> None:
    assert "Traceback" not in output
    for control in RAW_CONTROLS:
        assert control not in output, f"raw {control!r} reached the output"
    leaked = {p for p in SECRET_PIECES if p in output}
    assert not leaked, f"output holds a piece of a credential (seed {SEED})"
    for path in home.rglob("*") if home.exists() else ():
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            assert not {p for p in SECRET_PIECES if p in data}, f"{path} holds a piece of a credential (seed {SEED})"


def send(server: HostileServer, *extra: str) -> list[str]:
    return ["send", *KEYED, "--venue", "emulator", "--base-url", server.base_url, "--emulator-flavour", "bitmart", *extra]


def last_entry() -> dict:
    return history.read().pick(1)


# -- send ----------------------------------------------------------------------------------------------------
def test_infinite_rate_limit_headers_are_unreadable_not_a_crash(capsys, home):
    with HostileServer("inf-headers") as server:
        code, out, _ = run(capsys, home, *send(server))
    assert code == 0 and "Diagnosis: 1000" in out
    assert "rate limit: mode IP" in out  # the three unreadable figures are left out, the mode is kept
    assert server.seen[0].headers["x-bm-key"] == KEY  # what went out: the key, on loopback
    entry = last_entry()
    assert entry["path"] == KEYED[1] and entry["status"] == 200 and entry["code"] == 1000


def test_osc52_csi_and_c1_from_the_server_are_shown_escaped(capsys, home):
    with HostileServer("osc52") as server:
        code, out, _ = run(capsys, home, *send(server))
        assert code == 1 and "HTTP/1.1 502 Bad Gateway" in out
        assert "\\x1b]52;c;cHduZWQ=\\x07" in out and "\\x1b[8m" in out  # seen, escaped, not obeyed
        assert "X-Evil: \\x9b8m C1 CSI" in out
        assert "[bold red]markup[/]" in out  # rich markup in server text is printed as written
        code, out, _ = run(capsys, home, *send(server, "--json"))
    assert code == 1
    document = json.loads(out)  # still valid JSON
    assert "\x1b]52" in document["response"]["body"] and "\x9b" in dict(document["response"]["headers"])["X-Evil"]
    assert [e["status"] for e in history.read().entries] == [502, 502]


def test_a_response_nested_100000_deep_is_a_sentence(capsys, home):
    with HostileServer("deep-json") as server:
        code, out, _ = run(capsys, home, *send(server))
        assert code == 1 and "nested too deeply" in out
        code, out, _ = run(capsys, home, *send(server, "--json"))
    document = json.loads(out)
    assert code == 1 and document["response"]["json"] is None and document["response"]["status"] == 200
    assert last_entry()["status"] == 200


def test_a_body_that_is_not_utf8(capsys, home):
    with HostileServer("not-utf8") as server:
        code, out, _ = run(capsys, home, *send(server))
    assert code == 1 and "30005" in out
    assert last_entry()["code"] == 30005


def test_a_server_time_of_1e999_is_unreadable(capsys, home):
    with HostileServer("bad-server-time") as server:
        code, out, err = run(capsys, home, "skew", "--venue", "emulator", "--base-url", server.base_url, "--emulator-flavour", "bitmart")
        assert code == 1 and "neither data.server_time nor a Date header" in err
        code, out, err = run(capsys, home, *send(server, "--sync-clock"))
    assert code == 0 and "Clock not synced" in out
    assert last_entry()["code"] == 1000


def test_a_huge_answer_is_cut_at_the_cap_and_its_size_counted(capsys, home):
    with HostileServer("huge-body") as server:
        code, out, _ = run(capsys, home, *send(server, "--json"))
    document = json.loads(out)
    assert document["response"]["truncated"] is True and document["response"]["size"] == 34 * 1024 * 1024
    assert code == 0 and document["diagnosis"]["code"] == 1000  # read from the head of the body


def test_a_reset_after_the_headers_was_sent_and_is_recorded(capsys, home):
    with HostileServer("rst-after-headers") as server:
        code, out, _ = run(capsys, home, *send(server))
    assert code == 3 and ("reset the connection" in out or "closed the connection" in out or "broke while reading" in out)
    assert len(server.seen) == 1
    entry = last_entry()
    assert entry["path"] == KEYED[1] and entry["failure"] in ("reset", "protocol")


def test_a_server_that_closes_without_answering(capsys, home):
    with HostileServer("close-without-answer") as server:
        code, out, _ = run(capsys, home, *send(server))
    assert code == 3 and "closed the connection without sending a complete answer" in out
    assert len(server.seen) == 1 and last_entry()["failure"] == "reset"


def test_a_redirect_is_not_followed(capsys, home):
    with HostileServer("redirect") as server:
        code, out, _ = run(capsys, home, *send(server))
    assert code == 1 and "302 Found" in out and "Location: http://203.0.113.9/steal" in out
    assert len(server.seen) == 1


# -- replay: every request it sent is recorded, and it goes on past a bad answer ---------------------------------
def test_replay_records_every_send_and_goes_on_past_bad_answers(capsys, home, tmp_path):
    modes = ("inf-headers", "osc52", "deep-json", "not-utf8", "rst-after-headers", "close-without-answer")
    servers = [HostileServer(m).__enter__() for m in modes]
    try:
        folder = tmp_path / "batch"
        for i, server in enumerate(servers):
            venue = emulator_venue(server.base_url)
            # public: an environment key signs only at the one address a command line names, and these are six
            saved.save(Draft(venue, "GET", KEYED[1], auth=AuthLevel.NONE), f"r{i}-{server.mode}", folder)
        code, out, _ = run(capsys, home, "replay", str(folder), "--json", "--concurrency", "2")
    finally:
        for server in servers:
            server.__exit__()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 3 and len(lines) == len(modes)
    assert all(len(s.seen) == 1 for s in servers)
    recorded = sorted(e["name"] for e in history.read().entries)
    assert recorded == sorted(f"r{i}-{m}" for i, m in enumerate(modes))


# -- probe and skew ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["inf-headers", "osc52", "deep-json", "not-utf8", "bad-server-time", "rst-after-headers"])
def test_probe_and_skew_end_in_sentences(capsys, home, mode):
    with HostileServer(mode) as server:
        target = ["--venue", "emulator", "--base-url", server.base_url, "--emulator-flavour", "bitmart"]
        code, out, err = run(capsys, home, "probe", *target, "--samples", "2")
        assert code in (0, 1, 3) and "verdict" in out
        code, out, _ = run(capsys, home, "probe", *target, "--samples", "2", "--json")
        json.loads(out)
        code, out, err = run(capsys, home, "skew", *target, "--samples", "2")
        assert code in (0, 1, 3) and (out or err)
        code, out, _ = run(capsys, home, "skew", *target, "--samples", "2", "--json")
        json.loads(out)


# -- deadlines and sent-is-sent ------------------------------------------------------------------------------
def test_a_trickling_server_is_cut_at_the_deadline_and_the_request_counts_as_sent(capsys, home):
    with HostileServer("trickle") as server:
        code, out, _ = run(capsys, home, *send(server, "--timeout", "1", "--json"))
    document = json.loads(out)
    assert code == 3 and document["failure"]["kind"] == "deadline" and document["sent"] is True
    assert "did not finish the exchange within the --timeout of 1 s" in document["failure"]["sentence"]
    assert "The request was sent" in document["failure"]["sentence"]
    entry = last_entry()
    assert entry["failure"] == "deadline" and entry["sent"] is True and entry["path"] == KEYED[1]


def test_an_answer_cut_by_a_reset_still_says_sent(capsys, home):
    with HostileServer("rst-after-headers") as server:
        code, out, _ = run(capsys, home, *send(server, "--json"))
    document = json.loads(out)
    assert code == 3 and document["sent"] is True and "The request was sent" in document["failure"]["sentence"]
    assert last_entry()["sent"] is True


# -- the console's headless parts: its session sends, its widgets' text builders format ----------------------------
@pytest.mark.parametrize("mode", ["inf-headers", "osc52", "deep-json", "not-utf8", "rst-after-headers"])
async def test_the_console_session_and_its_text_builders_stay_whole(mode):
    from tui.console.session import ConsoleSession
    from tui.console.target import ConsoleTarget
    from tui.console.widgets.body_view import format_body
    from tui.console.widgets.response import headers_text, request_text, status_text
    from tui.diagnosis.diagnose import diagnose
    from tui.signing_context import SigningContext

    with HostileServer(mode) as server:
        venue = emulator_venue(server.base_url)
        signing = SigningContext.for_venue(venue, None)
        session = ConsoleSession(timeout_s=5)
        session.set_target(ConsoleTarget(signing.venue, signing.credentials, signing.allowed_hosts, profile="hostile"))
        try:
            exchange = await session.send(Draft(venue, "GET", "/system/time", auth=AuthLevel.NONE))
        finally:
            await session.aclose()
    assert exchange.went_out and len(server.seen) == 1
    diagnose(exchange)
    shown_text = status_text(exchange).plain + request_text(exchange).plain
    if exchange.response is not None:
        shown_text += headers_text("headers", exchange.response.headers).plain
        lines, _ = format_body(exchange.response.body, exchange.response.header("content-type"))
        shown_text += "\n".join(lines)
    for control in RAW_CONTROLS:
        assert control not in shown_text
    if exchange.failure is not None:
        assert "The request was sent" in exchange.failure.sentence  # never "Not sent" for a request that went out
