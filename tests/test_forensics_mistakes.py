"""The mistakes of hand-written signers (issue 23), each built the way a client's code makes it, named alone and
paired with a mistake of another part of the pre-image; a digest of another algorithm or encoding named from
the signature itself, and never blamed on the key material when nothing else reproduces it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from urllib.parse import quote, urlencode

import pytest

from keys.forensics import SentSignature, examine
from keys.keyschedule import digest as schedule_digest
from keys.signing import Credentials

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"  # 64 hex digits, as issued
MEMO = "test001"
UID = "5550001"
TS = "1764525600123"
CREDS = Credentials.of(KEY, SECRET, MEMO)
ORDER = {"symbol": "BTCUSDT", "side": 1, "type": "limit", "leverage": "10", "size": 1, "price": "20000"}
COMPACT = json.dumps(ORDER, separators=(",", ":"))
SPACED = json.dumps(ORDER)
PATH = "/contract/private/submit-order"


def signed(payload: str, *, ts: str = TS, memo: str | None = MEMO, key: bytes = SECRET.encode(), alg: str = "sha256",
           suffix: str = "", form: str = "hex") -> str:
    """What a client's code computes: HMAC-`alg`(key, ts#memo#payload + suffix), written out as `form`."""
    preimage = (f"{ts}#{payload}" if memo is None else f"{ts}#{memo}#{payload}") + suffix
    mac = hmac.new(key, preimage.encode(), alg).digest()
    return base64.b64encode(mac).decode() if form == "base64" else mac.hex().upper() if form == "upper" else mac.hex()


def post(body: str, signature: str, ts: str = TS) -> SentSignature:
    return SentSignature("POST", PATH, "", body.encode(), ts, signature, KEY)


def post_bytes(body: bytes, signature: str) -> SentSignature:
    return SentSignature("POST", PATH, "", body, TS, signature, KEY)


def raw(preimage: str) -> str:
    """HMAC-SHA256 of a whole string laid out by the client's code."""
    return hmac.new(SECRET.encode(), preimage.encode(), "sha256").hexdigest()


# ensure_ascii=False and a str body: http.client and requests send it as ISO-8859-1, the UTF-8 text was signed
LATIN1_TEXT = json.dumps({**ORDER, "client_order_id": "ordré1"}, separators=(",", ":"), ensure_ascii=False)


NUMBERS_SENT = '{"symbol":"BTCUSDT","price":0.00001,"size":1}'  # a sender that writes plain decimals
NUMBERS_SIGNED = json.dumps({"symbol": "BTCUSDT", "price": 0.00001, "size": 1}, separators=(",", ":"))  # Python: 1e-05
FORM = urlencode(ORDER)  # requests' data=ORDER

