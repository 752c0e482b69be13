"""Bytes that are not UTF-8 on the command line or in a saved file (a latin-1 terminal, a pasted binary, a
JSON '\\ud800' escape): a sentence and exit 2, nothing sent, the history still written and readable.
Before: `send --body $'\\xff'` was reported as a transport failure and then crashed writing the history;
a path or query so was a traceback in the history writer; a saved file with '\\ud800' crashed replay."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui.records import history
from tui.cli import main
from tui.exchange import Draft, Exchange, Timings
from tui.transport.failures import TransportFailure
from tui.transport.failure_kind import FailureKind
from tui.venues import get_venue

# A closed loopback port: if anything were sent it would be a refused connection (exit 3), not exit 2.
NOWHERE = ["--venue", "emulator", "--base-url", "http://127.0.0.1:9"]
NOT_UTF8 = os.fsdecode(b"caf\xe9")  # what Python makes of a latin-1 argv byte: 'caf\udce9'


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_a_body_that_is_not_utf8_is_refused_before_anything_is_sent(home, capsys):
    assert main(["send", "POST", "/spot/v2/submit_order", "--body", '{"a":"' + NOT_UTF8 + '"}', *NOWHERE]) == 2
    err = capsys.readouterr().err
    assert "not UTF-8 text" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["GET", "/spot/v1/" + NOT_UTF8], ["GET", "/spot/v1/ticker", "--query", "a=" + NOT_UTF8]],
                         ids=["path", "query"])
def test_a_path_or_query_that_is_not_utf8_is_refused_and_the_history_keeps_it(home, capsys, args):
    assert main(["send", *args, *NOWHERE]) == 2
    out, err = capsys.readouterr()
    assert "not UTF-8 text" in out + err and "nothing was sent" in out + err
    assert main(["history", "--json"]) == 0  # written, and read back
    entry = json.loads(capsys.readouterr().out)["entries"][0]
    assert (NOT_UTF8 in entry["path"] or ["a", NOT_UTF8] in entry["query"]) and entry["failure"] == "signing-refused"


def test_the_history_writes_an_entry_holding_surrogates_as_json_escapes(home):
    draft = Draft(get_venue("bitmart"), "GET", "/x\ud800", (("q", NOT_UTF8),))
    failure = TransportFailure(FailureKind.OTHER, "no", "")
    history.append(history.entry_for(Exchange(draft, None, failure=failure, timings=Timings(total_ms=1.0)), None, source="send"))
    (home / "history.jsonl").read_bytes().decode("utf-8")  # strict: still a UTF-8 file
    (entry,) = history.read().entries
    assert entry["path"] == "/x\ud800" and entry["query"] == [["q", NOT_UTF8]]


def test_a_saved_request_with_a_lone_surrogate_escape_is_a_sentence(home, capsys):
    saved = home / "bad.request.json"
    saved.write_text(json.dumps({"schema": 1, "venue": "emulator", "base_url": "http://127.0.0.1:9", "method": "POST",
                                 "path": "/spot/v2/submit_order", "body": '{"a":"\ud800"}'}))
    with pytest.raises(SystemExit) as stopped:  # replay checks every file before it sends any
        main(["replay", str(saved)])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "lone surrogate" in err and "\\ud800" in err and "field 'body'" in err
