"""README examples that were pasted once and then drifted from what keyprobe prints: each is run here against the
emulator and compared with the README's block (ports, times and timings aside)."""

from __future__ import annotations

import re
from pathlib import Path

import ccxt
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tui.cli import main
from tui.emulator import Emulator
from tui.inspect.render import one_line
from tui.proxy import Proxy

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def block_after(command: str) -> list[str]:
    """The lines of the README's code block that follow the line `command`, up to the closing fence."""
    start = README.index(command + "\n") + len(command) + 1
    return README[start:README.index("```", start)].splitlines()


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path / "home"))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)


def test_the_woo_x_pro_probe_example_shows_every_rung_with_its_mark(capsys):
    """`keyprobe probe` on WOO X Pro's emulator 90 s ahead: venue, public, clock, keyed, signed, websocket, verdict."""
    rung = re.compile(r"^ ([✓✗]) (\d) +(\w+)")
    readme = [m.groups() for line in block_after(
        "$ keyprobe probe --venue emulator --emulator-flavour wooxpro --base-url http://127.0.0.1:8641   "
        "# keyprobe emulator --venue wooxpro --port 8641 --skew 90") if (m := rung.match(line))]
    with Emulator("wooxpro", skew_s=90) as emu:
        assert main(["probe", "--venue", "emulator", "--emulator-flavour", "wooxpro", "--base-url", emu.base_url]) == 1
    printed = [m.groups() for line in capsys.readouterr().out.splitlines() if (m := rung.match(line))]
    assert readme == printed
    assert [name for _, _, name in printed][-2:] == ["websocket", "verdict"]


def test_the_replay_example_of_unreadable_files_is_what_replay_says(tmp_path, capsys):
    folder = tmp_path / "unreadable"
    folder.mkdir()
    (folder / "broken.request.json").write_text('{\n  "schema": 1,\n  "name": "broken",\n  "venue": "emulator",\n}\n')
    (folder / "new.request.json").write_text('{"schema": 2, "name": "new", "venue": "emulator", "base_url": '
                                             '"http://127.0.0.1:8640", "method": "GET", "path": "/contract/private/assets-detail"}\n')
    with pytest.raises(SystemExit) as stopped:
        main(["replay", str(folder)])
    said = capsys.readouterr().err.replace(str(folder), "/tmp/kp-readme/unreadable").splitlines()
    assert stopped.value.code == 2 and said == block_after("$ keyprobe replay /tmp/kp-readme/unreadable")


def test_the_migration_example_s_proxy_lines_are_what_the_proxy_prints():
    """ccxt's bitmart pointed at WOO X Pro's emulator through the proxy: the lint ids and the leading fix of each line."""
    readme = [line for line in block_after("$ keyprobe proxy --upstream http://127.0.0.1:8641") if not line.startswith("keyprobe proxy")]
    with Emulator("wooxpro") as woo, Proxy(woo.base_url, port=0, history=False) as proxy:
        bot = ccxt.bitmart({"apiKey": EXAMPLE_KEY, "secret": EXAMPLE_SECRET, "uid": EXAMPLE_MEMO, "enableRateLimit": False})
        bot.urls["api"] = {"spot": proxy.base_url, "swap": proxy.base_url}
        for call in (bot.fetch_time, lambda: bot.set_markets(bot.fetch_contract_markets()),
                     lambda: bot.fetch_balance({"type": "swap"}), lambda: bot.fetch_balance({"type": "spot"})):
            try:
                call()
            except (AttributeError, ccxt.BaseError):  # what each call raises is test_migration's business
                pass
        assert proxy.wait_for(4)
        printed = [one_line(i) for i in proxy.inspections]
    assert printed == readme