# id(s) -> (the request as sent, its signature as the client's code made it)
CASES = {
    # the digest: algorithm, encoding, construction
    ("digest-sha512",): lambda: post(COMPACT, signed(COMPACT, alg="sha512")),
    ("digest-sha384",): lambda: post(COMPACT, signed(COMPACT, alg="sha384")),
    ("digest-sha1",): lambda: post(COMPACT, signed(COMPACT, alg="sha1")),
    ("digest-md5",): lambda: post(COMPACT, signed(COMPACT, alg="md5")),
    ("body-spaced-json", "digest-sha512"): lambda: post(COMPACT, signed(SPACED, alg="sha512")),
    ("digest-base64", "digest-sha512"): lambda: post(COMPACT, signed(COMPACT, alg="sha512", form="base64")),
    ("hex-uppercase", "digest-sha1"): lambda: post(COMPACT, signed(COMPACT, alg="sha1", form="upper")),
    ("hmac-key-message-swapped",): lambda: post(COMPACT, hmac.new(f"{TS}#{MEMO}#{COMPACT}".encode(), SECRET.encode(),
                                                                   "sha256").hexdigest()),
    ("hash-not-hmac",): lambda: post(COMPACT, hashlib.sha256(f"{SECRET}{TS}#{MEMO}#{COMPACT}".encode()).hexdigest()),
    # the secret, transformed before use
    ("secret-base64-decoded",): lambda: post(COMPACT, signed(COMPACT, key=base64.b64decode(SECRET))),
    ("secret-hex-decoded",): lambda: post(COMPACT, signed(COMPACT, key=bytes.fromhex(SECRET))),
    ("secret-literal-newline",): lambda: post(COMPACT, signed(COMPACT, key=(SECRET + "\\n").encode())),
    ("secret-base64-decoded", "timestamp-seconds"): lambda: post(COMPACT, signed(COMPACT, ts=TS[:10], key=base64.b64decode(SECRET))),
    ("body-spaced-json", "secret-hex-decoded"): lambda: post(COMPACT, signed(SPACED, key=bytes.fromhex(SECRET))),
    ("memo-uid", "secret-literal-newline"): lambda: post(COMPACT, signed(COMPACT, memo=UID, key=(SECRET + "\\n").encode())),
    ("memo-literal-newline",): lambda: post(COMPACT, signed(COMPACT, memo=MEMO + "\\n")),
    ("body-spaced-json", "memo-literal-newline"): lambda: post(COMPACT, signed(SPACED, memo=MEMO + "\\n")),
    # the pre-image, transformed
    ("preimage-trailing-newline",): lambda: post(COMPACT, signed(COMPACT, suffix="\n")),
    ("body-spaced-json", "preimage-trailing-newline"): lambda: post(COMPACT, signed(SPACED, suffix="\n")),
    ("timestamp-seconds", "preimage-trailing-newline"): lambda: post(COMPACT, signed(COMPACT, ts=TS[:10], suffix="\n")),
    ("timestamp-other", "preimage-trailing-newline"): lambda: post(COMPACT, signed(COMPACT, ts=str(int(TS) - 40), suffix="\n")),
    ("body-trailing-newline",): lambda: post(COMPACT + "\n", signed(COMPACT)),
    ("body-trailing-newline", "timestamp-seconds"): lambda: post(COMPACT + "\n", signed(COMPACT, ts=TS[:10])),
    ("body-python-repr",): lambda: post(SPACED, signed(str(ORDER))),
    ("body-python-repr", "memo-uid"): lambda: post(SPACED, signed(str(ORDER), memo=UID)),
    ("body-json-twice",): lambda: post(json.dumps(SPACED), signed(SPACED)),  # requests' json= given a JSON string
    ("body-json-twice", "secret-whitespace"): lambda: post(json.dumps(SPACED), signed(SPACED, key=(SECRET + "\n").encode())),
    ("body-numbers-rerendered",): lambda: post(NUMBERS_SENT, signed(NUMBERS_SIGNED)),
    ("body-numbers-rerendered", "body-spaced-json"): lambda: post(NUMBERS_SENT, signed(json.dumps(json.loads(NUMBERS_SIGNED)))),
    ("post-signed-as-query",): lambda: post(COMPACT, signed(urlencode(ORDER))),
    ("memo-uid", "post-signed-as-query"): lambda: post(COMPACT, signed(urlencode(ORDER), memo=UID)),
    # JavaScript's URLSearchParams: spaces as +, true as "true"
    ("post-signed-as-query", "timestamp-seconds"): lambda: post('{"reduce_only":true,"note":"a b"}',
                                                                signed("reduce_only=true&note=a+b", ts=TS[:10])),
    ("body-form-signed-json",): lambda: post(FORM, signed(SPACED)),
    ("body-form-signed-json", "timestamp-seconds"): lambda: post(FORM, signed(COMPACT, ts=TS[:10])),
    # beyond issue 23 (s20-clients): the string laid out otherwise
    ("separator-other",): lambda: post(COMPACT, raw("".join([TS, MEMO, COMPACT]))),  # "".join
    ("preimage-order",): lambda: post(COMPACT, raw(f"{MEMO}#{TS}#{COMPACT}")),
    ("preimage-empty-part-dropped",): lambda: SentSignature("GET", "/emulator/v1/signed-echo", "", b"", TS,
                                                            raw("#".join(filter(None, [TS, MEMO, ""]))), KEY),
    ("preimage-echo-dash-n",): lambda: post(COMPACT, raw(f"-n {TS}#{MEMO}#{COMPACT}\n")),  # macOS sh's echo -n
    ("woox-v1-scheme",): lambda: post(COMPACT, raw(urlencode(sorted(ORDER.items())) + "|" + TS)),
    ("url-signed",): lambda: SentSignature("GET", "/contract/private/order", "symbol=BTCUSDT", b"", TS,
                                           signed(f"https://cloud-api.wooxpro.com/contract/private/order?symbol=BTCUSDT"), KEY,
                                           ("https://cloud-api.wooxpro.com/contract/private/order?symbol=BTCUSDT",)),
    # the memo and the secret as files and .env parsers hand them over
    ("memo-is-key",): lambda: post(COMPACT, signed(COMPACT, memo=KEY)),
    ("memo-quoted",): lambda: post(COMPACT, signed(COMPACT, memo=f'"{MEMO}"')),
    ("memo-invisible-character",): lambda: post(COMPACT, signed(COMPACT, memo="\ufeff" + MEMO)),
    ("secret-invisible-character",): lambda: post(COMPACT, signed(COMPACT, key=("\ufeff" + SECRET).encode())),
    ("body-spaced-json", "memo-quoted"): lambda: post(COMPACT, signed(SPACED, memo=f"'{MEMO}'")),
    # the timestamp kept a float: int() in the header, the float's text in the string
    ("timestamp-float",): lambda: post(COMPACT, signed(COMPACT, ts=repr(int(TS) + 0.3))),
    # the digest: another algorithm of the same length, encoded twice, openssl's label kept
    ("digest-sha3-256",): lambda: post(COMPACT, signed(COMPACT, alg="sha3_256")),
    ("digest-hex-base64",): lambda: post(COMPACT, base64.b64encode(signed(COMPACT).encode()).decode()),
    ("signature-openssl-label",): lambda: post(COMPACT, "SHA2-256(stdin)= " + signed(COMPACT)),
    ("preimage-trailing-newline", "signature-openssl-label"): lambda: post(COMPACT, "(stdin)= " + signed(COMPACT, suffix="\n")),
    ("body-spaced-json", "digest-hex-base64"): lambda: post(COMPACT, base64.b64encode(signed(SPACED).encode()).decode()),
    # the body: what reached the wire is not what was signed
    ("body-pretty-printed",): lambda: post(COMPACT, signed(json.dumps(ORDER, indent=2))),  # JSON.stringify(o, null, 2)
    ("body-field-added",): lambda: post(json.dumps({**ORDER, "client_order_id": "a1"}, separators=(",", ":")), signed(COMPACT)),
    ("body-field-added", "timestamp-seconds"): lambda: post(json.dumps({**ORDER, "client_order_id": "a1"}),
                                                            signed(SPACED, ts=TS[:10])),
    ("body-bytes-repr",): lambda: post(COMPACT, signed(f"{COMPACT.encode()}")),  # f"{ts}#{memo}#{body_bytes}"
    ("body-bytes-repr", "memo-uid"): lambda: post(COMPACT, signed(f"{COMPACT.encode()}", memo=UID)),
    ("body-js-object",): lambda: post(COMPACT, signed("[object Object]")),  # `${ts}#${memo}#${config.data}`
    ("body-percent-encoded",): lambda: post(COMPACT, signed(quote(COMPACT, safe="-_.!~*'()"))),  # encodeURIComponent
    ("body-latin1-sent",): lambda: post_bytes(LATIN1_TEXT.encode("latin-1"), signed(LATIN1_TEXT)),
}


