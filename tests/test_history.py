"""tui/records/history.py: JSON-lines history, caps, corrupt lines, numbering (1 = newest)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from keys.signing import AuthLevel
from tui.records import history
from tui.exchange import Draft, Exchange, FailureKind, ResponseData, Timings, TransportFailure
from tui.records.history import HistoryError
from tui.venues import emulator_venue, get_venue


@dataclass(frozen=True)
class Outcome:  # the two fields history reads from a Diagnosis
    code: int | None
    headline: str


def exchange(path: str = "/system/time", status: int = 200, body: str = "", **kw) -> Exchange:
    draft = Draft(get_venue("bitmart"), "POST" if body else "GET", path, body=body, profile="main", **kw)
    response = ResponseData(status=status, reason="OK", headers=(), body=b"{}", size=2)
    return Exchange(draft=draft, request=None, response=response, timings=Timings(total_ms=12.3456, connect_ms=1.0), started_at=1_700_000_000.5)


def test_entry_has_draft_fields_outcome_and_iso_seconds():
    entry = history.entry_for(exchange(), Outcome(1000, "OK"), source="send", name="t")
    assert entry["time"] == "2023-11-14T22:13:20Z"
    assert entry["method"] == "GET" and entry["path"] == "/system/time" and entry["venue"] == "bitmart"
    assert entry["status"] == 200 and entry["code"] == 1000 and entry["message"] == "OK"
    assert entry["timings_ms"] == {"total": 12.3, "connect": 1.0}
    assert entry["source"] == "send" and entry["name"] == "t" and entry["failure"] is None


def test_transport_failure_entry_keeps_the_sentence():
    draft = Draft(emulator_venue("http://127.0.0.1:1"), "GET", "/system/time")
    failure = TransportFailure(FailureKind.REFUSED, "Connection refused by 127.0.0.1:1.")
    entry = history.entry_for(Exchange(draft, None, failure=failure), None, source="replay")
    assert entry["status"] is None and entry["code"] is None
    assert entry["failure"] == "refused" and entry["message"] == "Connection refused by 127.0.0.1:1."


def test_append_read_and_number_newest_first(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    for i in range(3):
        history.append(history.entry_for(exchange(f"/p{i}"), Outcome(1000, "OK"), source="send"), path)
    log = history.read(path)
    assert [e["path"] for e in log.newest_first()] == ["/p2", "/p1", "/p0"]
    assert log.pick(1)["path"] == "/p2" and log.pick(3)["path"] == "/p0"
    with pytest.raises(HistoryError, match="no history entry 4.*entries 1 to 3"):
        log.pick(4)
    with pytest.raises(HistoryError, match="no history entry 0"):
        log.pick(0)
    assert os.stat(path).st_mode & 0o077 == 0


def test_entry_turns_back_into_the_draft(tmp_path: Path):
    ex = exchange("/contract/private/cancel-order", body='{"order_id":"1"}', auth=AuthLevel.SIGNED, query=(("b", "1"), ("a", "2")))
    path = tmp_path / "h.jsonl"
    history.append(history.entry_for(ex, None, source="console"), path)
    assert history.entry_draft(history.read(path).pick(1)) == ex.draft


def test_count_cap_holds_and_keeps_the_newest(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    for i in range(57):
        history.append(history.entry_for(exchange(f"/p{i}"), None, source="send"), path, max_entries=20)
        assert len(history.read(path).entries) <= 20
    paths_kept = [e["path"] for e in history.read(path).entries]
    assert paths_kept[-1] == "/p56" and paths_kept == [f"/p{i}" for i in range(57 - len(paths_kept), 57)]
    assert [p.name for p in tmp_path.iterdir()] == ["h.jsonl"]  # no temporary files left


def test_size_cap_holds(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    big = '{"pad":"' + "x" * 900 + '"}'
    for i in range(40):
        history.append(history.entry_for(exchange(f"/p{i}", body=big), None, source="send"), path, max_bytes=10_000)
        assert path.stat().st_size <= 10_000
    assert history.read(path).pick(1)["path"] == "/p39"


def test_an_entry_larger_than_the_size_cap_is_still_kept_alone(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    history.append(history.entry_for(exchange("/a"), None, source="send"), path)
    history.append(history.entry_for(exchange("/big", body='"' + "y" * 5000 + '"'), None, source="send"), path, max_bytes=1000)
    assert [e["path"] for e in history.read(path).entries] == ["/big"]


def test_corrupt_lines_are_skipped_and_reported(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    history.append(history.entry_for(exchange("/a"), None, source="send"), path)
    with path.open("ab") as fh:
        fh.write(b'{"half": \n[1,2]\n\xff\xfe\n{"method": 3}\n')
    history.append(history.entry_for(exchange("/b"), None, source="send"), path)
    log = history.read(path)
    assert [e["path"] for e in log.entries] == ["/a", "/b"]
    assert log.skipped == [2, 3, 4, 5]
    assert "Skipped 4 unreadable lines" in log.skipped_sentence() and str(path) in log.skipped_sentence()


def test_a_line_cut_short_by_a_crash_does_not_swallow_the_next(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    path.write_bytes(b'{"method":"GET","path":"/cut"')  # no newline: a crash mid-write
    history.append(history.entry_for(exchange("/next"), None, source="send"), path)
    log = history.read(path)
    assert [e["path"] for e in log.entries] == ["/next"] and log.skipped == [1]


def test_missing_file_reads_as_empty(tmp_path: Path):
    log = history.read(tmp_path / "none.jsonl")
    assert log.entries == [] and log.skipped_sentence() is None
    with pytest.raises(HistoryError, match="no entries"):
        log.pick(1)


def test_record_reports_an_unwritable_history_as_a_sentence(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    warning = history.record(exchange(), None, source="send", path=blocker / "h.jsonl")
    assert warning is not None and "Could not write the history" in warning


def test_default_path_is_under_keyprobe_home(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    assert history.record(exchange(), None, source="send") is None
    assert json.loads((tmp_path / "history.jsonl").read_text())["path"] == "/system/time"


def test_cap_holds_when_another_process_appends_between_ours(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    line = json.dumps(history.entry_for(exchange("/other"), None, source="console")) + "\n"
    for i in range(15):
        history.append(history.entry_for(exchange(f"/p{i}"), None, source="send"), path, max_entries=20)
    with path.open("a") as fh:  # a second keyprobe (the console) appends behind this process's back
        fh.write(line * 10)
    history.append(history.entry_for(exchange("/last"), None, source="send"), path, max_entries=20)
    entries = history.read(path).entries
    assert len(entries) <= 20 and entries[-1]["path"] == "/last"


def test_a_20_mb_send_keeps_the_history_under_its_cap_with_size_and_sha256(tmp_path: Path):
    import hashlib

    path = tmp_path / "history.jsonl"
    big = '{"blob":"' + "z" * (20 * 1024 * 1024) + '"}'
    for i in range(3):
        history.append(history.entry_for(exchange(f"/big{i}", body=big), None, source="send"), path)
    assert path.stat().st_size < history.MAX_BYTES
    entry = history.read(path).pick(1)
    assert entry["body_cut"] == {"size": len(big), "sha256": hashlib.sha256(big.encode()).hexdigest()}
    assert len(entry["body"]) == history.BODY_CAP and big.startswith(entry["body"])
    with pytest.raises(HistoryError, match=r"sent a 20971531-byte body; the history kept only its first 65536 characters"):
        history.entry_draft(entry, "history entry 1")
    small = history.entry_for(exchange("/small", body='{"a":1}'), None, source="send")
    assert "body_cut" not in small and history.entry_draft(small).body == '{"a":1}'


def test_history_files_that_are_not_files_are_sentences(tmp_path: Path):
    folder = tmp_path / "history.jsonl"
    folder.mkdir()
    with pytest.raises(HistoryError, match="is a folder"):
        history.read(folder)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(HistoryError, match="is a FIFO"):
        history.read(fifo)
    deep = tmp_path / "deep.jsonl"
    deep.write_text('{"method":"GET","path":"/a"}\n' + "[" * 100_000 + "]" * 100_000 + "\n")
    log = history.read(deep)
    assert len(log.entries) == 1 and log.skipped == [2]


@pytest.mark.parametrize("batch", [3, 7, 20, 45])
def test_count_cap_holds_with_batch_appends(tmp_path: Path, batch: int):
    # replay writes its history in batches: the line count this process keeps must grow by the whole batch
    path = tmp_path / "h.jsonl"
    sent = 0
    for _ in range(12):
        entries = [history.entry_for(exchange(f"/p{sent + i}"), None, source="replay") for i in range(batch)]
        history.append(entries, path, max_entries=20)
        sent += batch
        kept = [e["path"] for e in history.read(path).entries]
        assert len(kept) <= 20, (sent, len(kept))
        assert kept == [f"/p{i}" for i in range(sent - len(kept), sent)]  # the newest, in order, none lost mid-file
    assert len(path.read_bytes().splitlines()) == len(history.read(path).entries)


def test_size_cap_holds_with_batch_appends(tmp_path: Path):
    path = tmp_path / "h.jsonl"
    big = '{"pad":"' + "x" * 900 + '"}'
    for n in range(10):
        history.append([history.entry_for(exchange(f"/p{n}-{i}", body=big), None, source="replay") for i in range(4)],
                       path, max_bytes=10_000)
        assert path.stat().st_size <= 10_000
    assert history.read(path).pick(1)["path"] == "/p9-3"
