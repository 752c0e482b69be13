"""Signature forensics on hand-made inputs: the variants no real client here produces, the pairs, the
honest conclusion, the budget, and that no piece of the secret or memo ever leaves keys/."""

from __future__ import annotations

import json

import pytest

from keys.forensics import SentSignature, examine
from keys.signing import Credentials, sign
from keys.variants import VARIANT_IDS

KEY = "0123456789abcdef0123456789abcdef01234567"
SECRET = "s3cr3t-Value-with-length-0042-abcdefabcdef"
MEMO = "MyTradingBot7"
TS = "1764525600123"
CREDS = Credentials.of(KEY, SECRET, MEMO)
ORDER = {"symbol": "BTCUSDT", "side": 1, "note": "café", "price": "20000"}
COMPACT = json.dumps(ORDER, separators=(",", ":"), ensure_ascii=False)


def _raw(secret, preimage):
    import hashlib
    import hmac

    return hmac.new(secret.encode(), preimage.encode(), hashlib.sha256).hexdigest()


HAND_MADE = {
    # id: (method, query, body sent, timestamp signed, memo signed, payload signed)
    "body-not-ascii-escaped": ("POST", "", json.dumps(ORDER, separators=(",", ":")), TS, MEMO, COMPACT),
    "body-empty-braces": ("POST", "", "", TS, MEMO, "{}"),
    "get-signed-body": ("GET", "symbol=BTCUSDT&order_id=23", "", TS, MEMO, '{"symbol":"BTCUSDT","order_id":"23"}'),
    "query-sorted": ("GET", "symbol=BTCUSDT&order_id=23", "", TS, MEMO, "order_id=23&symbol=BTCUSDT"),
    "query-other-encoding": ("GET", "symbol=BTC%20USDT&ids=1%2C2", "", TS, MEMO, "symbol=BTC+USDT&ids=1%2C2"),
    "query-with-question-mark": ("GET", "symbol=BTCUSDT", "", TS, MEMO, "?symbol=BTCUSDT"),
    "path-and-query": ("GET", "symbol=BTCUSDT", "", TS, MEMO, "/contract/private/x?symbol=BTCUSDT"),
    "timestamp-seconds": ("POST", "", COMPACT, TS[:10], MEMO, COMPACT),
    "memo-empty": ("POST", "", COMPACT, TS, "", COMPACT),
    "get-signed-empty": ("GET", "symbol=BTCUSDT", "", TS, MEMO, ""),
}


@pytest.mark.parametrize("variant", list(HAND_MADE))
def test_hand_made_variant_is_named(variant):
    method, query, body, ts, memo, payload = HAND_MADE[variant]
    verdict = examine(SentSignature(method, "/contract/private/x", query, body.encode(), TS, sign(SECRET, ts, memo, payload), KEY), CREDS)
    assert verdict.status == "mismatch" and verdict.variants == (variant,)
    assert verdict.signed != verdict.expected


def test_memo_missing_and_woox_scheme():
    sent = lambda sig: SentSignature("POST", "/contract/private/x", "", COMPACT.encode(), TS, sig, KEY)  # noqa: E731
    assert examine(sent(_raw(SECRET, f"{TS}#{COMPACT}")), CREDS).variants == ("memo-missing",)
    assert examine(sent(_raw(SECRET, f"{TS}POST/contract/private/x{COMPACT}")), CREDS).variants == ("woox-scheme",)


def test_every_issue_id_is_covered_by_a_test_input():
    from tests.test_forensics_mistakes import CASES
    from tests.test_inspect_interop import CCXT_CASES, SDK_CASES

    produced = {v for _, ids in list(CCXT_CASES.values()) + list(SDK_CASES.values()) for v in ids}
    produced |= set(HAND_MADE) | {"memo-missing", "woox-scheme", "body-ascii-escaped"} | {v for ids in CASES for v in ids}
    assert produced == set(VARIANT_IDS)


