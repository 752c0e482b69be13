"""History and replay that tell the truth: the profile that signed is recorded and shown, a replay
from the sidebar signs with the active profile and says so, the history list filters and deletes
single entries; and the records' service (tui.console.records) caches parsed saved files."""

from __future__ import annotations

import json
import random

import pytest
from console_support import press, quiet_console, send, settle, type_and_press
from seeds import drawn_seed
from textual.widgets import Input, OptionList

from keys.signing import AuthLevel
from tui import paths
from tui.records import history, saved
from tui.console.app import KeyprobeApp
from tui.console.records import Records
from tui.exchange import Draft
from tui.venues import get_venue

SIZE = (140, 45)


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def _sidebar(app, pilot):
    await press(pilot, "ctrl+b")
    return app.main_screen.query_one("#sidebar")


async def test_the_history_records_and_shows_the_profile_that_signed_and_a_replay_says_who_signs():
    venue = get_venue("emulator")
    # Saved with a profile this console does not have: replaying it signs with the active key.
    saved.save(Draft(venue, "GET", "/contract/private/assets-detail", (), "", AuthLevel.KEYED, "someone-else"), "assets")
    app = KeyprobeApp()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert (await send(app, pilot)).code == 1000
        entry = history.read().entries[-1]
        # The demo key signed: named as such, but no profile a replay of the entry would try to unlock
        assert entry["profile"] is None and entry["signer"] == "demo #d84ea451"
        from tui.cli import main

        import asyncio

        # keyprobe replay of that entry, in another thread while the console's emulator runs (Textual holds stdout)
        assert await asyncio.to_thread(main, ["replay", "--history", "1"]) == 0  # was: cannot use profile 'demo'
        again = history.read().entries[-1]
        assert again["source"] == "replay" and again["code"] == 1000 and again["signer"] == "demo #d84ea451"

        sidebar = await _sidebar(app, pilot)
        tree = sidebar.query_one("#saved-tree")
        tree.focus()
        tree.move_cursor(next(n for n in tree.root.children if n.data is not None))
        await press(pilot, "r")
        assert app.main_screen.diagnosis.code == 1000
        entry = history.read().entries[-1]
        assert entry["source"] == "replay" and entry["name"] == "assets"
        assert entry["profile"] is None and entry["signer"] == "demo #d84ea451"  # who signed, not what the file said
        assert app.session.target.profile == "demo"  # the active profile was not switched
        notes = [n.message for n in app._notifications]
        assert any("Signed with the active profile demo; it was saved with someone-else" in n for n in notes), notes
        replayed = next(n for n in notes if n.startswith("Replayed assets: "))
        assert replayed.startswith("Replayed assets: ok, 1000 OK: success, HTTP 200 as documented. Signed") and ".)." not in replayed

        labels = [str(o.prompt) for o in sidebar.query_one("#history-list", OptionList).options]
        assert labels and all("· demo" in label for label in labels)


