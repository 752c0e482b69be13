"""Bounded input (issue 11, item 7): every file keyprobe reads has a size cap and a JSON depth cap, each a
sentence; FIFOs, devices and folders are refused without blocking (a plain open of a FIFO with no writer
would wait forever, so these tests would hang, not fail, if the non-blocking open were lost)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keys import bounded
from tui.cli import main
from tui.console.keymap import load_keymap


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "home"


def send_body_file(capsys, path: str) -> tuple[int, str]:
    code = main(["send", "POST", "/contract/private/submit-order", "--venue", "emulator", "--base-url", "http://127.0.0.1:9",
                 "--body-file", path])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, err


def test_body_files_that_are_devices_fifos_folders_or_too_large(capsys, tmp_path):
    code, err = send_body_file(capsys, "/dev/zero")
    assert code == 2 and "/dev/zero is a device, not a request body" in err
    fifo = tmp_path / "body.fifo"
    os.mkfifo(fifo)
    code, err = send_body_file(capsys, str(fifo))
    assert code == 2 and "is a FIFO (named pipe), not a request body" in err
    code, err = send_body_file(capsys, str(tmp_path))
    assert code == 2 and "is a folder, not a request body" in err
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(33 * 1024 * 1024)  # sparse: no 33 MiB written
    code, err = send_body_file(capsys, str(big))
    assert code == 2 and "is 33.0 MiB; a request body may be at most 32.0 MiB" in err


def test_a_body_nested_100000_deep_is_refused_before_sending(capsys, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    code, err = send_body_file(capsys, str(deep))
    assert code == 2 and "The body nests more than 128 levels deep" in err


def test_stdin_bodies_are_capped(capsys, monkeypatch):
    class Endless:
        def read(self, n: int) -> bytes:
            return b"0" * n

    with pytest.raises(bounded.UnreadableInput, match="larger than 10 bytes"):
        bounded.read_stream(Endless(), 10, "body on stdin")


def test_saved_requests_and_the_keymap_that_are_fifos_are_sentences(capsys, tmp_path, home):
    folder = tmp_path / "batch"
    folder.mkdir()
    os.mkfifo(folder / "trap.request.json")
    with pytest.raises(SystemExit) as info:
        main(["replay", str(folder)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and "trap.request.json is a FIFO (named pipe), not a saved request" in err
    home.mkdir(parents=True, exist_ok=True)
    os.mkfifo(home / "keymap.json")
    mapping, problem = load_keymap(home / "keymap.json")
    assert mapping == {} and "is a FIFO" in problem and "default keys" in problem


def test_json_depth_and_size_caps_are_sentences():
    with pytest.raises(bounded.UnreadableInput, match="nests more than 128 levels deep"):
        bounded.loads("[" * 129 + "]" * 129, "x.json")
    assert bounded.loads("[" * 128 + "]" * 128, "x.json") is not None
    with pytest.raises(bounded.UnreadableInput, match="nests more than 8 levels"):
        bounded.loads('{"a":' * 9 + "1" + "}" * 9, "x.json", max_depth=8)
    value, problem = bounded.parse_json(b"[" * 100_000)
    assert value is None and "nests more than 128 levels deep" in problem


@pytest.mark.parametrize("opener, closer", [('{"a":', "}"), ("[", "]"), ('{"a":1,"b":[', "]}")])
def test_a_draft_body_nested_past_the_cap_is_refused_objects_and_lists_alike(opener, closer):
    """body_error parses objects down to their nesting only (a 20 MB body of small objects is not built
    as dicts): the depth it finds must still count every object and list level."""
    from keys.bounded import MAX_JSON_DEPTH
    from tui.exchange import Draft
    from tui.venues import VENUES

    def error(levels: int) -> str | None:
        per = 2 if opener.endswith("[") and opener.startswith("{") else 1
        n = levels // per
        return Draft(VENUES["emulator"], "POST", "/x", body=opener * n + "1" + closer * n).body_error()

    assert error(MAX_JSON_DEPTH) is None
    assert "nests more than" in (error(MAX_JSON_DEPTH + 2) or "")
