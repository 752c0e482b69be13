"""`keyprobe keys ...` and load_profile, driven through the real argument parser and key file.

Most tests call the parsed command in-process (fast); the environment stands in for the prompts, and
stdin is not a terminal, so a missing value must fail with a sentence rather than hang.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import nacl.pwhash.argon2id as argon2id
import pytest
from cli_support import isolated_home

from keys import vault
from keys.secret import Secret
from tui.cli import build_parser
from tui.commands import _profile
from tui.commands import keys as keys_command
from tui.venues import VENUES

ROOT = Path(__file__).resolve().parents[1]
API_KEY = "c0ffee45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "KEYS-CLI-SECRET-0f9e8d7c6b5a49382716"
MEMO = "keys-cli-memo-X1"


@pytest.fixture
def home(tmp_path, monkeypatch):
    yield isolated_home(tmp_path, monkeypatch)
    _profile.forget()


def keyprobe(*argv: str, **env: str) -> tuple[int, str, str]:
    """Run `keyprobe ARGV` in-process with extra env; (exit code, stdout, stderr)."""
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    out, err = io.StringIO(), io.StringIO()
    old_out, old_err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        args = build_parser().parse_args(list(argv))
        code = args.func(args)
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdout, sys.stderr = old_out, old_err
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        _profile.forget()  # each call is one run of keyprobe
    return code, out.getvalue(), err.getvalue()


CREDS = dict(KEYPROBE_API_KEY=API_KEY, KEYPROBE_SECRET=SECRET, KEYPROBE_MEMO=MEMO)


def init(passphrase="pw"):
    code, out, err = keyprobe("keys", "init", KEYPROBE_PASSPHRASE=passphrase)
    assert code == 0, err
    return out


def add(name="main", *extra, passphrase="pw", **env):
    return keyprobe("keys", "add", name, *extra, KEYPROBE_PASSPHRASE=passphrase, **(CREDS | env))


def test_venue_choices_match_the_venue_table():
    assert keys_command.VENUE_IDS == tuple(VENUES)


def test_init_creates_a_private_file_once(home):
    out = init()
    path = home / "keys.json"
    assert f"Created {path} (argon2id, 1 passes, 8 KiB (test))" in out
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_bytes()
    code, _, err = keyprobe("keys", "init", KEYPROBE_PASSPHRASE="other")
    assert code == 1 and "already exists" in err and path.read_bytes() == before


def test_init_kdf_flag_and_env(home):
    code, out, _ = keyprobe("keys", "init", "--kdf", "interactive", KEYPROBE_PASSPHRASE="pw")
    assert code == 0 and "2 passes, 64 MiB (interactive)" in out
    document = json.loads((home / "keys.json").read_text())
    assert (document["kdf"]["opslimit"], document["kdf"]["memlimit"]) == (2, 64 * 1024 * 1024)
    (home / "keys.json").unlink()
    code, _, err = keyprobe("keys", "init", KEYPROBE_PASSPHRASE="pw", KEYPROBE_KDF="turbo")
    assert code == 2 and "KEYPROBE_KDF must be one of interactive, moderate, sensitive, test, not 'turbo'" in err
    assert not (home / "keys.json").exists()


def test_init_without_a_passphrase_or_terminal_says_what_to_set(home):
    code, _, err = keyprobe("keys", "init")
    assert code == 2 and "set KEYPROBE_PASSPHRASE" in err
    assert not (home / "keys.json").exists()


def test_add_then_list_shows_fingerprints_only(home):
    init()
    code, out, err = add("main", "--venue", "bitmart", "--allow-host", "Mirror.Example.com", "--notes", "desk 2")
    assert code == 0, err
    assert "Added profile 'main': BitMart futures v2, key #b8977324, memo set" in out
    assert "mirror.example.com" in out
    code, out, err = keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split() == ["NAME", "VENUE", "KEY", "MEMO", "SIGNS", "FOR"]
    assert lines[2].split()[:4] == ["main", "bitmart", "#b8977324", "set"] and "mirror.example.com" in lines[2]
    assert "main: notes: desk 2" in out
    for value in (SECRET, MEMO, API_KEY):
        assert value not in out + err
        assert value.encode() not in (home / "keys.json").read_bytes()


def test_list_json(home):
    init()
    add("a", "--venue", "wooxpro")
    add("b", "--venue", "emulator", "--base-url", "http://127.0.0.1:8640", KEYPROBE_MEMO="")
    code, out, _ = keyprobe("keys", "list", "--json", KEYPROBE_PASSPHRASE="pw")
    data = json.loads(out)
    assert code == 0 and data["kdf"] == {"opslimit": 1, "memlimit": 8192, "level": "test"}
    assert [(p["name"], p["venue"], p["key"], p["memo"]) for p in data["profiles"]] == [
        ("a", "wooxpro", "#b8977324", "set"),
        ("b", "emulator", "#b8977324", "empty"),
    ]
    assert data["profiles"][0]["hosts"] == ["cloud-api.wooxpro.com"]
    assert data["profiles"][1]["base_url"] == "http://127.0.0.1:8640"
    assert SECRET not in out and MEMO not in out


def test_empty_key_file_lists_a_hint(home):
    init()
    code, out, _ = keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")
    assert code == 0 and "No profiles yet" in out


def test_add_twice_needs_replace(home):
    init()
    assert add("main", "--venue", "bitmart")[0] == 0
    code, _, err = add("main", "--venue", "wooxpro")
    assert code == 1 and "already exists; use --replace" in err
    code, out, _ = add("main", "--venue", "wooxpro", "--replace")
    assert code == 0 and out.startswith("Replaced profile 'main': WOO X Pro")
    assert vault.unlock(home / "keys.json", "pw").get("main").venue == "wooxpro"


@pytest.mark.parametrize(
    "argv,words",
    [
        (["bad name", "--venue", "bitmart"], "not a usable profile name"),
        (["m", "--venue", "bitmart", "--allow-host", "https://x.example/"], "not a host name"),
        (["m", "--venue", "bitmart", "--base-url", "https://evil.example"], "allow it with --allow-host evil.example"),
    ],
)
def test_bad_fields_fail_before_any_prompt(home, argv, words):
    init()
    code, _, err = keyprobe("keys", "add", *argv)  # no passphrase, no credentials: a prompt would fail differently
    assert code == 2 and words in err and "KEYPROBE_" not in err


def test_unknown_venue_and_secret_options_are_usage_errors(home):
    init()
    code, _, err = add("m", "--venue", "binance")
    assert code == 2 and "invalid choice: 'binance'" in err
    code, _, err = add("m", "--venue", "bitmart", "--secret", SECRET)
    assert code == 2 and "unrecognized arguments" in err  # secrets are never taken from argv


def test_add_asks_for_each_missing_value(home):
    init()
    code, _, err = add("m", "--venue", "bitmart", KEYPROBE_SECRET="")
    assert code == 2 and "The secret is empty" in err
    os.environ.pop("KEYPROBE_MEMO", None)
    code, _, err = keyprobe("keys", "add", "m", "--venue", "bitmart", KEYPROBE_PASSPHRASE="pw", KEYPROBE_API_KEY=API_KEY, KEYPROBE_SECRET=SECRET)
    assert code == 2 and "set KEYPROBE_MEMO" in err


def test_hygiene_warnings_on_add(home):
    init()
    code, _, err = add("m", "--venue", "bitmart", KEYPROBE_MEMO="123456789")
    assert code == 0
    assert "warning: The API key" not in err  # 40 hexadecimal characters: the shape of a real key
    assert "warning: The secret is 36 characters, not all hexadecimal" in err and "account UID" in err
    code, _, err = add("s", "--venue", "bitmart", KEYPROBE_API_KEY="80618e4571081216")
    assert code == 0 and "warning: The API key is 16 characters; BitMart keys are 40 hexadecimal" in err
    code, _, err = add("k", "--venue", "bitmart", KEYPROBE_MEMO=CREDS["KEYPROBE_API_KEY"])
    assert code == 0 and "memo is the same as the API key" in err


def test_a_wooxpro_key_is_compared_with_wooxpro_s_example_not_bitmart_s(home):
    """WOO X Pro is the main venue: its short key is not told "BitMart keys are 40..." (a new user, issue 26)."""
    init()
    code, _, err = add("w", "--venue", "wooxpro", KEYPROBE_API_KEY="80618e4571081216", KEYPROBE_SECRET="x")
    assert code == 0, err
    assert "The API key is 16 characters; WOO X Pro's example key is 40 hexadecimal" in err
    assert "The secret is 1 character, not all hexadecimal; WOO X Pro's example secret is 64" in err
    assert "BitMart keys" not in err and "BitMart secrets" not in err


def test_illegal_characters_are_refused_at_the_door_naming_field_and_position(home):
    init()
    cases = {
        "KEYPROBE_SECRET": (SECRET + " ", f"The secret ends with whitespace (position {len(SECRET) + 1} of"),
        "KEYPROBE_API_KEY": (CREDS["KEYPROBE_API_KEY"] + "\r", "The API key contains a carriage return (CR) at position"),
        "KEYPROBE_MEMO": ("me\u200bmo", "The memo contains an invisible character (U+200B) at position 3 of 5"),
    }
    for variable, (value, sentence) in cases.items():
        code, out, err = add("bad", "--venue", "bitmart", **{variable: value})
        assert code == 2 and sentence in err, err
        for piece in (SECRET[:8], SECRET[-8:], CREDS["KEYPROBE_API_KEY"][:8], CREDS["KEYPROBE_API_KEY"][-8:]):
            assert piece not in out + err
    code, out, _ = keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")
    assert "bad" not in out  # nothing was stored


def test_refusals_exit_1_with_sentences(home):
    code, _, err = add("m", "--venue", "bitmart")
    assert code == 1 and "No key file at" in err and "keyprobe keys init" in err
    init()
    code, _, err = add("m", "--venue", "bitmart", passphrase="wrong")
    assert code == 1 and err.strip() == "keyprobe keys: Wrong passphrase, or the key file was modified."
    code, _, err = keyprobe("keys", "remove", "ghost", KEYPROBE_PASSPHRASE="pw")
    assert code == 1 and "No profile named 'ghost'" in err
    os.chmod(home / "keys.json", 0o644)
    code, _, err = keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")
    assert code == 1 and f"chmod 600 {home / 'keys.json'}" in err


def test_remove(home):
    init()
    add("a", "--venue", "bitmart")
    add("b", "--venue", "bitmart")
    code, out, err = keyprobe("keys", "remove", "a", KEYPROBE_PASSPHRASE="pw")  # no terminal to ask on
    assert code == 1 and "without confirmation" in err and "--yes" in err and out == ""
    assert vault.unlock(home / "keys.json", "pw").names() == ["a", "b"]  # nothing removed
    code, out, _ = keyprobe("keys", "remove", "a", "--yes", KEYPROBE_PASSPHRASE="pw")
    assert code == 0 and out.strip() == "Removed profile 'a' (key #b8977324)."
    assert vault.unlock(home / "keys.json", "pw").names() == ["b"]


def test_passwd(home):
    init()
    add("a", "--venue", "bitmart")
    code, out, _ = keyprobe("keys", "passwd", KEYPROBE_PASSPHRASE="pw", KEYPROBE_NEW_PASSPHRASE="pw2")
    assert code == 0 and "Passphrase changed" in out
    assert keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")[0] == 1
    assert keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw2")[0] == 0
    code, _, err = keyprobe("keys", "passwd", KEYPROBE_PASSPHRASE="pw2", KEYPROBE_NEW_PASSPHRASE="")
    assert code == 2 and "passphrase is empty" in err
    code, out, _ = keyprobe("keys", "passwd", "--kdf", "interactive", KEYPROBE_PASSPHRASE="pw2", KEYPROBE_NEW_PASSPHRASE="pw3")
    assert code == 0 and "(interactive)" in out
    assert vault.unlock(home / "keys.json", "pw3").get("a").secret == Secret(SECRET)


def test_load_profile_unlocks_once_per_run(home, monkeypatch):
    init()
    add("a", "--venue", "bitmart")
    add("b", "--venue", "wooxpro")
    runs = []
    real = argon2id.kdf
    monkeypatch.setattr(argon2id, "kdf", lambda *a, **k: runs.append(1) or real(*a, **k))
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    a = _profile.load_profile("a")
    b = _profile.load_profile("b")
    assert (a.venue, b.venue) == ("bitmart", "wooxpro") and len(runs) == 1
    assert a.credentials.secret == Secret(SECRET) and a.allowed_hosts >= {"api-cloud-v2.bitmart.com"}


@pytest.mark.parametrize(
    "setup,env,words",
    [
        ("none", {"KEYPROBE_PASSPHRASE": "pw"}, "No key file at"),
        ("init", {"KEYPROBE_PASSPHRASE": "nope"}, "Wrong passphrase, or the key file was modified."),
        ("init", {"KEYPROBE_PASSPHRASE": "pw"}, "No profile named 'ghost'"),
        ("init", {}, "set KEYPROBE_PASSPHRASE"),
    ],
)
def test_load_profile_failures_are_one_sentence_and_exit_2(home, monkeypatch, capsys, setup, env, words):
    if setup == "init":
        init()
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SystemExit) as info:
        _profile.load_profile("ghost")
    assert info.value.code == 2 and info.value.__context__ is None
    err = capsys.readouterr().err
    assert err.startswith("keyprobe: cannot use profile 'ghost': ") and words in err and err.count("\n") == 1


def test_keys_is_a_listed_subcommand():
    out = subprocess.run([sys.executable, "-m", "tui", "keys", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0
    for action in ("init", "add", "list", "remove", "passwd"):
        assert action in out.stdout


def test_a_profile_binding_cannot_be_widened_from_the_command_line(home):
    init()
    assert add("main", "--venue", "bitmart")[0] == 0
    code, out, err = keyprobe("send", "GET", "/system/time", "--profile", "main", "--allow-host", "evil.example",
                              KEYPROBE_PASSPHRASE="pw")
    assert code == 2 and out == ""
    assert "--allow-host cannot widen profile 'main'" in err and "keyprobe keys add main --allow-host" in err


def test_notes_with_an_escape_are_shown_escaped_by_keys_list(home):
    init()
    code, _, err = add("p9", "--venue", "bitmart", "--notes", "\x1b]52;c;aGk=\x07note")
    assert code == 0, err
    code, out, _ = keyprobe("keys", "list", KEYPROBE_PASSPHRASE="pw")
    assert code == 0 and "\\x1b]52;c;aGk=\\x07note" in out and "\x1b" not in out and "\x07" not in out
