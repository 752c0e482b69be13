"""The canary: a unique secret and memo go through every path keyprobe has, then must be found nowhere.

`keys add` stores them, `send` uses them (a success and a 30005), the error paths run (wrong passphrase,
a host outside the key's binding, a refused connection), HTTP debug logging is on for one send, curl
exports are made, and three crashes are rendered the way Textual's crash screen renders them (rich
traceback with locals). Every command is a subprocess with KEYPROBE_HOME in a temp folder. Then every
file under KEYPROBE_HOME and every byte of captured output is searched: the secret and the memo must
appear zero times, and the API key only inside the signed curl command (which must carry it).
"""

from __future__ import annotations

import base64
import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from keys.demo import DEMO_KEYS, DemoKey
from keys.secret import Secret
from keys.signing import Credentials
from leaks import find_leaks, random_value
from tui.emulator import Emulator, EmulatorState

ROOT = Path(__file__).resolve().parents[1]
# Random letters and digits, so that no 8 characters of them occur anywhere by chance; the seed is
# printed (pytest -s, or shown with a failure) and KEYPROBE_CANARY_SEED=N replays the same values.
SEED = int(os.environ.get("KEYPROBE_CANARY_SEED") or random.randrange(2**32))
_rng = random.Random(SEED)
SECRET = random_value(_rng, 40)
MEMO = random_value(_rng, 24)
WRONG_MEMO = random_value(_rng, 24)
PASSPHRASE = random_value(_rng, 20)
API_KEY = "cafe" + random_value(_rng, 32) + "cafe"
LEVERAGE = '{"symbol":"BTCUSDT","leverage":"10","open_type":"isolated"}'

CRASH_SCRIPT = r'''
import io, sys
from rich.console import Console
from rich.traceback import Traceback
from tui.export import curl_command
from tui.signing_context import SigningContext
from keys.signing import AuthLevel
from keys.venue_signer import VenueSigner
from tui.commands._profile import load_profile
from tui.exchange import Draft
from tui.venues import get_venue

def render():
    # Textual's _fatal_error: Traceback(show_locals=True, ...); longer limits here, to see more
    Console(file=sys.stderr, width=160, color_system=None).print(
        Traceback(show_locals=True, locals_max_length=100, locals_max_string=2000))

class ExplodingClock:
    offset_ms = 0.0
    apply = False
    def now_ms(self):
        raise RuntimeError("the clock broke mid-signing")

def use_profile(profile, draft):
    credentials = profile.credentials
    signer = VenueSigner(credentials, draft.venue.header_set, AuthLevel.SIGNED, None, profile.allowed_hosts, profile.venue_name)
    request = next(signer.sync_auth_flow(__import__("tui.export").export.build_request(draft)))
    raise ValueError(f"crash while holding {profile!r} and {credentials!r}")

profile = load_profile("canary")
draft = Draft(get_venue("emulator").at(profile.base_url), "POST", "/contract/private/submit-leverage", body=sys.argv[1])
for crash in (
    lambda: use_profile(profile, draft),
    lambda: next(VenueSigner(profile.credentials, draft.venue.header_set, AuthLevel.SIGNED, ExplodingClock(),
                             profile.allowed_hosts).sync_auth_flow(__import__("tui.export").export.build_request(draft))),
    lambda: curl_command(draft, SigningContext.for_profile(profile, ExplodingClock())),
):
    try:
        crash()
    except Exception:
        render()
print("crashes rendered: 3")
'''

EXPORT_SCRIPT = r'''
import sys
from tui.export import curl_command, curl_script
from tui.signing_context import SigningContext
from tui.commands._profile import load_profile
from tui.exchange import Draft
from tui.venues import get_venue

profile = load_profile("canary")
draft = Draft(get_venue("emulator").at(profile.base_url), "POST", "/contract/private/submit-leverage", body=sys.argv[1])
print(curl_command(draft, SigningContext.for_profile(profile)))
print(curl_script(draft))
'''


