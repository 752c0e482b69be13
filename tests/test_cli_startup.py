"""The CLI's entry: `--help`, `--version` and `decode` import neither httpx, Textual nor rich (nor logging:
redaction is installed only where a secret could be logged), `--version`, and an option a subcommand does
not know is reported with that subcommand's usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {"httpx", "httpcore", "textual", "rich", "logging"}


def imported_by(*argv: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """The top-level packages `python -X importtime -m tui ARGV` imports, read from the interpreter's own
    import log: what the person's command really loads, not what a test's process already holds."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    names = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tui" in names, done.stderr[-2000:]  # the log was read
    return names, done


@pytest.mark.parametrize("argv", [
    ["--help"], ["--version"], ["decode", "30005"], ["decode", "30007", "--venue", "wooxpro", "--json"],
    ["decode", "--status", "401", "--body", '{"code":30005,"message":"Header X-BM-SIGN is wrong"}'],
    ["send", "--help"], ["send", "GET", "/x", "--bogus"],
])
def test_help_version_and_decode_import_no_client_console_or_rich(argv):
    names, done = imported_by(*argv)
    assert not names & HEAVY, (sorted(names & HEAVY), done.stderr[-3000:])
    assert "Traceback" not in done.stderr


def test_send_installs_redaction_before_anything_logs():
    """The commands that may hold a key mask it in every log record (decode, above, loads no logging at all)."""
    code = ("import logging, os, sys\nfrom tui.cli import main\n"
            "rc = main(['send', 'GET', '/contract/public/details', '--venue', 'emulator', '--json', '--no-history'])\n"
            "logging.getLogger('anywhere').warning('secret=%s', os.environ['KEYPROBE_SECRET'])\nsys.exit(rc)")
    secret = "s3cr3t-value-for-the-log-test-0123456789"
    env = {**os.environ, "KEYPROBE_API_KEY": "k" * 24, "KEYPROBE_SECRET": secret, "KEYPROBE_MEMO": "memo-1"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert "secret=********" in done.stderr and all(secret[i:i + 8] not in done.stderr for i in range(len(secret) - 7))


def test_help_imports_neither_httpx_nor_textual():
    code = ("import sys\nfrom tui.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'textual', 'httpcore'}), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
    assert "send" in out.stdout and "--version" in out.stdout


def test_decode_imports_neither_httpx_nor_textual():
    """`keyprobe decode` reads the catalog and the diagnosis, which import keys.signing (the payload rule):
    that must not pull httpx (VenueSigner, the httpx.Auth, lives apart in keys.venue_signer)."""
    code = ("import sys\nfrom tui.cli import main\nmain(['decode', '30005', '--venue', 'bitmart'])\nmain(['decode', '--venue', 'bitmart', '--status', '401', '--body', "
            "'{\"code\":30005,\"message\":\"Header X-BM-SIGN is wrong\"}'])\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'textual', 'httpcore'}), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
    assert out.stdout.count("Header X-BM-SIGN is wrong") >= 2, out.stdout


def test_version_is_the_installed_distributions(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"keyprobe {version('keyprobe')}\n"


def test_the_parsers_venue_choices_are_the_venue_table():
    from tui.commands._args import VENUE_IDS
    from tui.venues import VENUES

    assert VENUE_IDS == tuple(VENUES)


def test_a_command_after_a_top_level_option_is_parsed_whole(capsys):
    """Only the commands named on the line get their whole parser: `--venue X send ...` names send too."""
    with pytest.raises(SystemExit) as done:
        main(["--venue", "emulator", "send", "GET", "/x", "--bogus"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and err.startswith("usage: keyprobe send") and "unrecognized arguments: --bogus" in err


@pytest.mark.parametrize("argv, named", [
    (["send", "POST", "/x", "--venue", "emulator"], {"send"}),  # a venue named like a command is not one
    (["--venue", "emulator", "send", "GET", "/x"], {"send"}),
    (["--ven", "emulator", "decode", "30005"], {"decode"}),  # argparse's prefix of --venue takes its value too
    (["--venue=emulator", "decode", "30005"], {"decode"}),
    (["--profile", "send"], set()),  # the console, with a profile named "send"
    (["decode", "--venue", "wooxpro", "send"], {"decode"}),
])
def test_only_the_command_the_line_runs_is_built(argv, named):
    """`send ... --venue emulator` built (and imported) the emulator command's parser too: ~1.5 ms of every such send."""
    from tui.cli import _command_modules, _named_commands

    assert _named_commands(argv, _command_modules()) == named


@pytest.mark.parametrize("argv", [["--help"], ["--help", "decode"], ["-h", "send", "GET", "/x"]])
def test_top_level_help_lists_every_command_with_its_help_line(capsys, argv):
    """A help flag before any command is the top-level help, even when a command is named after it."""
    import importlib

    from tui.cli import _command_modules

    with pytest.raises(SystemExit):
        main(argv)
    out = " ".join(capsys.readouterr().out.split())
    for name in _command_modules():
        assert f"{name} {' '.join(importlib.import_module(f'tui.commands.{name}').HELP.split())}" in out


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
    # tui/clock/estimate.py estimate_server_time: the intersection of every sample's interval, not one sample,
    # and the offset inside it corrected for each leg's jitter; --watch keeps its samples.
    ("skew", "the offset inside it allows for each leg's jitter"),
    ("skew", "clock-samples.json"),
    ("skew", "[S - t1, S + 1 ms - t0]"),
    ("skew", "intersection"),
    ("replay", "A signed POST (or PUT/DELETE) to a real venue host asks first"),
    ("replay", "an unconfirmed write"),
    ("send", "first 4,096 characters"),  # tui.output.render.REQUEST_BODY_SHOWN, checked below
])
def test_help_says_what_readme_says(capsys, command, readme_says):
    assert readme_says in _readme()
    assert readme_says in _help(capsys, command)


def test_every_option_readme_gives_a_command_exists_in_its_help(capsys):
    import re

    commands = ("send", "decode", "skew", "probe", "ws", "replay", "history", "emulator", "inspect", "proxy")
    helps = {c: _help(capsys, c) for c in commands}
    missing = set()
    for m in re.finditer(r"keyprobe (" + "|".join(commands) + r")\b([^`\n|;)#]*)", _readme()):
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", m.group(2)):
            if option not in helps[m.group(1)]:
                missing.add((m.group(1), option))
    assert not missing, sorted(missing)


def test_sends_help_names_the_request_body_preview_it_prints(capsys):
    from tui.output.render import REQUEST_BODY_SHOWN

    assert f"first {REQUEST_BODY_SHOWN:,} characters" in _help(capsys, "send")


def modules_after(*argv: str) -> set[str]:
    """Every module (sys.modules, so importlib.import_module's too) a fresh interpreter holds after main(argv)."""
    code = (f"import sys\nfrom tui.cli import main\ntry:\n    main({list(argv)!r})\nexcept SystemExit:\n    pass\n"
            "print('\\n'.join(sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return set(done.stderr.split())


# What `decode` left behind to stay within 3x `python -c pass` (benchmarks/cli_startup.py): dataclasses (and the
# inspect module it loads), the record classes' exec'd code, shutil (argparse asks it for the width), typing.
DECODE_NEVER = {"dataclasses", "inspect", "shutil", "typing", "tui.inspect", "tui.diagnosis.evidence", "keys.headers"}


@pytest.mark.parametrize("argv", [
    ["decode", "30005"], ["decode", "30007", "--venue", "wooxpro", "--json"], ["decode", "99999"],
    ["decode", "--status", "401", "--body", '{"code":30005,"message":"Header X-BM-SIGN is wrong"}'],
    ["decode", "--status", "502", "--body", "<html>bad gateway</html>"], ["decode", "30005", "--bogus"],
])
def test_decode_loads_no_dataclasses_nor_any_other_command(argv):
    loaded = modules_after(*argv)
    assert "tui.diagnosis.diagnose" in loaded or "--bogus" in argv  # the log was read: decode ran (or stopped at its usage)
    assert not loaded & DECODE_NEVER, sorted(loaded & DECODE_NEVER)
    commands = {m for m in loaded if m.startswith("tui.commands.") and not m.startswith("tui.commands._")}
    assert commands == {"tui.commands.decode"}


def test_decode_of_a_code_loads_no_json_and_help_no_shutil():
    """A code needs no body parsed and prints no JSON; --help lists the commands at argparse's width, without shutil."""
    assert "json" not in modules_after("decode", "30005")
    assert "json" in modules_after("decode", "30005", "--json")  # the probe sees json when it is loaded
    assert "shutil" not in modules_after("--help")


@pytest.mark.parametrize("columns", [None, "", "0", "-3", "x", "50", "200"])
def test_the_help_width_is_shutils_answer(monkeypatch, columns):
    """argparse is given the width it would ask shutil for, so every help text wraps exactly as before."""
    import shutil

    from tui.commands._args import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns


def test_the_console_pauses_the_collector_before_it_imports_textual():
    """`keyprobe` (the console) pauses the garbage collector before Textual is imported, so the imports
    and the first frame run no collection (tui/startup_gc.py); the first frame resumes it. The
    spy stops the start at Textual's import: what runs after needs a terminal."""
    code = ("import gc, sys\n"
            "class Spy:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name == 'textual':\n"
            "            print('collector', 'on' if gc.isenabled() else 'off', flush=True)\n"
            "            raise SystemExit(0)\n"
            "sys.meta_path.insert(0, Spy())\n"
            "from tui.cli import main\n"
            "main([])\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "collector off", (done.stdout, done.stderr[-2000:])


@pytest.fixture
def collector_on():
    """The collector running, as in a fresh process, whatever an earlier test left; put back as found."""
    import gc

    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_inspect_pauses_the_collector_until_its_first_result_then_resumes_it(tmp_path, capsys, monkeypatch, collector_on):
    """Its start-up imports run no collection (tui/startup_gc.py); from the first result on, a long input's other
    requests run with the collector, and the caller gets it back on."""
    import gc

    from tui.commands import inspect as inspect_command

    states: list[bool] = []
    add = inspect_command._printer.add
    monkeypatch.setattr(inspect_command._printer, "add", lambda self, ins: (states.append(gc.isenabled()), add(self, ins)))
    one = "GET /system/time HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\n\r\n"
    path = tmp_path / "two.http"
    path.write_text(one + one)
    main(["inspect", str(path)])
    assert states == [False, True] and gc.isenabled()


def test_send_pauses_the_collector_until_its_answer_is_printed(capsys, monkeypatch, emu, tmp_path, collector_on):
    import gc

    from tui.output import render

    states: list[bool] = []
    print_exchange = render.print_exchange
    monkeypatch.setattr(render, "print_exchange", lambda *a, **k: (states.append(gc.isenabled()), print_exchange(*a, **k)))
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    frozen = gc.get_freeze_count()
    assert main(["send", "GET", "/system/time", "--venue", "emulator", "--base-url", emu.base_url, "--emulator-flavour", "bitmart"]) == 0
    assert states == [False] and gc.isenabled()
    assert gc.get_freeze_count() == frozen  # a caller's process: its garbage from this call is not kept for good


def test_a_send_that_is_the_process_freezes_what_it_built_before_it_exits(emu, tmp_path):
    """`keyprobe send` (main() with the process's argv): the collections it would run, and the one at the exit,
    would walk everything it imported to free nothing; it is frozen once the answer is out (tui/startup_gc.py)."""
    code = ("import gc, sys\nfrom tui.cli import main\n"
            f"sys.argv = ['keyprobe', 'send', 'GET', '/system/time', '--venue', 'emulator', '--base-url', {emu.base_url!r}]\n"
            "code = main()\nprint('frozen', gc.get_freeze_count(), 'enabled', gc.isenabled(), 'exit', code)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KEYPROBE_HOME": str(tmp_path)})
    words = done.stdout.split()[-6:]
    assert words[0] == "frozen" and int(words[1]) > 10_000 and words[3:] == ["True", "exit", "0"], (done.stdout[-500:], done.stderr[-2000:])
