"""The key file: round trip, what is on disk, and every way a file can refuse to open."""

from __future__ import annotations

import base64
import io
import json
import os
import sys

import nacl.pwhash.argon2id as argon2id
import nacl.secret
import pytest
from leaks import find_leaks
from rich.console import Console
from rich.traceback import Traceback

from keys import vault
from keys.secret import Secret
from keys.vault import (
    CorruptKeyFile,
    InsecurePermissions,
    KeyFileExists,
    KeyFileMissing,
    Profile,
    UnsupportedVersion,
    VaultError,
    WrongPassphrase,
)

PASS = "correct horse battery staple"
API_KEY = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0"
SECRET = "VAULT-TEST-SECRET-7f3e9a1c5b2d4e6f8a0c2e4f6a8b0d2e"
MEMO = "vault-test-memo-Q9"


def make(tmp_path, passphrase=PASS):
    path = tmp_path / "keys.json"
    v = vault.create(path, passphrase, vault.TEST_ONLY)
    v.add(Profile.new("main", "bitmart", API_KEY, SECRET, MEMO, extra_hosts=["Mirror.Example.com"], notes="desk 2"))
    v.add(Profile.new("local", "emulator", "k" * 20, "s" * 20, "", base_url="http://127.0.0.1:9999"))
    v.save()
    return path


def doc(path):
    return json.loads(path.read_text())


def write_doc(path, document):
    path.write_text(json.dumps(document))
    os.chmod(path, 0o600)


def test_round_trip_keeps_every_field(tmp_path):
    path = make(tmp_path)
    v = vault.unlock(path, PASS)
    assert v.names() == ["main", "local"]
    main = v.get("main")
    assert main.api_key == Secret(API_KEY) and main.secret == Secret(SECRET) and main.memo == Secret(MEMO)
    assert main.extra_hosts == ("mirror.example.com",) and main.notes == "desk 2" and main.base_url is None
    local = v.get("local")
    assert local.memo == Secret("") and local.base_url == "http://127.0.0.1:9999"
    assert v.limits == vault.TEST_ONLY


def test_passphrase_may_be_a_secret(tmp_path):
    path = make(tmp_path, passphrase=Secret(PASS))
    assert vault.unlock(path, Secret(PASS)).names() == ["main", "local"]


def test_file_is_0600_whatever_the_umask_and_holds_no_plaintext(tmp_path):
    old = os.umask(0o022)
    try:
        path = make(tmp_path)
    finally:
        os.umask(old)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    raw = path.read_bytes()
    for value in (API_KEY, SECRET, MEMO, "desk 2", "mirror.example.com"):
        assert value.encode() not in raw
        assert base64.b64encode(value.encode())[:12] not in raw
    document = doc(path)
    assert document["format"] == "keyprobe-keyfile" and document["version"] == 1
    assert document["cipher"] == "xchacha20poly1305-ietf"
    assert document["kdf"]["name"] == "argon2id13"
    assert (document["kdf"]["opslimit"], document["kdf"]["memlimit"]) == (1, 8192)
    assert len(base64.b64decode(document["nonce"])) == 24 and len(base64.b64decode(document["kdf"]["salt"])) == 16
    assert not [p for p in tmp_path.iterdir() if p.name != "keys.json"], "no temp file left behind"


def test_each_save_uses_a_fresh_nonce(tmp_path):
    path = make(tmp_path)
    first = doc(path)["nonce"]
    v = vault.unlock(path, PASS)
    v.save()
    assert doc(path)["nonce"] != first
    assert vault.unlock(path, PASS).names() == ["main", "local"]


def test_wrong_passphrase_is_a_sentence_with_no_chained_frames(tmp_path):
    path = make(tmp_path)
    with pytest.raises(WrongPassphrase) as info:
        vault.unlock(path, "correct horse battery stapler")
    assert str(info.value) == "Wrong passphrase, or the key file was modified."
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_wrong_passphrase_rendered_with_locals_shows_no_secret(tmp_path):
    """What Textual's crash screen would print if an unlock failure escaped."""
    path = make(tmp_path)
    try:
        vault.unlock(path, "WRONG-PASSPHRASE-TEXT")
    except WrongPassphrase:
        text = render_traceback(*sys.exc_info())
    assert "Wrong passphrase" in text
    assert find_leaks([("traceback", text)], ["WRONG-PASSPHRASE-TEXT", SECRET, MEMO]) == []