async def test_the_history_list_filters_by_any_word_and_deletes_one_entry():
    venue = get_venue("emulator")
    base = {**saved.draft_record(Draft(venue, "GET", "/x")), "schema": 1, "source": "send", "status": 200}
    rows = [
        {**base, "time": "2026-03-01T10:00:00Z", "path": "/contract/private/assets-detail", "code": 1000, "profile": "alpha"},
        {**base, "time": "2026-03-02T10:00:00Z", "path": "/contract/private/submit-order", "code": 30005, "profile": "beta"},
        {**base, "time": "2026-03-03T10:00:00Z", "path": "/contract/private/order", "code": 30007, "profile": "alpha"},
    ]
    paths.history_path().parent.mkdir(parents=True, exist_ok=True)
    paths.history_path().write_text("".join(json.dumps(r) + "\n" for r in rows))
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sidebar = await _sidebar(app, pilot)
        options = sidebar.query_one("#history-list", OptionList)
        assert options.option_count == 3
        sidebar.query_one("#history-filter", Input).focus()
        await settle(app, pilot)
        await press(pilot, *"order")  # typed keys reach the filter, not the sidebar's o / r bindings
        assert [e["path"] for e in sidebar.history_entries] == ["/contract/private/order", "/contract/private/submit-order"]
        for words, expected in (("30005", ["/contract/private/submit-order"]), ("alpha", ["/contract/private/order", "/contract/private/assets-detail"]),
                                ("alpha 03-01", ["/contract/private/assets-detail"]), ("nothing-like-this", [])):
            sidebar.query_one("#history-filter", Input).value = ""
            await type_and_press(app, pilot, words)
            assert [e["path"] for e in sidebar.history_entries] == expected, words
            assert options.option_count == len(expected)
        sidebar.query_one("#history-filter", Input).value = ""
        await settle(app, pilot)
        options.focus()
        options.highlighted = 1  # the 30005 entry (newest first)
        await press(pilot, "delete")
        await press(pilot, "enter")  # confirm
        await settle(app, pilot)
        assert [e["code"] for e in history.read().entries] == [1000, 30007]
        assert [e["code"] for e in sidebar.history_entries] == [30007, 1000]


async def test_a_history_entry_is_never_wrapped_however_long_its_path():
    venue = get_venue("emulator")
    long_path = "/contract/private/" + "very-long-segment/" * 12 + "end"
    row = {**saved.draft_record(Draft(venue, "GET", long_path)), "schema": 1, "source": "send", "status": 200,
           "code": 1000, "time": "2026-03-01T10:00:00Z", "profile": "demo"}
    paths.history_path().parent.mkdir(parents=True, exist_ok=True)
    paths.history_path().write_text(json.dumps(row) + "\n")
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        sidebar = await _sidebar(app, pilot)
        options = sidebar.query_one("#history-list", OptionList)
        # Two lines (when and how, then the path), each cut at its end rather than wrapped.
        assert options.option_count == 1 and options.virtual_size.height == 2


def test_saved_files_are_parsed_once_and_again_only_when_they_change(tmp_path):
    venue = get_venue("emulator")
    for i in range(5):
        saved.save(Draft(venue, "GET", f"/p/{i}"), f"r{i}")
    records = Records()
    try:
        first = records.load().collections[0][1]
        again = records.load().collections[0][1]
        assert [a is b for a, b in zip(first, again)] == [True] * 5  # nothing re-parsed
        saved.save(Draft(venue, "POST", "/p/2", body="{}"), "r2", overwrite=True)
        third = records.load().collections[0][1]
        assert [a is b for a, b in zip(first, third)] == [True, True, False, True, True]
        assert third[2].draft.method == "POST"
    finally:
        records.close()


@pytest.mark.parametrize("run", range(3))
def test_read_newest_parses_only_the_end_and_agrees_with_reading_everything(tmp_path, run):
    # The seed is drawn in the test, not at collection: xdist's workers must collect the same test ids.
    seed = drawn_seed("KEYPROBE_HISTORY_SEED")
    rnd = random.Random(seed)
    for trial in range(60):
        lines = []
        for i in range(rnd.randint(0, 40)):
            kind = rnd.random()
            lines.append("garbage{" if kind < 0.1 else "" if kind < 0.15 else json.dumps({"method": "GET", "path": f"/p/{i}", "pad": "x" * rnd.randint(0, 50)}))
        text = "\n".join(lines) + ("\n" if rnd.random() < 0.7 else "")
        path = tmp_path / f"h{trial}.jsonl"
        path.write_text(text)
        everything = history.read(path)
        old, history.READ_BLOCK = history.READ_BLOCK, rnd.randint(1, 100)
        try:
            for limit in (1, 3, 10, 100):
                newest = history.read_newest(limit, path)
                assert newest.entries == everything.entries[-limit:], (trial, limit)
                assert set(newest.skipped) <= set(everything.skipped)
                assert newest.total == len(text.splitlines())
        finally:
            history.READ_BLOCK = old
