"""The encrypted key file: one versioned JSON file, mode 0600, holding every profile.

Format (ecosystem.md 1.3): a clear header {format, version, cipher, kdf{name, salt, opslimit, memlimit}},
a random 24-byte nonce and the ciphertext of the profiles' JSON. The cipher is XChaCha20-Poly1305
(`nacl.secret.Aead`) with the canonical header JSON as associated data, so an edited salt or KDF parameter
fails exactly like a wrong passphrase even where the edit leaves the derived key unchanged
(tests/test_vault_messages.py); another format, version, cipher or KDF name is refused before, with its own
sentence. The key comes from Argon2id with
the parameters written in the header; they are range-checked BEFORE the KDF runs, because the file is
attacker-controllable and a hostile memlimit would otherwise ask for terabytes.

Textual's crash screen prints every frame's locals, so no long-lived frame here binds plaintext: the
passphrase and the derived key travel as Secrets, and the profiles' plaintext JSON exists only inside
two small functions (`_profiles_from_plaintext`, `_plaintext_of`). Errors are raised `from None`, or
after the except block, so no chained frame carries key bytes into a traceback.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nacl.exceptions
import nacl.pwhash.argon2id as argon2id
import nacl.secret
import nacl.utils

from keys import bounded, private_folder, redact
from keys.file_lock import digest as _digest
from keys.file_lock import locked as _locked
from keys.file_lock import write_target as _write_target
from keys.secret import Secret
from keys.atomic import atomic_write
from keys.profile import Profile, ProfileError, VaultError

FORMAT = "keyprobe-keyfile"
VERSION = 1
CIPHER = "xchacha20poly1305-ietf"
KDF_NAME = "argon2id13"
KEY_BYTES = nacl.secret.Aead.KEY_SIZE
NONCE_BYTES = nacl.secret.Aead.NONCE_SIZE
SALT_BYTES = argon2id.SALTBYTES
MAX_FILE_BYTES = 4 * 1024 * 1024  # a key file is a few KiB; anything this big is not one

# What a reader accepts from the header (age caps scrypt's work factor the same way).
MAX_OPSLIMIT = 10
MAX_MEMLIMIT = argon2id.MEMLIMIT_SENSITIVE  # 1 GiB: the most keyprobe ever writes
MIN_OPSLIMIT = argon2id.OPSLIMIT_MIN
MIN_MEMLIMIT = argon2id.MEMLIMIT_MIN



@dataclass(frozen=True)
class KdfLimits:
    """Argon2id cost: `ops` passes over `mem` bytes. Always explicit: pynacl's default is SENSITIVE."""

    ops: int
    mem: int

    @property
    def label(self) -> str:
        for name, limits in KDF_LEVELS.items():
            if limits == self:
                return name
        return "custom"

    def describe(self) -> str:
        mem = f"{self.mem // (1024 * 1024)} MiB" if self.mem >= 1024 * 1024 else f"{self.mem // 1024} KiB"
        return f"argon2id, {self.ops} passes, {mem} ({self.label})"


INTERACTIVE = KdfLimits(argon2id.OPSLIMIT_INTERACTIVE, argon2id.MEMLIMIT_INTERACTIVE)  # 2, 64 MiB
MODERATE = KdfLimits(argon2id.OPSLIMIT_MODERATE, argon2id.MEMLIMIT_MODERATE)  # 3, 256 MiB
SENSITIVE = KdfLimits(argon2id.OPSLIMIT_SENSITIVE, argon2id.MEMLIMIT_SENSITIVE)  # 4, 1 GiB
TEST_ONLY = KdfLimits(MIN_OPSLIMIT, MIN_MEMLIMIT)  # microseconds: for test suites, never for real keys
KDF_LEVELS: dict[str, KdfLimits] = {"interactive": INTERACTIVE, "moderate": MODERATE, "sensitive": SENSITIVE, "test": TEST_ONLY}
DEFAULT_LIMITS = MODERATE


# -- errors: one family, each a sentence --------------------------------------------------------------
class KeyFileMissing(VaultError):
    pass


