"""The key file under concurrency and in odd places (issue 11, item 4; item 7 for special files).

The console holds an unlocked Vault for as long as it runs and saves through Vault.save() (the keys
screen's worker); `keyprobe keys add` runs in other processes meanwhile. A save takes the folder's
flock, re-reads the file, and applies its own changes on top of what another process saved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from keys import vault
from keys.vault import Profile

KEY = "80618e45710812162b04892c7ee5ead4a3cc3e56"
SECRET = "6c6c98544461bbe71db2bca4c6d7fd0021e0ba9efc215f9c6ad41852df9d9df9"
PASS = "concurrency-pass"


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_")}
    env.update(KEYPROBE_HOME=str(home), KEYPROBE_PASSPHRASE=PASS, KEYPROBE_API_KEY=KEY, KEYPROBE_SECRET=SECRET,
               KEYPROBE_MEMO="memo1", KEYPROBE_KDF="test")
    return env


def keys_add(home: Path, name: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tui", "keys", "add", name, "--venue", "bitmart"],
                            env=cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def home(tmp_path) -> Path:
    home = tmp_path / "home"
    vault.create(home / "keys.json", PASS, vault.TEST_ONLY)
    return home


def test_the_console_and_five_keys_add_processes_lose_no_profile(home):
    console = vault.unlock(home / "keys.json", PASS)  # the console's vault, unlocked before the others run
    console.add(Profile.new("console-first", "bitmart", KEY, SECRET, "m"))
    console.save()
    adds = [keys_add(home, f"cli-{i}") for i in range(5)]  # at once: they race each other for the file
    for p in adds:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    # The console, unaware of them, edits one of its own profiles and adds another.
    console.replace(Profile.new("console-first", "bitmart", KEY, SECRET, "m2", notes="edited"))
    console.add(Profile.new("console-second", "emulator", KEY, SECRET, "m"))
    console.save()
    on_disk = vault.unlock(home / "keys.json", PASS).profiles
    assert sorted(on_disk) == sorted(["console-first", "console-second"] + [f"cli-{i}" for i in range(5)])
    assert on_disk["console-first"].notes == "edited"
    assert sorted(console.profiles) == sorted(on_disk)  # the console now shows what the file holds


def test_a_save_reads_the_file_under_the_lock_not_before_it(home, tmp_path, monkeypatch):
    """Another keyprobe saves while this one waits for the lock: what it saved is read and kept. The save
    runs in a thread; this test holds the real lock, learns (from keys.file_lock's flock) that the save is
    at the lock, writes the other process's file, then lets go. A read taken before the lock lost it."""
    import shutil
    import threading

    from keys import file_lock

    path = home / "keys.json"
    copy = tmp_path / "other" / "keys.json"
    copy.parent.mkdir()
    shutil.copy2(path, copy)
    other = vault.unlock(copy, PASS)  # the same file, saved by another keyprobe: its bytes are written below
    other.add(Profile.new("theirs", "bitmart", KEY, SECRET, "m"))
    other.save()
    mine = vault.unlock(path, PASS)
    mine.add(Profile.new("mine", "bitmart", KEY, SECRET, "m"))

    at_the_lock = threading.Event()
    real_flock = file_lock.fcntl.flock

    class Fcntl:  # keys.file_lock's fcntl, telling when the saving thread asks for the lock
        LOCK_EX = file_lock.fcntl.LOCK_EX

        @staticmethod
        def flock(fd, operation):
            if threading.current_thread() is saver:
                at_the_lock.set()
            return real_flock(fd, operation)

    errors: list[BaseException] = []

    def save() -> None:
        try:
            mine.save()
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)

    saver = threading.Thread(target=save)
    with file_lock.locked(path):
        monkeypatch.setattr(file_lock, "fcntl", Fcntl)
        saver.start()
        assert at_the_lock.wait(60), "the save never asked for the lock"
        path.write_bytes(copy.read_bytes())  # the other keyprobe's save, made while this one waits
    saver.join(60)
    assert not saver.is_alive() and errors == []
    assert sorted(vault.unlock(path, PASS).profiles) == ["mine", "theirs"]


