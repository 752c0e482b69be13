"""Every refusal of a damaged key file, sentence for sentence, and the edges of each check.

The tests in test_vault.py check the kind of error and a few words; mutants that changed a sentence, a
boundary or the path in it survived them. A person reads these sentences: they are the product.
"""

from __future__ import annotations

import base64
import json
import os

import nacl.secret
import pytest

from keys import vault
from keys.vault import CorruptKeyFile, KeyFileExists, Profile, ProfileError, UnsupportedVersion, WrongPassphrase

PASS = "messages pass"


@pytest.fixture
def path(tmp_path):
    p = tmp_path / "keys.json"
    v = vault.create(p, PASS, vault.TEST_ONLY)
    v.add(Profile.new("main", "bitmart", "a" * 40, "s" * 64, "memo"))
    v.save()
    return p


def edit(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    os.chmod(path, 0o600)


def refusal(path, error=CorruptKeyFile) -> str:
    with pytest.raises(error) as info:
        vault.unlock(path, PASS)
    return str(info.value)


def test_the_file_is_written_as_indented_json(path):
    text = path.read_text()
    assert text == json.dumps(json.loads(text), indent=2) + "\n"


def test_size_limit_is_inclusive(path):
    path.write_bytes(b" " * vault.MAX_FILE_BYTES)  # at the limit: read, then refused as not JSON
    assert refusal(path) == (f"{path} is not a keyprobe key file (is not valid JSON (Expecting value at line 1, "
                             f"column {vault.MAX_FILE_BYTES + 1})).")
    path.write_bytes(b" " * (vault.MAX_FILE_BYTES + 1))
    assert refusal(path) == f"{path} is {vault.MAX_FILE_BYTES + 1} bytes, far too large to be a keyprobe key file."


def test_not_utf8_and_not_json_say_which(path):
    path.write_bytes(b'{"format": "\xff"}')
    assert refusal(path) == f"{path} is not a keyprobe key file (is not UTF-8 text (byte 12))."
    path.write_text("{nope")
    assert refusal(path).startswith(f"{path} is not a keyprobe key file (is not valid JSON (Expecting property name")


@pytest.mark.parametrize("version,who", [(2, "a newer"), (0, "an unknown"), (-1, "an unknown")])
def test_another_version_names_who_wrote_it(path, version, who):
    edit(path, lambda d: d.__setitem__("version", version))
    assert refusal(path, UnsupportedVersion) == (
        f"{path} is key file version {version}, written by {who} keyprobe; this one reads version {vault.VERSION}.")


def test_a_kdf_that_is_not_an_object_is_an_unsupported_derivation(path):
    edit(path, lambda d: d.__setitem__("kdf", ["argon2id13"]))
    assert refusal(path, UnsupportedVersion) == f"{path} uses the key derivation None; this keyprobe supports only argon2id13."


def test_kdf_limits_are_inclusive_and_the_sentence_names_the_file(path):
    edit(path, lambda d: d["kdf"].__setitem__("opslimit", vault.MAX_OPSLIMIT))
    refusal(path, WrongPassphrase)  # accepted as a parameter: the edit is then caught by the associated data
    edit(path, lambda d: d["kdf"].__setitem__("opslimit", vault.MAX_OPSLIMIT + 1))
    assert refusal(path) == (f"{path} asks for {vault.MAX_OPSLIMIT + 1} Argon2id passes; keyprobe accepts {vault.MIN_OPSLIMIT} "
                             f"to {vault.MAX_OPSLIMIT}. The file was damaged or edited.")
    edit(path, lambda d: d["kdf"].update(opslimit=1, memlimit=vault.MAX_MEMLIMIT + 1))
    assert refusal(path) == (f"{path} asks for {vault.MAX_MEMLIMIT + 1} bytes of memory for Argon2id; keyprobe accepts "
                             f"{vault.MIN_MEMLIMIT} to {vault.MAX_MEMLIMIT} (1 GiB). The file was damaged or edited.")


def test_the_max_memlimit_itself_is_accepted(path, monkeypatch):
    import nacl.pwhash.argon2id as argon2id

    seen = []
    monkeypatch.setattr(argon2id, "kdf", lambda size, pw, salt, opslimit, memlimit: seen.append(memlimit) or b"\0" * size)
    edit(path, lambda d: d["kdf"].__setitem__("memlimit", vault.MAX_MEMLIMIT))
    refusal(path, WrongPassphrase)
    assert seen == [vault.MAX_MEMLIMIT]


@pytest.mark.parametrize(
    "field,value,sentence",
    [
        ("salt", "c2FsdA==", "its salt is not valid base64 of 16 bytes"),
        ("nonce", "A$" + "A" * 30, "its nonce is not valid base64 of 24 bytes"),
        ("ciphertext", "!!!!", "its ciphertext is not valid base64"),
        ("ciphertext", 42, "its ciphertext is not valid base64"),
    ],
)
def test_damaged_fields_are_named(path, field, value, sentence):
    edit(path, lambda d: (d["kdf"] if field == "salt" else d).__setitem__(field, value))
    assert refusal(path) == f"{path} is damaged: {sentence}."


def test_a_ciphertext_of_exactly_the_tag_length_reaches_the_cipher(path):
    edit(path, lambda d: d.__setitem__("ciphertext", base64.b64encode(b"\0" * nacl.secret.Aead.MACBYTES).decode()))
    assert refusal(path, WrongPassphrase) == "Wrong passphrase, or the key file was modified."
    edit(path, lambda d: d.__setitem__("ciphertext", base64.b64encode(b"\0" * (nacl.secret.Aead.MACBYTES - 1)).decode()))
    assert refusal(path) == f"{path} is damaged: the ciphertext is shorter than its authentication tag."


def test_create_refuses_an_existing_file_and_makes_missing_folders_private(path, tmp_path):
    with pytest.raises(KeyFileExists) as info:
        vault.create(path, PASS, vault.TEST_ONLY)
    assert str(info.value) == (f"A key file already exists at {path}; change its passphrase with `keyprobe keys passwd`, "
                               "or move it away first.")
    deep = tmp_path / "a" / "b" / "keys.json"
    vault.create(deep, PASS, vault.TEST_ONLY)
    assert (deep.parent.stat().st_mode & 0o777) == 0o700 and vault.unlock(deep, PASS).names() == []


def test_vault_repr_names_and_get_lists_the_profiles(path):
    v = vault.unlock(path, PASS)
    assert repr(v) == f"Vault({str(path)!r}, profiles=['main'], kdf=test)"
    with pytest.raises(ProfileError) as info:
        v.get("other")
    assert str(info.value) == f"No profile named 'other' in {path} (profiles: main)."
    v.add(Profile.new("second", "bitmart", "b" * 40, "t" * 64, ""))
    with pytest.raises(ProfileError) as info:
        v.get("other")
    assert str(info.value) == f"No profile named 'other' in {path} (profiles: main, second)."
    v.remove("second")
    v.remove("main")
    with pytest.raises(ProfileError) as info:
        v.get("main")
    assert str(info.value) == f"No profile named 'main' in {path} (profiles: none yet)."


@pytest.mark.parametrize(
    "limits,text",
    [
        (vault.KdfLimits(2, 1024 * 1024), "argon2id, 2 passes, 1 MiB (custom)"),
        (vault.KdfLimits(2, 1024 * 1024 + 1024), "argon2id, 2 passes, 1 MiB (custom)"),
        (vault.KdfLimits(2, 1024 * 1024 - 1024), "argon2id, 2 passes, 1023 KiB (custom)"),
    ],
)
def test_kdf_cost_is_described_in_mib_from_one_mib(limits, text):
    assert limits.describe() == text


def reseal(path, plaintext: bytes) -> None:
    """Seal `plaintext` as the file's contents with the right key and header: what a future version might write."""
    import nacl.pwhash.argon2id as argon2id

    document = json.loads(path.read_text())
    header = {k: document[k] for k in ("format", "version", "cipher", "kdf")}
    key = argon2id.kdf(32, PASS.encode(), base64.b64decode(header["kdf"]["salt"]),
                       opslimit=vault.TEST_ONLY.ops, memlimit=vault.TEST_ONLY.mem)
    box = nacl.secret.Aead(key).encrypt(plaintext, vault._aad(header))
    edit(path, lambda d: d.update(nonce=base64.b64encode(box.nonce).decode(), ciphertext=base64.b64encode(box.ciphertext).decode()))


def test_a_stored_profile_without_a_memo_opens_with_an_empty_one(path):
    reseal(path, json.dumps({"profiles": [{"name": "m", "venue": "bitmart", "api_key": "a" * 40, "secret": "s" * 64}]}).encode())
    profile = vault.unlock(path, PASS).get("m")
    assert not profile.memo and len(profile.memo) == 0 and profile.extra_hosts == () and profile.notes == ""


def test_contents_that_decrypt_but_are_not_profiles_say_so(path):
    reseal(path, b'{"something": "else"}')
    assert refusal(path) == f"{path} decrypted, but its contents are not keyprobe profiles; the file is damaged."
    reseal(path, json.dumps({"profiles": [{"name": "m", "venue": "nowhere", "api_key": "a" * 40, "secret": "s" * 64}]}).encode())
    assert refusal(path).startswith(f"{path} decrypted, but a stored profile is not usable: ")


# A key file written by keyprobe before this test existed: a later keyprobe must still open it, so the
# associated data (the canonical header bytes) and the key derivation can never change by accident.
WRITTEN_EARLIER = {
    "format": "keyprobe-keyfile",
    "version": 1,
    "cipher": "xchacha20poly1305-ietf",
    "kdf": {"name": "argon2id13", "salt": "K+E5pN4jfe7g4MVO6aVaiw==", "opslimit": 1, "memlimit": 8192},
    "nonce": "Ne0iuwmC+gqcDATWTW+6AOcWE60So2Wx",
    "ciphertext": (
        "jih5wI0dfWFSXRedZpxrKJzDmevgDBCwT8lPn0HWS90gZ3e1qu4H5l7MEG4upFuYveRunNLoCEk+5MiRcq49mSojaMSSb48z8Iwc6JCj"
        "Xt2aJRRpQbUakkv9lx6OwXhi1O3SCvzJSFuYW7++zXqKODujyQGzeRJZEVtijqltCRbFolFFbxfVX0KctRxv27XwOq8J53JwafpoNG7O"
        "ZyjuTiyFX7fGCjOaX+bb5zDsWC1XUELrCMpdHm8v2H9zZX1R7Bk0dRSrFNkyMrXbZXEt355jsZUixkWNrsxovjcsvwvr9H62auUDykC3"
        "D1bvMvsoRNemDS+DPqsDPyyVGQ4VgCBAb30x0aXi+eigpLNPECCNbGH8lFKRfmTmRkO/XwSL48qgTbIh9n/Qb1of+L8="
    ),
}


def test_a_key_file_written_earlier_still_opens(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(WRITTEN_EARLIER))
    os.chmod(path, 0o600)
    main = vault.unlock(path, "fixture pass").get("main")
    assert main.fingerprint == "#beb245ca" and len(main.secret) == 64 and len(main.memo) == 5


def test_an_empty_passphrase_is_a_sentence(tmp_path):
    with pytest.raises(vault.VaultError) as info:
        vault.create(tmp_path / "k.json", "", vault.TEST_ONLY)
    assert str(info.value) == "The passphrase is empty; choose one you can remember (a few words work well)."


# -- the header is authenticated ----------------------------------------------------------------------
# The tamper tests in test_vault.py would pass even without the associated data: an edited salt or KDF
# parameter changes the derived key. Here Argon2id is replaced by a stand-in that ignores the salt and the
# parameters, so an edited header still yields the right key: only the associated data can refuse it.
@pytest.fixture
def key_ignores_the_header(monkeypatch):
    import hashlib

    import nacl.pwhash.argon2id as argon2id

    def kdf(size, password, salt, opslimit, memlimit):
        return hashlib.sha256(password).digest()[:size]

    monkeypatch.setattr(argon2id, "kdf", kdf)


def test_the_stand_in_kdf_opens_an_unedited_file(tmp_path, key_ignores_the_header):
    path = tmp_path / "stand-in.json"
    vault.create(path, PASS, vault.TEST_ONLY).save()
    assert vault.unlock(path, PASS).names() == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["kdf"].__setitem__("opslimit", vault.TEST_ONLY.ops + 1), id="opslimit"),
        pytest.param(lambda d: d["kdf"].__setitem__("memlimit", vault.TEST_ONLY.mem * 2), id="memlimit"),
        pytest.param(lambda d: d["kdf"].__setitem__("salt", base64.b64encode(b"\7" * 16).decode()), id="salt"),
    ],
)
def test_a_header_edited_under_the_right_key_is_refused(tmp_path, key_ignores_the_header, change):
    path = tmp_path / "stand-in.json"
    vault.create(path, PASS, vault.TEST_ONLY).save()
    with pytest.raises(WrongPassphrase) as wrong:
        vault.unlock(path, "not " + PASS)
    edit(path, change)
    # the docstring's promise: an edited header fails exactly like a wrong passphrase
    assert refusal(path, WrongPassphrase) == str(wrong.value)


def test_a_key_file_nested_too_deeply_is_refused_with_the_limit(tmp_path):
    # A hostile or damaged file nested past 8 levels is refused before any field is read, saying the limit.
    path = tmp_path / "keys.json"
    path.write_text('{"a":' * 9 + "1" + "}" * 9)
    path.chmod(0o600)
    with pytest.raises(vault.VaultError) as info:
        vault.read_header(path)
    assert str(info.value) == f"{path} is not a keyprobe key file (nests more than 8 levels deep; keyprobe reads at most 8)."
