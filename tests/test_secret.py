import copy
import hashlib
import json
import logging
import pickle
import random

import pytest

from keys.secret import Secret, SecretRevealError
from keys.signing import BITMART_HEADERS, Credentials, masked_header_value
from leaks import find_leaks, random_value
from seeds import drawn_seed

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


def test_fingerprint_is_a_short_hash_and_questions():
    s = Secret("80618e45710812162b04892c7ee5ead4a3cc3e56")
    # `#` and the first 8 hex digits of SHA-256: stable across runs, so a key is recognised by it.
    assert s.fingerprint() == "#d84ea451" == "#" + hashlib.sha256(b"80618e45710812162b04892c7ee5ead4a3cc3e56").hexdigest()[:8]
    assert Secret("short").fingerprint() == "…" and Secret("x" * 15).fingerprint() == "…"  # a short value's hash could be searched back
    assert Secret("").fingerprint() == "(unset)"
    assert Secret("x" * 16).fingerprint() == "#" + hashlib.sha256(b"x" * 16).hexdigest()[:8]
    # An environment variable's undecodable bytes arrive as lone surrogates: a fingerprint still, no traceback.
    assert Secret("\udcff" * 16).fingerprint() == "#" + hashlib.sha256("\udcff".encode("utf-8", "surrogatepass") * 16).hexdigest()[:8]
    assert Secret("123").is_all_digits() and not Secret("12a").is_all_digits()
    assert Secret("a") == Secret("a") and Secret("a") != Secret("b")


# Characters a hex fingerprint cannot contain: a 4-character piece of such a value found in the fingerprint
# is a leak, never a coincidence of the hash.
NOT_HEX = "ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ-_.+/=~ßé€"


def test_a_fingerprint_shows_no_4_characters_of_the_value():
    seed = random.randrange(2**32)
    print(f"seed {seed}")
    rng = random.Random(seed)
    for _ in range(200):
        value = "".join(rng.choice(NOT_HEX) for _ in range(rng.randrange(16, 90)))
        shown = [Secret(value).fingerprint(), repr(Credentials.of(value, value, value)),
                 masked_header_value("X-BM-KEY", value, BITMART_HEADERS)]
        assert find_leaks([(f"seed {seed}", text) for text in shown], [value], width=4) == []


def test_a_fingerprint_tells_values_apart():
    # One character changed anywhere (the first, the middle, the last) gives another fingerprint.
    seed = random.randrange(2**32)
    print(f"seed {seed}")
    rng = random.Random(seed)
    for _ in range(50):
        value = random_value(rng, 40)
        for at in (0, 20, 39):
            other = value[:at] + ("A" if value[at] != "A" else "B") + value[at + 1 :]
            assert Secret(value).fingerprint() != Secret(other).fingerprint(), f"seed {seed}"


def test_no_piece_of_a_secret_shows_in_any_rendering(caplog):
    # Any 8 characters, or a first-6…last-4 fingerprint, count as a leak: a repr that shows
    # `Secret('aB3xYz…9QwE')` gives away as much as one that shows the value.
    seed = drawn_seed("KEYPROBE_SECRET_SEED")
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
