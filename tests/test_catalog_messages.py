"""Row choice and advice by message: real bodies from public threads (field-notes.md section 2), codes with
several documented messages, %s/%d patterns, 30005 by who signed, the permission of the called endpoint, and
BitMart spot codes answered by WOO X Pro."""

from __future__ import annotations

import json

import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_SECRET
from keys.signing import AuthLevel, Credentials, FixedClock, masked_header_value
from keys.venue_signer import VenueSigner
from tui.catalog.matching import match
from tui.cli import main
from tui.diagnosis.diagnose import Origin, Outcome, diagnose_response, explain_code
from tui.exchange import SentRequest
from tui.venues import VENUES

BM, SPOT = VENUES["bitmart"], VENUES["bitmart-spot"]
RECV = "Header X-BM-TIMESTAMP range. Timestamp for this request is outside of the recvWindow."


def body(code, message) -> bytes:
    return json.dumps({"code": code, "message": message, "trace": "t", "data": {}}).encode()


def signed(path="/contract/private/submit-order", content='{"symbol":"BTCUSDT"}', venue=BM, memo="test001") -> SentRequest:
    """A request signed by the real signer, as the wire records it."""
    request = httpx.Request("POST", venue.base_url + path, content=content.encode())
    signer = VenueSigner(Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, memo), venue.header_set, AuthLevel.SIGNED,
                         FixedClock(1589267764859), venue.hosts, venue.name)
    next(signer.auth_flow(request))
    masked = tuple((k, masked_header_value(k, v, venue.header_set)) for k, v in request.headers.multi_items())
    return SentRequest(request.method, str(request.url), masked, request.content, signer.evidence)


def texts(d) -> str:
    return " ".join((d.category, *d.causes, *(f.text for f in d.fixes), *d.notes))


# -- the real bodies ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, message, status, request_path, row_message, first_fix",
    [
        # ccxt#23354: a futures order refused as "Invalid order" under 40012 (documented "System error")
        (40012, "Invalid order", 400, "/contract/private/submit-order", "System error",
         "Read the open position (GET /contract/private/position) and send the same leverage and open_type"),
        # ccxt bitmart.py comments: the balance message under 40012
        (40012, "You contract account available balance not enough.", 400, "/contract/private/submit-order", "System error",
         "Transfer funds to the futures account"),
        # ccxt PR#20056: the "(U)" prefix
        (30013, "(U)Request too many requests", 429, None, "Request too many requests", "Back off until the window resets"),
        # ccxt PR#19336: 30019 with a trailing period, on a futures order
        (30019, "You do not have the permissions to perform this operation. Please contact customer service or BD for "
                "assistance.", 200, "/contract/private/submit-order",
         "You do not have the permissions to perform this operation. Please contact customer service or BD for assistance",
         "Check that the account has the product enabled for API trading"),
        (50006, "Minimum size is 0.0001", 400, None, "Minimum size is %s", "Raise size to at least 0.0001,"),
        (30007, RECV, 401, None, RECV, "Check the clock"),
        (30007, "Param recvWindow must be long type", 401, None, "Param recvWindow must be long type",
         "Send recvWindow as a JSON integer of milliseconds"),
    ],
)
def test_real_bodies_pick_the_row_and_the_fix(code, message, status, request_path, row_message, first_fix):
    request = signed(request_path) if request_path else None
    d = diagnose_response("bitmart", status, [], body(code, message), request=request)
    assert d.outcome is Outcome.DOCUMENTED_ERROR and d.code == code and d.status_matches is True
    assert d.row.message == row_message and d.message == row_message
    assert d.fixes[0].text.startswith(first_fix), d.fixes[0].text
    assert not any("differs from the document's wording" in n for n in d.notes)


def test_40012_never_says_nothing_in_the_request_causes_it():
    for message in (None, "System error", "Invalid order", "You contract account available balance not enough.", "odd"):
        raw = body(40012, message) if message else b'{"code":40012}'
        d = diagnose_response("bitmart", 400, [], raw)
        assert "nothing in the request" not in texts(d).lower() and "retry later" not in texts(d).lower(), message
    assert "nothing in the request" not in texts(explain_code("bitmart", 40012)).lower()
    invalid = diagnose_response("bitmart", 400, [], body(40012, "Invalid order"))
    assert invalid.category == "order" and "ccxt#23354" in " ".join(invalid.notes)
    assert "position mode" in " ".join(invalid.causes)


