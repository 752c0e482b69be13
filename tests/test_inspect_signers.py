"""Issue 23's classes, from the bytes real hand-written clients send (httpx, requests, http.client, urllib, bash
with openssl and curl), captured by `keyprobe proxy` in front of the emulator: each mistake is named by the proxy,
and from the same bytes as a raw HTTP capture, a HAR (HTTP/2's lower-case header names) and a curl command
through `keyprobe inspect`; no correct request (hand-written, the official SDK, ccxt, a KEYED GET signed over
"") is called a mismatch by any of them."""

from __future__ import annotations

import contextlib
import io
import json
import shlex

import pytest

import handwritten_clients as hc
from tui.cli import main
from tui.inspect.batch import key_material
from tui.inspect.detect import parse
from tui.inspect.report import inspect_request
from tui.proxy import Proxy

ccxt = pytest.importorskip("ccxt")
pytest.importorskip("bitmart.api_contract")


@pytest.fixture(scope="module")
def proxy():
    with Proxy("emulator", port=0, history=False, emulator_flavour="bitmart") as p:
        seen: list[object] = []
        p.listeners.append(lambda inspection, relayed: seen.append((inspection, relayed)))
        p.seen = seen
        yield p


def capture(proxy, send) -> tuple:
    """(the proxy's inspection, what it relayed) of the one exchange `send` makes."""
    before = len(proxy.seen)
    send(proxy.base_url)
    assert proxy.wait_for(before + 1) and len(proxy.seen) == before + 1
    return proxy.seen[-1]


def raw_http(relayed) -> bytes:
    """The bytes the proxy forwarded, then the answer as a capture shows it."""
    r = relayed.request.response
    head = f"HTTP/1.1 {r.status} -\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers
                                                 if k.lower() not in ("content-length", "transfer-encoding"))
    return relayed.raw_request + head.encode() + f"Content-Length: {len(r.body)}\r\n\r\n".encode() + r.body


def har(relayed) -> bytes:
    """A browser's HAR of an HTTP/2 exchange: header names lower-cased, pseudo-headers first."""
    req, r = relayed.request, relayed.request.response
    entry = {"request": {"method": req.method, "url": req.url,
                         "headers": [{"name": ":method", "value": req.method}] + [{"name": k.lower(), "value": v} for k, v in req.headers],
                         "postData": {"text": req.body.decode()} if req.body else None},
             "response": {"status": r.status, "headers": [{"name": k.lower(), "value": v} for k, v in r.headers],
                          "content": {"text": r.body.decode()}}}
    return json.dumps({"log": {"version": "1.2", "entries": [entry]}}).encode()


def curl(relayed) -> str:
    """devtools' "Copy as cURL (bash)" of the request: every header, the body as --data-raw."""
    req = relayed.request
    argv = ["curl", req.url, "-X", req.method] + [a for k, v in req.headers for a in ("-H", f"{k}: {v}")]
    argv += ["--data-raw", req.body.decode()] if req.body else []
    return " \\\n  ".join(shlex.quote(a) for a in argv)


def inspected(data: bytes, fmt: str):
    found, requests = parse(data)
    assert found == fmt and len(requests) == 1
    return inspect_request(requests[0], key_material([], requests[0].host))


def cli(tmp_path, capsys, text: str, *args: str) -> tuple[int, dict]:
    path = tmp_path / "request.curl"
    path.write_text(text)
    code = main(["inspect", str(path), "--json", *args])
    return code, json.loads(capsys.readouterr().out)["requests"][0]


