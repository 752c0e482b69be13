"""tui/probe/ladder.py end to end against the emulator: the ladder names the failing layer."""

from __future__ import annotations

import socket

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import Credentials
from tui.emulator import Emulator
from tui.probe.ladder import LAYERS, Step, probe, run_probe
from tui.signing_context import SigningContext
from tui.venues import emulator_venue
from tui.transport.wire import Wire


@pytest.mark.parametrize(
    ("state", "failing", "code"),
    [
        ("active", None, None),
        ("frozen", "keyed", 30003),
        ("expired", "keyed", 30011),
        ("ip-restricted", "keyed", 30010),
        ("read-only", "signed", 30019),
    ],
)
async def test_key_states_fail_at_the_right_layer(emu, state, failing, code):
    report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials(state)), clock_samples=2)
    assert [s.name for s in report.steps] == list(LAYERS)
    failed = report.first_failure
    assert (failed.name if failed else None) == failing
    assert report.passed is (failing is None)
    if failing:
        assert failed.code == code and report.to_dict()["verdict"]["code"] == code
        assert report.fixes, "a failing layer comes with a fix"
    else:
        signed = report.steps[-1]
        assert signed.code == 40037 and "signature verified" in signed.detail


async def test_wrong_secret_passes_keyed_and_fails_signed(emu):
    report = await run_probe(SigningContext.for_venue(emu.venue, Credentials.of(EXAMPLE_KEY, "not-the-secret", EXAMPLE_MEMO)), clock_samples=2)
    steps = {s.name: s for s in report.steps}
    assert steps["keyed"].ok is True and steps["signed"].ok is False and steps["signed"].code == 30005
    assert report.first_failure.name == "signed"


async def test_wrong_memo_fails_signed_and_the_fix_names_the_memo(emu):
    report = await run_probe(SigningContext.for_venue(emu.venue, Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "58123456")), clock_samples=2)
    assert report.first_failure.name == "signed" and report.first_failure.code == 30005
    assert any("memo" in fix for fix in report.fixes)


async def test_skewed_clock_is_named_before_the_signature(emu):
    emu.controls.skew_s = 90
    report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials()), clock_samples=2)
    steps = {s.name: s for s in report.steps}
    assert steps["clock"].ok is False and steps["clock"].estimate.offset_ms > 80_000
    assert steps["keyed"].ok is True  # a keyed call carries no timestamp
    assert steps["signed"].code == 30007
    assert report.first_failure.name == "clock"
    out = report.to_dict()
    assert out["first_failure"] == "clock" and out["verdict"]["code"] == 30007
    assert "90.00 s behind the server" in out["verdict"]["sentence"]
    assert any("keyprobe skew" in fix for fix in out["verdict"]["fixes"])


async def test_small_skew_passes(emu):
    emu.controls.skew_s = -20  # inside the 60 s window: a warning, not a failure
    report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials()), clock_samples=2)
    assert report.passed and "recvWindow" in step(report, "clock").detail


async def test_wooxpro_flavour_uses_its_own_headers():
    with Emulator(flavour="wooxpro") as emu:
        report = await run_probe(SigningContext.for_venue(emu.venue, Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, "wrong-memo")), clock_samples=2)
        assert report.first_failure.name == "signed"
        sent = report.steps[-1].exchange.request
        assert sent.header("X-API-SIGN") is not None and sent.header("X-BM-SIGN") is None


async def test_venue_down_fails_public_and_skips_the_rest():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed when the block ends: nothing listens there
    report = await run_probe(SigningContext.for_venue(emulator_venue(f"http://127.0.0.1:{port}"), None))
    assert report.first_failure.name == "public" and "refused" in step(report, "public").detail.lower()
    assert [s.ok for s in report.steps] == [True, False, None, None, None]  # the venue rung passes: a local venue
    assert report.to_dict()["steps"][2]["detail"].startswith("skipped")


def step(report, name: str) -> Step:
    return next(s for s in report.steps if s.name == name)


async def test_no_key_fails_keyed_with_a_sentence(emu):
    report = await run_probe(SigningContext.for_venue(emu.venue, None), clock_samples=2)
    keyed = step(report, "keyed")
    assert keyed.ok is False and "needs credentials" in keyed.detail


async def test_time_endpoint_off_falls_back_for_public_and_clock(emu):
    emu.controls.time_endpoint = False
    report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials()), clock_samples=1)
    public, clock = step(report, "public"), step(report, "clock")
    assert public.ok and "/contract/public/details" in public.detail and "30000" in public.detail
    assert clock.ok and clock.estimate.method == "date-header"


async def test_async_generator_yields_each_rung_in_order(emu):
    seen: list[Step] = []
    async with Wire() as wire:
        async for step in probe(SigningContext.for_venue(emu.venue, emu.demo_credentials()), wire=wire, clock_samples=2):
            seen.append(step)
    assert [s.name for s in seen] == list(LAYERS) and all(s.ok for s in seen) and all(s.ms >= 0 for s in seen)


async def test_on_step_callback_and_json_shape(emu):
    names: list[str] = []
    report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials("frozen")), on_step=lambda s: names.append(s.name), clock_samples=2)
    assert names == list(LAYERS)
    out = report.to_dict()
    assert set(out) >= {"steps", "first_failure"}
    assert all(set(step) == {"name", "ok", "code", "detail", "ms", "dialect"} for step in out["steps"])
    assert out["first_failure"] == "keyed"
