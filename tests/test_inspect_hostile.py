"""Hostile input to `inspect` and the proxy's line: escapes shown not obeyed, bad key material named,
special files refused without blocking."""

from __future__ import annotations

import os
import shlex

import pytest

from tui.cli import main
from inspect_support import inspect_file
from tui.inspect.model import CapturedRequest, CapturedResponse
from tui.inspect.render import one_line
from tui.inspect.report import inspect_request

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
RAW = ("\x1b", "\x07", "\x9b", "\u202e")


def curl(method: str, url: str = "https://api-cloud-v2.bitmart.com/system/time", key: str = "a" * 40) -> str:
    return shlex.join(["curl", "-X", method, url, "-H", f"X-BM-KEY: {key}", "-H", "X-BM-SIGN: ab",
                       "-H", "X-BM-TIMESTAMP: 1"])


def inspect_text(tmp_path, capsys, text: str, *args: str) -> tuple[int, str, str]:
    return inspect_file(tmp_path, capsys, text, *args, name="c1.txt")


@pytest.fixture
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize("method", [OSC52, "\x1b[31mGET", "G\u202eET", "G\x9b31mET"])
def test_an_escape_in_the_method_is_shown_escaped_and_is_a_finding(home, capsys, method):
    code, out, _ = inspect_text(home, capsys, curl(method))
    assert not any(c in out for c in RAW), out
    assert "method-not-token" in out and code == 1
    code, out, _ = inspect_text(home, capsys, curl(method), "--json")
    assert not any(c in out for c in RAW)


def test_every_field_of_the_proxy_line_is_sanitised():
    hostile = "/x" + OSC52
    answer = ('{"code":30005,"message":"' + OSC52.replace("\x1b", "\\u001b").replace("\x07", "\\u0007") + '"}').encode()
    req = CapturedRequest("G" + OSC52 + "ET", "http://127.0.0.1:1" + hostile + "?q=" + OSC52,
                          (("X-BM-KEY", "k" + OSC52), ("X-BM-SIGN", "s" + OSC52), ("X-BM-TIMESTAMP", "1")), b"", "proxy",
                          response=CapturedResponse(401, (("X" + OSC52, OSC52),), answer))
    line = one_line(inspect_request(req, ()))
    assert not any(c in line for c in RAW), line
    assert "\\x1b]52" in line  # shown, so the person sees it was there


def test_bad_key_material_is_named_with_its_position_not_a_traceback(home, capsys, monkeypatch):
    text = curl("GET", key="a1b2c3d4e5f60718")
    monkeypatch.setenv("KEYPROBE_API_KEY", os.fsdecode(b"a1b2c3d4e5f60718\xff93a4b5c6"))
    monkeypatch.setenv("KEYPROBE_SECRET", "x")
    code, _, err = inspect_text(home, capsys, text)
    assert code == 2 and "API key" in err and "position 17" in err
    monkeypatch.setenv("KEYPROBE_API_KEY", "a" * 40)
    monkeypatch.setenv("KEYPROBE_SECRET", "abc\rdef")
    code, _, err = inspect_text(home, capsys, text)
    assert code == 2 and "secret" in err and "carriage return" in err and "position 4" in err
    monkeypatch.setenv("KEYPROBE_SECRET", "abcdef")
    monkeypatch.setenv("KEYPROBE_MEMO", "me\u202emo")
    code, _, err = inspect_text(home, capsys, text)
    assert code == 2 and "memo" in err and "position 3" in err and "\u202e" not in err


def test_a_fifo_is_refused_without_blocking(home, capsys):
    fifo = home / "f"
    os.mkfifo(fifo)
    assert main(["inspect", str(fifo)]) == 2  # before the fix: blocks forever in open()
    assert "FIFO" in capsys.readouterr().err


def test_stdin_stays_supported_and_capped(home, capsys, monkeypatch):
    import io
    import sys

    from tui.inspect import model

    text = curl("GET").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["inspect", "-", "--json"]) in (0, 1)
    assert '"method": "GET"' in capsys.readouterr().out
    monkeypatch.setattr(model, "MAX_INPUT_BYTES", len(text) - 1)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text)))
    assert main(["inspect", "-"]) == 2
    assert "larger than" in capsys.readouterr().err


@pytest.mark.parametrize("url", ["https://[::1/x", "https://api-cloud-v2.bitmart.com:99999999/x",
                                 "https://api-cloud-v2.bitmart.com:-1/x"])
def test_a_malformed_url_is_a_finding(home, capsys, url):
    code, out, _ = inspect_text(home, capsys, curl("GET", url), "--json")
    assert "url-malformed" in out and code == 1


def test_the_proxy_forwards_a_key_to_a_venue_only_on_port_443_like_profiles():
    from tui.proxy import UpstreamRefused
    from tui.proxy.upstream import resolve

    with pytest.raises(UpstreamRefused, match="not port 443"):
        resolve("https://api-cloud-v2.bitmart.com:8443")
    assert resolve("https://api-cloud-v2.bitmart.com:8443", frozenset({"api-cloud-v2.bitmart.com:8443"})).port == 8443
    assert resolve("https://api-cloud-v2.bitmart.com:443").port == 443


def test_a_garbage_answer_gets_a_fix_that_fits_the_proxy():
    req = CapturedRequest("GET", "http://127.0.0.1:1/system/time", (), b"", "proxy",
                          response=CapturedResponse(None, (), b"SSH-2.0-OpenSSH_9.6\r\n"))
    line = one_line(inspect_request(req, ()))
    assert "--status" not in line and "--upstream" in line


def test_the_demo_key_fallback_for_loopback_is_said(home, capsys):
    _, _, err = inspect_text(home, capsys, curl("GET", "http://127.0.0.1:8640/system/time"))
    assert "demo keys" in err
    _, _, err = inspect_text(home, capsys, curl("GET"))  # not loopback: no demo keys, nothing said
    assert "demo keys" not in err


def test_a_har_with_a_huge_integer_is_called_valid_json_keyprobe_cannot_read(home, capsys):
    # It was "not valid JSON: Exceeds the limit (4300 digits) ...; use sys.set_int_max_str_digits()" (fresh-eyes attack)
    har = home / "big.har"
    har.write_text('{"log": {"entries": [{"request": {"method": "GET", "url": "https://api-cloud.bitmart.com/a", "headers": []},'
                   ' "response": {"status": ' + "9" * 5000 + "}}]}}")
    assert main(["inspect", str(har)]) == 2
    err = capsys.readouterr().err
    assert "valid JSON keyprobe cannot read" in err and "4,300 digits" in err and "sys.set_int" not in err
