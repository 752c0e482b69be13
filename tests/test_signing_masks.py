"""What keys/signing.py shows of credentials and headers: exact strings (mutants of these survived).

The repr of Credentials is what a crash screen prints for a frame that holds them; the masked header
value is what the Request tab, the history view and the exports show for the key and signature headers.
"""

from __future__ import annotations

import pytest

from keys.signing import BITMART_HEADERS, Credentials, HeaderSet, masked_header_value

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"


def test_credentials_repr_is_the_key_fingerprint_and_whether_secret_and_memo_are_set():
    assert repr(Credentials.of(KEY, SECRET, "test001")) == "Credentials(key=#d84ea451, secret=set, memo=set)"
    assert repr(Credentials.of(KEY, "", "")) == "Credentials(key=#d84ea451, secret=unset, memo=unset)"
    assert repr(Credentials.of(KEY, SECRET, "")) == "Credentials(key=#d84ea451, secret=set, memo=unset)"


@pytest.mark.parametrize("header_set", [BITMART_HEADERS, HeaderSet("X-API-")])
@pytest.mark.parametrize("spelling", [str, str.lower, str.upper])
def test_key_and_sign_headers_are_masked_whatever_their_case(header_set, spelling):
    assert masked_header_value(spelling(header_set.key), KEY, header_set) == "#d84ea451"
    assert masked_header_value(spelling(header_set.sign), SECRET, header_set) == "#1c7356e8"
    stamp = "1700000000000"
    assert masked_header_value(spelling(header_set.timestamp), stamp, header_set) == stamp  # shown as sent
    assert masked_header_value("Content-Type", "application/json", header_set) == "application/json"


def test_another_venues_key_and_signature_headers_are_masked_too():
    """X-API-KEY is WOO X Pro's, but a bot that sends it to BitMart (or X-BM-KEY to WOO X Pro) still sends its
    key: shown in clear under the other venue's header set, it was recorded unmasked (issue 21, finding 4)."""
    key = "80618e45710812162b04892c7ee5ead4a3cc3e56"
    for name in ("X-API-KEY", "x-api-sign", "X-BM-KEY", "X-BM-SIGN"):
        assert masked_header_value(name, key, BITMART_HEADERS) == "#d84ea451"
    assert masked_header_value("X-API-TIMESTAMP", "1700000000000", BITMART_HEADERS) == "1700000000000"


def test_credentials_of_defaults_to_no_memo():
    assert not Credentials.of(KEY, SECRET).memo and len(Credentials.of(KEY, SECRET).memo) == 0


def test_a_signature_that_is_not_text_is_refused_not_raised():
    from keys.secret import Secret
    from keys.signing import sign, verify

    good = sign(Secret(SECRET), "1700000000000", Secret("m"), "a=1")
    assert verify(Secret(SECRET), Secret("m"), "1700000000000", "a=1", good)
    # a header read with surrogateescape (undecodable bytes from a hostile client) is simply wrong
    assert verify(Secret(SECRET), Secret("m"), "1700000000000", "a=1", good[:-1] + "\udcff") is False


def test_an_unknown_auth_level_is_a_sentence():
    from keys.signing import AuthLevel

    assert AuthLevel.parse(" Signed ") is AuthLevel.SIGNED
    with pytest.raises(ValueError) as info:
        AuthLevel.parse("sealed")
    assert str(info.value) == "auth level must be none, keyed or signed, not 'sealed'"
