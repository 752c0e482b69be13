"""'²' (latin-1 byte B2, so also a raw header's) is a digit to str.isdigit and not to int: a timestamp or a
depth written with it is a request like any other, never a traceback (the fourth attack)."""

from __future__ import annotations

import json
import shlex

import pytest

from keys.demo import EXAMPLE_KEY
from keys.signing import Credentials
from keys.variants import float_timestamps, other_timestamps, seconds_variants
from tui.cli import main
from tui.emulator.ws.public import TopicRefused, parse_topic
from tui.ws.dialects import DIALECTS

LOOKALIKE = "²" * 13


def test_a_superscript_timestamp_has_no_variants():
    assert list(other_timestamps("²")) == [] and seconds_variants(LOOKALIKE) == [] and list(float_timestamps(LOOKALIKE)) == []


def test_inspect_checks_a_rest_request_whose_timestamp_is_superscripts(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    creds = Credentials("k" * 24, "s" * 32, "memo1234")
    for name, value in (("KEYPROBE_API_KEY", creds.api_key), ("KEYPROBE_SECRET", creds.secret), ("KEYPROBE_MEMO", creds.memo)):
        monkeypatch.setenv(name, value)
    command = shlex.join(["curl", "-X", "POST", "https://cloud-api.wooxpro.com/v2/submit_order", "-H", f"X-API-KEY: {creds.api_key}",
                          "-H", f"X-API-TIMESTAMP: {LOOKALIKE}", "-H", "X-API-SIGN: " + "ab" * 32, "-d", '{"symbol":"BTC_USDT"}'])
    (tmp_path / "c.txt").write_text(command)
    assert main(["inspect", str(tmp_path / "c.txt"), "--json"]) == 1
    (item,) = json.loads(capsys.readouterr().out)["requests"]
    assert item["signature"]["status"] == "mismatch" and "timestamp-not-13-digits" in {f["id"] for f in item["findings"]}


def test_inspect_checks_a_websocket_login_whose_timestamp_is_superscripts(tmp_path, capsys):
    (tmp_path / "w.json").write_text(json.dumps({"op": "login", "args": [EXAMPLE_KEY, LOOKALIKE, "ab" * 32]}))
    assert main(["inspect", str(tmp_path / "w.json"), "--json"]) == 0  # no key material: unchecked, nothing wrong seen
    (item,) = json.loads(capsys.readouterr().out)["requests"]
    assert item["kind"] == "websocket" and item["findings"] == [] and item["signature"]["status"] == "unchecked"


def test_the_emulator_refuses_a_superscript_depth_as_a_bad_channel():
    with pytest.raises(TopicRefused) as refused:
        parse_topic(DIALECTS["bitmart-spot"], "spot/depth²:BTC_USDT")
    assert refused.value.code == 90004
