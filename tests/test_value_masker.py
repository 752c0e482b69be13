"""keys/value_masker.py on its own: every spelling of a value is found, mapped back and masked; ordinary text is
left as it is; a short memo only where it stands alone. The end-to-end canaries are in test_masking_by_value.py."""

from __future__ import annotations

import pytest
from test_masking_by_value import MEMO, SECRET, spellings

from keys.value_masker import ValueMasker


# -- the masker itself --------------------------------------------------------------------------------------
@pytest.mark.parametrize("how", list(spellings(SECRET)))
def test_every_spelling_of_a_value_is_masked_and_nothing_else_is_touched(how):
    hide = ValueMasker([(SECRET, "********"), (MEMO, "********")])
    for value in (SECRET, MEMO):
        spelled = spellings(value)[how]
        text = f"before {spelled} after"
        assert hide(text) == "before ******** after", (how, value)
    ordinary = 'GET /contract/private/assets-detail?symbol=BTCUSDT%2C {"code":1000,"message":"OK"} \\u00e9'
    assert hide(ordinary) == ordinary


def test_a_short_memo_is_masked_where_it_stands_alone():
    hide = ValueMasker([("bot1", "****")])
    assert hide("memo bot1, then BOT1 and bot%31") == "memo ****, then **** and ****"
    assert hide("bot12 robot1 bot1-x") == "bot12 robot1 bot1-x"


def test_escapes_that_share_a_token_with_a_masked_stretch_keep_the_text_well_formed():
    hide = ValueMasker([(SECRET, "********")])
    text = '{"a":"' + "".join(f"\\u{ord(c):04x}" for c in SECRET) + '\\u00e9"}'
    assert hide(text) == '{"a":"********\\u00e9"}'
    assert hide("%C3%A9" + SECRET[:9] + "%C3%A9") == "%C3%A9********%C3%A9"


# -- base64 and HTML character references (fresh-eyes attack on 26ca1db) -------------------------------------
def test_a_value_base64_encoded_anywhere_in_a_base64_text_is_masked():
    """An `Authorization: Basic` header carries key:secret in base64; a value's bytes start at any of three places
    in a base64 string, and each gives other characters: all are found, standard and URL-safe, case kept or not."""
    import base64

    hide = ValueMasker([(SECRET, "********"), (MEMO, "****")])
    basic = base64.b64encode(f"apikey:{SECRET}".encode()).decode()
    assert SECRET[:8] not in hide(f"Authorization: Basic {basic}")
    for before in (b"", b"x", b"xy", b"user:"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            for value in (SECRET, SECRET.upper(), MEMO):
                spelled = encode(before + value.encode()).decode()
                shown = hide(f"a {spelled} b")
                assert "*" in shown and not any(spelled[i : i + 11] in shown for i in range(len(spelled) - 10)), (before, value, shown)
    ordinary = "token " + base64.b64encode(b"an ordinary payload, nothing secret in it").decode()
    assert hide(ordinary) == ordinary


def test_html_character_references_are_read_as_the_characters_they_stand_for():
    hide = ValueMasker([(SECRET, "********")])
    assert hide("<p>" + "".join(f"&#{ord(c)};" for c in SECRET) + "</p>") == "<p>********</p>"
    assert hide("<p>" + "".join(f"&#x{ord(c):X};" for c in SECRET[4:14]) + "&#233;</p>") == "<p>********&#233;</p>"
