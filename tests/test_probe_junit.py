"""`keyprobe probe --junit` as a CI job runs it: every profile of a key file, each a demo key of the emulator in
another state, probed from a subprocess with only environment variables; the file read back with a real XML
parser and compared, element by element, with what pytest's own junitxml writes."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from keys.demo import DEMO_KEYS, EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from tests.leaks import find_leaks, random_value
from tests.seeds import drawn_seed
from tui.commands import _profile
from tui.probe.junit import xml_text

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "ci-passphrase"
# profile -> (api key, secret, memo) and the rungs that must fail, with the code the first one names. The emulator's
# stream logs in a read-only key (it may read), and refuses the others as REST does.
PROFILES = {
    "active": (EXAMPLE_KEY, EXAMPLE_SECRET, EXAMPLE_MEMO, [], None),
    "frozen": (*(None,) * 3, ["keyed", "signed", "websocket"], 30003),
    "expired": (*(None,) * 3, ["keyed", "signed", "websocket"], 30011),
    "ip-restricted": (*(None,) * 3, ["keyed", "signed", "websocket"], 30010),
    "read-only": (*(None,) * 3, ["signed"], 30019),
    "wrong-secret": (EXAMPLE_KEY, "random", EXAMPLE_MEMO, ["signed", "websocket"], 30005),  # "random": drawn in ci_run
    "wrong-memo": (EXAMPLE_KEY, EXAMPLE_SECRET, "random", ["signed", "websocket"], 30005),
}


def run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYPROBE_") and "proxy" not in k.lower()}
    return {**env, "KEYPROBE_HOME": str(home), "KEYPROBE_KDF": "test", **extra}


def demo(state: str):
    return next(k for k in DEMO_KEYS if k.state == state).listing()


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory, shared_emulator):
    """One CI-style run over seven profiles: (exit code, stdout, stderr, the XML's bytes, the secrets used)."""
    home = tmp_path_factory.mktemp("ci-home")
    base = clean_env(home, KEYPROBE_PASSPHRASE=PASSPHRASE)
    assert run(["keys", "init"], base).returncode == 0
    secrets_used = []
    rng = random.Random(drawn_seed("KEYPROBE_JUNIT_SEED"))
    for name, (key, secret, memo, _, _) in PROFILES.items():
        secret = random_value(rng, 64) if secret == "random" else secret
        memo = random_value(rng, 16) if memo == "random" else memo
        if key is None:
            listing = demo(name)
            key, secret, memo = listing["api_key"], listing["secret"], listing["memo"]
        secrets_used += [secret] + ([memo] if name == "wrong-memo" else [])  # the demo memos are words: not searchable
        added = run(["keys", "add", name, "--venue", "emulator", "--base-url", shared_emulator.base_url],
                    {**base, "KEYPROBE_API_KEY": key, "KEYPROBE_SECRET": secret, "KEYPROBE_MEMO": memo})
        assert added.returncode == 0, added.stderr
    report = home / "reports" / "probe.xml"
    done = run(["probe", "--all-profiles", "--junit", str(report), "--samples", "2", "--emulator-flavour", "bitmart"], base)
    _profile.forget()
    return done.returncode, done.stdout, done.stderr, report.read_bytes(), secrets_used


def test_exit_1_and_one_suite_per_profile_one_case_per_rung(ci_run):
    code, _, err, xml, _ = ci_run
    assert code == 1, err
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"keyprobe probe: profile {name}" for name in PROFILES]
    for name, suite in zip(PROFILES, suites):
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == ["venue", "public", "clock", "keyed", "signed", "websocket"]
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert {c.get("classname") for c in cases} == {f"keyprobe.probe.profile_{name}"}
        assert float(suite.get("time")) == pytest.approx(sum(float(c.get("time")) for c in cases), abs=0.01)