# client -> (the variant ids its signature reproduces, a finding it must have)
NAMED = {
    hc.httpx_sha512: (("digest-sha512",), "signature-format"),
    hc.httpx_sha512_json_kwarg: (("body-spaced-json", "digest-sha512"), "signature-format"),
    hc.http_client_sha1: (("digest-sha1",), "signature-format"),
    hc.httpx_hex_decoded_secret: (("secret-hex-decoded",), None),
    hc.urllib_base64_decoded_secret: (("secret-base64-decoded",), None),
    hc.requests_literal_newline_secret: (("secret-literal-newline",), None),
    hc.requests_literal_newline_memo: (("memo-literal-newline",), None),
    hc.bash_echo_newline: (("preimage-trailing-newline",), None),
    hc.requests_python_repr: (("body-python-repr",), None),
    hc.requests_json_twice: (("body-json-twice",), "body-not-object"),
    hc.httpx_numbers_rerendered: (("body-numbers-rerendered",), None),
    hc.httpx_post_signed_as_query: (("post-signed-as-query",), None),
    hc.http_client_trailing_newline: (("body-trailing-newline",), "body-trailing-whitespace"),
    hc.requests_form_encoded: (("body-form-signed-json",), "body-form-encoded"),
    hc.urllib_hmac_arguments_swapped: (("hmac-key-message-swapped",), None),
    hc.http_client_plain_hash: (("hash-not-hmac",), None),
}


@pytest.mark.parametrize("client", list(NAMED), ids=lambda c: c.__name__)
def test_a_hand_written_mistake_is_named_by_the_proxy_raw_http_har_and_curl(proxy, client, tmp_path, capsys, monkeypatch):
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)
    variants, finding = NAMED[client]
    via_proxy, relayed = capture(proxy, client)
    assert via_proxy.diagnosis.code == 30005
    for label, ins in (("proxy", via_proxy), ("http", inspected(raw_http(relayed), "http")), ("har", inspected(har(relayed), "har"))):
        assert (ins.verdict.status, sorted(ins.verdict.variants)) == ("mismatch", sorted(variants)), label
        assert "key material" not in ins.verdict.sentence, label
        assert finding is None or finding in {f.id for f in ins.findings}, label
        if finding == "body-not-object":
            assert "encoded twice" in next(f.sentence for f in ins.findings if f.id == finding), label
        assert ins.diagnosis.fixes[0].evidence or ins.diagnosis.fixes[0].text, label
    code, doc = cli(tmp_path, capsys, curl(relayed))
    assert code == 1 and (doc["signature"]["status"], sorted(doc["signature"]["variants"])) == ("mismatch", sorted(variants))
    assert finding is None or finding in {f["id"] for f in doc["findings"]}


def test_wooxpro_header_names_on_the_bitmart_emulator_are_named_everywhere(proxy, tmp_path, capsys):
    """The signature is right, but under X-API-*: no "signature match", no "X-API-KEY ... empty value"."""
    via_proxy, relayed = capture(proxy, hc.httpx_wooxpro_headers)
    from_har = inspected(har(relayed), "har")
    for label, ins in (("proxy", via_proxy), ("http", inspected(raw_http(relayed), "http")), ("har", from_har)):
        assert ins.verdict.status == "not-checked-by-venue", label
        assert "header-other-venue" in ins.verdict.sentence and "matches the request as sent" in ins.verdict.sentence
        assert "header-other-venue" in {f.id for f in ins.findings}, label
        assert ins.family == "bitmart" and ins.diagnosis.code == 30001, label
        assert "WOO X Pro's header name" in ins.diagnosis.causes[0] and "X-API-KEY was sent" not in str(ins.to_dict()), label
        # first where the bot belongs (WOO X Pro's emulator), then the fix for this host's names
        assert "WOO X Pro's emulator" in ins.diagnosis.fixes[0].text and "X-API-*" in ins.diagnosis.fixes[0].evidence, label
        assert "X-BM-KEY" in ins.diagnosis.fixes[1].text and "X-API-KEY" in ins.diagnosis.fixes[1].evidence, label
    # a curl command carries no answer: --venue says which names the loopback host reads
    code, doc = cli(tmp_path, capsys, curl(relayed), "--venue", "bitmart")
    assert code == 1 and doc["signature"]["status"] == "not-checked-by-venue"
    assert "header-other-venue" in {f["id"] for f in doc["findings"]}


