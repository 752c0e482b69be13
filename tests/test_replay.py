"""tui/replay.py end to end against the emulator: fresh signatures, host binding, concurrency, history."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from clocks import SteppingClock
from keys.signing import AuthLevel, Credentials, OffsetClock
from tui.records import history, saved
from tui.exchange import Draft
from tui.replay import ReplayJob, exit_code, needs_confirmation, replay
from tui.signing_context import SigningContext
from tui.venues import get_venue
from tui.venues import signing_hosts as venue_hosts
from tui.transport.wire import Wire

CANCEL = '{"symbol":"BTCUSDT","order_id":"777"}'


@pytest.fixture(autouse=True)
def fresh(emu, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    yield


def demo(emu, clock=None) -> SigningContext:
    return SigningContext.for_venue(emu.venue, emu.demo_credentials(), clock=clock)


def jobs_from(folder: Path) -> list[ReplayJob]:
    requests, problems = saved.load_all([folder])
    assert not problems
    return [ReplayJob.from_saved(r) for r in requests]


async def test_replay_signs_afresh_after_the_saved_timestamp_expired(emu, tmp_path: Path):
    draft = Draft(emu.venue, "POST", "/contract/private/submit-order",
                  body='{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}')
    async with Wire() as wire:
        original = await wire.send(draft, emu.demo_credentials())
    assert json.loads(original.response.body)["code"] == 1000
    saved.save(draft, "order", tmp_path / "c")
    ev = original.request.evidence

    # Two minutes pass: the venue's clock and ours both move on by 120 s.
    emu.controls.skew_s = 120
    later = OffsetClock(120_000, apply=True)

    # The request as first sent (its timestamp and signature) is now stale: 30007.
    stale = httpx.post(
        draft.url,
        content=draft.body_bytes,
        headers={"Content-Type": "application/json", "X-BM-KEY": EXAMPLE_KEY, "X-BM-TIMESTAMP": ev.timestamp, "X-BM-SIGN": ev.signature},
        trust_env=False,
    )
    assert stale.json()["code"] == 30007

    # Replay signs again with the clock as it is now.
    async with Wire() as wire:
        [result] = await replay(jobs_from(tmp_path / "c"), lambda j: demo(emu, later), wire=wire)
    assert result.ok and result.diagnosis.code == 1000
    new_ts = int(result.exchange.request.evidence.timestamp)
    assert new_ts - int(ev.timestamp) >= 120_000
    assert result.exchange.request.evidence.signature != ev.signature


def listening_socket() -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    return s


def assert_no_connection(s: socket.socket) -> None:
    with pytest.raises(BlockingIOError):
        s.accept()


@pytest.mark.parametrize("bound", ["profile hosts", "venue table (env credentials)"])
async def test_a_tampered_host_is_refused_and_nothing_is_sent(tmp_path: Path, bound: str):
    trap = listening_socket()  # the host a tampered file points at
    try:
        folder = tmp_path / "c"
        saved.save(Draft(get_venue("bitmart"), "POST", "/contract/private/cancel-order", body=CANCEL), "cancel", folder)
        path = folder / "cancel.request.json"
        record = json.loads(path.read_text())
        record["base_url"] = f"http://127.0.0.1:{trap.getsockname()[1]}"
        path.write_text(json.dumps(record))

        creds = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
        if bound == "profile hosts":
            signing_for = lambda j: SigningContext(get_venue("bitmart"), creds, venue_hosts(get_venue("bitmart")))  # noqa: E731
        else:
            signing_for = lambda j: SigningContext.for_venue(j.draft.venue, creds)  # noqa: E731
        async with Wire() as wire:
            [result] = await replay(jobs_from(folder), signing_for, wire=wire)
        assert result.refused and result.outcome == "refused"
        assert result.exchange.request is None
        assert "Refusing to sign for 127.0.0.1" in result.message and "Nothing was sent" in result.message
        assert exit_code([result]) == 2
        assert_no_connection(trap)
        assert history.read().entries == []  # nothing was sent, so nothing was recorded
    finally:
        trap.close()


async def test_refused_requests_are_reported_per_request_and_the_rest_go_out(emu, tmp_path: Path):
    folder = tmp_path / "c"
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail"), "a-good", folder)
    saved.save(Draft(get_venue("bitmart").at("http://127.0.0.1:9"), "GET", "/contract/private/assets-detail"), "b-tampered", folder)
    async with Wire() as wire:
        # Each job's key bound to the hosts of the venue its file names: bitmart's refuses 127.0.0.1.
        results = await replay(jobs_from(folder), lambda j: SigningContext.for_venue(j.draft.venue, emu.demo_credentials()), wire=wire)
    assert [(r.job.name, r.outcome) for r in results] == [("a-good", "ok"), ("b-tampered", "refused")]
    assert exit_code(results) == 2


async def test_concurrency_repeat_and_order(emu, tmp_path: Path):
    folder = tmp_path / "c"
    for i in range(12):
        draft = Draft(emu.venue, "POST", "/contract/private/cancel-order", body=f'{{"symbol":"BTCUSDT","order_id":"{i}"}}') if i % 3 == 0 \
            else Draft(emu.venue, "GET", "/contract/private/assets-detail")
        saved.save(draft, f"r{i:02d}", folder)
    seen: list[str] = []
    async with Wire() as wire:
        results = await replay(jobs_from(folder), lambda j: demo(emu), wire=wire, concurrency=5, repeat=2,
                               on_result=lambda r: seen.append(r.job.name))
        assert len(wire._clients) == 1  # one kept-alive client for the base URL, shared by every task
    assert len(results) == 24 and sorted(seen) == sorted(r.job.name for r in results)
    assert [(r.round, r.job.name) for r in results] == [(n, f"r{i:02d}") for n in (1, 2) for i in range(12)]
    codes = {r.job.name: r.diagnosis.code for r in results}
    assert codes["r00"] == 40037 and codes["r01"] == 1000  # cancelling an unknown order is an API error
    assert exit_code(results) == 1
    assert exit_code([r for r in results if r.ok]) == 0


async def test_transport_failure_gives_exit_3(tmp_path: Path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from tui.venues import emulator_venue

    folder = tmp_path / "c"
    saved.save(Draft(emulator_venue(f"http://127.0.0.1:{port}"), "GET", "/system/time"), "down", folder)
    async with Wire() as wire:
        [result] = await replay(jobs_from(folder), lambda j: SigningContext.for_venue(j.draft.venue), wire=wire)
    assert result.outcome == "transport-failure" and "refused" in result.message.lower()
    assert exit_code([result]) == 3
    assert history.read().pick(1)["failure"] == "refused"


async def test_a_transport_failure_outranks_a_refusal_in_the_exit_code(tmp_path: Path):
    """One request the key refuses to sign (2) and one that finds no server (3): the run exits 3."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from tui.venues import emulator_venue

    folder = tmp_path / "c"
    saved.save(Draft(emulator_venue(f"http://127.0.0.1:{port}"), "GET", "/system/time"), "a-down", folder)
    saved.save(Draft(get_venue("bitmart").at(f"http://127.0.0.1:{port}"), "GET", "/contract/private/assets-detail"), "b-refused", folder)
    creds = Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)
    async with Wire() as wire:
        results = await replay(jobs_from(folder), lambda j: SigningContext.for_venue(j.draft.venue, creds), wire=wire)
    assert [(r.job.name, r.outcome) for r in results] == [("a-down", "transport-failure"), ("b-refused", "refused")]
    assert exit_code(results) == 3 and exit_code(results[::-1]) == 3
    assert exit_code(results[1:]) == 2


