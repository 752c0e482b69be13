"""tui/output/styled.py: `send` and `inspect` piped print the characters rich prints for the same lines, and load no
rich (nor, for `inspect`, logging, dataclasses or typing) to do it: the start-up benchmarks/send_cpu.py and
inspect_startup.py measure depends on it, and a stray import would bring the cost back unnoticed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET, demo_key
from keys.signing import Credentials, sign
from tui.clock.estimate import Stamp, estimate_server_time
from tui.diagnosis.diagnose import diagnose
from tui.exchange import Draft
from tui.inspect.budget import Budget
from tui.inspect.detect import read
from tui.inspect.render import print_inspection
from tui.inspect.batch import inspect_all
from tui.output.render import print_estimate, print_exchange
from tui.output.safe_console import safe_console
from tui.output.styled import Output
from tui.venues import VENUES
from tui.transport.wire import Wire

ROOT = Path(__file__).resolve().parents[1]
BITMART = VENUES["bitmart"]
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'


def both(draw) -> tuple[str, str]:
    """What `draw(out)` prints plain (a pipe: no rich) and through rich's Console to the same kind of pipe."""
    plain, through_rich = io.StringIO(), io.StringIO()
    draw(Output(file=plain))
    draw(Output(safe_console(file=through_rich)))
    return plain.getvalue(), through_rich.getvalue()


