"""`keyprobe replay` and `send --save` end to end against the emulator (in-process CLI, real sockets)."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest

from keys import vault
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import sign
from tui.records import history, saved
from tui.cli import main
from tui.commands import _profile
from tui.exchange import Draft
from tui.venues import get_venue

CANCEL = '{"symbol":"BTCUSDT","order_id":"777"}'


@pytest.fixture
def home(emu, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    for var in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(var, raising=False)
    _profile.forget()
    yield tmp_path
    _profile.forget()


def send_and_save(emu, name: str, method: str, path: str, body: str | None = None) -> int:
    argv = ["send", method, path, "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--save", name, "--json"]
    return main(argv + (["--body", body] if body else []))


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_send_save_then_replay_the_folder(emu, home: Path, capsys):
    assert send_and_save(emu, "assets", "GET", "/contract/private/assets-detail") == 0
    assert send_and_save(emu, "time", "GET", "/system/time") == 0
    captured = capsys.readouterr()
    assert f"Saved as {home / 'requests' / 'assets.request.json'}" in captured.err
    assert len(json_lines(captured.out)) == 2  # --json stdout stays one object per send

    assert main(["replay", str(home / "requests")]) == 0
    out = capsys.readouterr().out.splitlines()
    # Plain lines come as each request completes, so in either order.
    assert sorted(line.split("  ")[:4] for line in out[:2]) == [["ok", "assets", "200", "1000"], ["ok", "time", "200", "1000"]]
    assert out[-1].startswith("2 requests: 2 ok; median")
    log = history.read()
    assert [e["source"] for e in log.newest_first()] == ["replay", "replay", "send", "send"]


def test_send_save_refuses_a_bad_name_before_sending(emu, home: Path, capsys):
    assert send_and_save(emu, "../x", "GET", "/system/time") == 2
    assert "not a usable request name" in capsys.readouterr().err
    assert history.read().entries == []  # nothing was sent


def test_json_lines_and_exit_1_on_an_api_error(emu, home: Path, capsys):
    folder = home / "c"
    saved.save(Draft(emu.venue, "POST", "/contract/private/cancel-order", body=CANCEL), "cancel", folder)
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "assets", folder)
    assert main(["replay", str(folder), "--json", "--repeat", "2", "--concurrency", "2"]) == 1
    lines = json_lines(capsys.readouterr().out)
    assert len(lines) == 4
    assert {(line["name"], line["round"]) for line in lines} == {("assets", 1), ("assets", 2), ("cancel", 1), ("cancel", 2)}
    cancel = next(line for line in lines if line["name"] == "cancel")
    assert cancel["outcome"] == "api-error" and cancel["code"] == 40037 and cancel["status"] == 400 and cancel["fixes"]
    assert set(cancel) >= {"name", "status", "code", "message", "ms"}


def test_a_tampered_file_is_refused_per_request(emu, home: Path, capsys):
    folder = home / "c"
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "good", folder)
    bad = saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "tampered", folder)
    record = json.loads(bad.read_text())
    record["base_url"] = "http://10.11.12.13:8640"  # an emulator request edited to send elsewhere
    bad.write_text(json.dumps(record))
    assert main(["replay", str(folder), "--json"]) == 2
    by_name = {line["name"]: line for line in json_lines(capsys.readouterr().out)}
    assert by_name["good"]["outcome"] == "ok"
    assert by_name["tampered"]["outcome"] == "refused" and "Refusing to sign for 10.11.12.13" in by_name["tampered"]["message"]


def test_profile_binding_refuses_another_venues_request(emu, home: Path, capsys, monkeypatch):
    keyfile = home / "keys.json"
    v = vault.create(keyfile, "pw", vault.TEST_ONLY)
    v.add(vault.Profile.new("bm", "bitmart", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO))
    v.add(vault.Profile.new("local", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO))
    v.save()
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    folder = home / "c"
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "assets", folder)
    assert main(["replay", str(folder), "--profile", "local", "--json"]) == 0
    assert json_lines(capsys.readouterr().out)[0]["outcome"] == "ok"
    # A BitMart key never signs for the emulator's loopback host.
    assert main(["replay", str(folder), "--profile", "bm", "--json"]) == 2
    line = json_lines(capsys.readouterr().out)[0]
    assert line["outcome"] == "refused" and "BitMart futures v2" in line["message"]


def test_the_files_own_profile_is_used(emu, home: Path, capsys, monkeypatch):
    v = vault.create(home / "keys.json", "pw", vault.TEST_ONLY)
    v.add(vault.Profile.new("local", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, "wrong-memo"))
    v.save()
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    saved.save(Draft(emu.venue, "POST", "/contract/private/cancel-order", body=CANCEL, profile="local"), "c", home / "c")
    assert main(["replay", str(home / "c"), "--json"]) == 1
    assert json_lines(capsys.readouterr().out)[0]["code"] == 30005  # the profile's (wrong) memo signed it


def test_env_credentials_sign_when_no_profile(emu, home: Path, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", "wrong-secret")
    saved.save(Draft(emu.venue, "POST", "/contract/private/cancel-order", body=CANCEL), "c", home / "c")
    assert main(["replay", str(home / "c"), "--json", "--base-url", emu.base_url]) == 1
    assert json_lines(capsys.readouterr().out)[0]["code"] == 30005


def test_a_saved_file_does_not_choose_where_environment_credentials_go(emu, home: Path, capsys, monkeypatch):
    """The file says "emulator at this port"; without --base-url the environment key signs only for the
    emulator's default address, so the file's loopback port is refused and nothing is sent."""
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "c", home / "c")
    before = emu.state.limiter.counted
    assert main(["replay", str(home / "c"), "--json"]) == 2
    out = capsys.readouterr()
    [line] = json_lines(out.out)
    assert line["outcome"] == "refused" and f"Refusing to sign for 127.0.0.1:{emu.port}" in line["message"]
    assert "only at 127.0.0.1:8640;" in line["message"] and "command line" not in line["message"]  # none was named
    assert "sign only at the venue's own address (the emulator's: http://127.0.0.1:8640)" in out.err  # where 8640 came from
    assert emu.state.limiter.counted == before  # nothing reached the emulator


def test_replay_a_history_entry(emu, home: Path, capsys):
    assert main(["send", "GET", "/contract/private/assets-detail", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json"]) == 0
    assert main(["send", "GET", "/system/time", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart", "--json"]) == 0
    capsys.readouterr()
    assert main(["replay", "--history", "2", "--json"]) == 0
    [line] = json_lines(capsys.readouterr().out)
    assert line["name"] == "history-2" and line["url"].endswith("/contract/private/assets-detail") and line["origin"] == "history entry 2"
    with pytest.raises(SystemExit) as info:
        main(["replay", "--history", "99"])
    assert info.value.code == 2
    assert "no history entry 99" in capsys.readouterr().err


def test_malformed_files_stop_everything_before_sending(emu, home: Path, capsys):
    folder = home / "c"
    saved.save(Draft(emu.venue, "GET", "/system/time"), "good", folder)
    (folder / "broken.request.json").write_text("{")
    with pytest.raises(SystemExit) as info:
        main(["replay", str(folder)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "broken.request.json is not valid JSON" in err and "nothing was sent" in err
    assert history.read().entries == []


def test_no_targets_is_a_usage_error(home: Path):
    with pytest.raises(SystemExit) as info:
        main(["replay"])
    assert info.value.code == 2
    for bad in (["--concurrency", "0"], ["--repeat", "x"], ["--timeout", "0"]):
        with pytest.raises(SystemExit) as info:
            main(["replay", "x", *bad])
        assert info.value.code == 2


def real_venue_cancel(home: Path, base_url: str) -> Path:
    draft = Draft(get_venue("bitmart").at(base_url), "POST", "/contract/private/cancel-order", body=CANCEL)
    return saved.save(draft, "real", home / "c")


def test_signed_post_to_a_real_host_needs_confirmation_without_a_tty(home: Path, capsys, monkeypatch):
    real_venue_cancel(home, "https://api-cloud-v2.bitmart.com")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["replay", str(home / "c")]) == 2
    err = capsys.readouterr().err
    assert "refusing to send 1 signed write request (POST/PUT/DELETE) to api-cloud-v2.bitmart.com without confirmation" in err
    assert "--yes" in err and history.read().entries == []


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_confirmation_declined_on_a_terminal_sends_nothing(home: Path, capsys, monkeypatch):
    real_venue_cancel(home, "https://api-cloud-v2.bitmart.com")
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    assert main(["replay", str(home / "c"), "--repeat", "3"]) == 2
    err = capsys.readouterr().err
    assert "This will send 3 signed write requests" in err and "not confirmed: nothing was sent" in err


def test_yes_passes_the_question_but_not_the_host_binding(home: Path, capsys, monkeypatch):
    """--yes skips the question; the signer still refuses a host the key is not bound to (no network)."""
    real_venue_cancel(home, "https://evil.example")
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["replay", str(home / "c"), "--yes"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("refused  real  -  -  -  Refusing to sign for evil.example")


def test_no_file_under_home_holds_a_secret_memo_signature_or_timestamp(emu, home: Path, capsys):
    """send --save, replay and history --save all write files; none may hold what signed the requests."""
    body = '{"symbol":"BTCUSDT","order_id":"5"}'
    assert send_and_save(emu, "cancel", "POST", "/contract/private/cancel-order", body) == 1  # 40037: signed fine
    sent = json_lines(capsys.readouterr().out)[0]["request"]["signing"]
    timestamps = {sent["timestamp"]}
    assert main(["replay", str(home / "requests"), "--json", "--repeat", "2"]) == 1
    capsys.readouterr()
    assert main(["history", "--save", "1", "again"]) == 0
    # The replays' timestamps are not printed, so every millisecond of the run is checked instead:
    # no 13-digit number from that range may appear in any file.
    now = time.time_ns() // 1_000_000
    forbidden = {EXAMPLE_SECRET, EXAMPLE_MEMO, EXAMPLE_KEY, *timestamps,
                 *(sign(EXAMPLE_SECRET, ts, EXAMPLE_MEMO, body) for ts in timestamps)}
    files = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"history.jsonl", "cancel.request.json", "again.request.json"}
    for f in files:
        text = f.read_text(encoding="utf-8")
        for value in forbidden:
            assert value not in text, f"{value[:6]}… found in {f.name}"
        for number in re.findall(r"\d{13}", text):
            assert not (int(sent["timestamp"]) - 1 <= int(number) <= now + 1), f"a millisecond timestamp in {f.name}"


def test_replay_with_profile_records_that_profile_not_the_files(emu, home: Path, capsys, monkeypatch):
    from tui.records import history

    v = vault.create(home / "keys.json", "pw", vault.TEST_ONLY)
    v.add(vault.Profile.new("emu-good", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO))
    v.add(vault.Profile.new("emu-bad", "emulator", EXAMPLE_KEY, EXAMPLE_SECRET, "wrong-memo"))
    v.save()
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    saved.save(Draft(emu.venue, "POST", "/contract/private/cancel-order", body=CANCEL, profile="emu-bad"), "c", home / "c")
    assert main(["replay", str(home / "c"), "--profile", "emu-good"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert "40037" in line and line.endswith("signed by emu-good #d84ea451")  # the signature passed: no such order
    assert history.read().entries[-1]["profile"] == "emu-good"
    assert history.read().entries[-1]["signer"] == "emu-good #d84ea451"
    # Replaying that history entry signs with the profile that really signed it: 40037 again, not 30005.
    assert main(["replay", "--history", "1", "--json"]) == 1
    assert json_lines(capsys.readouterr().out)[0]["code"] == 40037


@pytest.mark.parametrize("argv, named, not_named", [
    (["--history", "99"], "leave out the history entries above", "files"),
    (["missing.request.json", "--history", "99"], "leave out the files and history entries above", None),
])
def test_errors_name_only_what_was_given(home: Path, capsys, argv, named, not_named):
    with pytest.raises(SystemExit) as done:
        main(["replay", *argv])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "There is no history entry 99" in err and named in err
    if not_named:
        assert not_named not in err, err


def test_the_signed_by_column_names_the_demo_key_not_a_dash(emu, home: Path, capsys):
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "assets", home / "r")
    assert main(["replay", str(home / "r")]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("ok  assets  200  1000") and line.endswith("signed by demo #d84ea451")


def test_a_base_url_that_a_saved_request_does_not_go_to_is_said_not_ignored(emu, home: Path, capsys):
    """A new user gave `replay D --base-url URL` to send a file saved from a one-call emulator elsewhere: it was
    accepted and ignored in silence. A saved file keeps its address (the file never chooses where a key signs),
    so the CLI says where it goes and how to send it elsewhere."""
    assert send_and_save(emu, "time", "GET", "/system/time") == 0
    capsys.readouterr()
    assert main(["replay", str(home / "requests"), "--base-url", "http://127.0.0.1:9"]) == 0
    err = capsys.readouterr().err
    assert f"a saved request goes to the address it was saved with ({emu.base_url})" in err
    assert main(["replay", str(home / "requests"), "--base-url", emu.base_url]) == 0
    assert "--base-url only says" not in capsys.readouterr().err  # the same address: nothing to say
