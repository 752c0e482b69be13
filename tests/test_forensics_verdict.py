"""What a forensics verdict tells the user, word for word: the pre-image it shows (memo masked), its sentence,
how many HMACs it tried and how long it took (`inspect --json` carries all of them). Found uncaught by a
mutation run of keys/forensics.py."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import types

from keys import forensics
from keys.forensics import SentSignature, examine, pick_credentials, secret_sent_as_key
from keys.signing import Credentials
from keys.variants import MEANINGS

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
MEMO = "test001"
TS = "1764525600123"
CREDS = Credentials.of(KEY, SECRET, MEMO)
COMPACT = json.dumps({"symbol": "BTCUSDT", "size": 1}, separators=(",", ":"))
SPACED = json.dumps({"symbol": "BTCUSDT", "size": 1})
EXPECTED = f"{TS}#****#{COMPACT}"  # the venue's pre-image, memo masked


def hmac_hex(preimage: str, key: str = SECRET, alg: str = "sha256") -> str:
    return hmac.new(key.encode(), preimage.encode(), alg).hexdigest()


def post(signature: str, body: str = COMPACT, ts: str = TS) -> SentSignature:
    return SentSignature("POST", "/contract/private/submit-order", "", body.encode(), ts, signature, KEY)


class SteppingClock:
    """Stands in for the time module the search reads: each perf_counter() is `step` seconds after the last."""

    def __init__(self, step: float) -> None:
        self._ticks = itertools.count()
        self.step = step

    def perf_counter(self) -> float:
        return 100.0 + self.step * next(self._ticks)


def test_a_match_shows_the_signed_string_and_says_where_to_look_next(monkeypatch):
    monkeypatch.setattr(forensics, "time", types.SimpleNamespace(perf_counter=SteppingClock(0.123456).perf_counter))
    verdict = examine(post(hmac_hex(f"{TS}#{MEMO}#{COMPACT}")), CREDS)
    assert verdict.to_dict() == {
        "status": "match", "variants": [], "signed": EXPECTED, "expected": EXPECTED,
        "sentence": "The signature matches the request as sent: signing is right; look at the clock, the key's state "
                    "and its permissions.",
        "hmacs": 1, "elapsed_ms": 123.46, "exhausted": False}


def test_a_mismatch_s_sentence_names_each_mistake_with_its_meaning():
    verdict = examine(post(hmac_hex(f"{TS[:10]}#{MEMO}#{SPACED}")), CREDS)
    assert verdict.variants == ("body-spaced-json", "timestamp-seconds")
    assert verdict.sentence == (f"Reproduced (body-spaced-json + timestamp-seconds): the code signed "
                                f"{MEANINGS['body-spaced-json']}; and {MEANINGS['timestamp-seconds']}.")
    assert verdict.signed == f"{TS[:10]}#****#{SPACED}" and verdict.expected == EXPECTED and verdict.exhausted is False


def test_the_pre_image_shown_is_the_one_the_client_signed():
    """Every kind of candidate shows its own string: another construction the right one, a missing memo segment no
    empty memo, a '#'.join of the non-empty parts no trailing '#'."""
    right = f"{TS}#{MEMO}#{COMPACT}"
    swapped = hmac.new(right.encode(), SECRET.encode(), "sha256").hexdigest()
    plain = hashlib.sha256((SECRET + right).encode()).hexdigest()
    sha3 = hmac.new(SECRET.encode(), right.encode(), "sha3_256").hexdigest()
    for signature, ids in ((swapped, ("hmac-key-message-swapped",)), (plain, ("hash-not-hmac",)),
                           (sha3, ("digest-sha3-256",))):
        verdict = examine(post(signature), CREDS)
        assert (verdict.variants, verdict.signed) == (ids, EXPECTED)
    verdict = examine(post(hmac_hex(f"{TS}#{COMPACT}")), CREDS)
    assert (verdict.variants, verdict.signed) == (("memo-missing",), f"{TS}#{COMPACT}")
    woox = f"{TS}POST/contract/private/submit-order{COMPACT}"
    for signature, ids, shown in (
            (hmac_hex(f"{TS[:10]}#{MEMO}#{COMPACT}"), ("timestamp-seconds",), f"{TS[:10]}#****#{COMPACT}"),
            (hmac_hex(f"{TS}#{MEMO.upper()}#{COMPACT}"), ("memo-case",), f"{TS}#<memo upper-cased>#{COMPACT}"),
            (hmac_hex(f"{TS}#{MEMO}#{COMPACT}", key=SECRET + "\n"), ("secret-whitespace",), EXPECTED),
            (hmac_hex(woox), ("woox-scheme",), woox),
            (hmac_hex(f"{TS}:{MEMO}:{COMPACT}"), ("separator-other",), f"{TS}:****:{COMPACT}"),
            (hmac_hex(f"{COMPACT}#{TS}#{MEMO}"), ("preimage-order",), f"{COMPACT}#{TS}#****")):
        verdict = examine(post(signature), CREDS)
        assert (verdict.variants, verdict.signed) == (ids, shown)
    dropped = SentSignature("GET", "/contract/private/assets-detail", "", b"", TS, hmac_hex(f"{TS}#{MEMO}"), KEY)
    verdict = examine(dropped, CREDS)
    assert (verdict.variants, verdict.signed, verdict.expected) == (("preimage-empty-part-dropped",), f"{TS}#****", f"{TS}#****#")


def test_hmacs_counts_each_candidate_tried_up_to_the_one_found():
    """The request as sent, then the constructions in order: hmac's arguments swapped, a plain hash of the string,
    of the secret and the string: the third of these is the fourth HMAC-or-hash tried."""
    right = f"{TS}#{MEMO}#{COMPACT}"
    assert examine(post(hmac.new(right.encode(), SECRET.encode(), "sha256").hexdigest()), CREDS).hmacs == 2
    assert examine(post(hashlib.sha256((SECRET + right).encode()).hexdigest()), CREDS).hmacs == 4


def test_a_signature_that_is_no_digest_says_its_length_and_still_shows_the_expected_string():
    verdict = examine(post("SIGNATURE-PLACEHOLDER"), CREDS)
    assert verdict.expected == EXPECTED and verdict.signed is None
    assert verdict.sentence == (
        "The signature is not a digest in hex or base64 of any HMAC's length (21 characters): the venue wants 64 "
        "lower-case hex digits of HMAC-SHA256; no secret or memo can produce it, so look at how the code writes the "
        "digest out first (signature-format).")


def test_a_digest_s_form_that_explains_nothing_else_is_named_alone():
    """Base64 of an HMAC-SHA512 under another secret: both form mistakes named, the key material not blamed."""
    mac = hmac.new(b"another secret", f"{TS}#{MEMO}#{COMPACT}".encode(), "sha512").digest()
    verdict = examine(post(base64.b64encode(mac).decode()), CREDS, max_seconds=60)
    assert verdict.variants == ("digest-base64", "digest-sha512")
    assert verdict.sentence == (
        "The signature is written in base64 (the venue compares lower-case hex) and an HMAC-SHA512, 128 hex digits long "
        "(the venue checks HMAC-SHA256, 64) (digest-base64 + digest-sha512): fix that first. No other known mistake "
        f"reproduces it ({verdict.hmacs:,} tried with that digest), so the signed string itself cannot be compared yet.")


def test_an_unexplained_signature_s_sentence_and_a_budget_exactly_spent():
    """Nothing reproduces it: the honest sentence. With a budget exactly as large as the whole search (a timestamp
    that is no number has no nearby clock readings, so the search ends in empty blocks), it is not 'exhausted'."""
    signature = hmac_hex(f"{TS}#{MEMO}#{COMPACT}", key="another secret")
    whole = examine(post(signature, ts="now"), CREDS, max_seconds=60)
    assert whole.status == "mismatch" and whole.exhausted is False
    assert whole.sentence == (
        f"The signature does not match the request as sent, and none of the {whole.hmacs:,} known mistakes tried (and "
        "pairs of them) reproduces it: the secret or memo that code used is not the one in this key material (or the "
        "request was changed after it was signed).")
    exact = examine(post(signature, ts="now"), CREDS, max_hmacs=whole.hmacs, max_seconds=60)
    assert (exact.hmacs, exact.exhausted, exact.sentence) == (whole.hmacs, False, whole.sentence)


def test_an_exhausted_search_says_how_many_hmacs_in_how_long(monkeypatch):
    monkeypatch.setattr(forensics, "time", types.SimpleNamespace(perf_counter=SteppingClock(0.0004).perf_counter))
    verdict = examine(post("0" * 64), CREDS, max_hmacs=700, max_seconds=60)
    assert verdict.exhausted is True and verdict.hmacs == 700 and verdict.elapsed_ms >= 0.8
    assert verdict.sentence == ("The signature does not match the request as sent; the search for a known mistake stopped "
                                f"at its budget (700 HMACs, {verdict.elapsed_ms:.0f} ms) without reproducing it, so nothing "
                                "more can be said.")


def test_a_secret_sent_as_the_key_is_noticed_from_sixteen_characters():
    short = Credentials.of(KEY, "s" * 16, MEMO)
    assert secret_sent_as_key("s" * 16, [short]) and secret_sent_as_key(" 'ssssssssssssssss' ", [None, short])
    assert not secret_sent_as_key("s" * 15, [Credentials.of(KEY, "s" * 15, MEMO)])
    assert not secret_sent_as_key(KEY, [short]) and not secret_sent_as_key("", [short]) and not secret_sent_as_key(None, [short])
    # only quotes and whitespace come off: a secret that starts or ends with an X is still the secret
    x_secret = Credentials.of(KEY, "X" + "s" * 20 + "X", MEMO)
    assert secret_sent_as_key('"X' + "s" * 20 + 'X"', [x_secret])


def test_a_key_header_of_bytes_that_are_not_utf8_is_compared_not_raised():
    """A key header read from other bytes holds lone surrogates: compared as the bytes they were, never an error."""
    odd = Credentials.of(KEY, "x\udcff" * 10, MEMO)
    assert secret_sent_as_key("x\udcff" * 10, [odd])
    assert not secret_sent_as_key("\udcfe" * 20, [odd, CREDS])


def test_the_key_material_picked_is_the_one_whose_key_the_request_carries():
    first = Credentials.of("a" * 40, SECRET, MEMO)
    quoted = Credentials.of("X" + "b" * 38 + "X", SECRET, MEMO)
    assert pick_credentials([first, quoted], " 'X" + "b" * 38 + "X' ") is quoted  # quotes and spaces off, the X kept
    assert pick_credentials([first, quoted], "f" * 40) is first and pick_credentials([None, quoted], None) is quoted
    assert pick_credentials([None], KEY) is None
    odd = Credentials.of("k\udcff" * 20, SECRET, MEMO)  # a key read from bytes that are not UTF-8
    assert pick_credentials([first, odd], "k\udcff" * 20) is odd and pick_credentials([odd, first], "a" * 40) is first


def test_a_verdict_s_hmac_count_is_the_budget_that_reaches_it():
    """The same verdict with a budget of exactly its count; one fewer and the search stops short of it. A budget
    of none still checks the request as sent."""
    for signature in (hmac_hex(f"{TS[:10]}#{MEMO}#{COMPACT}"), hmac_hex(f"{TS}#{COMPACT}"),
                      hmac_hex(f"{TS}#{MEMO}#{SPACED}", key=SECRET + " ")):
        found = examine(post(signature), CREDS, max_seconds=60)
        assert found.variants and found.hmacs > 1
        again = examine(post(signature), CREDS, max_hmacs=found.hmacs, max_seconds=60)
        assert (again.variants, again.signed, again.hmacs, again.exhausted) == (found.variants, found.signed, found.hmacs, False)
        short = examine(post(signature), CREDS, max_hmacs=found.hmacs - 1, max_seconds=60)
        assert (short.variants, short.hmacs, short.exhausted) == ((), found.hmacs - 1, True)
    match = examine(post(hmac_hex(f"{TS}#{MEMO}#{COMPACT}")), CREDS, max_hmacs=0)
    assert (match.status, match.hmacs) == ("match", 1)


def test_each_pair_of_parts_shows_both_mistakes_in_its_string():
    upper = f"{TS}#{MEMO.upper()}#"
    shown_upper = f"{TS}#<memo upper-cased>#"
    spaced_secret = SECRET + " "
    for signature, ids, shown in (
            (hmac_hex(upper + COMPACT + "\n"), ("memo-case", "preimage-trailing-newline"), shown_upper + COMPACT + "\\n"),
            (hmac_hex(f"{TS}#{MEMO}#{COMPACT}\n", key=spaced_secret), ("preimage-trailing-newline", "secret-whitespace"),
             EXPECTED + "\\n"),
            (hmac_hex(f"{TS[:10]}#{MEMO}#{COMPACT}", key=spaced_secret), ("timestamp-seconds", "secret-whitespace"),
             f"{TS[:10]}#****#{COMPACT}"),
            (hmac_hex(upper + COMPACT, key=spaced_secret), ("memo-case", "secret-whitespace"), shown_upper + COMPACT),
            (hmac_hex(f"{TS}#{MEMO}#{SPACED}", key=spaced_secret), ("body-spaced-json", "secret-whitespace"),
             f"{TS}#****#{SPACED}"),
            (hmac_hex(f"{TS[:10]}#{MEMO.upper()}#{COMPACT}"), ("timestamp-seconds", "memo-case"),
             f"{TS[:10]}#<memo upper-cased>#{COMPACT}")):
        verdict = examine(post(signature), CREDS, max_seconds=60)
        assert (verdict.variants, verdict.signed) == (ids, shown)


def test_a_second_clock_reading_shows_its_own_timestamp_alone_and_in_a_pair():
    """The nearest other millisecond is tried too, and an other reading pairs with a body or a common memo mistake
    (a missing memo segment included), not with a rare one (a quoted memo: tried alone and with other parts only)."""
    earlier, later = str(int(TS) - 1), str(int(TS) + 40)
    floated = repr(int(TS) + 0.5)
    for signature, ids, shown in (
            (hmac_hex(f"{earlier}#{MEMO}#{COMPACT}"), ("timestamp-other",), f"{earlier}#****#{COMPACT}"),
            (hmac_hex(f"{floated}#{MEMO}#{COMPACT}"), ("timestamp-float",), f"{floated}#****#{COMPACT}"),
            (hmac_hex(f"{later}#{MEMO}#{SPACED}"), ("timestamp-other", "body-spaced-json"), f"{later}#****#{SPACED}"),
            (hmac_hex(f"{later}#{MEMO.upper()}#{COMPACT}"), ("timestamp-other", "memo-case"),
             f"{later}#<memo upper-cased>#{COMPACT}"),
            (hmac_hex(f"{later}#{COMPACT}"), ("timestamp-other", "memo-missing"), f"{later}#{COMPACT}")):
        verdict = examine(post(signature), CREDS, max_seconds=60)
        assert (verdict.variants, verdict.signed) == (ids, shown)
    rare = examine(post(hmac_hex(f"{later}#'{MEMO}'#{COMPACT}")), CREDS, max_seconds=60)
    assert rare.variants == () and rare.signed is None


def test_key_material_without_a_memo_shows_an_empty_segment_not_a_mask():
    verdict = examine(post(hmac_hex(f"{TS}##{COMPACT}")), Credentials.of(KEY, SECRET, ""))
    assert (verdict.status, verdict.signed, verdict.expected) == ("match", f"{TS}##{COMPACT}", f"{TS}##{COMPACT}")


def test_each_unchecked_verdict_says_what_is_missing_and_how_to_give_it():
    from keys.secret import Secret

    right = hmac_hex(f"{TS}#{MEMO}#{COMPACT}")
    no_signature = "The request carries no signature header, so there is no signature to check."
    assert examine(post(None), CREDS).to_dict()["sentence"] == no_signature
    assert examine(post("  "), CREDS).sentence == no_signature
    no_material = ("No key material to check the signature with: pass --profile NAME or set KEYPROBE_API_KEY, "
                   "KEYPROBE_SECRET and KEYPROBE_MEMO.")
    assert examine(post(right), None).sentence == no_material
    assert examine(post(right), Credentials.of(KEY, "", MEMO)).sentence == no_material
    assert examine(post(right, ts=None), CREDS).sentence == (
        "The request has a signature but no timestamp header, so the signed string cannot be rebuilt.")
    other = SentSignature("POST", "/p", "", COMPACT.encode(), TS, right, "f" * 40)
    assert examine(other, CREDS).sentence == (
        f"The request carries another API key ({Secret('f' * 40).fingerprint()}) than the key material given "
        f"({CREDS.fingerprint}): its secret cannot be checked here.")
    for verdict in (examine(post(None), CREDS), examine(post(right), None), examine(other, CREDS)):
        assert (verdict.status, verdict.variants, verdict.hmacs) == ("unchecked", (), 0)
    assert examine(SentSignature("POST", "/p", "", COMPACT.encode(), TS, right, f" '{KEY}' "), CREDS).status == "match"


def test_woox_s_scheme_over_a_get_signs_the_path_with_its_query():
    woox = f"{TS}GET/contract/private/order?symbol=BTCUSDT"
    sent = SentSignature("GET", "/contract/private/order", "symbol=BTCUSDT", b"", TS, hmac_hex(woox), KEY)
    verdict = examine(sent, CREDS)
    assert (verdict.variants, verdict.signed) == (("woox-scheme",), woox)


def test_a_key_header_in_quotes_is_the_same_key_whatever_its_letters():
    x_key = "X" + KEY[1:-1] + "X"
    sent = SentSignature("POST", "/p", "", COMPACT.encode(), TS, hmac_hex(f"{TS}#{MEMO}#{COMPACT}"), f'"{x_key}"')
    assert examine(sent, Credentials.of(x_key, SECRET, MEMO)).status == "match"


def test_a_body_past_the_variants_limit_is_said_to_be_varied_only_in_its_other_parts():
    from keys.rest_variants import MAX_BODY_FOR_VARIANTS

    big = '{"a":"' + "x" * (MAX_BODY_FOR_VARIANTS - 7) + '"}'  # one byte past the limit
    assert len(big) == MAX_BODY_FOR_VARIANTS + 1
    wrong = examine(post(hmac_hex(f"{TS}#{MEMO}#{{}}"), body=big), CREDS, max_hmacs=3)
    assert wrong.status == "mismatch" and wrong.notes == (
        f"The body is {len(big):,} bytes: only the other parts were varied, not its serialisation.",)
    right = examine(post(hmac_hex(f"{TS}#{MEMO}#{big}"), body=big), CREDS)
    assert right.status == "match" and right.notes == ()
    at_limit = big[:-3] + '"}'
    assert len(at_limit) == MAX_BODY_FOR_VARIANTS
    assert examine(post(hmac_hex(f"{TS}#{MEMO}#{{}}"), body=at_limit), CREDS, max_hmacs=3).notes == ()
