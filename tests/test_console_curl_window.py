"""The copy-as-curl windows (f6, f7) show a command a person can read and copy (issue 26): the curl
line laid out one option per line with ` \\` continuations, the key and signature masked where they are
real, and every `[` of the body shown as typed (a markup parser would have eaten `[bold]`). The f7
window's text, copied from the screen, is run by sh against the emulator: it signs and is accepted."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from console_support import HANG_S, press, quiet_console, run_entry, screen_text, settle
from textual.widgets import Static

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.console.app import KeyprobeApp
from tui.console.screens.curl import CurlScreen

SIZE = (140, 45)
BODY = '{"symbol":"BTCUSDT","leverage":"5","open_type":"isolated","note":"[bold]x[/bold] [1]"}'


@pytest.fixture(autouse=True)
def _console_env(monkeypatch, tmp_path):
    quiet_console(monkeypatch, tmp_path)


async def shown_after(app, pilot, key: str) -> str:
    await press(pilot, key)
    assert isinstance(app.screen, CurlScreen)
    return app.screen.query_one("#curl-text", Static).content.plain


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("openssl")), reason="needs curl and openssl")
async def test_the_curl_windows_read_as_commands_masked_with_every_bracket():
    app = KeyprobeApp()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await run_entry(app, pilot, "Endpoint: POST /contract/private/submit-leverage (signed)")
        app.main_screen.composer.query_one("#body").text = BODY
        await settle(app, pilot)

        command = await shown_after(app, pilot, "f6")
        lines = command.splitlines()
        assert lines[0] == "curl --http1.1 -X POST \\", command
        assert all(line.endswith(" \\") for line in lines[:-1]) and lines[-1].startswith("  http://127.0.0.1:")
        signature = re.search(r"X-API-SIGN: ([0-9a-f]{64})", app.clipboard).group(1)
        assert "  -H 'X-API-KEY: #d84ea451' \\" in lines and signature[:8] not in command  # a fingerprint of each
        assert any(line.startswith("  -H 'X-API-SIGN: #") for line in lines), command
        assert EXAMPLE_KEY not in command and EXAMPLE_KEY in app.clipboard  # masked on screen, real on the clipboard
        assert f"  --data-binary '{BODY}' \\" in lines
        assert "[bold]x[/bold] [1]" in screen_text(app)  # drawn as typed, not read as markup
        await press(pilot, "escape")

        script = await shown_after(app, pilot, "f7")
        assert '  -H "X-API-KEY: $KEYPROBE_API_KEY" \\' in script.splitlines()  # a variable: shown, and still one
        assert "[bold]x[/bold] [1]" in screen_text(app)
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and not k.startswith("KEYPROBE_")}
        env |= {"KEYPROBE_API_KEY": EXAMPLE_KEY, "KEYPROBE_SECRET": EXAMPLE_SECRET, "KEYPROBE_MEMO": EXAMPLE_MEMO}
        out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env, timeout=HANG_S)
        assert out.returncode == 0, out.stderr
        answer = json.loads(out.stdout)
        assert answer["code"] == 1000, answer  # what the window shows is the script: it signs and is accepted
