"""The exported curl command and script, run by the real curl (and openssl) against the local emulator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from keys.demo import DEMO_KEYS, EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, DemoKey
from tui.export import curl_command, curl_script
from keys.signing import AuthLevel, Credentials
from tui.emulator import Emulator, EmulatorState
from tui.exchange import Draft

pytestmark = pytest.mark.skipif(not (shutil.which("curl") and shutil.which("openssl") and shutil.which("sh")), reason="needs curl, openssl and sh")

# Shell-hostile values: quotes, $, backticks, spaces, '#' (the pre-image separator) and non-ASCII.
AWKWARD_VALUES = {
    "KEYPROBE_API_KEY": "aw0kwa4d710812162b04892c7ee5ead4a3cc3e56",
    "KEYPROBE_SECRET": "s3cr$t 'with' \"quotes\" `and` spaces",
    "KEYPROBE_MEMO": "memo #1 ü $HOME",
}
AWKWARD = DemoKey("awkward", "active", Credentials.of(*AWKWARD_VALUES.values()))
LEVERAGE = '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}'


@pytest.fixture(params=["bitmart", "wooxpro"])
def emulator(request):
    emu = Emulator(flavour=request.param)
    emu.state = EmulatorState(request.param, keys=(*DEMO_KEYS, AWKWARD))
    with emu:
        yield emu


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("KEYPROBE_")}
    return env | extra


def run_shell(text: str, **env: str) -> dict:
    out = subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=clean_env(**env), timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def leverage_draft(emu: Emulator, body: str = LEVERAGE) -> Draft:
    return Draft(emu.venue, "POST", "/contract/private/submit-leverage", body=body, auth=AuthLevel.SIGNED)


def test_signed_curl_command_is_accepted(emulator):
    for creds in (emulator.demo_credentials(), AWKWARD.credentials):
        answer = run_shell(curl_command(leverage_draft(emulator), creds))
        assert answer["code"] == 1000, answer
        assert answer["data"]["leverage"] == "10"


def test_spaced_body_is_signed_as_sent(emulator):
    spaced = json.dumps(json.loads(LEVERAGE), indent=1)  # newlines and spaces: signed bytes == sent bytes
    assert run_shell(curl_command(leverage_draft(emulator, spaced), emulator.demo_credentials()))["code"] == 1000


def test_script_signs_in_the_shell(emulator, tmp_path):
    script = tmp_path / "call.sh"
    script.write_text(curl_script(leverage_draft(emulator)))

    ok = run_shell(f"sh {script}", KEYPROBE_API_KEY=EXAMPLE_KEY, KEYPROBE_SECRET=EXAMPLE_SECRET, KEYPROBE_MEMO=EXAMPLE_MEMO)
    assert ok["code"] == 1000, ok
    wrong = run_shell(f"sh {script}", KEYPROBE_API_KEY=EXAMPLE_KEY, KEYPROBE_SECRET=EXAMPLE_SECRET, KEYPROBE_MEMO="not-the-memo")
    assert wrong["code"] == 30005


def test_script_with_shell_hostile_credentials(emulator, tmp_path):
    script = tmp_path / "call.sh"
    script.write_text(curl_script(leverage_draft(emulator)))
    assert run_shell(f"sh {script}", **AWKWARD_VALUES)["code"] == 1000


def test_script_refuses_to_run_without_credentials(emulator, tmp_path):
    script = tmp_path / "call.sh"
    script.write_text(curl_script(leverage_draft(emulator)))
    out = subprocess.run(["sh", str(script)], capture_output=True, text=True, env=clean_env(), timeout=30)
    assert out.returncode != 0 and "set KEYPROBE_API_KEY" in out.stderr and out.stdout == ""