async def exchange(response: httpx.Response | Exception, draft: Draft | None = None, **wire_kwargs):
    def answer(request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        return response

    async with Wire(transport=httpx.MockTransport(answer), **wire_kwargs) as wire:
        return await wire.send(draft or Draft(BITMART, "POST", "/contract/private/submit-order", body=ORDER), demo_key().credentials)


ANSWERS = {
    "success": lambda: httpx.Response(200, json={"code": 1000, "message": "OK", "data": {"order_id": 1}}),
    "documented error, fixes and evidence": lambda: httpx.Response(401, json={"code": 30005, "message": "Header X-BM-SIGN is wrong"}),
    "status that does not match": lambda: httpx.Response(200, json={"code": 30005, "message": "Header X-BM-SIGN is wrong"}),
    "html page": lambda: httpx.Response(502, content=b"<html>\r\n<body>\t502 [bold]Bad[/] Gateway</body></html>",
                                         headers={"Content-Type": "text/html"}),
    "control characters and wide text": lambda: httpx.Response(
        400, headers={"X-Evil": "a\x1b]52;c;aGk=\x07b", "X-Wide": "注文 😀".encode()},
        json={"code": 40037, "message": "The order id is not exist", "data": {"note": "\u202eevil\x1b[8m 注文"}}),
    "empty body": lambda: httpx.Response(204),
    "long body": lambda: httpx.Response(200, json={"code": 1000, "message": "OK", "data": [{"i": i} for i in range(150)]}),
    "transport failure": lambda: httpx.ConnectError("All connection attempts failed"),
    "timeout after sending": lambda: httpx.ReadTimeout("timed out"),
}


@pytest.mark.parametrize("name", list(ANSWERS))
@pytest.mark.parametrize("full", [False, True])
async def test_a_piped_send_prints_what_rich_prints(name, full):
    ex = await exchange(ANSWERS[name]())
    plain, through_rich = both(lambda out: print_exchange(ex, diagnose(ex), full=full, out=out))
    assert plain == through_rich
    assert "Diagnosis: " in plain and "\x1b" not in plain


@pytest.mark.parametrize("full", [False, True])
async def test_a_long_request_body_is_cut_or_streamed_alike(full):
    body = json.dumps({"symbol": "BTCUSDT", "note": "x" * 6000, "lines": "a\r\nb\rc\td\x1b[31m"})
    ex = await exchange(ANSWERS["success"](), Draft(BITMART, "POST", "/contract/private/submit-order", body=body))
    plain, through_rich = both(lambda out: print_exchange(ex, diagnose(ex), full=full, out=out))
    assert plain == through_rich
    assert ("the first 4,096 characters" in plain) is not full and "<the body above" in plain


def test_a_clock_estimate_prints_alike():
    estimate = estimate_server_time([Stamp(1000.0 + 10 * i, 1002.5 + 10 * i, 1001 + 10 * i + 90_000) for i in range(5)])
    plain, through_rich = both(lambda out: print_estimate(estimate, BITMART, out))
    assert plain == through_rich and "offset " in plain and "verdict" in plain


def raw_capture(body: str, sign_with: str = EXAMPLE_SECRET) -> bytes:
    ts = "1780000000000"
    signature = sign(sign_with, ts, EXAMPLE_MEMO, body)
    answer = '{"code":30005,"message":"Header X-BM-SIGN is wrong","trace":"t"}'
    return (f"POST /contract/private/submit-order HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n"
            f"X-BM-SIGN: {signature}\r\nX-BM-TIMESTAMP: {ts}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
            f"HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {len(answer)}\r\n\r\n{answer}").encode()


@pytest.mark.parametrize("capture", [
    raw_capture(ORDER),  # a match
    raw_capture(ORDER.replace(",", ", ")),  # a mismatch the forensics names, with its marked pre-images
    raw_capture(ORDER, sign_with="another-secret-entirely-0123456789"),  # a mismatch nothing explains
])
def test_a_piped_inspection_prints_what_rich_prints(capture):
    reading = read(capture, "auto", Budget())
    own = [Credentials.of(EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO)]
    (inspection,) = inspect_all(reading, own, Budget())
    plain, through_rich = io.StringIO(), io.StringIO()
    stdout, sys.stdout = sys.stdout, plain  # not a terminal: the plain way
    try:
        print_inspection(1, inspection)
    finally:
        sys.stdout = stdout
    print_inspection(1, inspection, safe_console(file=through_rich))
    assert plain.getvalue() == through_rich.getvalue() and "signature" in plain.getvalue()


# -- what a piped run loads ---------------------------------------------------------------------------------------
WITHOUT_CLICK = "import runpy, sys; sys.modules['click'] = None; runpy.run_module('tui', run_name='__main__', alter_sys=True)"


def imported_by(argv: list[str], env: dict[str, str]) -> set[str]:
    """The top-level packages a `python -X importtime -m tui ARGV` run imports, read from the interpreter's own log."""
    # httpx imports its own command line (click, rich, pygments) whenever click is installed, as uvicorn in the
    # bench extras brings it: hidden here, so the log shows what keyprobe imports, as in a venv without click.
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", WITHOUT_CLICK, *argv], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    names = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "tui" in names and "Traceback" not in done.stderr, done.stderr[-3000:]
    return names


def key_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KEYPROBE_HOME": str(tmp_path / "home"), "KEYPROBE_API_KEY": EXAMPLE_KEY,
            "KEYPROBE_SECRET": EXAMPLE_SECRET, "KEYPROBE_MEMO": EXAMPLE_MEMO}


def test_a_piped_send_loads_no_rich(emu, tmp_path):
    names = imported_by(["send", "POST", "/contract/private/cancel-order", "--venue", "emulator", "--base-url",
                         emu.base_url, "--body", '{"symbol":"BTCUSDT","order_id":"1"}'], key_env(tmp_path))
    assert "httpx" in names and "rich" not in names


@pytest.mark.parametrize("capture", [raw_capture(ORDER), raw_capture(ORDER.replace(",", ", "))])
def test_a_piped_inspect_loads_neither_rich_nor_logging_nor_dataclasses(capture, tmp_path):
    """Nor typing (its NamedTuple compiles each string annotation), threading or an HTTP client."""
    path = tmp_path / "request.http"
    path.write_bytes(capture)
    names = imported_by(["inspect", str(path)], key_env(tmp_path))
    heavy = {"rich", "logging", "dataclasses", "typing", "threading", "httpx"}
    assert not names & heavy, sorted(names & heavy)