def test_pairs_of_clock_memo_and_secret_mistakes():
    """Issue 26's survivors: the timestamp x memo pairs, and a memo x secret pair signed with the variant's memo."""
    uid = "12345678901"
    cases = {
        ("timestamp-seconds", "memo-uid"): sign(SECRET, TS[:10], uid, COMPACT),
        ("timestamp-seconds", "memo-case"): sign(SECRET, TS[:10], MEMO.upper(), COMPACT),
        ("memo-uid", "secret-whitespace"): sign(SECRET + "\n", TS, uid, COMPACT),
        ("memo-whitespace", "secret-quoted"): sign(f'"{SECRET}"', TS, MEMO + " ", COMPACT),
    }
    for ids, signature in cases.items():
        verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, signature, KEY), CREDS, uid=uid)
        assert verdict.variants == ids, ids


def test_a_second_clock_reading_earlier_or_later_than_the_header():
    for signed_ts in (str(int(TS) - 40), str(int(TS) + 40), str(int(TS) + 1500)):
        verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign(SECRET, signed_ts, MEMO, COMPACT), KEY), CREDS)
        assert verdict.variants == ("timestamp-other",) and verdict.signed.startswith(signed_ts + "#"), signed_ts


def test_seconds_rounded_as_well_as_truncated():
    ts = "1764525600623"  # truncated 1764525600, rounded 1764525601
    for signed_ts in ("1764525600", "1764525601", "1764525600.623"):
        verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), ts, sign(SECRET, signed_ts, MEMO, COMPACT), KEY), CREDS)
        assert verdict.variants == ("timestamp-seconds",) and verdict.signed.startswith(signed_ts + "#"), signed_ts


def test_a_pair_spaced_body_signed_with_seconds():
    spaced = json.dumps(ORDER)
    verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign(SECRET, TS[:10], MEMO, spaced), KEY), CREDS)
    assert set(verdict.variants) == {"body-spaced-json", "body-ascii-escaped", "timestamp-seconds"}
    assert verdict.signed.startswith(TS[:10] + "#****#")


def test_match_says_so_and_spends_one_hmac():
    verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign(SECRET, TS, MEMO, COMPACT), KEY), CREDS)
    assert (verdict.status, verdict.variants, verdict.hmacs) == ("match", (), 1)


def test_nothing_reproduces_it_the_honest_conclusion():
    # The whole search (bounded by its HMAC count), not cut by the one-second budget on a loaded machine.
    verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign("another-secret", TS, MEMO, COMPACT), KEY), CREDS,
                      max_seconds=120)
    assert verdict.status == "mismatch" and verdict.variants == () and verdict.signed is None
    assert "not the one in this key material" in verdict.sentence and not verdict.exhausted


def test_the_search_stops_at_its_budget():
    verdict = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, "0" * 64, KEY), CREDS, max_hmacs=500)
    assert verdict.exhausted and verdict.hmacs == 500 and "500 HMACs" in verdict.sentence and "not the one" not in verdict.sentence


def test_unchecked_without_signature_key_material_or_timestamp_or_with_another_key():
    base = dict(method="POST", path="/p", query="", body=b"{}", timestamp=TS, signature="ab" * 32, api_key=KEY)
    assert examine(SentSignature(**{**base, "signature": None}), CREDS).status == "unchecked"
    assert examine(SentSignature(**base), None).status == "unchecked"
    assert examine(SentSignature(**{**base, "timestamp": None}), CREDS).status == "unchecked"
    other = examine(SentSignature(**{**base, "api_key": "f" * 40}), CREDS)
    assert other.status == "unchecked" and "another API key" in other.sentence


def pieces(value: str, n: int = 8):
    return {value[i:i + n] for i in range(len(value) - n + 1)}