def render_traceback(exc_type, exc, tb) -> str:
    """Frames from the call into keys.vault down (the test's own frame and source hold the values)."""
    tb = tb.tb_next
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(
        Traceback.from_exception(exc_type, exc, tb, show_locals=True, locals_max_length=50, locals_max_string=500)
    )
    return out.getvalue()


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda d: d["kdf"].__setitem__("opslimit", 2), id="opslimit-lowered-or-raised"),
        pytest.param(lambda d: d["kdf"].__setitem__("memlimit", 16384), id="memlimit"),
        pytest.param(lambda d: d["kdf"].__setitem__("salt", base64.b64encode(b"\0" * 16).decode()), id="salt"),
        pytest.param(lambda d: d.__setitem__("nonce", base64.b64encode(b"\1" * 24).decode()), id="nonce"),
    ],
)
def test_tampered_header_fails_like_a_wrong_passphrase(tmp_path, edit):
    path = make(tmp_path)
    document = doc(path)
    edit(document)
    write_doc(path, document)
    with pytest.raises(WrongPassphrase):
        vault.unlock(path, PASS)


@pytest.mark.parametrize("position", [0, 17, -1])
def test_tampered_ciphertext_is_refused(tmp_path, position):
    path = make(tmp_path)
    document = doc(path)
    raw = bytearray(base64.b64decode(document["ciphertext"]))
    raw[position] ^= 0x01
    document["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    write_doc(path, document)
    with pytest.raises(WrongPassphrase):
        vault.unlock(path, PASS)


@pytest.fixture
def kdf_calls(monkeypatch):
    """Records each Argon2id run (the real one still runs): proves hostile parameters are refused first."""
    calls = []
    real = argon2id.kdf

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(argon2id, "kdf", spy)
    return calls


@pytest.mark.parametrize(
    "field,value,words",
    [
        ("memlimit", 2**42, "bytes of memory"),
        ("memlimit", 2**31, "bytes of memory"),
        ("memlimit", 1024, "bytes of memory"),
        ("memlimit", "268435456", "bytes of memory"),
        ("opslimit", 10**9, "passes"),
        ("opslimit", 0, "passes"),
        ("opslimit", -3, "passes"),
        ("opslimit", True, "passes"),
        ("opslimit", 3.0, "passes"),
    ],
)
def test_hostile_kdf_parameters_are_refused_before_the_kdf_runs(tmp_path, kdf_calls, field, value, words):
    path = make(tmp_path)
    document = doc(path)
    document["kdf"][field] = value
    write_doc(path, document)
    kdf_calls.clear()
    with pytest.raises(CorruptKeyFile) as info:
        vault.unlock(path, PASS)
    assert words in str(info.value) and "damaged or edited" in str(info.value)
    assert kdf_calls == []


def test_sane_parameters_do_run_the_kdf_once(tmp_path, kdf_calls):
    path = make(tmp_path)
    kdf_calls.clear()
    vault.unlock(path, PASS)
    assert kdf_calls == [{"opslimit": 1, "memlimit": 8192}]


@pytest.mark.parametrize(
    "edit,error,words",
    [
        (lambda d: d.__setitem__("version", 2), UnsupportedVersion, "version 2, written by a newer keyprobe"),
        (lambda d: d.__setitem__("version", "1"), CorruptKeyFile, "no valid version"),
        (lambda d: d.__setitem__("cipher", "aes-256-gcm"), UnsupportedVersion, "cipher 'aes-256-gcm'"),
        (lambda d: d["kdf"].__setitem__("name", "scrypt"), UnsupportedVersion, "key derivation 'scrypt'"),
        (lambda d: d.__setitem__("format", "something-else"), CorruptKeyFile, "not a keyprobe key file"),
        (lambda d: d.__setitem__("nonce", "%%%not base64"), CorruptKeyFile, "nonce is not valid base64"),
        (lambda d: d.__setitem__("nonce", base64.b64encode(b"short").decode()), CorruptKeyFile, "of 24 bytes"),
        (lambda d: d["kdf"].__setitem__("salt", base64.b64encode(b"x" * 8).decode()), CorruptKeyFile, "salt"),
        (lambda d: d.__setitem__("ciphertext", base64.b64encode(b"x" * 8).decode()), CorruptKeyFile, "shorter than its authentication tag"),
        (lambda d: d.pop("ciphertext"), CorruptKeyFile, "ciphertext is not valid base64"),
    ],
)
def test_damaged_or_foreign_files_say_what_is_wrong(tmp_path, kdf_calls, edit, error, words):
    path = make(tmp_path)
    document = doc(path)
    edit(document)
    write_doc(path, document)
    kdf_calls.clear()
    with pytest.raises(error) as info:
        vault.unlock(path, PASS)
    assert words in str(info.value) and str(path) in str(info.value)
    assert kdf_calls == []


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b"\xff\xfe garbage", b'{"format": "keyprobe-keyfile"}'])
def test_not_json_or_not_ours(tmp_path, content):
    path = tmp_path / "keys.json"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(CorruptKeyFile):
        vault.unlock(path, PASS)


