"""`keyprobe decode`: every row of both documents through the CLI, raw responses, usage errors, exit
codes from a real subprocess, and a never-raises property through the command.

The expected rows come from tests/docrows.py (a regex of its own), not from tui.catalog, so the
test does not just echo the catalog back.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docrows import FAMILY_FILES, FILES, documented
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
FAMILY = {document: family for family, documents in FAMILY_FILES.items() for document in documents}
ALL_ROWS = [(d, *row) for d in FILES for row in documented(d)]


def decode_json(capsys, *argv: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["decode", *argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def decode_text(capsys, *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["decode", *argv])
    return code, capsys.readouterr().out


def test_the_documents_have_the_rows_we_expect():
    assert len(ALL_ROWS) == 76 + 206 + 76


def _row(out: dict) -> tuple:
    return out["code"], out["message"], out["http_status"]


@pytest.mark.parametrize("document, code, message, status", ALL_ROWS, ids=[f"{d}-{c}-{i}" for i, (d, c, _m, _s) in enumerate(ALL_ROWS)])
def test_every_row_of_every_document(capsys, document, code, message, status):
    """Each row, parsed here by docrows' own regexes, through `decode --json`: by its code (the row is among
    the code's documented rows) and as a body carrying its message (the message picks that very row)."""
    venue = FAMILY[document]
    exit_code, out = decode_json(capsys, str(code), "--venue", venue)
    assert exit_code == 0
    assert out["venue"] == venue and out["fixes"] and out["category"] and out["causes"]
    assert out["actual_status"] is None and out["status_matches"] is None
    if code < 1000:  # a row of the global HTTP table
        assert _row(out) == (code, message, status) and out["row"]["table"] == "http"
        return
    assert out["outcome"] == ("success" if code == 1000 else "documented-error")
    assert (code, message, status) in [(r["code"], r["message"], r["http_status"]) for r in out["rows"]]
    if len(out["rows"]) == 1:
        assert _row(out) == (code, message, status) and out["row_chosen"] is None
    else:
        assert out["row_chosen"] is False and len(out["rows"]) > 1  # no message to choose with: all are shown
    sent = message.replace("%s", "0.0001").replace("%d", "8")  # what a venue fills in, e.g. "Minimum size is 0.0001"
    frame = {"event": "subscribe", "errorCode": str(code), "errorMessage": sent} if status is None else \
        {"code": code, "message": sent, "trace": "t", "data": {}}
    exit_code, out = decode_json(capsys, "--body", json.dumps(frame), "--venue", venue)
    assert exit_code == 0 and _row(out) == (code, message, status), out["headline"]
    assert out["row_chosen"] in (None, True) and out["category"] and out["fixes"]
    assert not any("differs from the document's wording" in n for n in out["notes"])


def test_wooxpro_rows_use_x_api_wording(capsys):
    for code in (30001, 30002, 30003, 30004, 30005, 30006, 30007, 30008, 30011, 30012):
        _, out = decode_json(capsys, str(code), "--venue", "wooxpro")
        assert "X-API-" in out["message"] and "X-BM-" not in json.dumps(out)
        _, bm = decode_json(capsys, str(code), "--venue", "bitmart")
        assert "X-BM-" in bm["message"]
        assert decode_json(capsys, str(code))[1]["message"] == out["message"]  # WOO X Pro's document is the default


@pytest.mark.parametrize("venue", ["bitmart", "wooxpro"])
def test_messages_are_verbatim_with_escapes_removed_and_typos_kept(capsys, venue):
    expected = {
        40021: "The position is not exsit",
        40024: "The position would be warnning of liquidation when sub margin",
        40002: "out_trade_no not found",
        40013: 'Access too often" CLIENT_TIME_INVALID, "Please check your system time.',
        40025: "The position’s margin shouldn’t be lower than the base limit",
    }
    for code, message in expected.items():
        assert decode_json(capsys, str(code), "--venue", venue)[1]["message"] == message


def test_a_code_in_neither_document_exits_1_with_a_sentence(capsys):
    exit_code, text = decode_text(capsys, "30009", "--venue", "bitmart")
    assert exit_code == 1 and "Code 30009 is not in BitMart's error-code documents." in text
    exit_code, out = decode_json(capsys, "25601", "--venue", "wooxpro")
    assert exit_code == 1 and out["outcome"] == "undocumented-code" and out["message"] is None


def test_a_raw_response_with_its_status(capsys):
    body = '{"code":30005,"message":"Header X-BM-SIGN is wrong","trace":"t","data":{}}'
    exit_code, out = decode_json(capsys, "--status", "401", "--body", body)
    assert exit_code == 0 and out["actual_status"] == 401 and out["status_matches"] is True
    exit_code, out = decode_json(capsys, "--status", "200", "--body", body)
    assert out["status_matches"] is False and out["http_status"] == 401
    exit_code, text = decode_text(capsys, "--status", "200", "--body", body)
    assert "documented 401 · actual 200  MISMATCH" in text


def test_a_raw_response_without_status_compares_nothing(capsys):
    exit_code, out = decode_json(capsys, "--body", '{"code":"30007"}')
    assert exit_code == 0 and out["code"] == 30007 and out["actual_status"] is None and out["status_matches"] is None


