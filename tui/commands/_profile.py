"""Profiles for headless commands: `load_profile(name)` for send/skew/replay `--profile NAME`.

The key file is unlocked at most once per run (one Argon2id, ~0.4 s at the default cost). The
passphrase comes from KEYPROBE_PASSPHRASE or a terminal prompt, never from stdin when stdin is not a
terminal: a command may be reading a request body from there. Every failure is one sentence on
stderr and SystemExit(2).
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from keys.secret import Secret

if TYPE_CHECKING:
    from keys.vault import KdfLimits, Profile, Vault

PASSPHRASE_ENV = "KEYPROBE_PASSPHRASE"
NEW_PASSPHRASE_ENV = "KEYPROBE_NEW_PASSPHRASE"
KDF_ENV = "KEYPROBE_KDF"  # interactive | moderate | sensitive | test (test: tiny cost, for test suites only)

_unlocked: dict[Path, Vault] = {}


class PromptUnavailable(Exception):
    """No value in the environment and no terminal to ask on."""


def ask_secret(prompt: str, env_var: str) -> Secret:
    """A secret from `env_var`, else typed at a hidden terminal prompt (never bound to a plain local)."""
    if env_var in os.environ:
        return Secret(os.environ[env_var])
    if not sys.stdin.isatty():
        raise PromptUnavailable(f"No terminal to ask for it on: set {env_var}.")
    try:
        return Secret(getpass.getpass(prompt))
    except UnicodeDecodeError:  # a terminal in another encoding: the bytes typed are not this locale's text
        raise PromptUnavailable(f"What was typed is not text in this terminal's encoding; type it again, or set {env_var}.") from None


def ask_text(prompt: str, env_var: str) -> str:
    """A value that may be echoed (the API key: seeing it helps catch a bad paste)."""
    value = os.environ.get(env_var)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise PromptUnavailable(f"No terminal to ask for it on: set {env_var}.")
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise PromptUnavailable(f"Nothing was typed: set {env_var} or type the value at the prompt.")
    return line.removesuffix("\n").removesuffix("\r")


def ask_passphrase(path: Path) -> Secret:
    return ask_secret(f"Passphrase for {path}: ", PASSPHRASE_ENV)


def kdf_from_env(default: KdfLimits | None = None) -> KdfLimits:
    """The Argon2id cost for new key files: KEYPROBE_KDF if set, else `default` (MODERATE)."""
    from keys.vault import DEFAULT_LIMITS, KDF_LEVELS

    name = os.environ.get(KDF_ENV, "").strip().lower()
    if not name:
        return default or DEFAULT_LIMITS
    if name not in KDF_LEVELS:
        raise ValueError(f"{KDF_ENV} must be one of {', '.join(KDF_LEVELS)}, not {name!r}.")
    return KDF_LEVELS[name]


def open_vault(path: Path | None = None) -> Vault:
    """Unlock the key file once per run; raises VaultError or PromptUnavailable (callers say the sentence)."""
    from keys import vault
    from tui.paths import keyfile_path

    path = path or keyfile_path()
    cached = _unlocked.get(path)
    if cached is not None:
        return cached
    vault.read_header(path)  # a missing or unsafe file is reported before anyone is asked for a passphrase
    opened = vault.unlock(path, ask_passphrase(path))
    _unlocked[path] = opened
    return opened


def load_profile(name: str, path: Path | None = None) -> Profile:
    """The profile `name` from the key file; on any failure one sentence on stderr and SystemExit(2)."""
    from keys.vault import VaultError

    try:
        return open_vault(path).get(name)
    except (VaultError, PromptUnavailable) as exc:
        print(f"keyprobe: cannot use profile {name!r}: {exc}", file=sys.stderr)
    raise SystemExit(2)


def forget() -> None:
    """Drop unlocked key files from memory (tests; a console "lock" action)."""
    _unlocked.clear()
