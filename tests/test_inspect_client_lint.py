"""What a reviewer of a hand-written client names from its request alone (tui/inspect/lint_client.py), the
secret sent as the key, and the fix each of them puts first: each finding on a request that shows it, none on
the near misses a correct client sends."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from keys.demo import EXAMPLE_KEY as KEY
from keys.demo import EXAMPLE_MEMO as MEMO
from keys.demo import EXAMPLE_SECRET as SECRET
from keys.signing import Credentials, sign
from tui.inspect.lint import lint
from tui.inspect.model import CapturedRequest, CapturedResponse
from tui.inspect.report import inspect_request

HOST = "https://cloud-api.wooxpro.com"
TS = "1764525600123"
BODY = b'{"symbol":"BTCUSDT","order_id":"23"}'
CREDS = Credentials.of(KEY, SECRET, MEMO)


def headers(ts: str = TS, key: str = KEY, body: bytes = BODY) -> tuple[tuple[str, str], ...]:
    return (("X-API-KEY", key), ("X-API-TIMESTAMP", ts), ("X-API-SIGN", sign(SECRET, ts, MEMO, body.decode("latin-1"))),
            ("Content-Type", "application/json"), ("User-Agent", "bot/1"))


def answer(date_ms: float, status: int = 401, body: bytes = b'{"code":30007,"message":"Header X-API-TIMESTAMP range. '
           b'Within a minute","data":{}}') -> CapturedResponse:
    return CapturedResponse(status, (("Date", formatdate(date_ms / 1000, usegmt=True)), ("Content-Type", "application/json")), body)


def req(path: str = "/contract/private/cancel-order", body: bytes = BODY, hdrs=None, response=None) -> CapturedRequest:
    return CapturedRequest("POST", HOST + path, hdrs or headers(body=body), body, "http", response=response)


def ids(r: CapturedRequest, **kw) -> set[str]:
    return {f.id for f in lint(r, **kw)}


HOUR = 3_600_000


@pytest.mark.parametrize("request_, kw, finding", [
    (req("/contract/private/cancel-order/"), {}, "path-trailing-slash"),
    (req("//contract/private/cancel-order"), {}, "path-double-slash"),
    (req(response=answer(int(TS) + 8 * HOUR)), {}, "timestamp-time-zone"),  # utcnow().timestamp() at UTC+8
    (req(response=answer(int(TS) - 5.5 * HOUR + 20_000)), {}, "timestamp-time-zone"),  # UTC-05:30, a clock 20 s off
    (req(), {"received_at_ms": int(TS) + 3 * HOUR}, "timestamp-time-zone"),  # the proxy's clock, no answer
    (req(response=answer(int(TS) + 75_000)), {"received_at_ms": int(TS) + 75_400}, "timestamp-stale"),
    (req(body=b'{  "symbol": "BTCUSDT",  "order_id": "23"}'), {}, "body-newlines-stripped"),  # curl -d @file
    (req(body='{"symbol":"BTCUSDT","client_order_id":"ordré1"}'.encode("latin-1")), {}, "body-not-utf8"),
    (req(body=b"[object Object]"), {}, "body-js-object"),
])
def test_each_client_finding(request_, kw, finding):
    assert finding in ids(request_, **kw)


@pytest.mark.parametrize("request_, kw", [
    (req("/contract/private/cancel-order"), {}),
    (req(response=answer(int(TS) + 90_000)), {}),  # a clock 90 s off is a clock, not a zone
    (req(response=answer(int(TS) + 8 * HOUR + 5 * 60_000)), {}),  # 8 h 05 min: no zone's offset
    (req(response=answer(int(TS) + 75_000)), {"received_at_ms": int(TS) + 400}),  # this machine's clock is the one off
    # stale, but this machine's clock is 125 s off the server's too: which one is to blame cannot be told
    (req(response=answer(int(TS) + 200_000)), {"received_at_ms": int(TS) + 75_400}),
    (req(body=b'{"symbol": "BTCUSDT", "order_id": "23"}'), {}),  # json.dumps' own spacing is no indentation
    (req(body=b'{\n  "symbol": "BTCUSDT",\n  "order_id": "23"\n}'), {}),  # pretty JSON with its newlines: fine
    (req(body='{"symbol":"BTCUSDT","client_order_id":"ordré1"}'.encode()), {}),  # UTF-8
])
def test_no_client_finding_on_what_a_correct_client_sends(request_, kw):
    found = ids(request_, **kw) & {"path-trailing-slash", "path-double-slash", "timestamp-time-zone", "timestamp-stale",
                                   "body-newlines-stripped", "body-not-utf8", "body-js-object"}
    assert found == set()


def test_the_time_zone_finding_names_the_offset_and_the_fix_leads():
    r = req(response=answer(int(TS) + 8 * HOUR))
    finding = next(f for f in lint(r) if f.id == "timestamp-time-zone")
    assert "8 h 00 min behind" in finding.sentence and "utcnow" in finding.sentence
    ins = inspect_request(r, [CREDS])
    assert ins.diagnosis.code == 30007 and "time_ns" in ins.diagnosis.fixes[0].text  # not "sync the clock with NTP"
    assert ins.diagnosis.causes[0] == finding.sentence


def test_a_stale_timestamp_leads_with_re_signing_not_the_clock():
    ins = inspect_request(req(response=answer(int(TS) + 75_000)), [CREDS], received_at_ms=int(TS) + 75_400)
    assert "sign for every request" in ins.diagnosis.fixes[0].text and "older than the moment" in ins.diagnosis.fixes[0].evidence


def test_the_secret_in_the_key_header_is_named_and_never_shown():
    body = b'{"code":30002,"message":"Header X-API-KEY not found","data":{}}'
    r = req(hdrs=headers(key=SECRET), response=CapturedResponse(401, (), body))
    ins = inspect_request(r, [CREDS])
    assert ins.findings[0].id == "key-is-secret" and "key-not-40-hex" not in {f.id for f in ins.findings}
    assert "Revoke" in ins.diagnosis.fixes[0].text and "key-is-secret" in ins.verdict.sentence
    text = str(ins.to_dict())
    assert not any(SECRET[i:i + 8] in text for i in range(len(SECRET) - 7))
    # the same request with someone else's key material: not named (its secret is not that one)
    other = inspect_request(r, [Credentials.of(KEY, "another-secret-" * 4, MEMO)])
    assert "key-is-secret" not in {f.id for f in other.findings} and "key-not-40-hex" in {f.id for f in other.findings}


@pytest.mark.parametrize("path, body, status, finding", [
    ("/contract/private/cancel-order/", BODY, 404, "path-trailing-slash"),
    ("/contract/private/cancel-order", b"[object Object]", 401, "body-js-object"),
])
def test_the_finding_s_fix_comes_first(path, body, status, finding):
    answered = b'{"error_msg":"404 Route Not Found"}' if status == 404 else b'{"code":30005,"message":"Header X-API-SIGN is wrong","data":{}}'
    ins = inspect_request(req(path, body=body, response=CapturedResponse(status, (), answered)), [CREDS])
    lead = ins.diagnosis.fixes[0]
    assert finding in {f.id for f in ins.findings} and lead.evidence == next(f.sentence for f in ins.findings if f.id == finding)
    assert "memo" not in lead.text.lower()


def test_a_reproduced_layout_mistake_leads_with_its_own_fix():
    """A separator the code table has no fix for: the forensics' fix comes first, not the memo advice."""
    import hmac

    signature = hmac.new(SECRET.encode(), f"{TS}:{MEMO}:{BODY.decode()}".encode(), "sha256").hexdigest()
    hdrs = tuple((k, signature if k == "X-API-SIGN" else v) for k, v in headers())
    body = b'{"code":30005,"message":"Header X-API-SIGN is wrong","data":{}}'
    ins = inspect_request(req(hdrs=hdrs, response=CapturedResponse(401, (), body)), [CREDS])
    assert ins.verdict.variants == ("separator-other",)
    assert ins.diagnosis.fixes[0].text.startswith("Join the three parts with '#'")
    assert "separator-other" in ins.diagnosis.fixes[0].evidence


def test_a_page_without_the_venue_s_envelope_and_a_4xx_status_is_a_problem():
    """A 404 route page carries no code: before, `inspect` exited 0 on it."""
    from tui.commands.inspect import problem

    page = CapturedResponse(404, (), b'{"error_msg":"404 Route Not Found"}')
    ins = inspect_request(req("/contract/private/no-such-endpoint", response=page), [CREDS])
    assert ins.diagnosis.code is None and not [f for f in ins.findings if f.severity == "error"]
    assert problem(ins)
    fine = CapturedResponse(200, (), b'{"code":1000,"message":"Ok","data":{}}')
    assert not problem(inspect_request(req(response=fine), [CREDS]))
