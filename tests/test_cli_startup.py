"""The CLI's entry: `--help` builds every parser without importing httpx or Textual, `--version`,
and an option a subcommand does not know is reported with that subcommand's usage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui.cli import main


def test_help_imports_neither_httpx_nor_textual():
    code = ("import sys\nfrom tui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'textual', 'httpcore'}), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
    assert "send" in out.stdout and "--version" in out.stdout


def test_decode_imports_neither_httpx_nor_textual():
    """`keyprobe decode` reads the catalog and the diagnosis, which import keys.signing (the payload rule):
    that must not pull httpx (VenueSigner, the httpx.Auth, lives apart in keys.venue_signer)."""
    code = ("import sys\nfrom tui.cli import main\nmain(['decode', '30005'])\nmain(['decode', '--status', '401', '--body', "
            "'{\"code\":30005,\"message\":\"Header X-BM-SIGN is wrong\"}'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'textual', 'httpcore'}), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
    assert out.stdout.count("Header X-BM-SIGN is wrong") >= 2, out.stdout


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("keyprobe 0.")


def test_a_subcommands_usage_error_shows_that_subcommands_usage(capsys):
    with pytest.raises(SystemExit) as done:
        main(["send", "GET", "/x", "--bogus"])
    err = capsys.readouterr().err
    assert done.value.code == 2
    assert err.startswith("usage: keyprobe send") and "keyprobe send: error: unrecognized arguments: --bogus" in err