def test_a_removal_by_the_console_does_not_bring_back_or_drop_others(home):
    first = vault.unlock(home / "keys.json", PASS)
    first.add(Profile.new("a", "bitmart", KEY, SECRET, "m"))
    first.add(Profile.new("b", "bitmart", KEY, SECRET, "m"))
    first.save()
    other = vault.unlock(home / "keys.json", PASS)
    other.add(Profile.new("c", "bitmart", KEY, SECRET, "m"))
    other.save()
    first.remove("a")
    first.save()
    assert sorted(vault.unlock(home / "keys.json", PASS).profiles) == ["b", "c"]


def test_the_same_new_name_in_two_processes_is_refused_not_overwritten(home):
    first = vault.unlock(home / "keys.json", PASS)
    other = vault.unlock(home / "keys.json", PASS)
    other.add(Profile.new("main", "bitmart", KEY, SECRET, "theirs"))
    other.save()
    first.add(Profile.new("main", "wooxpro", KEY, SECRET, "mine"))
    with pytest.raises(vault.VaultError) as info:
        first.save()
    assert str(info.value) == (f"{home / 'keys.json'} was changed by another keyprobe since it was unlocked: it now has its "
                               "own profile 'main'; nothing was saved. Unlock it again and choose another name.")
    assert vault.unlock(home / "keys.json", PASS).profiles["main"].venue == "bitmart"


def test_a_passphrase_changed_elsewhere_is_a_sentence_not_a_lost_file(home):
    first = vault.unlock(home / "keys.json", PASS)
    other = vault.unlock(home / "keys.json", PASS)
    other.change_passphrase("new-pass")
    other.add(Profile.new("x", "bitmart", KEY, SECRET, "m"))
    other.save()
    first.add(Profile.new("y", "bitmart", KEY, SECRET, "m"))
    with pytest.raises(vault.VaultError, match="passphrase was changed.*nothing was saved"):
        first.save()
    assert list(vault.unlock(home / "keys.json", "new-pass").profiles) == ["x"]


def test_a_symlinked_key_file_is_written_through_and_stays_a_link(tmp_path, home):
    real = home / "keys.json"
    elsewhere = tmp_path / "dotfiles"
    elsewhere.mkdir()
    moved = elsewhere / "keyprobe-keys.json"
    real.rename(moved)
    real.symlink_to(moved)
    v = vault.unlock(real, PASS)
    v.add(Profile.new("linked", "bitmart", KEY, SECRET, "m"))
    v.save()
    assert real.is_symlink() and Path(os.readlink(real)) == moved
    assert list(vault.unlock(moved, PASS).profiles) == ["linked"]


def test_special_key_files_are_sentences_and_never_block(tmp_path):
    folder = tmp_path / "keys.json"
    folder.mkdir()
    with pytest.raises(vault.CorruptKeyFile, match="is a folder, not a keyprobe key file"):
        vault.read_header(folder)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo, 0o600)
    with pytest.raises(vault.CorruptKeyFile, match="not a regular file"):  # no writer: a plain read would wait forever
        vault.read_header(fifo)