@pytest.mark.parametrize("ids", list(CASES), ids=["+".join(k) for k in CASES])
def test_each_mistake_is_named_alone_and_in_its_pair(ids):
    verdict = examine(CASES[ids](), CREDS, uid=UID, max_seconds=60)
    assert verdict.status == "mismatch"
    assert sorted(verdict.variants) == sorted(ids), verdict.sentence
    assert verdict.signed is not None and "Reproduced" in verdict.sentence
    assert SECRET[:8] not in verdict.signed and MEMO not in (verdict.signed or "")


def test_numbers_re_rendered_both_ways():
    """1e-05 signed and 0.00001 sent, and the reverse; spacing kept as sent, so it is not called body-spaced-json."""
    verdict = examine(post('{"price":1e-05}', signed('{"price":0.00001}')), CREDS)
    assert verdict.variants == ("body-numbers-rerendered",)
    verdict = examine(post('{"price":"20000","size":1}', signed('{"price":20000,"size":1}')), CREDS)
    assert verdict.variants == ("body-numbers-rerendered",)


def test_a_trailing_newline_after_the_body_is_not_called_spacing():
    """Issue 23: `{"a":1}\\n` sent, `{"a":1}` signed was reported as body-spaced-json."""
    verdict = examine(post(COMPACT + "\n", signed(COMPACT)), CREDS)
    assert verdict.variants == ("body-trailing-newline",)
    assert verdict.signed.endswith(COMPACT) and "spacing" not in verdict.sentence


