"""The CLI run in-process for a test: a home of its own with no key in the environment, and one call's result."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from tui.cli import main
from tui.commands import _profile

KEY_ENV = ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO", "KEYPROBE_PASSPHRASE", "KEYPROBE_NEW_PASSPHRASE")


def isolated_home(home: Path, monkeypatch) -> Path:  # noqa: ANN001
    """KEYPROBE_HOME at `home`, no KEYPROBE_* key or passphrase, the fast test KDF, a stdin that is no terminal,
    and no profile remembered from an earlier call (call _profile.forget() again when the test ends)."""
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KEYPROBE_HOME", str(home))
    monkeypatch.setenv("KEYPROBE_KDF", "test")
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    _profile.forget()
    return home


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    """`keyprobe ARGV` in-process: (exit code, stdout, stderr); a usage error's SystemExit is its code."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    _profile.forget()
    out, err = capsys.readouterr()
    return code, out, err
