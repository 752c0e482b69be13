"""Moving a bot from BitMart to WOO X Pro: ccxt 4.5.70's bitmart, pointed unchanged at the WOO X Pro emulator through
`keyprobe proxy`, gets each difference named (its X-BM-* headers, a spot path, /system/time); `inspect` names the same
in a captured request; BitMart's own hosts get its wind-down; WOO X Pro's WebSocket marker signs as its page shows."""

from __future__ import annotations

from datetime import datetime, timezone

import ccxt
import pytest

from keys import lifecycle
from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import sign
from tui.emulator import Emulator
from tui.inspect.lint import lint
from tui.inspect.model import CapturedRequest, CapturedResponse
from tui.proxy import Proxy
from tui.venues import VENUES

ROUTE_NOT_FOUND = b'{"error_msg":"404 Route Not Found"}'


def ids(findings) -> dict[str, str]:
    return {f.id: f.severity for f in findings}


def test_ccxt_bitmart_pointed_at_woo_x_pro_through_the_proxy_gets_every_difference_named():
    with Emulator("wooxpro") as woo, Proxy(woo.base_url, port=0, history=False) as proxy:
        bot = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False})
        bot.urls["api"] = {"spot": proxy.base_url, "swap": proxy.base_url}
        with pytest.raises(AttributeError):  # /system/time: WOO X Pro's bare 404 has no message for ccxt to read
            bot.fetch_time()
        bot.set_markets(bot.fetch_contract_markets())  # public futures v2: documented, and answered
        with pytest.raises(ccxt.AuthenticationError, match="30001"):  # X-BM-KEY is not the header this WOO X Pro reads
            bot.fetch_balance({"type": "swap"})
        with pytest.raises(AttributeError):  # /spot/v1/wallet: no spot on WOO X Pro
            bot.fetch_balance({"type": "spot"})
        assert proxy.wait_for(4)
        by_path = {i.request.path: i for i in proxy.inspections}
    time_check = ids(by_path["/system/time"].findings)
    assert time_check["venue-time-endpoint"] == "error"
    details = ids(by_path["/contract/public/details"].findings)
    assert not any(k.startswith("venue-") for k in details)  # a documented public call: nothing to say
    keyed = by_path["/contract/private/assets-detail"]
    assert ids(keyed.findings)["venue-dialect"] == "error"  # refused (30001): an error, not a maybe
    dialect = next(f for f in keyed.findings if f.id == "venue-dialect")
    assert "X-BM-KEY" in dialect.sentence and "keyprobe probe --venue wooxpro" in dialect.sentence
    spot = next(f for f in by_path["/spot/v1/wallet"].findings if f.id == "venue-undocumented-endpoint")
    assert spot.severity == "error" and '"404 Route Not Found"' in spot.sentence and "GET /spot/v1/wallet" in spot.sentence


def captured(host: str, method: str, path: str, headers=(), response: CapturedResponse | None = None) -> CapturedRequest:
    return CapturedRequest(method, f"https://{host}{path}", tuple(headers) + (("User-Agent", "bot"),), b"", "curl",
                           response=response)


def test_inspect_names_the_differences_on_woo_x_pro_s_own_host():
    host = VENUES["wooxpro"].host
    bm_key = (("X-BM-KEY", "a" * 40),)
    assert ids(lint(captured(host, "GET", "/contract/private/assets-detail", bm_key)))["venue-dialect"] == "warning"
    api_key = (("X-API-KEY", "a" * 40),)
    assert "venue-dialect" not in ids(lint(captured(host, "GET", "/contract/private/assets-detail", api_key)))
    assert ids(lint(captured(host, "GET", "/system/time")))["venue-time-endpoint"] == "error"
    for method, path in (("POST", "/spot/v2/submit_order"), ("POST", "/spot/v4/batch_orders"), ("GET", "/account/v1/wallet")):
        assert ids(lint(captured(host, method, path, api_key)))["venue-undocumented-endpoint"] == "error", path
    for method, path in (("POST", "/account/v1/transfer-contract"), ("POST", "/contract/private/submit-plan-order")):
        assert "venue-undocumented-endpoint" not in ids(lint(captured(host, method, path, api_key))), path


def test_on_loopback_the_answer_says_whose_dialect_served_it():
    """The emulator (or the proxy in front of it) is loopback: WOO X Pro is known by its answer, BitMart's emulator
    is no venue with a lifecycle or a missing endpoint."""
    woo_404 = CapturedResponse(404, (("Content-Type", "application/json"),), ROUTE_NOT_FOUND)
    assert "venue-undocumented-endpoint" in ids(lint(captured("127.0.0.1", "GET", "/spot/v1/wallet", response=woo_404)))
    bitmart_30000 = CapturedResponse(404, (("X-BM-RateLimit-Limit", "10"),), b'{"code":30000,"message":"Not found"}')
    assert not any(k.startswith("venue-") for k in ids(lint(captured("127.0.0.1", "GET", "/nope", response=bitmart_30000))))


@pytest.mark.parametrize(("when", "severity"), [((2026, 7, 1), None), ((2026, 8, 1), "info"), ((2026, 9, 1), "error"),
                                                ((2027, 2, 1), "error")])
def test_inspect_of_a_bitmart_order_tells_its_state_by_the_answer_s_date(when, severity):
    date = datetime(*when, 12, tzinfo=timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    answer = CapturedResponse(200, (("Date", date),), b'{"code":1000,"message":"Ok","data":{}}')
    with lifecycle.clock_at(datetime(2026, 7, 1, tzinfo=timezone.utc)):  # the Date header wins over the local clock
        found = ids(lint(captured("api-cloud-v2.bitmart.com", "POST", "/contract/private/submit-order", response=answer)))
    assert found.get("venue-winding-down") == severity


def test_woo_x_pro_s_websocket_marker_signs_as_its_login_page_shows():
    """timestamp#memo#wooxpro.WebSocket, BitMart's scheme with WOO X Pro's marker (protocol.md section 4: the page's own
    example value is BitMart's, copied over; this is the right one)."""
    assert VENUES["wooxpro"].ws_marker == "wooxpro.WebSocket" and VENUES["bitmart"].ws_marker == "bitmart.WebSocket"
    signature = sign(EXAMPLE_SECRET, "1589267764859", EXAMPLE_MEMO, VENUES["wooxpro"].ws_marker)
    assert signature == "c9faeea6ee09e397102923d97841f8a19c1b37e6fc9ec61d15a9908e788ca19e"