@pytest.mark.parametrize("alg, length", [("sha512", 128), ("sha1", 40)])
def test_another_digest_that_reproduces_nothing_names_the_algorithm_not_the_key_material(alg, length):
    verdict = examine(post(COMPACT, signed(COMPACT, key=b"another secret", alg=alg)), CREDS, max_seconds=60)
    assert verdict.status == "mismatch" and verdict.variants == (f"digest-{alg}",) and verdict.signed is None
    assert f"{length} hex digits" in verdict.sentence and f"HMAC-{alg.upper()}" in verdict.sentence
    assert "not the one in this key material" not in verdict.sentence


def test_a_signature_that_is_no_digest_at_all_blames_its_form():
    verdict = examine(post(COMPACT, "SIGNATURE-PLACEHOLDER"), CREDS)
    assert verdict.status == "mismatch" and "signature-format" in verdict.sentence and verdict.hmacs == 0
    assert "key material" not in verdict.sentence


def test_the_key_schedule_is_hmac():
    """The copied inner and outer states give hmac.digest's answer, for every algorithm the length table names
    and for keys shorter than, equal to and longer than the hash's block."""
    for alg in ("sha256", "sha512", "sha384", "sha1", "md5"):
        for key in (b"", b"k", SECRET.encode(), b"x" * 64, b"y" * 128, b"z" * 200):
            for message in (b"", b"1764525600123#test001#{}", COMPACT.encode() * 9):
                assert schedule_digest(key, message, alg) == hmac.digest(key, message, alg), (alg, len(key))
    assert schedule_digest(SECRET.encode(), COMPACT.encode()) == hmac.digest(SECRET.encode(), COMPACT.encode(), "sha256")


def test_a_get_with_an_empty_value_in_its_query_is_reproduced():
    """keep_blank_values: `note=` stays a parameter when the query is re-encoded or turned into a body."""
    query = "symbol=BTCUSDT&note=&order_id=23"
    verdict = examine(SentSignature("GET", "/contract/private/order", query, b"", TS,
                                    signed('{"symbol":"BTCUSDT","note":"","order_id":"23"}'), KEY), CREDS)
    assert verdict.variants == ("get-signed-body",)
    verdict = examine(SentSignature("GET", "/contract/private/order", "note=a%20b&x=", b"", TS, signed("note=a+b&x="), KEY), CREDS)
    assert verdict.variants == ("query-other-encoding",)


def test_readme_lists_every_variant_and_finding_id_with_its_sentence():
    import re
    from pathlib import Path

    from keys.variants import MEANINGS

    root = Path(__file__).resolve().parents[1]
    readme = root.joinpath("README.md").read_text()
    section = readme[readme.index("## Bring your own failing request"):readme.index("## The local emulator")]
    for vid, meaning in MEANINGS.items():
        assert f"| `{vid}` | {meaning.replace('|', chr(92) + '|')} |" in section, vid
    findings = set(re.findall(r'Finding\("([a-z0-9-]+)"', root.joinpath("tui/inspect/lint.py").read_text()))
    findings |= set(re.findall(r'\("([a-z0-9-]+)", "(?:error|warning|info)"', root.joinpath("tui/inspect/lint_client.py").read_text()))
    assert {"path-trailing-slash", "key-is-secret", "timestamp-time-zone"} <= findings  # the scan reads both modules
    for fid in findings:
        assert f"`{fid}`" in section, fid


def test_the_search_serves_another_payload_rule():
    """The engine is not REST's: a WebSocket login signs `timestamp#memo#bitmart.WebSocket`; its rule gives the
    marker alternatives and the same timestamp, memo, secret and digest mistakes come with them."""
    from keys.forensics import Problem, search

    def login(marker: str, **kw) -> str:
        return signed(marker, **kw)

    alternatives = lambda: [(("ws-marker-other-venue",), "wooxpro.WebSocket")]  # noqa: E731
    problem = lambda signature: Problem(signature, TS, MEMO, SECRET, KEY, "bitmart.WebSocket", alternatives)  # noqa: E731
    assert search(problem(login("bitmart.WebSocket"))).status == "match"
    assert search(problem(login("wooxpro.WebSocket"))).variants == ("ws-marker-other-venue",)
    verdict = search(problem(login("wooxpro.WebSocket", memo=MEMO.upper(), alg="sha512")))
    assert verdict.variants == ("ws-marker-other-venue", "memo-case", "digest-sha512")
    assert verdict.signed == f"{TS}#<memo upper-cased>#wooxpro.WebSocket"


def test_a_problem_s_repr_shows_no_key_material():
    from keys.forensics import Problem

    text = repr(Problem("ab" * 32, TS, MEMO, SECRET, KEY, COMPACT, list))
    assert SECRET[:8] not in text and MEMO not in text and KEY[:8] not in text and TS in text
