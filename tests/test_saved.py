"""tui/records/saved.py: saved request files (round trip, validation, safe names, atomic writes)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from keys.signing import AuthLevel
from tui.records import saved
from tui.exchange import Draft
from tui.records.saved import SavedRequestError
from tui.venues import emulator_venue, get_venue


def order_draft(**kw) -> Draft:
    base = dict(
        venue=get_venue("bitmart"),
        method="POST",
        path="/contract/private/cancel-order",
        body='{"symbol":"BTCUSDT", "order_id":"23"}',  # odd spacing on purpose: kept byte for byte
        profile="main",
    )
    return Draft(**(base | kw))


def test_round_trip_keeps_every_field(tmp_path: Path):
    draft = order_draft(query=(("b", "2"), ("a", "1"), ("b", "0")), auth=AuthLevel.SIGNED)
    path = saved.save(draft, "cancel-23", tmp_path, notes="cancels nothing")
    assert path == tmp_path / "cancel-23.request.json"
    loaded = saved.load(path)
    assert loaded.name == "cancel-23" and loaded.notes == "cancels nothing" and loaded.profile == "main"
    assert loaded.draft == draft
    assert loaded.draft.query_string == "b=2&a=1&b=0"  # order kept


def test_file_holds_only_the_documented_fields(tmp_path: Path):
    path = saved.save(order_draft(), "x", tmp_path)
    record = json.loads(path.read_text())
    assert set(record) == {"schema", "name", "venue", "family", "base_url", "profile", "method", "path", "query", "body", "auth", "notes"}
    assert record["schema"] == 1 and record["auth"] == "signed"  # the effective level is written, not None


def test_auth_defaults_to_the_endpoint_table_level(tmp_path: Path):
    draft = Draft(get_venue("bitmart"), "GET", "/contract/private/assets-detail")
    loaded = saved.load(saved.save(draft, "assets", tmp_path))
    assert loaded.draft.auth_level is AuthLevel.KEYED


def test_emulator_flavour_and_port_survive(tmp_path: Path):
    venue = emulator_venue("http://127.0.0.1:50123", "wooxpro")
    draft = Draft(venue, "GET", "/system/time")
    loaded = saved.load(saved.save(draft, "t", tmp_path)).draft
    assert loaded.venue.family == "wooxpro" and loaded.venue.base_url == "http://127.0.0.1:50123"
    assert loaded.venue.is_emulator and loaded.venue.header_set.prefix == "X-API-"


def test_non_ascii_body_is_kept_exactly(tmp_path: Path):
    draft = order_draft(body='{"note":"café ☕"}')
    assert saved.load(saved.save(draft, "u", tmp_path)).draft.body_bytes == draft.body_bytes


def test_default_folder_is_under_keyprobe_home(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    path = saved.save(order_draft(), "home")
    assert path.parent == tmp_path / "requests"


def test_existing_name_is_not_overwritten_unless_asked(tmp_path: Path):
    saved.save(order_draft(body="{}"), "same", tmp_path)
    with pytest.raises(SavedRequestError, match="already exists"):
        saved.save(order_draft(body='{"a":1}'), "same", tmp_path)
    assert saved.load(tmp_path / "same.request.json").draft.body == "{}"
    saved.save(order_draft(body='{"a":1}'), "same", tmp_path, overwrite=True)
    assert saved.load(tmp_path / "same.request.json").draft.body == '{"a":1}'


def test_write_leaves_no_temporary_files_and_is_private(tmp_path: Path):
    path = saved.save(order_draft(), "clean", tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["clean.request.json"]
    assert os.stat(path).st_mode & 0o077 == 0


@pytest.mark.parametrize("name", ["../evil", "a/b", "..", ".hidden", "", "a b", "x" * 81, "a\\b", "/abs", "a..b"])
def test_unsafe_names_are_refused(tmp_path: Path, name: str):
    with pytest.raises(SavedRequestError, match="not a usable request name"):
        saved.save(order_draft(), name, tmp_path)
    assert list(tmp_path.iterdir()) == []


def write(tmp_path: Path, content: str, name: str = "bad.request.json") -> Path:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    return p


def good_record(**kw) -> dict:
    return {"schema": 1, "name": "n", **saved.draft_record(order_draft()), "notes": ""} | kw


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps(good_record(schema=2)), "newer keyprobe (schema 2)"),
        (json.dumps(good_record(schema="one")), "unknown schema version 'one'"),
        (json.dumps({k: v for k, v in good_record().items() if k != "schema"}), "unknown schema version None"),
        (json.dumps(good_record(venue="binance")), "unknown venue 'binance'"),
        (json.dumps(good_record(method="PATCH")), "method 'PATCH'"),
        (json.dumps(good_record(path="contract/x")), "should start with '/'"),
        (json.dumps(good_record(query=[["a"]])), "query item 1"),
        (json.dumps(good_record(query="a=1")), "'query' should be list"),
        (json.dumps(good_record(body={"a": 1})), "'body' should be str"),
        (json.dumps(good_record(auth="admin")), "auth level must be"),
        (json.dumps(good_record(base_url="ftp://x")), "not an http(s) URL"),
        (json.dumps(good_record(family="wooxpro")), "is a bitmart venue"),
        (json.dumps({k: v for k, v in good_record().items() if k != "method"}), "'method' is missing"),
    ],
)
def test_malformed_files_name_the_file_and_the_problem(tmp_path: Path, content: str, problem: str):
    path = write(tmp_path, content)
    with pytest.raises(SavedRequestError) as info:
        saved.load(path)
    assert str(path) in str(info.value) and problem in str(info.value)


def test_unreadable_files_are_sentences(tmp_path: Path):
    with pytest.raises(SavedRequestError, match="no such file"):
        saved.load(tmp_path / "missing.request.json")
    p = tmp_path / "bin.request.json"
    p.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(SavedRequestError, match="not UTF-8 text"):
        saved.load(p)


def test_a_tampered_base_url_is_just_data(tmp_path: Path):
    """The file loads; refusing it is the signer's job at send time (tests/test_replay.py)."""
    path = write(tmp_path, json.dumps(good_record(base_url="https://evil.example")))
    draft = saved.load(path).draft
    assert draft.venue.id == "bitmart" and draft.url.startswith("https://evil.example/")
    assert "evil.example" not in draft.venue.hosts


def test_load_all_expands_folders_and_reports_bad_files(tmp_path: Path):
    saved.save(order_draft(), "b", tmp_path)
    saved.save(order_draft(), "a", tmp_path)
    write(tmp_path, "{", "c.request.json")
    (tmp_path / "notes.txt").write_text("ignored")
    empty = tmp_path / "empty"
    empty.mkdir()
    requests, problems = saved.load_all([tmp_path, empty])
    assert [r.name for r in requests] == ["a", "b"]
    assert len(problems) == 2
    assert "c.request.json" in problems[0] and "not valid JSON" in problems[0]
    assert "empty" in problems[1] and "no *.request.json" in problems[1]


def test_listing_returns_requests_and_errors(tmp_path: Path):
    saved.save(order_draft(), "ok", tmp_path)
    write(tmp_path, "[]", "zz.request.json")
    items = saved.listing(tmp_path)
    assert isinstance(items[0], saved.SavedRequest) and isinstance(items[1], SavedRequestError)
    assert saved.listing(tmp_path / "nowhere") == []
