"""The proxy's history, written a batch at a time by tui.records.history_writer.HistoryWriter: every exchange is
in the file after a clean stop; a real `keyprobe proxy` killed with SIGKILL keeps every record its writer
had already written (the writer writes on its own, within FLUSH_S, without waiting for an exit)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tui.records import history
from tui.records.history_writer import HistoryWriter

HANG_S = 60.0  # only turns a hang into a failure with a sentence


def entry(i: int) -> dict:
    return {"schema": 1, "time": "2026-01-01T00:00:00Z", "source": "proxy", "method": "GET", "path": f"/x/{i}"}


def test_a_clean_close_writes_every_entry_handed_over(tmp_path):
    path = tmp_path / "history.jsonl"
    writer = HistoryWriter(path, flush_s=60.0)  # nothing would be written on its own before close
    for i in range(250):
        writer.add(entry(i))
    writer.close()
    assert [e["path"] for e in history.read(path).entries] == [f"/x/{i}" for i in range(250)]
    with pytest.raises(history.HistoryError):
        writer.add(entry(250))  # after close: a sentence, not a lost entry


def test_a_batch_is_written_without_waiting_for_close_and_flush_waits_for_it(tmp_path):
    path = tmp_path / "history.jsonl"
    writer = HistoryWriter(path, flush_s=0.05)
    try:
        writer.add(entry(1))
        assert writer.flush(HANG_S)
        assert [e["path"] for e in history.read(path).entries] == ["/x/1"]
        writer.add(entry(2))  # written by the thread alone, within flush_s
        deadline = time.monotonic() + HANG_S
        while len(history.read(path).entries) < 2:
            assert time.monotonic() < deadline, "the writer never wrote its batch on its own"
            time.sleep(0.01)  # a poll interval while waiting for the file to change, not a wait for time
    finally:
        writer.close()


def test_a_batch_that_cannot_be_written_is_a_sentence(tmp_path):
    problems: list[str] = []
    folder = tmp_path / "history.jsonl"
    folder.mkdir()  # the history's path is a folder: every append fails
    writer = HistoryWriter(folder, on_problem=problems.append)
    writer.add(entry(1))
    writer.close()
    assert problems and problems[0].startswith(f"Could not write the history at {folder}")


@pytest.fixture
def upstream():
    from tui.emulator import Emulator

    with Emulator() as emu:
        emu.controls.rate_limit = 10**6  # the limiter is not what is tested
        yield emu.base_url


def _proxy(home: Path, upstream: str) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_")} | {"KEYPROBE_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "proxy", "--upstream", upstream, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    banner = proc.stderr.readline()
    assert "listening on " in banner, banner + proc.stderr.read()
    return proc, banner.split("listening on ", 1)[1].split()[0]


def _send(client: httpx.Client, proc: subprocess.Popen, count: int) -> None:
    """`count` exchanges, each answered and then printed by the proxy: printed means handed to the writer."""
    for _ in range(count):
        assert client.get("/system/time").json()["code"] == 1000
    for _ in range(count):
        assert proc.stdout.readline().startswith("GET ")


def _lines(home: Path) -> list[dict]:
    path = home / "history.jsonl"
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()] if path.exists() else []


def test_a_proxy_stopped_cleanly_loses_no_record(tmp_path, upstream):
    proc, base = _proxy(tmp_path, upstream)
    try:
        with httpx.Client(base_url=base, trust_env=False) as client:
            _send(client, proc, 40)
        proc.send_signal(signal.SIGTERM)  # at once: the last batch is still gathering
        assert proc.wait(HANG_S) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(_lines(tmp_path)) == 40 and all(e["source"] == "proxy" for e in _lines(tmp_path))


def test_a_proxy_killed_outright_keeps_what_its_writer_had_written(tmp_path, upstream):
    proc, base = _proxy(tmp_path, upstream)
    try:
        with httpx.Client(base_url=base, trust_env=False) as client:
            _send(client, proc, 30)
            deadline = time.monotonic() + HANG_S
            while len(_lines(tmp_path)) < 30:  # written on its own, without an exit
                assert time.monotonic() < deadline, "the proxy never wrote its records before exiting"
                time.sleep(0.01)  # a poll interval while waiting for the file to change
            _send(client, proc, 30)
        proc.kill()  # SIGKILL: no handler runs; the batch still gathering (at most FLUSH_S of exchanges) is lost
        proc.wait(HANG_S)
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = _lines(tmp_path)  # every line reads: a batch is one write, never half a record
    assert 30 <= len(kept) <= 60 and all(e["path"] == "/system/time" for e in kept)
