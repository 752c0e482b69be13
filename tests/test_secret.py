import copy
import json
import logging
import pickle

import pytest

from keys.secret import Secret, SecretRevealError

CANARY = "canary-7f3a9c-secret-value"


def test_secret_never_shows_itself(caplog):
    s = Secret(CANARY)
    texts = [repr(s), str(s), f"{s}", f"{s!r}", "%s" % s, repr([s]), repr({"k": s})]
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("value %s %r", s, s)
    texts.append(caplog.text)
    assert all(CANARY not in t for t in texts)


def test_secret_cannot_be_serialised():
    s = Secret(CANARY)
    with pytest.raises(TypeError):
        pickle.dumps(s)
    with pytest.raises(TypeError):
        json.dumps({"s": s})
    assert copy.deepcopy(s) is s


def test_reveal_is_for_keys_only():
    with pytest.raises(SecretRevealError):
        Secret(CANARY).reveal()


def test_fingerprint_and_questions():
    s = Secret("80618e45710812162b04892c7ee5ead4a3cc3e56")
    assert s.fingerprint() == "80618e…3e56"
    assert Secret("short").fingerprint() == "…"
    assert Secret(" x").has_outer_whitespace() and Secret("123").is_all_digits()
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")
