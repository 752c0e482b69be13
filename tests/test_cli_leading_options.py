"""Options typed before the command apply to it (issue 21, finding 7): `keyprobe --profile main send ...` used to
keep --profile for the console, so `send` ran on the in-process emulator with the demo key and reported 1000.
Now they are parsed as if typed after the command's name; a command without such an option refuses it with a
sentence (exit 2). Driven through tui.cli.main, against the real emulator and a real key file."""

from __future__ import annotations

import socket

import pytest
from cli_support import isolated_home, run

from tui.commands import _profile

UNKNOWN_KEY = "c0ffee45710812162b04892c7ee5ead4a3cc3e56"  # a well-formed key the emulator does not know: 30002


@pytest.fixture
def home(tmp_path, monkeypatch):
    yield isolated_home(tmp_path, monkeypatch)
    _profile.forget()



def test_a_profile_before_send_is_the_key_that_signs(home, emu, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_PASSPHRASE", "pw")
    assert run(capsys, "keys", "init")[0] == 0
    monkeypatch.setenv("KEYPROBE_API_KEY", UNKNOWN_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", "a" * 64)
    monkeypatch.setenv("KEYPROBE_MEMO", "leading-options-memo")
    assert run(capsys, "keys", "add", "mine", "--venue", "emulator", "--base-url", emu.base_url)[0] == 0
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name)
    code, out, err = run(capsys, "--profile", "mine", "--emulator-flavour", "bitmart", "send", "GET", "/contract/private/assets-detail")
    assert code == 1 and "30002" in out and "in-process emulator" not in out + err, out + err  # not the demo key's 1000
    assert f"{emu.base_url}/contract/private/assets-detail" in out


def test_a_base_url_before_send_is_where_it_goes(home, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    code, out, err = run(capsys, "--base-url", f"http://127.0.0.1:{port}", "send", "GET", "/system/time")
    assert code == 3 and f"127.0.0.1:{port}" in out + err and "in-process emulator" not in out + err


@pytest.mark.parametrize("argv", [["--venue", "wooxpro", "decode", "30005"], ["--venue=wooxpro", "decode", "30005"],
                                  ["--ven", "wooxpro", "decode", "30005"]])
def test_a_venue_before_decode_is_the_venue_decoded(home, capsys, argv):
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "X-API-SIGN" in out and "X-BM-SIGN" not in out


@pytest.mark.parametrize("argv, option", [
    (["--profile", "main", "decode", "30005"], "--profile main"),
    (["--venue", "wooxpro", "keys", "list"], "--venue wooxpro"),
    (["--base-url", "http://127.0.0.1:1", "history"], "--base-url http://127.0.0.1:1"),
])
def test_an_option_before_a_command_that_has_none_is_refused_with_a_sentence(home, capsys, argv, option):
    code, out, err = run(capsys, *argv)
    command = argv[2]
    assert code == 2 and out == ""
    assert f"{option} came before `{command}`, and `keyprobe {command}` has no such option; nothing was done." in " ".join(err.split())


def test_the_console_still_takes_its_options_alone(home):
    from tui.cli import _console_args

    args = _console_args(["--profile", "main", "--venue", "wooxpro"])
    assert args is not None and (args.command, args.console_profile, args.console_venue) == (None, "main", "wooxpro")


def test_the_console_refuses_a_profile_with_a_base_url_instead_of_dropping_the_profile(home, capsys, monkeypatch):
    """Fresh-eyes attack on 26ca1db: `keyprobe --profile main --base-url URL` opened the console with the demo key
    (labelled "environment"), the profile dropped without a word."""
    import tui.console.app as console_app

    opened = []
    from tui.startup_gc import resume_gc

    def run_console(args):  # the real one resumes the collector main() paused for the first frame
        opened.append(args)
        resume_gc()
        return 0

    monkeypatch.setattr(console_app, "run_console", run_console)
    code, _, err = run(capsys, "--profile", "main", "--base-url", "http://127.0.0.1:8640")
    assert (code, opened) == (2, []) and "cannot go with --profile" in err and "nothing was opened" in err
    assert run(capsys, "--base-url", "http://127.0.0.1:8640")[0] == 0 and len(opened) == 1  # alone, it opens


def test_a_keyprobe_home_naming_an_unknown_users_home_is_a_folder_name_not_a_traceback(home, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", "~keyprobe-no-such-user/kp")
    code, _, err = run(capsys, "keys", "list")
    assert code == 1 and "No key file at ~keyprobe-no-such-user/kp/keys.json" in err and "Traceback" not in err