def test_no_piece_of_the_secret_or_memo_in_any_verdict():
    """Every memo variant's verdict, with every secret and payload (no random draw: each combination, every
    run), the uid and case variants included: only masks leave keys/."""
    from keys.variants import memo_variants

    texts = []
    memos = [MEMO] + [m for _, m, _ in memo_variants(MEMO, "12345678901") if m]
    for memo in memos:
        for secret in (SECRET, SECRET + "\n"):
            for payload in (COMPACT, json.dumps(ORDER)):
                sent = SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign(secret, TS, memo, payload), KEY)
                texts.append(json.dumps(examine(sent, CREDS, uid="12345678901").to_dict()))
    blob = "\n".join(texts)
    assert "memo-case" in blob and "memo-uid" in blob and "secret-whitespace" in blob
    for secret_piece in pieces(SECRET) | pieces(MEMO) | pieces(MEMO.upper()):
        assert secret_piece not in blob


def test_a_spent_time_budget_still_checks_the_request_as_sent():
    good = SentSignature("POST", "/p", "", COMPACT.encode(), TS, sign(SECRET, TS, MEMO, COMPACT), KEY)
    assert examine(good, CREDS, max_seconds=0).status == "match"
    bad = examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, "0" * 64, KEY), CREDS, max_seconds=0)
    assert bad.status == "mismatch" and bad.exhausted and bad.hmacs <= 256


def test_a_body_past_the_variants_cap_is_checked_as_sent_with_a_note():
    """A 100 KiB array of numbers (pure-Python re-renderings of each, 8 s for 1 MiB, far past the 2 s budget)
    is checked as sent, and the verdict says its serialisation was not varied; a small body still is."""
    big = "[" + ",".join(["1.5"] * 25_000) + "]"
    verdict = examine(SentSignature("POST", "/x", "", big.encode(), TS, "0" * 64, KEY), CREDS)
    assert verdict.status == "mismatch" and any("not its serialisation" in note for note in verdict.notes)
    spaced = json.dumps(ORDER, ensure_ascii=False)
    signed = examine(SentSignature("POST", "/x", "", spaced.encode(), TS, sign(SECRET, TS, MEMO, COMPACT), KEY), CREDS)
    assert signed.variants == ("body-spaced-json",) and not signed.notes


def test_each_number_is_rendered_once_per_body(monkeypatch):
    import keys.rest_variants as rv

    calls = []
    real = rv._renderings
    monkeypatch.setattr(rv, "_renderings", lambda token: calls.append(token) or real(token))
    texts = rv._numbers_rerendered('{"a":[1,2.5,3e5],"b":"7"}')
    assert len(calls) == 3 and '{"a":[1,2.5,300000.0],"b":"7"}' in texts


def test_no_block_copies_the_payload_per_candidate():
    """The ~3,000 nearby timestamps share the payload: a copy of it per timestamp made a 1 MiB body's search hold
    3,000 copies (2.9 GB for a HAR of three such requests); each block holds a copy per payload variant at most."""
    from keys.forensics import Problem, _blocks, _Parts

    payload = json.dumps({"symbol": "BTCUSDT", "pad": "x" * 2000})
    parts = _Parts(Problem("0" * 64, TS, MEMO, SECRET, KEY, payload, lambda: [(("body-spaced-json",), payload + " ")]))
    parts.build()
    blocks = list(_blocks(parts))
    assert max(len(messages) for _, messages, _ in blocks) >= 3000  # the nearby timestamps: one block of them all
    for _, messages, _ in blocks:  # a copy per variant of one part (a few dozen at most), never one per candidate
        assert len({id(tail) for _, tail in messages if len(tail) >= len(payload)}) <= 64


@pytest.mark.parametrize("timestamp", ["1", "12345", "999999999999"])
def test_a_short_timestamp_has_a_bounded_search(timestamp):
    """[1, 2) holds 2**52 floats: `X-API-TIMESTAMP: 1` with a wrong signature held the proxy's checker for ever."""
    from itertools import islice

    from keys.variants import float_timestamps

    assert len(list(islice(float_timestamps(timestamp), 10_000))) <= 8192
    verdict = examine(SentSignature("POST", "/x", "", COMPACT.encode(), timestamp, "0" * 64, KEY), CREDS, max_hmacs=10_000_000)
    assert verdict.status == "mismatch" and not verdict.exhausted