async def test_history_and_saved_files_hold_no_secret_memo_signature_or_timestamp(emu, tmp_path: Path):
    folder = tmp_path / "c"
    saved.save(Draft(emu.venue, "POST", "/contract/private/cancel-order", body=CANCEL, profile="demo"), "cancel", folder, notes="n")
    saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail", (("currency", "USDT"),)), "assets", folder)
    async with Wire() as wire:
        results = await replay(jobs_from(folder), lambda j: demo(emu), wire=wire, repeat=3)
    log = history.read()
    assert len(log.entries) == 6 and {e["source"] for e in log.entries} == {"replay"}
    assert {e["name"] for e in log.entries} == {"cancel", "assets"}

    forbidden = {EXAMPLE_SECRET, EXAMPLE_MEMO, EXAMPLE_KEY}
    for r in results:
        ev = r.exchange.request.evidence
        if ev.signature:
            forbidden |= {ev.signature, ev.timestamp}
    assert len(forbidden) > 3  # the signed requests contributed their signatures and timestamps
    files = [*folder.iterdir(), log.path]
    for f in files:
        text = f.read_text(encoding="utf-8")
        for value in forbidden:
            assert value not in text, f"{value[:6]}… found in {f.name}"


def test_needs_confirmation_only_for_signed_writes_to_real_hosts():
    bm = get_venue("bitmart")
    assert needs_confirmation(Draft(bm, "POST", "/contract/private/cancel-order", body=CANCEL))
    assert not needs_confirmation(Draft(bm, "GET", "/contract/private/assets-detail"))
    assert not needs_confirmation(Draft(bm, "POST", "/contract/private/cancel-order", body=CANCEL, auth=AuthLevel.KEYED))
    assert not needs_confirmation(Draft(bm.at("http://127.0.0.1:8640"), "POST", "/contract/private/cancel-order", body=CANCEL))
    assert not needs_confirmation(Draft(bm.at("http://localhost:8640"), "POST", "/contract/private/cancel-order", body=CANCEL))
    # A signed DELETE or PUT to a real venue moves things too (a DELETE signs its query string)
    assert needs_confirmation(Draft(bm, "DELETE", "/contract/private/cancel-order", (("order_id", "1"),), auth=AuthLevel.SIGNED))
    assert needs_confirmation(Draft(bm, "delete", "/contract/private/cancel-order", (("order_id", "1"),), auth=AuthLevel.SIGNED))
    assert needs_confirmation(Draft(bm, "PUT", "/contract/private/modify-order", body=CANCEL, auth=AuthLevel.SIGNED))
    assert not needs_confirmation(Draft(bm, "DELETE", "/contract/private/cancel-order", (("order_id", "1"),), auth=AuthLevel.KEYED))


