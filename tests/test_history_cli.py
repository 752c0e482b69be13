"""`keyprobe history`: listing (newest first), --json, --limit, --save N NAME, corrupt lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tui.records import history, saved
from tui.cli import main
from tui.exchange import Draft, Exchange, ResponseData, Timings
from tui.venues import get_venue


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    return tmp_path


def add(path: str, status: int = 200, body: str = "") -> None:
    draft = Draft(get_venue("bitmart"), "POST" if body else "GET", path, (("symbol", "BTCUSDT"),), body=body)
    ex = Exchange(draft, None, ResponseData(status, "OK", (), b"{}"), timings=Timings(total_ms=5.0), started_at=1_700_000_000)
    history.append(history.entry_for(ex, None, source="send"))


def test_json_lists_newest_first_numbered_from_one(home: Path, capsys):
    for p in ("/a", "/b", "/c"):
        add(p)
    assert main(["history", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total"] == 3 and [(e["number"], e["path"]) for e in out["entries"]] == [(1, "/c"), (2, "/b"), (3, "/a")]


def test_limit(home: Path, capsys):
    for p in ("/a", "/b", "/c"):
        add(p)
    assert main(["history", "--json", "--limit", "2"]) == 0
    assert [e["path"] for e in json.loads(capsys.readouterr().out)["entries"]] == ["/c", "/b"]


def test_table_output_names_the_request(home: Path, capsys):
    add("/contract/private/assets-detail")
    assert main(["history"]) == 0
    out = capsys.readouterr().out
    assert "GET /contract/private/assets-detail?symbol=BTCUSDT" in out and "2023-11-14 22:13:20" in out


def test_empty_history(home: Path, capsys):
    assert main(["history"]) == 0
    assert "No sends recorded yet" in capsys.readouterr().out


def test_save_an_entry_as_a_request(home: Path, capsys, tmp_path: Path):
    add("/contract/private/cancel-order", body='{"order_id":"7"}')
    add("/system/time")
    assert main(["history", "--save", "2", "cancel7"]) == 0
    assert "Saved history entry 2 (POST /contract/private/cancel-order)" in capsys.readouterr().out
    loaded = saved.load(home / "requests" / "cancel7.request.json")
    assert loaded.draft.body == '{"order_id":"7"}' and loaded.draft.query == (("symbol", "BTCUSDT"),)

    other = tmp_path / "collection"
    assert main(["history", "--save", "1", "time", "--dir", str(other)]) == 0
    assert saved.load(other / "time.request.json").draft.path == "/system/time"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["history", "--save", "9", "x"], "no history entry 9"),
        (["history", "--save", "1", "../x"], "not a usable request name"),
    ],
)
def test_save_errors_are_sentences_with_exit_2(home: Path, capsys, argv, message):
    add("/a")
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_usage_errors_exit_2(home: Path):
    for argv in (["history", "--save", "one", "x"], ["history", "--limit", "-1"], ["history", "--dir", "x"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2


def test_corrupt_lines_are_reported_and_skipped(home: Path, capsys):
    add("/a")
    with (home / "history.jsonl").open("a") as fh:
        fh.write("garbage\n")
    add("/b")
    assert main(["history", "--json"]) == 0
    captured = capsys.readouterr()
    assert "Skipped 1 unreadable line" in captured.err
    out = json.loads(captured.out)
    assert [e["path"] for e in out["entries"]] == ["/b", "/a"] and out["skipped_lines"] == [2]


def test_hostile_lines_in_the_history_file_are_skipped_or_shown_never_a_traceback(home: Path, capsys):
    """Fresh-eyes attack on 26ca1db: a line holding a 5,000-digit integer or JSON nested 100,000 deep ended
    `keyprobe history` in a traceback (ValueError, RecursionError: the reader caught only JSONDecodeError), and a
    query or timings of another type in an entry did too (the table's row)."""
    add("/ok")
    good = json.loads((home / "history.jsonl").read_text().splitlines()[0])
    lines = ["[" * 100_000 + "]" * 100_000, '{"method":"GET","path":"/big","code":' + "9" * 5000 + "}",
             json.dumps({**good, "path": "/odd", "query": "not-a-list", "timings_ms": [1]}),
             json.dumps({**good, "path": "/pairs", "query": [["a"], ["b", "c", "d"], [1, 2], ["k", "v"]]})]
    with (home / "history.jsonl").open("a") as fh:
        fh.write("\n".join(lines) + "\n")
    assert main(["history"]) == 0
    out, err = capsys.readouterr()
    assert "Skipped 2 unreadable lines" in err and "Traceback" not in err
    assert "GET /odd  " in out and "GET /pairs?k=v  " in out and "GET /ok?symbol=BTCUSDT  " in out
    assert main(["history", "--json"]) == 0
    assert [e["path"] for e in json.loads(capsys.readouterr().out)["entries"]] == ["/pairs", "/odd", "/ok"]