def _sdk_calls(base: str) -> None:
    from bitmart.api_contract import APIContract
    from bitmart.lib.cloud_consts import Auth

    api = APIContract(hc.API_KEY, hc.SECRET, hc.MEMO, url=base, timeout=(5, 5))
    api.post_submit_order(contract_symbol="BTCUSDT", side=1, type="limit", leverage="10", open_type="isolated", size=1, price="20000")
    api.get_assets_detail()  # KEYED: no signature at all
    api._request("GET", hc.KEYED_GET, dict(hc.KEYED_QUERY), Auth.SIGNED)  # signed over "": the SDK's rule


def _ccxt_calls(base: str) -> None:
    ex = ccxt.bitmart({"apiKey": hc.API_KEY, "secret": hc.SECRET, "uid": hc.MEMO})
    ex.urls["api"] = {"spot": base, "swap": base}
    ex.private_post_contract_private_submit_order(dict(hc.ORDER))
    ex.private_get_contract_private_order_history(dict(hc.KEYED_QUERY))


CORRECT = {"sdk": (_sdk_calls, 3), "ccxt": (_ccxt_calls, 2), "httpx": (hc.httpx_correct, 1), "bash": (hc.bash_correct, 1),
           "keyed-get-signed-empty": (hc.urllib_keyed_get_signed_empty, 1),
           "keyed-get-signed-query": (hc.urllib_keyed_get_signed_query, 1)}


@pytest.mark.parametrize("name", list(CORRECT))
def test_no_correct_request_is_called_a_mismatch(proxy, name, tmp_path, capsys, monkeypatch):
    for variable in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(variable, raising=False)
    send, count = CORRECT[name]
    before = len(proxy.seen)
    with contextlib.redirect_stdout(io.StringIO()):
        send(proxy.base_url)
    assert proxy.wait_for(before + count)
    for via_proxy, relayed in proxy.seen[before:]:
        assert via_proxy.diagnosis.code == 1000
        for label, ins in (("proxy", via_proxy), ("http", inspected(raw_http(relayed), "http")), ("har", inspected(har(relayed), "har"))):
            assert ins.verdict.status in ("match", "not-checked-by-venue", "unchecked"), (label, ins.verdict.sentence)
            assert not [f for f in ins.findings if f.severity == "error"], label
        code, doc = cli(tmp_path, capsys, curl(relayed))
        assert code == 0 and doc["signature"]["status"] != "mismatch"
        if relayed.request.header("X-BM-SIGN") and relayed.request.method == "GET":  # a KEYED GET that carries one
            assert via_proxy.verdict.status == "not-checked-by-venue"


def test_a_proxy_before_an_emulator_started_apart_checks_with_inspect_s_rule():
    """`keyprobe proxy --upstream http://127.0.0.1:PORT` in front of `keyprobe emulator`: the demo keys check the
    signatures there as inspect's do (a646a29 left every one unchecked and led with the memo advice)."""
    from tui.emulator import Emulator

    with Emulator() as emu, Proxy(emu.base_url, port=0, history=False) as apart:
        seen: list[tuple] = []
        apart.listeners.append(lambda inspection, relayed: seen.append((inspection, relayed)))
        hc.httpx_sha512_json_kwarg(apart.base_url)
        hc.requests_python_repr(apart.base_url)
        assert apart.wait_for(2)
    for via_proxy, relayed in seen:
        alone = inspected(raw_http(relayed), "http")
        assert via_proxy.verdict.status == alone.verdict.status == "mismatch"
        assert via_proxy.verdict.variants == alone.verdict.variants != ()
        assert via_proxy.diagnosis.fixes[0].text == alone.diagnosis.fixes[0].text
        assert "memo" not in via_proxy.diagnosis.fixes[0].text.lower()