def test_keys_commands_on_a_folder_named_keys_json_exit_with_a_sentence(tmp_path):
    home = tmp_path / "home"
    (home / "keys.json").mkdir(parents=True)
    done = subprocess.run([sys.executable, "-m", "tui", "keys", "list"], env=cli_env(home), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "is a folder, not a keyprobe key file" in done.stderr and "Traceback" not in done.stderr


READ_ONLY_CHILD = r"""
import ctypes, os, sys
if os.geteuid() == 0:
    # Root writes into a read-only folder by its capabilities: drop them from this process's effective set
    # (CAP_DAC_OVERRIDE 1, CAP_DAC_READ_SEARCH 2, CAP_FOWNER 3), so the folder's mode decides, as for anyone.
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]
    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        sys.exit(f"capget failed: {os.strerror(ctypes.get_errno())}")
    data[0].effective &= ~((1 << 1) | (1 << 2) | (1 << 3))
    if libc.capset(ctypes.byref(header), data) != 0:
        sys.exit(f"capset failed: {os.strerror(ctypes.get_errno())}")
from keys import vault
from keys.vault import Profile
v = vault.unlock(sys.argv[1], sys.argv[2])
v.add(Profile.new("z", "bitmart", sys.argv[3], sys.argv[4], "m"))
os.chmod(os.path.dirname(sys.argv[1]), 0o500)
try:
    v.save()
except vault.VaultError as exc:
    print(exc)
    sys.exit(7)
"""


def test_a_read_only_folder_makes_a_save_a_sentence(home):
    """As any user, root included: the child saving drops root's capability to ignore the folder's mode."""
    path = home / "keys.json"
    before = path.read_bytes()
    try:
        done = subprocess.run([sys.executable, "-c", READ_ONLY_CHILD, str(path), PASS, KEY, SECRET],
                              capture_output=True, text=True, timeout=60)
    finally:
        home.chmod(0o700)
    assert done.returncode == 7 and "Traceback" not in done.stderr, (done.stdout, done.stderr)
    assert "Could not write the key file" in done.stdout and "the file on disk is unchanged" in done.stdout
    assert path.read_bytes() == before


FULL_DISK_CHILD = r"""
import resource, signal, sys
from keys import vault
from keys.vault import Profile
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG, as on a full disk
v = vault.unlock(sys.argv[1], sys.argv[2])
v.add(Profile.new("z", "bitmart", sys.argv[3], sys.argv[4], "m"))
resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))
try:
    v.save()
except vault.VaultError as exc:
    print(exc)
    sys.exit(7)
"""


def test_a_save_that_cannot_be_written_is_a_sentence_and_the_file_stays(home):
    # Root ignores a read-only folder, but not a file-size limit: the kernel refuses the write itself.
    path = home / "keys.json"
    before = path.read_bytes()
    done = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, str(path), PASS, KEY, SECRET],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 7 and "Traceback" not in done.stderr, (done.stdout, done.stderr)
    assert "Could not write the key file" in done.stdout and "the file on disk is unchanged" in done.stdout
    assert path.read_bytes() == before and list(vault.unlock(path, PASS).profiles) == []
    assert sorted(p.name for p in home.iterdir()) == ["keys.json"]  # no half-written temporary file left behind


def test_a_removal_already_made_elsewhere_and_the_changes_after_it_all_apply(home):
    first = vault.unlock(home / "keys.json", PASS)
    first.add(Profile.new("a", "bitmart", KEY, SECRET, "m"))
    first.add(Profile.new("b", "bitmart", KEY, SECRET, "m"))
    first.save()
    mine, other = vault.unlock(home / "keys.json", PASS), vault.unlock(home / "keys.json", PASS)
    other.remove("a")
    other.add(Profile.new("c", "bitmart", KEY, SECRET, "m"))
    other.save()
    mine.remove("a")  # gone from the file already: nothing to remove there, and no error
    mine.add(Profile.new("d", "bitmart", KEY, SECRET, "m"))  # a change after the removal still applies
    mine.save()
    assert sorted(vault.unlock(home / "keys.json", PASS).profiles) == ["b", "c", "d"]


def test_a_key_file_replaced_by_something_else_meanwhile_is_a_sentence(home):
    path = home / "keys.json"
    mine = vault.unlock(path, PASS)
    path.write_text("{}")  # another program wrote over it after this one unlocked
    mine.add(Profile.new("x", "bitmart", KEY, SECRET, "m"))
    with pytest.raises(vault.VaultError) as info:
        mine.save()
    assert str(info.value) == (f"{path} was changed by another keyprobe since it was unlocked, and it no longer reads as a key "
                               f'file ({path} is not a keyprobe key file (no "format": "{vault.FORMAT}")); nothing was saved.')
    assert path.read_text() == "{}"
