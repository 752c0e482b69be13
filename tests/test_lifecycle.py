"""keys/lifecycle.py: the venues' states as data, judged at a given time for a given kind of endpoint, and the
endpoint table's kinds and WOO X Pro pages (tui/endpoints.py) that the lifecycle and the emulator read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from keys import lifecycle
from tui import endpoints

UTC = timezone.utc
BEFORE, BETWEEN, NO_TRADING, CEASED = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC),
                                       datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 2, 15, tzinfo=UTC))
TRADING_STOPPED = "BitMart discontinued trading on 2026-08-26 (notice of 2026-07-26)"
SUSPENDED = "BitMart suspended new registrations, all deposits and new spot orders on 2026-07-26 (notice of 2026-07-26)"
GONE = "BitMart ceased operations on 2027-01-31 (notice of 2026-07-26)"
DEADLINE = "Withdraw before 2027-01-31 15:59 UTC"


@pytest.mark.parametrize(("when", "kind", "leads", "says"), [
    (BEFORE, "order", False, ""), (BEFORE, "deposit", False, ""), (BEFORE, "withdrawal", False, ""),
    (BEFORE, "balance", False, ""),
    (BETWEEN, "order", False, "discontinues all trading on 2026-08-26 at 01:00 UTC"), (BETWEEN, "deposit", True, SUSPENDED),
    (BETWEEN, "spot-order", True, SUSPENDED), (BETWEEN, "withdrawal", False, DEADLINE), (BETWEEN, "balance", False, DEADLINE),
    (NO_TRADING, "order", True, TRADING_STOPPED), (NO_TRADING, "position", True, TRADING_STOPPED),
    (NO_TRADING, "leverage", True, TRADING_STOPPED), (NO_TRADING, "margin", True, TRADING_STOPPED),
    (NO_TRADING, "spot-order", True, TRADING_STOPPED), (NO_TRADING, "deposit", True, SUSPENDED),
    (NO_TRADING, "withdrawal", False, DEADLINE), (NO_TRADING, "transfer", False, DEADLINE), (NO_TRADING, "balance", False, DEADLINE),
    (NO_TRADING, "market", False, TRADING_STOPPED),
    (CEASED, "order", True, GONE), (CEASED, "balance", True, GONE), (CEASED, "withdrawal", True, GONE), (CEASED, None, True, GONE),
    (CEASED, "market", True, GONE),
])
def test_bitmart_at_each_state_for_each_kind(when, kind, leads, says):
    state = lifecycle.state_of("bitmart", kind, when)
    assert state.leads is leads
    assert (says in state.sentence) if says else state.quiet
    if leads:
        assert state.sentence == says  # the exact sentence a diagnosis leads with


def test_the_boundaries_are_the_notices_minutes():
    edge = datetime(2026, 8, 26, 1, 0, tzinfo=UTC)
    assert lifecycle.state_of("bitmart", "order", edge - timedelta(seconds=1)).phase.state == "winding-down"
    assert lifecycle.state_of("bitmart", "order", edge).phase.state == "trading-discontinued"
    end = datetime(2027, 1, 31, 15, 59, tzinfo=UTC)
    assert not lifecycle.state_of("bitmart", "balance", end - timedelta(seconds=1)).leads
    assert lifecycle.state_of("bitmart", "balance", end).sentence == GONE
    assert lifecycle.state_of("bitmart", "deposit", datetime(2026, 7, 26, 1, 29, tzinfo=UTC)).quiet


@pytest.mark.parametrize("when", [BEFORE, BETWEEN, NO_TRADING, CEASED])
@pytest.mark.parametrize("kind", [None, "order", "deposit", "withdrawal", "balance"])
def test_woo_x_pro_and_the_emulator_have_nothing_to_tell(when, kind):
    assert lifecycle.state_of("wooxpro", kind, when).quiet
    assert lifecycle.state_of(None, kind, when) is None  # the emulator, an unknown host: no lifecycle at all


def test_the_state_as_json_names_its_facts():
    out = lifecycle.state_of("bitmart", "order", NO_TRADING, "date-header").to_dict()
    assert out["state"] == "trading-discontinued" and out["since"] == "2026-08-26T01:00:00Z"
    assert out["at"] == "2026-09-01T00:00:00Z" and out["judged_by"] == "date-header" and out["leads"] is True
    assert out["withdraw_before"] == "2027-01-31T15:59:00Z" and "53544595916059" in out["source"]
    assert lifecycle.state_of("bitmart", "order", CEASED).to_dict()["withdraw_before"] is None


def test_an_exchange_is_judged_by_its_date_header_else_the_local_clock():
    with lifecycle.clock_at(BEFORE):
        assert lifecycle.time_of("Tue, 01 Sep 2026 10:00:00 GMT") == (datetime(2026, 9, 1, 10, tzinfo=UTC), "date-header")
        for unreadable in (None, "", "yesterday", "Tue, 99 Sep 2026 10:00:00 GMT"):
            assert lifecycle.time_of(unreadable) == (BEFORE, "local-clock")
        assert lifecycle.now() == BEFORE
    assert lifecycle.now() != BEFORE  # the block put the system clock back


def test_hosts_name_their_lifecycle():
    assert lifecycle.venue_of_host("api-cloud-v2.bitmart.com") == "bitmart"
    assert lifecycle.venue_of_host("API-CLOUD.BITMART.NEWS") == "bitmart"
    assert lifecycle.venue_of_host("cloud-api.wooxpro.com") == "wooxpro"
    assert lifecycle.venue_of_host("127.0.0.1") is None and lifecycle.venue_of_host(None) is None


# -- the endpoint table: kinds and who documents what ----------------------------------------------------------

def test_the_path_reading_agrees_with_every_kind_in_the_table():
    """kind_of reads a path the table lacks the way the table is laid out: held to every row of the table."""
    assert [(e.label, e.kind) for e in endpoints.ENDPOINTS if endpoints.path_kind(e.method, e.path) != e.kind] == []
    assert {e.kind for e in endpoints.ENDPOINTS} <= set(endpoints.KINDS)


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("POST", "/contract/private/submit-plan-order", "order"), ("POST", "/contract/private/submit-tp-sl-order", "order"),
    ("GET", "/contract/private/position-risk", "position"), ("POST", "/spot/v1/margin/isolated/borrow", "margin"),
    ("POST", "/spot/v4/batch_orders", "spot-order"), ("GET", "/account/v1/deposit-withdraw/detail", "withdrawal"),
    ("GET", "/contract/private/transaction-history", "balance"), ("GET", "/contract/public/leverage-bracket", "market"),
    ("GET", "/nothing/here", None),
])
def test_paths_outside_the_table_get_a_kind(method, path, kind):
    assert endpoints.kind_of(method, path) == kind


def test_woo_x_pro_documents_its_futures_and_transfer_pages_only():
    documented = {e.label for e in endpoints.ENDPOINTS if "wooxpro" in e.documented_by}
    assert "POST /contract/private/submit-order" in documented and "POST /account/v1/transfer-contract" in documented
    assert not any(label.split()[1].startswith(("/spot/", "/system/")) for label in documented)
    assert "GET /account/v1/wallet" not in documented and "GET /emulator/v1/signed-echo" not in documented
    for e in endpoints.ENDPOINTS:
        assert (e.wooxpro_page is not None) == ("wooxpro" in e.documented_by)
        assert e.wooxpro_page is None or e.wooxpro_page.startswith(("english/", "cn/"))
    assert endpoints.documented_by("GET", "/system/time", "wooxpro") is False
    assert endpoints.documented_by("GET", "/system/time", "bitmart") is True
    assert endpoints.documented_by("POST", "/contract/private/submit-plan-order", "wooxpro") is None  # not in the table
