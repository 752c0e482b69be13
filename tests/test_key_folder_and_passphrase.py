"""Issue 21, findings 8 and 12, through the real commands and key file.

- A passphrase that is not UTF-8 (`KEYPROBE_PASSPHRASE=$(printf 'x\\xff')`) ended `keys list`, `keys init` and
  `keys passwd` in a traceback; now a sentence (exit 1) and nothing written.
- Under umask 000 the missing parents of KEYPROBE_HOME were made 0777; every folder keyprobe makes is 0700.
- A key folder others can write was used without a word; now refused with the fix (keys/private_folder.py).
- Typographic quotes around a pasted credential are refused like straight ones."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import isolated_home, run

from keys.credential_check import problem
from tui.commands import _profile

ROOT = Path(__file__).resolve().parents[1]
NOT_UTF8 = "x\udcff"  # what Python makes of the bytes x 0xff in the environment


@pytest.fixture
def home(tmp_path, monkeypatch):
    yield isolated_home(tmp_path / "home", monkeypatch)
    _profile.forget()



def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- a passphrase that is not UTF-8 -------------------------------------------------------------------------
def test_a_passphrase_that_is_not_utf8_is_a_sentence_for_init_list_and_passwd(home, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", NOT_UTF8)
    code, out, err = run(capsys, "keys", "init")
    assert code == 1 and "The new passphrase is not UTF-8 text" in err and not (home / "keys.json").exists()
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    assert run(capsys, "keys", "init")[0] == 0
    before = (home / "keys.json").read_bytes()
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", NOT_UTF8)
    for argv in (("keys", "list"), ("keys", "passwd")):
        code, out, err = run(capsys, *argv)
        assert code == 1 and "The passphrase is not UTF-8 text" in err and "Traceback" not in err, argv
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    monkeypatch.setenv("KEYPROBE_NEW_PASSPHRASE", NOT_UTF8)
    code, _, err = run(capsys, "keys", "passwd")
    assert code == 1 and "The new passphrase is not UTF-8 text" in err
    assert (home / "keys.json").read_bytes() == before  # nothing written
    assert run(capsys, "keys", "list")[0] == 0  # and the old passphrase still opens it


def test_the_same_bytes_from_a_real_environment_end_in_a_sentence(tmp_path):
    env = {**os.environ, "KEYPROBE_HOME": str(tmp_path), "KEYPROBE_KDF": "test", "KEYPROBE_PASSPHRASE": b"x\xff"}
    done = subprocess.run([sys.executable, "-m", "tui", "keys", "init"], cwd=ROOT, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1 and "not UTF-8 text" in done.stderr and "Traceback" not in done.stderr


def test_a_secret_that_is_not_utf8_is_refused_at_the_door():
    assert "bytes that are not UTF-8 text at position 2 of 2" in problem("secret", NOT_UTF8)
    assert "memo holds bytes" in problem("memo", "m\udcfe")


# -- typographic quotes --------------------------------------------------------------------------------------
@pytest.mark.parametrize("wrapped", ["‘{}’", "“{}”", "«{}»", "»{}«", "„{}“", "‚{}‘", "‹{}›", "「{}」", "『{}』", "＂{}＂", "'{}'", '"{}"', "`{}`"])
def test_quotes_around_a_pasted_credential_are_refused_straight_or_typographic(wrapped, home, capsys, monkeypatch):
    value = wrapped.format("0" * 64)
    assert problem("secret", value) == f"The secret is wrapped in quotes (positions 1 and {len(value)}); enter it without them."
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    assert run(capsys, "keys", "init")[0] == 0
    monkeypatch.setenv("KEYPROBE_API_KEY", "c0ffee45710812162b04892c7ee5ead4a3cc3e56")
    monkeypatch.setenv("KEYPROBE_SECRET", value)
    monkeypatch.setenv("KEYPROBE_MEMO", "quotes-test-memo")
    code, _, err = run(capsys, "keys", "add", "main", "--venue", "bitmart")
    assert code == 2 and "wrapped in quotes" in err and value not in err


def test_a_quote_inside_a_credential_is_its_own_business():
    assert problem("memo", "it’s mine") is None and problem("memo", "«a» b") is None


# -- folders --------------------------------------------------------------------------------------------------
def test_under_umask_000_every_folder_keyprobe_makes_is_0700(tmp_path):
    home = tmp_path / "a" / "b" / "home"
    env = {**os.environ, "KEYPROBE_HOME": str(home), "KEYPROBE_KDF": "test", "KEYPROBE_PASSPHRASE": "pw"}
    for argv in (["keys", "init"], ["send", "GET", "/contract/public/details"], ["send", "GET", "/contract/public/details", "--save", "t", "--dir", str(tmp_path / "c" / "d")]):
        done = subprocess.run([sys.executable, "-m", "tui", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, preexec_fn=lambda: os.umask(0), timeout=60)
        assert done.returncode == 0, done.stderr
    for folder in (tmp_path / "a", tmp_path / "a" / "b", home, tmp_path / "c", tmp_path / "c" / "d"):
        assert mode(folder) == 0o700, folder
    for file in (home / "keys.json", home / "history.jsonl", tmp_path / "c" / "d" / "t.request.json"):
        assert mode(file) == 0o600, file


def test_folders_that_existed_are_left_as_they_were(tmp_path, monkeypatch):
    from tui import paths

    mine = tmp_path / "mine"
    mine.mkdir(mode=0o755)
    os.chmod(mine, 0o755)
    monkeypatch.setenv("KEYPROBE_HOME", str(mine / "kp"))
    paths.ensure_home()
    assert mode(mine) == 0o755 and mode(mine / "kp") == 0o700


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_key_folder_others_can_write_is_refused_with_the_fix(home, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    assert run(capsys, "keys", "init")[0] == 0
    before = (home / "keys.json").read_bytes()
    for bad in (0o777, 0o770, 0o702):
        os.chmod(home, bad)
        for argv in (("keys", "list"), ("keys", "passwd")):
            code, _, err = run(capsys, *argv)
            assert code == 1 and f"{home} can be written by other users (mode {bad:04o})" in err and f"chmod 700 {home}" in err, (argv, err)
    os.chmod(home, 0o700)
    assert (home / "keys.json").read_bytes() == before and run(capsys, "keys", "list")[0] == 0


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
def test_a_folder_above_anyone_can_write_is_refused_unless_sticky(home, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    assert run(capsys, "keys", "init")[0] == 0
    above = home.parent
    try:
        os.chmod(above, 0o777)
        code, _, err = run(capsys, "keys", "list")
        assert code == 1 and f"{above}, above the key file's folder, can be written by anyone" in err
        os.chmod(above, 0o1777)  # like /tmp: others cannot move what is not theirs
        assert run(capsys, "keys", "list")[0] == 0
    finally:
        os.chmod(above, 0o700)


def test_a_history_file_planted_as_a_symlink_is_not_written_through(tmp_path):
    """Fresh-eyes attack on 26ca1db: in a KEYPROBE_HOME others can write, a history.jsonl symlinked to a file of the
    victim's had every entry appended to that file, and a compaction would have cut it to its last lines."""
    from tui.records import history
    from tui.records.history import HistoryError

    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"the victim's own lines\n")
    planted = tmp_path / "home" / "history.jsonl"
    planted.parent.mkdir()
    planted.symlink_to(victim)
    entry = {"schema": 1, "time": "2026-12-07T00:00:00Z", "source": "send", "method": "GET", "path": "/system/time"}
    with pytest.raises(HistoryError, match="Could not write the history"):
        history.append(entry, planted)
    assert victim.read_bytes() == b"the victim's own lines\n"