def test_a_body_file_with_bytes_that_are_not_utf8(capsys, tmp_path):
    f = tmp_path / "resp.bin"
    f.write_bytes(b"\xff\xfe<html>oops</html>")
    exit_code, out = decode_json(capsys, "--status", "502", "--body-file", str(f))
    assert exit_code == 1 and out["outcome"] == "not-envelope" and out["category"] == "service"
    f.write_bytes(b'{"error_msg": "404 Route Not Found"}')
    exit_code, out = decode_json(capsys, "--status", "404", "--body-file", str(f), "--venue", "wooxpro")
    assert exit_code == 0 and out["row"]["table"] == "http" and out["body_message"] == "404 Route Not Found"


def test_human_output_reads_top_down(capsys):
    exit_code, text = decode_text(capsys, "30005", "--venue", "bitmart")
    lines = text.splitlines()
    assert exit_code == 0 and lines[0] == "30005  Header X-BM-SIGN is wrong"
    assert lines[1] == "BitMart · authentication table · category: signature"
    assert lines[2].startswith("HTTP status: documented 401")
    assert text.index("Likely causes") < text.index("Fixes") < text.index("Notes")
    assert "\n1. Set the memo" in text and "\n2. Sign exactly" in text
    assert all(line == line.rstrip() for line in lines)


def test_server_text_is_never_markup(capsys):
    _, text = decode_text(capsys, "--body", '{"code":30005,"message":"[bold red]boom[/bold red]"}')
    assert "'[bold red]boom[/bold red]'" in text


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["abc"], "is not a code"),
        (["30005", "--body", "{}"], "not both"),
        ([], "give a CODE"),
        (["30005", "--status", "401"], "use it with --body"),
        (["--body-file", "/nonexistent/resp.json"], "/nonexistent/resp.json: no such file"),
        (["--body-file", "/dev/zero"], "/dev/zero is a device, not a response body"),
        (["--status", "700", "--body", "{}"], "not an HTTP status"),
        (["30005", "--venue", "binance"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(capsys, argv, needle):
    with pytest.raises(SystemExit) as exc:
        main(["decode", *argv])
    assert exc.value.code == 2 and needle in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, expected_exit, needle",
    [
        (["30005"], 0, "30005  Header X-API-SIGN is wrong"),  # WOO X Pro's document unless --venue bitmart
        (["30009", "--venue", "wooxpro"], 1, "not in WOO X Pro's error-code document"),
        (["--status", "502", "--body", "<html>502 Bad Gateway</html>"], 1, "HTML"),
        (["30O5"], 2, "is not a code"),
    ],
)
def test_exit_codes_from_a_real_process(argv, expected_exit, needle):
    done = subprocess.run([sys.executable, "-m", "tui", "decode", *argv], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == expected_exit, done.stderr
    assert needle in done.stdout + done.stderr
    assert "Traceback" not in done.stderr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.integers(100, 599), text=st.one_of(st.text(max_size=200), st.builds(
    lambda code, msg: json.dumps({"code": code, "message": msg}),
    st.one_of(st.integers(), st.text(max_size=8), st.none(), st.floats(), st.sampled_from([1000, 30005, 40013])),
    st.one_of(st.text(max_size=30), st.integers(), st.none()))))
def test_decode_never_raises(capsys, status, text):
    exit_code, out = decode_json(capsys, "--status", str(status), f"--body={text}")  # "=" keeps a leading "-" a value
    assert exit_code in (0, 1) and out["headline"] and out["category"] != "internal"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_styles_are_ours_and_server_text_is_escaped(monkeypatch):
    """decode prints without rich: on a terminal its own SGR styles, and a control character from the body
    (an ESC that would recolour or hide text) shown as its escape, never sent to the terminal."""
    import re

    from tui.commands.decode import print_diagnosis
    from tui.diagnosis.diagnose import diagnose_response

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "100")
    d = diagnose_response("bitmart", 401, (), b'{"code":30005,"message":"bad \\u001b[8mhidden\\u001b[0m \\u009b2J"}')
    out = _Terminal()
    print_diagnosis(d, out)
    text = out.getvalue()
    assert "\x1b[1m30005" in text and "\x1b[36msignature\x1b[0m" in text
    assert "\\x1b[8mhidden\\x1b[0m \\x9b2J" in text and "\x9b" not in text
    assert "\x1b" not in re.sub(r"\x1b\[[0-9;]*m", "", text)  # every raw ESC opens or closes one of our styles
    assert max(len(re.sub(r"\x1b\[[0-9;]*m", "", line)) for line in text.splitlines()) <= 100
    monkeypatch.setenv("NO_COLOR", "1")
    plain = _Terminal()
    print_diagnosis(d, plain)
    assert "\x1b" not in plain.getvalue() and plain.getvalue() == re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_30007_on_woo_x_pro_says_nothing_of_a_recv_window(capsys):
    """WOO X Pro's row is "Header X-API-TIMESTAMP range. Within a minute" and its pages name no recvWindow; a new
    user on WOO X Pro was told about endpoints that take one. BitMart's advice keeps it."""
    assert main(["decode", "30007", "--venue", "wooxpro"]) == 0
    woo = capsys.readouterr().out
    assert main(["decode", "30007", "--venue", "bitmart"]) == 0
    bitmart = capsys.readouterr().out
    assert "recvWindow" not in woo and "more than 60 s away from the server's." in woo
    assert "Endpoints that take recvWindow" in bitmart
