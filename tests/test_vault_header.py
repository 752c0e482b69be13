"""The key file's clear header is authenticated: sealed as the AEAD's associated data.

The tamper tests in test_vault.py would pass even without the associated data, because an edited salt or
KDF parameter changes the derived key. Here Argon2id is replaced by a stand-in that ignores the salt and
the parameters, so an edited header still yields the right key: only the associated data can refuse it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os

import nacl.pwhash.argon2id as argon2id
import pytest

from keys import vault
from keys.vault import Profile, WrongPassphrase

PASS = "header pass"


@pytest.fixture
def key_ignores_the_header(monkeypatch):
    """A KDF whose key depends on the passphrase alone: the right key whatever the header says."""

    def kdf(size, password, salt, opslimit, memlimit):
        return hashlib.sha256(password).digest()[:size]

    monkeypatch.setattr(argon2id, "kdf", kdf)


def saved_file(tmp_path):
    path = tmp_path / "keys.json"
    v = vault.create(path, PASS, vault.TEST_ONLY)
    v.add(Profile.new("main", "bitmart", "a" * 40, "s" * 64, "memo"))
    v.save()
    return path


def edit(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    os.chmod(path, 0o600)


def test_the_stand_in_kdf_opens_an_unedited_file(tmp_path, key_ignores_the_header):
    assert vault.unlock(saved_file(tmp_path), PASS).names() == ["main"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["kdf"].__setitem__("opslimit", vault.TEST_ONLY.ops + 1), id="opslimit"),
        pytest.param(lambda d: d["kdf"].__setitem__("memlimit", vault.TEST_ONLY.mem * 2), id="memlimit"),
        pytest.param(lambda d: d["kdf"].__setitem__("salt", base64.b64encode(b"\7" * 16).decode()), id="salt"),
    ],
)
def test_a_header_edited_under_the_right_key_is_refused(tmp_path, key_ignores_the_header, change):
    path = saved_file(tmp_path)
    edit(path, change)
    with pytest.raises(WrongPassphrase) as refused:
        vault.unlock(path, PASS)
    # the docstring's promise: an edited header fails exactly like a wrong passphrase
    with pytest.raises(WrongPassphrase) as wrong:
        vault.unlock(saved_file(tmp_path / "other"), "not " + PASS)
    assert str(refused.value) == str(wrong.value)