def test_the_u_prefix_is_a_known_wording_with_its_thread():
    d = diagnose_response("bitmart", 429, [("X-BM-RateLimit-Reset", "2")], body(30013, "(U)Request too many requests"),
                          request=signed())
    assert any("'(U)'" in n and "ccxt PR#20056" in n for n in d.notes)
    assert "x-bm-ratelimit-reset: 2" in d.fixes[0].evidence.lower()


# -- several documented messages ------------------------------------------------------------------------------------


def test_whitespace_case_and_end_punctuation_are_forgiven():
    d = diagnose_response("bitmart", 401, [], body(30007, "  header x-bm-timestamp RANGE.   within a minute!! "))
    assert d.row_chosen is True and d.row.message == "Header X-BM-TIMESTAMP range. Within a minute"
    d2 = diagnose_response("bitmart", 400, [], body(60000, "PARAMETER ERROR."))
    assert d2.row_chosen is True and d2.message == "Parameter Error" and "Check every parameter" in d2.fixes[0].text


def test_no_matching_message_shows_every_row():
    d = diagnose_response("bitmart", 401, [], body(30007, "Something new"))
    assert d.row_chosen is False and len(d.rows) == 4 and "(one of 4 documented messages)" in d.headline
    assert d.fixes[0].text.startswith("Check the clock")
    assert any("30007 has 4 documented messages" in n and "Param recvWindow must be long type" in n for n in d.notes)
    assert any("differs from the document's wording" in n for n in d.notes) is False


def test_wooxpro_has_only_its_own_row_of_30007():
    d = diagnose_response("wooxpro", 401, [], body(30007, RECV))
    assert d.row_chosen is None and len(d.rows) == 1 and d.message == "Header X-API-TIMESTAMP range. Within a minute"
    assert any("differs from the document's wording" in n for n in d.notes)


@pytest.mark.parametrize(
    "documented, sent, values",
    [
        ("Minimum size is %s", "Minimum size is 0.0001", ("0.0001",)),
        ("Minimum size is %s", "minimum size is  5 BTC.", ("5 BTC",)),
        ("Maximum limit is %d", "Maximum limit is 100", ("100",)),
        ("Maximum limit is %d", "Maximum limit is ten", None),
        ("Maximum limit is %d", "Maximum limit is -5", ("-5",)),  # a whole number may carry its sign
        ("Maximum limit is %d", "Maximum limit is +7", ("+7",)),
        ("Maximum limit is %d", "Maximum limit is 1.5", None),  # not a whole number
        ("Maximum limit is %d", "Maximum limit is - 5", None),
        ("Minimum count*price is %s", "Minimum count*price is 5", ("5",)),  # the '*' is literal, not a regex
        ("Minimum count*price is %s", "Minimum countttprice is 5", None),
        ("Header X-BM-KEY is empty", "Header X-BM-KEY is empty.", ()),
        ("Header X-BM-KEY is empty", "Header X-BM-KEY is not empty", None),
    ],
)
def test_placeholders_match_as_patterns(documented, sent, values):
    assert match(documented, sent) == values


def test_the_number_in_the_message_reaches_the_fix_and_stays_clipped():
    d = diagnose_response("bitmart", 400, [], body(60005, "Minimum amount is 12.5"))
    assert d.fixes[0].text == "Withdraw at least 12.5."
    long = diagnose_response("bitmart", 400, [], body(50021, "Invalid " + "x" * 300))
    assert len(long.fixes[0].text) < 200 and "…" in long.fixes[0].text
    plain = explain_code("bitmart", 50006)
    assert plain.fixes[0].text.startswith("Raise size to at least the symbol's minimum (base_min_size")
    assert "{VALUE" not in texts(plain)


# -- 30005 by who signed ----------------------------------------------------------------------------------------------


def test_30005_signed_by_keyprobe_blames_the_stored_secret_or_memo():
    d = diagnose_response("bitmart", 401, [], body(30005, "Header X-BM-SIGN is wrong"), request=signed())
    assert d.origin is Origin.KEYPROBE
    assert d.fixes[0].text.startswith("The secret or the memo keyprobe signed with is not the key's: re-enter both")
    assert "not the account UID" in d.fixes[0].text
    assert not any("json=" in f.text or "GET and DELETE" in f.text for f in d.fixes)  # code-level causes cannot apply