class KeyFileExists(VaultError):
    pass


class InsecurePermissions(VaultError):
    pass


class CorruptKeyFile(VaultError):
    pass


class UnsupportedVersion(VaultError):
    pass


class WrongPassphrase(VaultError):
    pass


# -- the unlocked file -------------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class Vault:
    """An unlocked key file: the profiles in memory and the derived key, kept to save without a new KDF."""

    path: Path
    limits: KdfLimits
    _salt: bytes
    _key: Secret  # the derived key, hex; a Secret so it prints as a mask
    profiles: dict[str, Profile] = field(default_factory=dict)
    # What this process last read or wrote: the file's SHA-256 and the salt and key that open it. A save
    # that finds other bytes on disk merges this process's changes into them instead of dropping them.
    _seen: str | None = None
    _disk_salt: bytes = b""
    _disk_key: Secret | None = None
    _changes: list[tuple[str, object]] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(self.profiles)

    def get(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(self.profiles) or "none yet"
            raise ProfileError(f"No profile named {name!r} in {self.path} (profiles: {known}).") from None

    def add(self, profile: Profile) -> None:
        if profile.name in self.profiles:
            raise ProfileError(f"A profile named {profile.name!r} already exists; replace it with --replace or remove it first.")
        self.profiles[profile.name] = profile
        self._changes.append(("add", profile))
        redact.register_profile(profile)

    def replace(self, profile: Profile) -> None:
        self.profiles[profile.name] = profile
        self._changes.append(("replace", profile))
        redact.register_profile(profile)

    def remove(self, name: str) -> Profile:
        profile = self.get(name)
        del self.profiles[name]
        self._changes.append(("remove", name))
        return profile

    def change_passphrase(self, new_passphrase: str | Secret, limits: KdfLimits | None = None) -> None:
        """New salt, new key (and optionally a new cost); takes effect on the next save()."""
        new_passphrase = _usable_passphrase(new_passphrase)  # rebound: a str argument must not stay a local
        self.limits = limits or self.limits
        self._salt = nacl.utils.random(SALT_BYTES)
        self._key = _derive(new_passphrase, self._salt, self.limits)

    def save(self) -> None:
        """Write the profiles, under the file's lock. If another process saved since this one read the
        file, its profiles are read back and this process's adds, edits and removals applied on top,
        so nobody's profile is lost; when that cannot be done safely, VaultError and nothing is written.
        A symlinked key file is written through to its target (the link stays)."""
        target = _write_target(self.path)
        _check_folder(target)
        changes, self._changes = self._changes, []
        with _locked(target):
            on_disk = _read_if_present(target)
            if on_disk is not None and self._seen is not None and _digest(on_disk) != self._seen:
                self.profiles = self._merged(on_disk, changes)
            header = _header(self._salt, self.limits)
            nonce, ciphertext = _seal(self._key, _aad(header), self.profiles)
            document = dict(header, nonce=_b64(nonce), ciphertext=_b64(ciphertext))
            data = (json.dumps(document, indent=2) + "\n").encode()
            try:
                atomic_write(target, data)
            except OSError as exc:
                raise VaultError(f"Could not write the key file {target} ({exc.strerror or exc}); the file on disk is unchanged.") from None
        self._seen, self._disk_salt, self._disk_key = _digest(data), self._salt, self._key

    def _merged(self, on_disk: bytes, changes: list[tuple[str, object]]) -> dict[str, Profile]:
        """The profiles now on disk with this process's changes applied on top."""
        path = self.path
        changed = f"{path} was changed by another keyprobe since it was unlocked"
        try:
            header, nonce, ciphertext = _parse_document(on_disk, path)
        except VaultError as exc:
            raise VaultError(f"{changed}, and it no longer reads as a key file ({str(exc).rstrip('.')}); nothing was saved.") from None
        if header["kdf"]["salt"] != _b64(self._disk_salt) or self._disk_key is None:
            raise VaultError(f"{changed} (its passphrase was changed); nothing was saved. Unlock it again and redo the change.")
        fresh = _open(self._disk_key, _aad(header), nonce, ciphertext, path)
        for action, item in changes:
            if action == "remove":
                fresh.pop(str(item), None)
                continue
            profile: Profile = item  # type: ignore[assignment]
            if action == "add" and profile.name in fresh and fresh[profile.name] != profile:
                raise VaultError(f"{changed}: it now has its own profile {profile.name!r}; nothing was saved. "
                                 "Unlock it again and choose another name.")
            fresh[profile.name] = profile
        return fresh

    def __repr__(self) -> str:
        return f"Vault({str(self.path)!r}, profiles={list(self.profiles)}, kdf={self.limits.label})"


def create(path: str | Path, passphrase: str | Secret, limits: KdfLimits | None = None) -> Vault:
    """A new, empty key file at `path` (refused if one exists: nothing is ever overwritten by create)."""
    path = Path(path)
    passphrase = _usable_passphrase(passphrase)  # rebound: a str argument must not stay a local
    if os.path.lexists(path):
        raise KeyFileExists(f"A key file already exists at {path}; change its passphrase with `keyprobe keys passwd`, or move it away first.")
    private_folder.make(path.parent)
    limits = limits or DEFAULT_LIMITS
    salt = nacl.utils.random(SALT_BYTES)
    vault = Vault(path, limits, salt, _derive(passphrase, salt, limits))
    with _locked(path):
        if os.path.lexists(path):  # another process created it while the KDF ran
            raise KeyFileExists(f"A key file was just created at {path} by another keyprobe; nothing was overwritten.")
    vault.save()
    return vault


def unlock(path: str | Path, passphrase: str | Secret) -> Vault:
    """Open the key file: every check that needs no key runs first, then one KDF, then the AEAD."""
    passphrase = Secret(passphrase)  # rebound first: a str argument must not stay a local in this frame
    path = Path(path)
    raw = _read_checked(path)
    header, nonce, ciphertext = _parse_document(raw, path)
    salt = base64.b64decode(header["kdf"]["salt"])
    limits = KdfLimits(header["kdf"]["opslimit"], header["kdf"]["memlimit"])
    _check_text(passphrase, "The passphrase")
    key = _derive(passphrase, salt, limits)
    profiles = _open(key, _aad(header), nonce, ciphertext, path)
    for profile in profiles.values():
        redact.register_profile(profile)
    return Vault(path, limits, salt, key, profiles, _digest(raw), salt, key)


def read_header(path: Path) -> tuple[dict, bytes, bytes]:
    """Parse and check the clear part of the file: (header, nonce, ciphertext). Raises before any KDF."""
    return _parse_document(_read_checked(path), path)


def _check_folder(path: Path) -> None:
    """The key file's folder (a link's target's, for a save) must be writable by its owner alone (keys/private_folder.py)."""
    why = private_folder.refusal(path.parent)
    if why:
        raise InsecurePermissions(why)


def _read_checked(path: Path) -> bytes:
    """The file's bytes: missing, not a regular file, open to other users or too large are sentences."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyFileMissing(f"No key file at {path}. Create one with `keyprobe keys init`.") from None
    except OSError as exc:
        raise CorruptKeyFile(f"{path} cannot be read ({exc.strerror or exc}).") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise CorruptKeyFile(f"{path} is {kind}, not a keyprobe key file; move it away or point KEYPROBE_HOME elsewhere.")
    if os.name == "posix" and st.st_mode & 0o077:
        raise InsecurePermissions(
            f"{path} can be read or written by other users (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"keyprobe will not use it until you fix that with `chmod 600 {path}`."
        )
    _check_folder(path)
    if st.st_size > MAX_FILE_BYTES:
        raise CorruptKeyFile(f"{path} is {st.st_size} bytes, far too large to be a keyprobe key file.")
    try:
        return bounded.read_file(path, MAX_FILE_BYTES, "key file")
    except bounded.UnreadableInput as exc:
        raise CorruptKeyFile(str(exc)) from None


def _parse_document(raw: bytes, path: Path) -> tuple[dict, bytes, bytes]:
    try:
        document = bounded.loads(raw, str(path), max_depth=8)
    except bounded.UnreadableInput as exc:
        raise CorruptKeyFile(f"{path} is not a keyprobe key file ({str(exc).removeprefix(str(path)).strip(' .')}).") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CorruptKeyFile(f"{path} is not a keyprobe key file (no \"format\": \"{FORMAT}\").")
    version = document.get("version")
    if not _is_int(version):
        raise CorruptKeyFile(f"{path} has no valid version number; the file was damaged or edited.")
    if version != VERSION:
        newer = "a newer" if version > VERSION else "an unknown"
        raise UnsupportedVersion(f"{path} is key file version {version}, written by {newer} keyprobe; this one reads version {VERSION}.")
    if document.get("cipher") != CIPHER:
        raise UnsupportedVersion(f"{path} uses the cipher {document.get('cipher')!r}; this keyprobe supports only {CIPHER}.")
    kdf = document.get("kdf")
    if not isinstance(kdf, dict) or kdf.get("name") != KDF_NAME:
        name = kdf.get("name") if isinstance(kdf, dict) else None
        raise UnsupportedVersion(f"{path} uses the key derivation {name!r}; this keyprobe supports only {KDF_NAME}.")
    _check_kdf_params(path, kdf)
    salt = _unb64(kdf.get("salt"), SALT_BYTES, "salt", path)
    nonce = _unb64(document.get("nonce"), NONCE_BYTES, "nonce", path)
    ciphertext = _unb64(document.get("ciphertext"), None, "ciphertext", path)
    if len(ciphertext) < nacl.secret.Aead.MACBYTES:
        raise CorruptKeyFile(f"{path} is damaged: the ciphertext is shorter than its authentication tag.")
    header = _header(salt, KdfLimits(kdf["opslimit"], kdf["memlimit"]))
    return header, nonce, ciphertext


def _check_kdf_params(path: Path, kdf: dict) -> None:
    ops, mem = kdf.get("opslimit"), kdf.get("memlimit")
    if not _is_int(ops) or not MIN_OPSLIMIT <= ops <= MAX_OPSLIMIT:
        raise CorruptKeyFile(
            f"{path} asks for {ops!r} Argon2id passes; keyprobe accepts {MIN_OPSLIMIT} to {MAX_OPSLIMIT}. The file was damaged or edited."
        )
    if not _is_int(mem) or not MIN_MEMLIMIT <= mem <= MAX_MEMLIMIT:
        raise CorruptKeyFile(
            f"{path} asks for {mem!r} bytes of memory for Argon2id; keyprobe accepts {MIN_MEMLIMIT} to {MAX_MEMLIMIT} (1 GiB). "
            "The file was damaged or edited."
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unb64(text: object, size: int | None, what: str, path: Path) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True) if isinstance(text, str) else None
    except ValueError:
        raw = None
    if raw is None or (size is not None and len(raw) != size):
        want = f" of {size} bytes" if size else ""
        raise CorruptKeyFile(f"{path} is damaged: its {what} is not valid base64{want}.")
    return raw


def _header(salt: bytes, limits: KdfLimits) -> dict:
    return {
        "format": FORMAT,
        "version": VERSION,
        "cipher": CIPHER,
        "kdf": {"name": KDF_NAME, "salt": _b64(salt), "opslimit": limits.ops, "memlimit": limits.mem},
    }


def _aad(header: dict) -> bytes:
    """The associated data: the header, canonical, so any edit to it fails authentication."""
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _usable_passphrase(passphrase: str | Secret) -> Secret:
    passphrase = Secret(passphrase)
    if not passphrase:
        raise VaultError("The passphrase is empty; choose one you can remember (a few words work well).")
    _check_text(passphrase, "The new passphrase")
    return passphrase


def _check_text(passphrase: Secret, which: str) -> None:
    """A passphrase is hashed as UTF-8. Bytes that are not UTF-8 (`KEYPROBE_PASSPHRASE=$(printf 'x\\xff')`, a
    terminal in another encoding) reach Python as lone surrogates, which UTF-8 cannot write: a traceback
    before. No key file was ever made from such a passphrase, so none can open with one."""
    try:
        passphrase.reveal().encode()
    except UnicodeEncodeError:
        advice = ("Choose one written as UTF-8 text." if which.startswith("The new") else
                  "Give it as UTF-8 text, as it was typed when the key file was made.")
        raise VaultError(f"{which} is not UTF-8 text: it holds bytes that are not characters (an environment "
                         f"variable set from other bytes, or a terminal in another encoding). {advice}") from None


# -- the file on disk -----------------------------------------------------------------------------------
def _read_if_present(target: Path) -> bytes | None:
    if not os.path.lexists(target):
        return None
    return _read_checked(target)


# -- the only places plaintext exists ------------------------------------------------------------------
def _derive(passphrase: Secret, salt: bytes, limits: KdfLimits) -> Secret:
    """Argon2id with explicit limits; the key goes straight into a Secret, never into a local."""
    return Secret(
        argon2id.kdf(KEY_BYTES, passphrase.reveal().encode(), salt, opslimit=limits.ops, memlimit=limits.mem).hex()
    )


def _open(key: Secret, aad: bytes, nonce: bytes, ciphertext: bytes, path: Path) -> dict[str, Profile]:
    failure: VaultError
    try:
        return _profiles_from_plaintext(
            nacl.secret.Aead(bytes.fromhex(key.reveal())).decrypt(ciphertext, aad, nonce)
        )
    except nacl.exceptions.CryptoError:
        failure = WrongPassphrase("Wrong passphrase, or the key file was modified.")
    except ProfileError as exc:
        failure = CorruptKeyFile(f"{path} decrypted, but a stored profile is not usable: {exc}")
    except (ValueError, KeyError, TypeError, AttributeError):
        failure = CorruptKeyFile(f"{path} decrypted, but its contents are not keyprobe profiles; the file is damaged.")
    # Raised here, outside the except blocks: no __context__, so no frame that held plaintext is chained.
    raise failure


def _profiles_from_plaintext(plaintext: bytes) -> dict[str, Profile]:
    data = json.loads(plaintext)
    profiles: dict[str, Profile] = {}
    for item in data["profiles"]:
        profile = Profile.new(
            item["name"],
            item["venue"],
            item["api_key"],
            item["secret"],
            item.get("memo", ""),
            extra_hosts=tuple(item.get("extra_hosts", ())),
            base_url=item.get("base_url"),
            notes=item.get("notes"),  # Profile.new reads a missing note as ""
            checked=False,
            proxy=item.get("proxy"),
            dialect=item.get("dialect", "auto"),  # absent from key files written before dialects
        )
        profiles[profile.name] = profile
    return profiles


def _plaintext_of(profiles: dict[str, Profile]) -> bytes:
    return json.dumps(
        {
            "profiles": [
                {
                    "name": p.name,
                    "venue": p.venue,
                    "api_key": p.api_key.reveal(),
                    "secret": p.secret.reveal(),
                    "memo": p.memo.reveal(),
                    "extra_hosts": list(p.extra_hosts),
                    "base_url": p.base_url,
                    "notes": p.notes,
                    "proxy": p.proxy,
                    "dialect": p.dialect,
                }
                for p in profiles.values()
            ]
        }
    ).encode()


def _seal(key: Secret, aad: bytes, profiles: dict[str, Profile]) -> tuple[bytes, bytes]:
    box = nacl.secret.Aead(bytes.fromhex(key.reveal())).encrypt(_plaintext_of(profiles), aad)
    return box.nonce, box.ciphertext


__all__ = [
    "CorruptKeyFile",
    "DEFAULT_LIMITS",
    "INTERACTIVE",
    "InsecurePermissions",
    "KDF_LEVELS",
    "KdfLimits",
    "KeyFileExists",
    "KeyFileMissing",
    "MODERATE",
    "Profile",
    "ProfileError",
    "SENSITIVE",
    "TEST_ONLY",
    "UnsupportedVersion",
    "Vault",
    "VaultError",
    "WrongPassphrase",
    "create",
    "unlock",
]
