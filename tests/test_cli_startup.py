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


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return " ".join(capsys.readouterr().out.split())


def _readme() -> str:
    from pathlib import Path

    return " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())


@pytest.mark.parametrize("command, readme_says", [
    # tui/clock.py estimate_server_time: the intersection of every kept sample's interval, not one sample.
    ("skew", "Samples with a round trip over twice the shortest are dropped"),
    ("skew", "[S - t1, S + 1 ms - t0]"),
    ("skew", "intersection"),
    ("replay", "A signed POST (or PUT/DELETE) to a real venue host asks first"),
    ("replay", "an unconfirmed write"),
])
def test_help_says_what_readme_says(capsys, command, readme_says):
    assert readme_says in _readme()
    assert readme_says in _help(capsys, command)


def test_every_option_readme_gives_a_command_exists_in_its_help(capsys):
    import re

    commands = ("send", "decode", "skew", "probe", "replay", "history", "emulator", "inspect", "proxy")
    helps = {c: _help(capsys, c) for c in commands}
    missing = set()
    for m in re.finditer(r"keyprobe (" + "|".join(commands) + r")\b([^`\n|;)#]*)", _readme()):
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", m.group(2)):
            if option not in helps[m.group(1)]:
                missing.add((m.group(1), option))
    assert not missing, sorted(missing)