def test_30005_with_the_probe_keyed_step_as_evidence():
    seen = ("probe", "the probe's KEYED step passed with this key, so the key itself is right")
    d = diagnose_response("bitmart", 401, [], body(30005, "Header X-BM-SIGN is wrong"), request=signed(), evidence=(seen,))
    assert d.fixes[0].text.startswith("The secret or the memo keyprobe signed with") and seen[1] in d.fixes[0].evidence


def test_30005_from_elsewhere_leads_with_the_code():
    d = diagnose_response("bitmart", 401, [], body(30005, "Header X-BM-SIGN is wrong"), request=signed(),
                          origin=Origin.ELSEWHERE)
    assert d.fixes[0].text.startswith("Sign exactly the bytes you send") and d.origin is Origin.ELSEWHERE
    pasted = diagnose_response("bitmart", 401, [], body(30005, "Header X-BM-SIGN is wrong"))
    assert pasted.origin is Origin.UNKNOWN and pasted.fixes[0].text.startswith("Set the memo")


# -- the permission of the called endpoint -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, status, path, venue, needed",
    [
        (30012, 403, "/contract/private/submit-order", BM, "the futures trade permission, which POST /contract/private/submit-order needs"),
        (30012, 403, "/spot/v1/margin/isolated/borrow", SPOT, "the margin trade permission, which POST /spot/v1/margin/isolated/borrow needs"),
        (30019, 200, "/account/v1/withdraw/apply", SPOT, "the withdraw permission, which POST /account/v1/withdraw/apply needs"),
        (53005, 403, "/spot/v2/submit_order", SPOT, "the spot trade permission, which POST /spot/v2/submit_order needs"),
    ],
)
def test_permission_codes_name_what_the_endpoint_needs(code, status, path, venue, needed):
    d = diagnose_response("bitmart", status, [], body(code, "x"), request=signed(path, venue=venue))
    first = next(f for f in d.fixes if "permission" in f.text)
    assert needed in first.text and first is d.fixes[0] and "permission table" in first.evidence


def test_a_403_without_envelope_names_the_permission_too():
    d = diagnose_response("bitmart", 403, [], b"<html>403 Forbidden</html>", request=signed("/contract/private/cancel-order"))
    assert d.outcome is Outcome.NOT_ENVELOPE
    assert "the futures trade permission, which POST /contract/private/cancel-order needs" in d.fixes[0].text
    assert "include what this endpoint needs" in explain_code("bitmart", 403).fixes[0].text  # no endpoint: the fallback


# -- WOO X Pro and BitMart's spot codes; WebSocket frames -------------------------------------------------------------


def test_a_spot_code_from_wooxpro_is_named_a_bitmart_spot_code(capsys):
    d = diagnose_response("wooxpro", 400, [], body(50006, "Minimum size is 1"))
    assert d.outcome is Outcome.UNDOCUMENTED_CODE and d.message is None
    assert d.headline.startswith("Code 50006 is a BitMart spot code that WOO X Pro does not document")
    assert "'Minimum size is %s'" in d.causes[0]
    assert main(["decode", "60000", "--venue", "wooxpro"]) == 1
    assert "BitMart funding account code that WOO X Pro does not document" in capsys.readouterr().out


def test_a_websocket_error_frame_is_decoded_without_a_status():
    frame = b'{"event":"login","errorCode":"91011","errorMessage":"Param sign is wrong"}'
    d = diagnose_response("bitmart", None, [], frame)
    assert d.code == 91011 and d.http_status is None and d.status_matches is None and d.row.table == "websocket"
    assert "no documented HTTP status" in d.headline and "memo" in d.fixes[0].text


def test_the_permission_rule_for_unlisted_paths_agrees_with_the_endpoint_table():
    """endpoints.permission reads the table's field; for a path the table lacks it follows the permission page's
    pattern. Asked of every listed endpoint with the field ignored, the rule gives the table's answer."""

    from tui import endpoints

    for e in endpoints.ENDPOINTS:
        endpoints._BY_KEY[(e.method, e.path)] = e._replace(permission=None)
        try:
            assert endpoints.permission(e.method, e.path) == e.permission, e.label
        finally:
            endpoints._BY_KEY[(e.method, e.path)] = e
    assert endpoints.permission("POST", "/spot/v1/margin/isolated/borrow") == "margin"
    assert endpoints.permission("POST", "/account/v1/withdraw/apply") == "withdraw"
