"""The prompts, on a real pseudo-terminal: passphrase typed twice, hidden secret and memo."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from keys import vault
from keys.secret import Secret

pty = pytest.importorskip("pty")
ROOT = Path(__file__).resolve().parents[1]
SECRET = "TTY-TYPED-SECRET-4c2a9e0b7d1f"
MEMO = "tty-typed-memo-8"
API_KEY = "7777aa45710812162b04892c7ee5ead4a3cc3e56"


class Terminal:
    """`python -m tui ARGV` with a pty as its controlling terminal; answer prompts as they appear."""

    def __init__(self, argv: list[str], home: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_")}
        env.update(KEYPROBE_HOME=str(home), KEYPROBE_KDF="test")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.chdir(ROOT)
                os.execve(sys.executable, [sys.executable, "-m", "tui", *argv], env)
            finally:
                os._exit(127)
        self.seen = b""

    def expect(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while text.encode() not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {text!r} prompt; the terminal shows {self.seen!r}"
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:  # EIO: the child closed the terminal
                    chunk = b""
                assert chunk, f"the command ended before {text!r}; the terminal shows {self.seen!r}"
                self.seen += chunk

    def type(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\r")

    def finish(self) -> int:
        while True:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_init_and_add_through_the_prompts(tmp_path):
    t = Terminal(["keys", "init"], tmp_path)
    t.expect("New passphrase for")
    t.type("typed pass phrase")
    t.expect("Again, to confirm:")
    t.type("typed pass phrase")
    assert t.finish() == 0 and b"Created" in t.seen

    t = Terminal(["keys", "add", "main", "--venue", "bitmart"], tmp_path)
    t.expect("Passphrase for")
    t.type("typed pass phrase")
    t.expect("API key: ")
    t.type(API_KEY)
    t.expect("Secret (hidden): ")
    t.type(SECRET)
    t.expect("Memo (hidden")
    t.type(MEMO)
    assert t.finish() == 0, t.seen
    assert b"Added profile 'main'" in t.seen and Secret(API_KEY).fingerprint().encode() in t.seen
    # getpass turned echo off: what was typed for the secret and memo never appeared on the terminal
    assert SECRET.encode() not in t.seen and MEMO.encode() not in t.seen
    profile = vault.unlock(tmp_path / "keys.json", "typed pass phrase").get("main")
    assert profile.secret == Secret(SECRET) and profile.memo == Secret(MEMO) and profile.api_key == Secret(API_KEY)


def test_mismatched_confirmation_writes_nothing(tmp_path):
    t = Terminal(["keys", "init"], tmp_path)
    t.expect("New passphrase for")
    t.type("one")
    t.expect("Again, to confirm:")
    t.type("two")
    assert t.finish() == 2
    assert b"The two passphrases differ; nothing was written." in t.seen
    assert not (tmp_path / "keys.json").exists()
