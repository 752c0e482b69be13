"""`keyprobe inspect` end to end: the JSON shape, the human view, exit codes, bad input as a sentence."""

from __future__ import annotations

import json
import shlex

import pytest

from keys.demo import EXAMPLE_KEY, EXAMPLE_MEMO, EXAMPLE_SECRET
from keys.signing import sign
from tui.cli import main
from inspect_support import inspect_file

TS = "1589267764859"
BODY = '{"symbol":"BTCUSDT","side":1}'
SPACED = '{"symbol": "BTCUSDT", "side": 1}'


def curl_for(signature: str, body: str = BODY) -> str:
    return shlex.join(["curl", "https://api-cloud-v2.bitmart.com/contract/private/submit-order", "-H", f"X-BM-KEY: {EXAMPLE_KEY}",
                       "-H", f"X-BM-TIMESTAMP: {TS}", "-H", f"X-BM-SIGN: {signature}", "-H", "Content-Type: application/json",
                       "-H", "User-Agent: bot", "--data-raw", body])


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("KEYPROBE_HOME", str(tmp_path))
    monkeypatch.setenv("KEYPROBE_API_KEY", EXAMPLE_KEY)
    monkeypatch.setenv("KEYPROBE_SECRET", EXAMPLE_SECRET)
    monkeypatch.setenv("KEYPROBE_MEMO", EXAMPLE_MEMO)
    return tmp_path


def run(capsys, tmp_path, text: str, *args: str) -> tuple[int, str, str]:
    return inspect_file(tmp_path, capsys, text, *args)


def test_json_shape_names_the_variant_and_masks_the_memo(env, capsys):
    answer = '{"code":30005,"message":"Header X-BM-SIGN is wrong"}'
    response = f"HTTP/1.1 401 Unauthorized\r\nContent-Length: {len(answer)}\r\n\r\n{answer}"
    raw = (f"POST /contract/private/submit-order HTTP/1.1\r\nHost: api-cloud-v2.bitmart.com\r\nX-BM-KEY: {EXAMPLE_KEY}\r\n"
           f"X-BM-TIMESTAMP: {TS}\r\nX-BM-SIGN: {sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, SPACED)}\r\n"
           f"Content-Type: application/json\r\nUser-Agent: bot\r\nContent-Length: {len(BODY)}\r\n\r\n{BODY}\r\n{response}")
    code, out, _ = run(capsys, env, raw, "--json")
    doc = json.loads(out)
    assert code == 1 and doc["format"] == "http"
    item = doc["requests"][0]
    assert {"method", "url", "venue", "findings", "signature", "diagnosis"} <= item.keys()
    assert item["signature"]["status"] == "mismatch" and item["signature"]["variants"] == ["body-spaced-json"]
    assert item["signature"]["expected"] == f"{TS}#****#{BODY}" and item["signature"]["signed"] == f"{TS}#****#{SPACED}"
    assert main(["decode", "--venue", "bitmart", "--status", "401", "--body", '{"code":30005,"message":"Header X-BM-SIGN is wrong"}', "--json"]) == 0
    decoded = json.loads(capsys.readouterr().out)
    assert item["diagnosis"].keys() == decoded.keys()
    assert (item["diagnosis"]["code"], item["diagnosis"]["row"]) == (30005, decoded["row"])
    # The reproduced mistake is evidence: its fix comes first with the finding beside it (the table puts the memo first).
    assert decoded["fixes"][0].startswith("Set the memo")
    diagnosis = item["diagnosis"]
    assert diagnosis["fixes"][0].startswith("Sign exactly the bytes you send")
    assert "body-spaced-json" in str(diagnosis["fix_evidence"][0])
    # ... and leads the likely causes too, ahead of the table's "the memo is wrong" (a new user read that first).
    assert diagnosis["causes"][0].startswith("Reproduced (body-spaced-json)") and "memo" in diagnosis["causes"][1].lower()
    assert decoded["causes"][0] == diagnosis["causes"][1]  # the table's causes follow, in their own order
    assert EXAMPLE_MEMO not in out and EXAMPLE_SECRET[:8] not in out


def test_human_view_marks_the_differing_bytes(env, capsys):
    code, out, _ = run(capsys, env, curl_for(sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, SPACED)))
    lines = out.splitlines()
    assert code == 1 and "MISMATCH: body-spaced-json" in out
    signed_at = next(i for i, line in enumerate(lines) if line.strip().startswith("signed "))
    marker = lines[signed_at + 1]
    assert marker[lines[signed_at].index('"BTCUSDT"') - 1] == "^"  # the space after the colon