def test_a_failing_case_per_broken_layer_with_the_documented_code(ci_run):
    _, _, _, xml, _ = ci_run
    suites = {s.get("name").rsplit(" ", 1)[1]: s for s in ET.fromstring(xml).findall("testsuite")}
    for name, (*_, failing, code) in PROFILES.items():
        failed = [c.get("name") for c in suites[name].findall("testcase") if c.find("failure") is not None]
        assert failed == failing, name
        if code is not None:
            first = suites[name].find(f"testcase[@name='{failing[0]}']/failure")
            assert first.get("message").startswith(f"The {failing[0]} layer fails. {code} "), first.get("message")
            assert "What to do:\n1. " in first.text
    verdict = {p.get("name"): p.get("value") for p in suites["active"].find("properties")}
    assert verdict["verdict"].startswith("Every layer passed") and verdict["venue"] == "emulator"


def test_only_fingerprints_reach_the_file_and_the_output(ci_run):
    _, out, err, xml, secrets_used = ci_run
    assert find_leaks([("junit", xml), ("stdout", out), ("stderr", err)], secrets_used + [PASSPHRASE]) == []
    assert EXAMPLE_KEY.encode() not in xml and b"#d84ea451" in xml  # the demo key, as its fingerprint


def test_the_shape_is_the_one_pytest_writes(ci_run, tmp_path):
    """Each element keyprobe writes has exactly the attributes pytest's junitxml gives the same element."""
    (tmp_path / "test_shape.py").write_text(
        "import pytest\ndef test_pass(): pass\ndef test_fail(): assert 0, 'no'\ndef test_skip(): pytest.skip('why')\n")
    out = tmp_path / "pytest.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "-p", "no:randomly",
                    f"--junitxml={out}", str(tmp_path / "test_shape.py")], cwd=tmp_path, capture_output=True, timeout=120)
    theirs = ET.parse(out).getroot()
    ours = ET.fromstring(ci_run[3])

    def attributes(root: ET.Element, path: str) -> set[str]:
        found = root.find(path)
        assert found is not None, path
        return set(found.attrib)

    assert theirs.tag == ours.tag == "testsuites"
    for path in ("testsuite", "testsuite/testcase", "testsuite/testcase/failure"):
        assert attributes(ours, path) == attributes(theirs, path), path
    assert attributes(ours, "testsuite/testcase/failure") == {"message"}
    assert ci_run[3].startswith(b'<?xml version="1.0" encoding="utf-8"?><testsuites')


def test_a_skipped_rung_is_skipped_as_pytest_writes_it(tmp_path):
    """A venue that does not answer: public fails (exit 3), the rungs above it are <skipped> with a message."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = tmp_path / "down.xml"
    from tui.cli import main

    assert main(["probe", "--venue", "emulator", "--base-url", f"http://127.0.0.1:{port}", "--junit", str(report)]) == 3
    suite = ET.parse(report).getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("skipped"), suite.get("tests")) == ("1", "4", "6")
    skipped = suite.findall("testcase/skipped")
    assert len(skipped) == 4 and all(s.get("message").startswith("skipped:") and s.get("type") for s in skipped)


def test_control_characters_from_a_server_become_escapes_not_broken_xml():
    text = "bad\x1b[31m\x00\x07 ok\u2028"
    assert xml_text(text) == "bad\\x1b[31m\\x00\\x07 ok\u2028"
    ET.fromstring(f"<a b='{xml_text(text)}'>{xml_text(text)}</a>")


def test_usage_errors_and_an_unwritable_report_are_sentences(tmp_path, monkeypatch, capsys):
    from tui.cli import main

    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    assert main(["probe", "--all-profiles", "--base-url", "http://127.0.0.1:1"]) == 2
    assert "--base-url does not go with --all-profiles" in capsys.readouterr().err
    monkeypatch.delenv("KEYPROBE_PASSPHRASE", raising=False)
    assert main(["probe", "--all-profiles"]) == 2
    assert "cannot open the key file for --all-profiles" in capsys.readouterr().err
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["probe", "--samples", "1", "--junit", str(blocked / "probe.xml")]) == 2
    assert "could not write the JUnit file" in capsys.readouterr().err
