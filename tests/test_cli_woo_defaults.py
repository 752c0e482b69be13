"""WOO X Pro is keyprobe's main venue (BitMart stopped trading on 2026-08-26): every command that implies a venue
plays WOO X Pro unless told `--venue bitmart` / `--emulator-flavour bitmart`; the proxy and inspect read a loopback
request's dialect from its headers or the emulator's answer, never assume BitMart's; and a request sent to the other
venue's host is pointed at the right one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import sign
from tui.cli import main
from tui.emulator import Emulator
from tui.inspect.model import CapturedRequest, CapturedResponse
from tui.inspect.report import inspect_request
from tui.proxy import Proxy

ROOT = Path(__file__).resolve().parents[1]
ORDER = '{"symbol":"BTCUSDT","side":1,"type":"limit","leverage":"10","open_type":"isolated","size":1,"price":"20000"}'


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def signed_headers(prefix: str, body: str) -> dict[str, str]:
    ts = str(int(time.time() * 1000))
    return {f"{prefix}KEY": EXAMPLE_KEY, f"{prefix}TIMESTAMP": ts, f"{prefix}SIGN": sign(EXAMPLE_SECRET, ts, EXAMPLE_MEMO, body),
            "Content-Type": "application/json"}


# -- the defaults ------------------------------------------------------------------------------------------------
def test_send_without_a_target_plays_woo_x_pro_and_bitmart_is_one_switch_away(capsys):
    code, out = run(capsys, "send", "GET", "/contract/private/assets-detail", "--no-history")
    assert code == 0 and "X-API-KEY: #d84ea451" in out and "X-BM-KEY" not in out
    code, out = run(capsys, "send", "GET", "/contract/private/assets-detail", "--no-history", "--emulator-flavour", "bitmart")
    assert code == 0 and "X-BM-KEY: #d84ea451" in out and "X-API-KEY" not in out


def test_decode_reads_woo_x_pro_s_document_unless_told_bitmart(capsys):
    code, out = run(capsys, "decode", "30005")
    assert code == 0 and out.startswith("30005  Header X-API-SIGN is wrong")
    code, out = run(capsys, "decode", "30005", "--venue", "bitmart")
    assert code == 0 and "Header X-BM-SIGN is wrong" in out


def test_the_emulator_command_plays_woo_x_pro_by_default():
    proc = subprocess.Popen([sys.executable, "-m", "tui", "emulator", "--port", "0", "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = json.loads(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert first["venue"] == "wooxpro" and list(first["ws_urls"]) == ["wooxpro"]


# -- the proxy: the in-process emulator is WOO X Pro's, and a WOO X Pro request is read as one ------------------
def test_a_woo_x_pro_signed_request_through_keyprobe_proxy_is_answered_and_read_in_its_own_dialect(tmp_path):
    env = {**os.environ, "KEYPROBE_HOME": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "tui", "proxy", "--port", "0", "--no-history"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        banner = proc.stderr.readline()
        base = banner.split("listening on ", 1)[1].split()[0]
        with httpx.Client(base_url=base, trust_env=False) as client:
            woo = client.post("/contract/private/submit-order", content=ORDER, headers=signed_headers("X-API-", ORDER))
            woo_line = proc.stdout.readline()
            bm = client.post("/contract/private/submit-order", content=ORDER, headers=signed_headers("X-BM-", ORDER))
            bm_line = proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert woo.json()["code"] == 1000 and bm.json()["code"] == 30001, (woo.text, bm.text)
    assert woo_line.startswith("POST  /contract/private/submit-order  1000  sig=match") and "X-BM" not in woo_line, woo_line
    # BitMart's headers on WOO X Pro's emulator: the first fix says where BitMart's dialect is served
    assert "lint=header-other-venue,auth-missing" in bm_line and "fix: To move the bot to WOO X Pro, send X-API-KEY" in bm_line, bm_line
    assert "Traceback" not in err


def test_a_request_with_no_venue_header_to_a_woo_x_pro_emulator_apart_is_not_taken_for_bitmart():
    """A public or forgotten-key call carries neither X-API-* nor X-BM-*: the emulator's answer names its header."""
    with Emulator("wooxpro") as woo, Proxy(woo.base_url, port=0, history=False) as proxy:
        answer = httpx.post(proxy.base_url + "/contract/private/submit-order", content=ORDER,
                            headers={"Content-Type": "application/json"}, trust_env=False)
        assert proxy.wait_for(1)
        (ins,) = proxy.inspections
    assert answer.json()["message"] == "Header X-API-KEY is empty"
    assert ins.family == "wooxpro" and "X-BM" not in json.dumps(ins.to_dict()), ins.diagnosis.causes


# -- the other venue's host --------------------------------------------------------------------------------------
def captured(host: str, prefix: str, response: CapturedResponse) -> CapturedRequest:
    ts = str(int(time.time() * 1000))
    headers = ((f"{prefix}KEY", EXAMPLE_KEY), (f"{prefix}TIMESTAMP", ts), (f"{prefix}SIGN", sign(EXAMPLE_SECRET, ts, EXAMPLE_MEMO, "")),
               ("User-Agent", "bot"))
    return CapturedRequest("POST", f"https://{host}/account/v1/transfer-contract", headers, b"", "curl", response=response)


def test_a_woo_x_pro_bot_on_bitmart_s_host_is_pointed_at_woo_x_pro():
    not_found = CapturedResponse(404, (("Content-Type", "application/json"),), b'{"code":30000,"message":"Not found"}')
    ins = inspect_request(captured("api-cloud-v2.bitmart.com", "X-API-", not_found))
    first = ins.diagnosis.fixes[0]
    assert "https://cloud-api.wooxpro.com" in first.text and "WOO X Pro's header names (X-API-*)" in first.evidence


def test_a_bitmart_bot_on_woo_x_pro_s_host_is_told_where_bitmart_is():
    route = CapturedResponse(404, (("Content-Type", "application/json"),), b'{"error_msg":"404 Route Not Found"}')
    ins = inspect_request(captured("cloud-api.wooxpro.com", "X-BM-", route))
    first = ins.diagnosis.fixes[0]
    assert "https://api-cloud-v2.bitmart.com" in first.text and "X-API-KEY" in first.text
    assert "BitMart's header names (X-BM-*)" in first.evidence
    # the venue's own headers: nothing to point elsewhere
    same = inspect_request(captured("cloud-api.wooxpro.com", "X-API-", route))
    assert "bitmart.com" not in same.diagnosis.fixes[0].text and "cloud-api.wooxpro.com" in same.diagnosis.fixes[0].text