def test_decrypts_but_holds_no_profiles_is_corrupt_and_leaks_nothing(tmp_path):
    """A file sealed with the right key but unusable contents: the error must not carry the plaintext."""
    path = make(tmp_path)
    document = doc(path)
    header = {k: document[k] for k in ("format", "version", "cipher", "kdf")}
    key = argon2id.kdf(32, PASS.encode(), base64.b64decode(header["kdf"]["salt"]), opslimit=1, memlimit=8192)
    plaintext = json.dumps({"profiles": [{"name": "x", "venue": "gone-venue", "api_key": API_KEY, "secret": SECRET, "memo": MEMO}]})
    box = nacl.secret.Aead(key).encrypt(plaintext.encode(), vault._aad(header))
    write_doc(path, dict(header, nonce=base64.b64encode(box.nonce).decode(), ciphertext=base64.b64encode(box.ciphertext).decode()))
    try:
        vault.unlock(path, PASS)
    except CorruptKeyFile as exc:
        assert "gone-venue" in str(exc) and exc.__context__ is None
        text = render_traceback(type(exc), exc, exc.__traceback__)
    else:
        pytest.fail("a file with an unknown venue opened")
    assert find_leaks([("traceback", text)], [SECRET, MEMO, PASS]) == []


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_group_or_world_access_is_refused_with_the_fix(tmp_path, kdf_calls, mode):
    path = make(tmp_path)
    os.chmod(path, mode)
    kdf_calls.clear()
    with pytest.raises(InsecurePermissions) as info:
        vault.unlock(path, PASS)
    assert f"chmod 600 {path}" in str(info.value) and f"{mode:04o}" in str(info.value)
    assert kdf_calls == []
    os.chmod(path, 0o600)
    assert vault.unlock(path, PASS).names() == ["main", "local"]


def test_missing_file_says_how_to_create_one(tmp_path):
    with pytest.raises(KeyFileMissing) as info:
        vault.unlock(tmp_path / "nope.json", PASS)
    assert "keyprobe keys init" in str(info.value)


def test_create_never_overwrites(tmp_path):
    path = make(tmp_path)
    before = path.read_bytes()
    with pytest.raises(KeyFileExists):
        vault.create(path, "another", vault.TEST_ONLY)
    assert path.read_bytes() == before


def test_empty_passphrase_is_refused_on_create_and_change(tmp_path):
    with pytest.raises(VaultError, match="passphrase is empty"):
        vault.create(tmp_path / "k.json", "", vault.TEST_ONLY)
    assert not (tmp_path / "k.json").exists()
    v = vault.unlock(make(tmp_path), PASS)
    with pytest.raises(VaultError, match="passphrase is empty"):
        v.change_passphrase(Secret(""))


def test_change_passphrase_new_salt_old_one_fails(tmp_path):
    path = make(tmp_path)
    salt = doc(path)["kdf"]["salt"]
    v = vault.unlock(path, PASS)
    v.change_passphrase("a new passphrase")
    v.save()
    assert doc(path)["kdf"]["salt"] != salt
    with pytest.raises(WrongPassphrase):
        vault.unlock(path, PASS)
    assert vault.unlock(path, "a new passphrase").get("main").secret == Secret(SECRET)


def test_change_passphrase_can_change_the_cost(tmp_path):
    path = make(tmp_path)
    v = vault.unlock(path, PASS)
    custom = vault.KdfLimits(1, 16384)
    v.change_passphrase("p2", custom)
    v.save()
    assert (doc(path)["kdf"]["opslimit"], doc(path)["kdf"]["memlimit"]) == (1, 16384)
    assert vault.unlock(path, "p2").limits == custom


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = make(tmp_path)
    before = path.read_bytes()
    v = vault.unlock(path, PASS)
    v.remove("main")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(vault.os, "replace", broken_replace)
    with pytest.raises(vault.VaultError, match=r"Could not write the key file .*No space left on device.*unchanged"):
        v.save()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]


def test_kdf_levels_are_the_libsodium_constants():
    assert (vault.INTERACTIVE.ops, vault.INTERACTIVE.mem) == (2, 64 * 1024 * 1024)
    assert (vault.MODERATE.ops, vault.MODERATE.mem) == (3, 256 * 1024 * 1024)
    assert vault.DEFAULT_LIMITS == vault.MODERATE
    assert vault.MODERATE.describe() == "argon2id, 3 passes, 256 MiB (moderate)"
    assert vault.TEST_ONLY.describe() == "argon2id, 1 passes, 8 KiB (test)"


def test_reprs_show_fingerprints_only(tmp_path):
    v = vault.unlock(make(tmp_path), PASS)
    text = " ".join(repr(x) for x in (v, v.get("main"), v.get("main").credentials, v.profiles, v._key))
    assert "#beb245ca" in text and API_KEY not in text
    assert find_leaks([("reprs", text)], [SECRET, MEMO]) == []