@pytest.fixture
def emulator():
    canary = DemoKey("canary", "active", Credentials.of(API_KEY, SECRET, MEMO))
    emu = Emulator()
    emu.state = EmulatorState("bitmart", keys=(*DEMO_KEYS, canary))
    with emu:
        yield emu


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Run:
    """Subprocesses of keyprobe, everything they print kept for the search."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.outputs: list[tuple[str, str]] = []  # (label, text)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_") and "proxy" not in k.lower()}
        self.env |= {"KEYPROBE_HOME": str(home), "KEYPROBE_KDF": "test", "KEYPROBE_PASSPHRASE": PASSPHRASE, "COLUMNS": "200"}

    def __call__(self, argv: list[str], expect: int, *, python: list[str] | None = None, label: str = "", **env: str) -> str:
        cmd = [sys.executable, *(python or ["-m", "tui"]), *argv]
        out = subprocess.run(cmd, cwd=ROOT, env=self.env | env, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
        label = label or " ".join(argv[:4])
        self.outputs.append((f"{label} stdout", out.stdout.decode("utf-8", "replace")))
        self.outputs.append((f"{label} stderr", out.stderr.decode("utf-8", "replace")))
        assert out.returncode == expect, (argv, out.returncode, out.stdout[-2000:], out.stderr[-2000:])
        return out.stdout.decode() + out.stderr.decode()


def test_canary_secret_and_memo_appear_nowhere(tmp_path, emulator):
    print(f"canary seed {SEED} (KEYPROBE_CANARY_SEED={SEED} replays it)")
    home = tmp_path / "home"
    run = Run(home)
    creds = {"KEYPROBE_API_KEY": API_KEY, "KEYPROBE_SECRET": SECRET, "KEYPROBE_MEMO": MEMO}
    send = ["send", "POST", "/contract/private/submit-leverage", "--body", LEVERAGE, "--emulator-flavour", "bitmart"]  # its emulator is BitMart's

    run(["keys", "init"], 0)
    run(["keys", "add", "canary", "--venue", "emulator", "--base-url", emulator.base_url], 0, **creds)
    run(["keys", "add", "badmemo", "--venue", "emulator", "--base-url", emulator.base_url], 0, **(creds | {"KEYPROBE_MEMO": WRONG_MEMO}))
    run(["keys", "add", "woox", "--venue", "wooxpro"], 0, **creds)
    listing = run(["keys", "list"], 0) + run(["keys", "list", "--json"], 0)
    assert "canary" in listing and "badmemo" in listing

    ok = run([*send, "--profile", "canary"], 0)
    assert "1000" in ok
    ok_json = json.loads(run([*send, "--profile", "canary", "--json"], 0).split("\n", 1)[0])
    assert ok_json["response"]["json"]["code"] == 1000
    # httpx/httpcore debug logging on (tui.transport.wire imported first so its import-time levels do not win)
    debug = run(send[1:] + ["--profile", "canary"], 0, python=["-c", "import sys, tui.transport.wire; from tui.cli import main; sys.exit(main(['send'] + sys.argv[1:]))"],
                label="debug send", KEYPROBE_DEBUG_HTTP="1")
    assert "httpcore.http11 DEBUG" in debug

    bad = run([*send, "--profile", "badmemo"], 1)
    assert "30005" in bad
    bad_json = json.loads(run([*send, "--profile", "badmemo", "--json"], 1).split("\n", 1)[0])
    assert bad_json["response"]["json"]["code"] == 30005

    wrong = run([*send, "--profile", "canary"], 2, KEYPROBE_PASSPHRASE="not the passphrase")
    assert "Wrong passphrase, or the key file was modified." in wrong
    refused = run([*send, "--profile", "woox", "--base-url", emulator.base_url], 2)
    assert "Refusing to sign for 127.0.0.1" in refused and "cloud-api.wooxpro.com" in refused
    down = run([*send, "--profile", "canary", "--base-url", f"http://127.0.0.1:{closed_port()}"], 3)
    assert "Connection refused" in down

    exported = run([LEVERAGE], 0, python=["-c", EXPORT_SCRIPT], label="export")
    assert exported.startswith("curl --http1.1 -X POST") and "$KEYPROBE_SECRET" in exported
    crashed = run([LEVERAGE], 0, python=["-c", CRASH_SCRIPT], label="crash")
    assert crashed.count("Traceback (most recent call last)") == 3 and "crash while holding Profile('canary'" in crashed
    assert "the clock broke mid-signing" in crashed and f"Credentials(key={Secret(API_KEY).fingerprint()}" in crashed

    files = [p for p in home.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"keys.json", "history.jsonl"}
    haystacks = [(str(p), p.read_bytes()) for p in files] + [(label, text.encode()) for label, text in run.outputs]
    # Any 8 characters of the secret, a memo or the passphrase (or their fingerprint shape) is a leak:
    # rich cuts long strings in a traceback's locals, and a half-masked value is still a leak.
    never = [SECRET, MEMO, WRONG_MEMO, PASSPHRASE]
    assert find_leaks(haystacks, never) == [], f"seed {SEED}"
    encoded = [base64.b64encode(v.encode())[:24] for v in never]
    assert [(where, n) for where, hay in haystacks for n in encoded if n in hay] == [], f"seed {SEED}"
    # The API key must appear in one place only, the signed curl command (which must carry it);
    # everywhere else it is a fingerprint (a hash), never 8 characters in a row nor its first-6…last-4.
    key_pieces = {where for where, piece in find_leaks(haystacks, [API_KEY])}
    assert key_pieces == {"export stdout"}, f"seed {SEED}"
    assert [where for where, hay in haystacks if API_KEY.encode() in hay] == ["export stdout"]