def test_bitmart_header_names_on_the_wooxpro_emulator_are_named():
    """The other direction: X-BM-* to the WOO X Pro dialect (X-API-*), by the proxy's own emulator and by the
    answer's 30001 naming X-API-KEY in a raw capture."""
    with Proxy("emulator", port=0, history=False, emulator_flavour="wooxpro") as woox:
        seen: list[tuple] = []
        woox.listeners.append(lambda inspection, relayed: seen.append((inspection, relayed)))
        hc.httpx_correct(woox.base_url)
        assert woox.wait_for(1)
    via_proxy, relayed = seen[0]
    for label, ins in (("proxy", via_proxy), ("http", inspected(raw_http(relayed), "http")), ("har", inspected(har(relayed), "har"))):
        assert ins.family == "wooxpro" and ins.diagnosis.code == 30001, label
        assert ins.verdict.status == "not-checked-by-venue" and "X-BM-SIGN" in ins.verdict.sentence, label
        assert "header-other-venue" in {f.id for f in ins.findings}, label



def test_the_other_venue_s_key_and_signature_are_masked_in_the_request_shown(proxy):
    """Read as BitMart's (the host's dialect), a request's X-API-KEY and X-API-SIGN are still masked by name in the
    request the proxy records and the console shows (masked_request)."""
    from tui.inspect.report import masked_request

    via_proxy, relayed = capture(proxy, hc.httpx_wooxpro_headers)
    assert via_proxy.family == "bitmart"
    shown = json.dumps(masked_request(via_proxy.request, via_proxy.family).headers)
    assert "X-API-KEY" in shown and "X-API-SIGN" in shown
    for value in (hc.API_KEY, relayed.request.header("X-API-SIGN")):
        assert not any(value[i:i + 8] in shown for i in range(len(value) - 7))


# -- beyond issue 23's list (s20-clients): WOO X Pro's dialect, the mistakes a reviewer of the code would name -------
@pytest.fixture(scope="module")
def woo_proxy():
    with Proxy("emulator", port=0, history=False, emulator_flavour="wooxpro") as p:
        seen: list[object] = []
        p.listeners.append(lambda inspection, relayed: seen.append((inspection, relayed)))
        p.seen = seen
        yield p


def _utf8(relayed) -> bool:
    """A HAR (JSON text) cannot carry a body that is not UTF-8: that capture has no HAR form."""
    try:
        relayed.request.body.decode()
        return True
    except UnicodeDecodeError:
        return False


def _bot_side_http(relayed) -> bytes:
    """The exchange as a capture on the bot's side shows it (tcpdump on loopback, `nc -l`): the bot's own Host
    header, which names the proxy (the bytes forwarded upstream carry the upstream's)."""
    req, r = relayed.request, relayed.request.response
    target = req.url.split("://", 1)[-1].partition("/")[2]
    head = f"{req.method} /{target} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in req.headers) + "\r\n"
    answer = f"HTTP/1.1 {r.status} -\r\n" + "".join(f"{k}: {v}\r\n" for k, v in r.headers
                                                 if k.lower() not in ("content-length", "transfer-encoding"))
    return head.encode() + req.body + answer.encode() + f"Content-Length: {len(r.body)}\r\n\r\n".encode() + r.body


def _captures(relayed) -> list[tuple[str, object]]:
    out = [("http", inspected(_bot_side_http(relayed), "http"))]
    return out + ([("har", inspected(har(relayed), "har"))] if _utf8(relayed) else [])


# client -> (the variant ids its signature reproduces, a finding it must have)
WOO_NAMED = {
    hc.woo_no_separators: (("separator-other",), None),
    hc.woo_memo_first: (("preimage-order",), None),
    hc.woo_key_as_memo: (("memo-is-key",), None),
    hc.woo_sha3: (("digest-sha3-256",), None),
    hc.woo_secret_with_bom: (("secret-invisible-character",), None),
    hc.woo_base64_of_hex: (("digest-hex-base64",), "signature-format"),
    hc.woo_float_timestamp: (("timestamp-float",), None),
    hc.woo_field_added_after_signing: (("body-field-added",), None),
    hc.woo_woox_v1_scheme: (("woox-v1-scheme",), None),
    hc.woo_authbase_bytes_repr: (("body-bytes-repr",), None),
    hc.woo_latin1_str_body: (("body-latin1-sent",), "body-not-utf8"),
    hc.woo_full_url_signed: (("url-signed",), None),
    hc.woo_join_drops_empty_payload: (("preimage-empty-part-dropped",), None),
    hc.bash_openssl_label_kept: (("signature-openssl-label",), "signature-format"),
    hc.bash_macos_echo_dash_n: (("preimage-echo-dash-n",), None),
    hc.bash_curl_data_at_file: (("body-pretty-printed",), "body-newlines-stripped"),
}