def test_a_correct_request_exits_zero(env, capsys):
    code, out, _ = run(capsys, env, curl_for(sign(EXAMPLE_SECRET, TS, EXAMPLE_MEMO, BODY)))
    assert code == 0 and "MATCH" in out


def test_uid_option_names_memo_uid(env, capsys):
    code, out, _ = run(capsys, env, curl_for(sign(EXAMPLE_SECRET, TS, "5550001", BODY)), "--json", "--uid", "5550001")
    assert json.loads(out)["requests"][0]["signature"]["variants"] == ["memo-uid"]
    assert "5550001" not in json.loads(out)["requests"][0]["signature"]["signed"]


def test_without_key_material_the_signature_is_unchecked(env, capsys, monkeypatch):
    monkeypatch.delenv("KEYPROBE_API_KEY")
    code, out, _ = run(capsys, env, curl_for("ab" * 32), "--json")
    assert json.loads(out)["requests"][0]["signature"]["status"] == "unchecked" and code == 0


@pytest.mark.parametrize("content, words", [("not a request", "cannot tell"), ("curl 'unclosed", "never closed")])
def test_bad_input_is_a_sentence_and_exit_2(env, capsys, content, words):
    code, out, err = run(capsys, env, content)
    assert code == 2 and words in err and "Traceback" not in err and out == ""


def test_missing_file_and_folder(env, capsys):
    assert main(["inspect", str(env / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["inspect", str(env)]) == 2
    assert "folder" in capsys.readouterr().err


def test_every_reproduced_mistake_points_to_a_fix_the_30005_advice_has():
    """A renamed fix topic would silently stop putting the reproduced mistake's fix first."""
    from tui.catalog.advice import template
    from tui.diagnosis.diagnose import _wanted
    from tui.inspect.report import _VARIANT_TOPICS

    for origin in (None, "elsewhere"):
        topics = _wanted(template(30005, "bitmart", origin=origin).topics)
        assert set(_VARIANT_TOPICS.values()) - {"timestamp-format", "stale"} <= topics, origin
    assert {"timestamp-format", "stale"} <= _wanted(template(30007, "bitmart").topics)


def test_marks_compare_only_the_differing_middle_and_a_long_one_whole(monkeypatch):
    """difflib is quadratic: two 4,000-character pre-images differing throughout took 6 s per Traffic row
    highlighted. It now sees only the middle between the common start and end, and never more than DIFF_LIMIT."""
    import difflib

    from tui.inspect import report

    seen = []
    real = difflib.SequenceMatcher
    monkeypatch.setattr(difflib, "SequenceMatcher", lambda junk, a, b, **kw: seen.append((a, b)) or real(junk, a, b, **kw))
    signed, expected = "1764525600#memo#{\"a\":1}", "1764525600123#memo#{\"a\":1}"
    assert report.marks(signed, expected) == ("          |", "          ^^^")
    assert seen == [("", "123")]
    a = "ts#" + "".join(chr(97 + i * 7919 % 26) for i in range(3990))
    b = "ts#" + "".join(chr(97 + i * 104729 % 26) for i in range(3990))
    under_a, under_b = report.marks(a + "#end", b + "#end")
    assert len(seen) == 1 and under_a.count("^") > 3900 and under_a.strip(" ^") == "" and under_b.count("^") > 3900


def test_a_long_pre_image_prints_its_start_and_json_keeps_it_whole(env, capsys):
    """A 1 MiB body's pre-image was one 1 MiB line on the terminal; the human view shows its first MARK_LIMIT
    characters and says so, --json keeps every character."""
    from tui.inspect.report import MARK_LIMIT

    body = json.dumps({"symbol": "BTCUSDT", "pad": "x" * 20_000})
    code, out, _ = run(capsys, env, curl_for("0" * 64, body))
    longest = max(out.splitlines(), key=len)
    assert code == 1 and len(longest) < MARK_LIMIT + 200 and f"of {len(body) + len(TS) + 6:,} characters" in longest
    _, doc, _ = run(capsys, env, curl_for("0" * 64, body), "--json")
    assert json.loads(doc)["requests"][0]["signature"]["expected"] == f"{TS}#****#{body}"
