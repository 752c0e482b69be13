"""WOO X Pro's header dialect (field-notes 6): the probe retries its keyed rung once with X-BM-* when X-API-*
gets 30001/30002 and reports the dialect the venue accepts; a profile stores the dialect and sends use it.
All against the real loopback emulator in its wooxpro flavour, switched to read X-BM-* only."""

from __future__ import annotations

import json

import pytest

from keys.demo import EXAMPLE_KEY
from keys.profile import Profile, ProfileError
from keys.signing import Credentials
from keys import vault
from tui.cli import main
from tui.emulator import Emulator
from tui.exchange import Draft
from tui.probe.ladder import run_probe
from tui.signing_context import SigningContext
from tui.transport.wire import Wire


@pytest.fixture
def woox_bm():
    """A WOO X Pro emulator that reads only X-BM-* auth headers."""
    with Emulator(flavour="wooxpro") as emu:
        emu.controls.header_prefix = "X-BM-"
        yield emu


async def test_probe_finds_the_x_bm_dialect_and_passes_on_the_retry(woox_bm):
    signing = SigningContext.for_venue(woox_bm.venue, woox_bm.demo_credentials())
    assert signing.header_set(Draft(woox_bm.venue, "GET", "/x")).prefix == "X-API-"  # WOO X Pro's own dialect first
    report = await run_probe(signing, clock_samples=2)
    steps = {s.name: s for s in report.steps}
    assert report.passed, report.verdict
    keyed = steps["keyed"]
    assert keyed.ok is True and keyed.dialect == "X-BM-" and keyed.refused_code in (30001, 30002)
    assert "retried once with X-BM-* headers" in keyed.detail
    assert keyed.exchange.request.header("X-BM-KEY") is not None and keyed.exchange.request.header("X-API-KEY") is None
    signed = steps["signed"]
    assert signed.ok is True and signed.exchange.request.header("X-BM-SIGN") is not None  # the signed rung used it too
    assert report.dialect == "X-BM-" and report.to_dict()["dialect"] == "X-BM-"
    assert "accepted X-BM-*" in report.verdict and "--dialect X-BM-" in report.verdict


async def test_no_retry_where_the_venue_reads_its_own_dialect():
    with Emulator(flavour="wooxpro") as emu:  # X-API-* as documented
        report = await run_probe(SigningContext.for_venue(emu.venue, emu.demo_credentials()), clock_samples=2)
    keyed = next(s for s in report.steps if s.name == "keyed")
    assert report.passed and keyed.dialect == "X-API-" and keyed.refused_code is None and "retried" not in keyed.detail
    assert "--dialect" not in report.verdict


async def test_a_wrong_key_is_not_mistaken_for_a_dialect(woox_bm):
    """Both dialects refused: the keyed rung fails with the first answer (the venue's own dialect) and shows both."""
    creds = woox_bm.demo_credentials()
    wrong = Credentials.of("f" * 40, "0" * 64, "x")
    report = await run_probe(SigningContext.for_venue(woox_bm.venue, wrong), clock_samples=2)
    keyed = next(s for s in report.steps if s.name == "keyed")
    assert keyed.ok is False and keyed.code in (30001, 30002) and "retried once with X-BM-* headers" in keyed.detail
    assert keyed.detail.count("-> HTTP 401") == 2 and keyed.refused_code is None  # both answers are shown
    assert report.dialect is None and creds.api_key  # the demo key exists; this one does not


async def test_a_profile_stores_the_dialect_and_sends_use_it(woox_bm, tmp_path):
    creds = woox_bm.demo_credentials()
    profile = Profile.new("woox", "wooxpro", creds.api_key, creds.secret, creds.memo, extra_hosts=("127.0.0.1",),
                          base_url=woox_bm.base_url, dialect="X-BM-")
    v = vault.create(tmp_path / "keys.json", "pw", vault.TEST_ONLY)
    v.add(profile)
    v.save()
    stored = vault.unlock(tmp_path / "keys.json", "pw").get("woox")
    assert stored.dialect == "X-BM-" and stored.listing()["dialect"] == "X-BM-"
    async with Wire() as wire:
        ex = await wire.send(Draft(woox_bm.venue, "GET", "/contract/private/assets-detail"), SigningContext.for_profile(stored))
        auto = Profile.new("auto", "wooxpro", creds.api_key, creds.secret, creds.memo, extra_hosts=("127.0.0.1",),
                           base_url=woox_bm.base_url)
        refused = await wire.send(Draft(woox_bm.venue, "GET", "/contract/private/assets-detail"), SigningContext.for_profile(auto))
    assert ex.request.header("X-BM-KEY") is not None and json.loads(ex.response.body)["code"] == 1000
    assert refused.request.header("X-API-KEY") is not None and json.loads(refused.response.body)["code"] in (30001, 30002)


def test_an_unknown_dialect_is_a_sentence():
    with pytest.raises(ProfileError, match="Unknown header dialect 'X-FOO-'"):
        Profile.new("p", "wooxpro", EXAMPLE_KEY, "0" * 64, "m", dialect="X-FOO-")


def test_probe_json_reports_the_dialect(woox_bm, capsys, monkeypatch):
    code = main(["probe", "--json", "--samples", "2", "--venue", "emulator", "--emulator-flavour", "wooxpro",
                 "--base-url", woox_bm.base_url])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["dialect"] == "X-BM-" and out["verdict"]["ok"] is True
    assert next(s for s in out["steps"] if s["name"] == "keyed")["dialect"] == "X-BM-"


async def test_a_wrong_memo_leads_with_the_stored_secret_or_memo_and_the_keyed_rung_as_evidence(emu):
    """30005 on the probe's signed rung: keyprobe signed it, and its KEYED rung passed with the same key."""
    creds = emu.demo_credentials()
    report = await run_probe(SigningContext.for_venue(emu.venue, Credentials.of(creds.api_key, creds.secret, "wrong-memo")),
                             clock_samples=2)
    signed = next(s for s in report.steps if s.name == "signed")
    first = signed.diagnosis.fixes[0]
    assert signed.code == 30005 and first.text.startswith("The secret or the memo keyprobe signed with is not the key's")
    assert "KEYED call passed with this key" in first.evidence
    assert report.fixes[0] == first.text