@pytest.mark.parametrize("client", list(WOO_NAMED), ids=lambda c: c.__name__)
def test_a_mistake_beyond_issue_23_is_named_by_the_proxy_raw_http_har_and_curl(woo_proxy, client, tmp_path, capsys, monkeypatch):
    for name in ("KEYPROBE_API_KEY", "KEYPROBE_SECRET", "KEYPROBE_MEMO"):
        monkeypatch.delenv(name, raising=False)
    variants, finding = WOO_NAMED[client]
    via_proxy, relayed = capture(woo_proxy, client)
    assert via_proxy.diagnosis.code == 30005
    for label, ins in [("proxy", via_proxy)] + _captures(relayed):
        assert (ins.verdict.status, ins.verdict.variants) == ("mismatch", variants), (label, ins.verdict.sentence)
        assert "key material" not in ins.verdict.sentence, label
        assert finding is None or finding in {f.id for f in ins.findings}, label
        assert not ins.diagnosis.fixes[0].text.startswith("Set the memo") or "memo-is-key" in variants, label
        assert ins.diagnosis.fixes[0].evidence, label  # the first fix is backed by what the request shows
    if _utf8(relayed):  # the curl helper writes the command as text
        code, doc = cli(tmp_path, capsys, curl(relayed), "--venue", "wooxpro")
        assert code == 1 and (doc["signature"]["status"], doc["signature"]["variants"]) == ("mismatch", list(variants))


# client -> (the finding that names it, the code the venue answers); the signature itself is right
WOO_FOUND = {
    hc.woo_trailing_slash: ("path-trailing-slash", None),
    hc.woo_secret_as_key: ("key-is-secret", 30002),
    hc.woo_utcnow_in_another_zone: ("timestamp-time-zone", 30007),
}


@pytest.mark.parametrize("client", list(WOO_FOUND), ids=lambda c: c.__name__)
def test_what_the_request_shows_is_named_and_its_fix_leads(woo_proxy, client, tmp_path, capsys):
    finding, code = WOO_FOUND[client]
    via_proxy, relayed = capture(woo_proxy, client)
    for label, ins in [("proxy", via_proxy)] + _captures(relayed):
        assert finding in {f.id for f in ins.findings}, label
        assert ins.diagnosis.code == code and ins.verdict.status != "mismatch", label
        lead = ins.diagnosis.fixes[0]
        assert lead.evidence == next(f.sentence for f in ins.findings if f.id == finding), label
    if finding != "timestamp-time-zone":  # a curl command carries no answer to date the timestamp by
        rc, doc = cli(tmp_path, capsys, curl(relayed), "--venue", "wooxpro")
        assert rc == 1 and finding in {f["id"] for f in doc["findings"]}


@pytest.mark.parametrize("client", [hc.woo_correct, hc.woo_charset_and_lowercase_names], ids=lambda c: c.__name__)
def test_a_correct_woo_x_pro_client_is_no_mismatch(woo_proxy, client, tmp_path, capsys):
    via_proxy, relayed = capture(woo_proxy, client)
    assert via_proxy.diagnosis.code == 1000
    for label, ins in [("proxy", via_proxy)] + _captures(relayed):
        assert ins.verdict.status == "match", (label, ins.verdict.sentence)
        assert not [f for f in ins.findings if f.severity == "error"], label
    rc, doc = cli(tmp_path, capsys, curl(relayed), "--venue", "wooxpro")
    assert rc == 0 and doc["signature"]["status"] == "match"