async def test_bad_concurrency_or_repeat_is_refused(emu):
    async with Wire() as wire:
        for kw in ({"concurrency": 0}, {"repeat": 0}):
            with pytest.raises(ValueError):
                await replay([], lambda j: demo(emu), wire=wire, **kw)


async def test_every_send_reaches_the_history_across_batches(emu, tmp_path: Path):
    emu.controls.rate_scale = 100  # 123 sends at once: beyond the documented 10 per second
    saved.save(Draft(emu.venue, "GET", "/system/time"), "t", tmp_path / "c")
    async with Wire() as wire:
        results = await replay(jobs_from(tmp_path / "c"), lambda j: demo(emu), wire=wire, repeat=123, concurrency=8)
    assert all(r.ok for r in results)
    assert len(history.read().entries) == 123  # written in batches of 50, plus the remainder at the end



@pytest.mark.parametrize("concurrency", [1, 4])
async def test_each_replayed_request_gets_its_own_timestamp_and_signature(emu, tmp_path: Path, concurrency: int):
    # The same signed request six times, twice over: the timestamp is all that tells them apart.
    folder = tmp_path / "same"
    for i in range(6):
        saved.save(Draft(emu.venue, "GET", "/contract/private/assets-detail", auth=AuthLevel.SIGNED), f"r{i}", folder)
    clock = SteppingClock()
    async with Wire() as wire:
        results = await replay(jobs_from(folder), lambda j: demo(emu, clock), wire=wire, concurrency=concurrency, repeat=2)
    evidence = [r.exchange.request.evidence for r in results]
    assert [r.diagnosis.code for r in results] == [1000] * 12  # the emulator verified every signature
    stamps = [int(ev.timestamp) for ev in evidence]
    assert sorted(stamps) == clock.reads  # each request read the clock once, when it was signed
    assert len(set(stamps)) == 12 and len({ev.signature for ev in evidence}) == 12
    if concurrency == 1:
        assert stamps == sorted(stamps)  # distinct and in order: strictly increasing
