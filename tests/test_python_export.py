"""Copy as Python: the generated script, run as its own process against the emulator, gets code 1000."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui import endpoints
from tui.exchange import Draft
from tui.python_export import python_script


def run_script(tmp_path, text: str, **env: str) -> subprocess.CompletedProcess:
    path = tmp_path / "request.py"
    path.write_text(text)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_")}
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env={**clean, **env}, timeout=60)


@pytest.mark.parametrize("method, path, query, body", [
    ("POST", "/contract/private/submit-order", (), endpoints.lookup("POST", "/contract/private/submit-order").sample_body),
    ("POST", "/contract/private/submit-leverage", (), '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated","note":"café"}'),
    ("GET", "/contract/private/order-history", (("symbol", "BTCUSDT"), ("note", "a b,c")), ""),
    ("GET", "/system/time", (), ""),
])
def test_generated_script_signs_and_sends_as_keyprobe_does(emu, tmp_path, method, path, query, body):
    draft = Draft(emu.venue, method, path, query, body)
    text = python_script(draft)
    for piece in (EXAMPLE_SECRET[i:i + 8] for i in range(0, len(EXAMPLE_SECRET) - 8, 4)):
        assert piece not in text
    done = run_script(tmp_path, text, KEYPROBE_API_KEY=EXAMPLE_KEY, KEYPROBE_SECRET=EXAMPLE_SECRET, KEYPROBE_MEMO=EXAMPLE_MEMO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert '"code":1000' in done.stdout


def test_a_wrong_secret_in_the_environment_gets_30005(emu, tmp_path):
    draft = Draft(emu.venue, "POST", "/contract/private/cancel-order", body='{"symbol":"BTCUSDT","order_id":"23"}')
    done = run_script(tmp_path, python_script(draft), KEYPROBE_API_KEY=EXAMPLE_KEY, KEYPROBE_SECRET="x" + EXAMPLE_SECRET,
                      KEYPROBE_MEMO=EXAMPLE_MEMO)
    assert done.returncode == 1 and "30005" in done.stdout
