import copy
import json
import logging
import pickle
import random

import pytest

from keys.secret import Secret, SecretRevealError
from leaks import find_leaks, random_value

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


def test_no_piece_of_a_secret_shows_in_any_rendering(caplog):
    # Any 8 characters, or a first-6…last-4 fingerprint, count as a leak: a repr that shows
    # `Secret('aB3xYz…9QwE')` gives away as much as one that shows the value.
    seed = random.randrange(2**32)
    print(f"seed {seed}")
    value = random_value(random.Random(seed), 40)
    s = Secret(value)
    texts = [repr(s), str(s), f"{s}", f"{s!r}", f"{s:>50}", "%s %r" % (s, s), repr([s]), repr({"k": s}), repr((s,))]
    with caplog.at_level(logging.INFO):
        logging.getLogger("t").info("value %s %r", s, s)
    texts.append(caplog.text)
    assert find_leaks([(f"rendering {i}", t) for i, t in enumerate(texts)], [value]) == []
    assert repr(s) == "Secret('********')" and str(s) == "********"


def test_the_leak_search_finds_a_cut_value_and_a_fingerprint():
    # The helper itself must not be a test that cannot fail.
    value = "Zq81mWcX7pLr0aTy4NbE"
    assert find_leaks([("cut", f"...{value[3:11]}...")], [value]) == [("cut", value[3:11])]
    assert find_leaks([("fp", "key Zq81mW…4NbE")], [value]) == [("fp", "Zq81mW…4NbE")]
    assert find_leaks([("seven", value[3:10])], [value]) == []
