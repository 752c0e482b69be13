"""One captured request -> an Inspection: lint, signature forensics and the diagnosis of its response.

`to_dict()` is the JSON shape of `inspect --json` and of each `proxy --json` line: method, url, venue,
findings, signature {status, variants, signed, expected}, diagnosis (the object `decode --json` prints,
or null when there is no response).
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable

from keys import redact
from keys.forensics import DEFAULT_MAX_SECONDS, SentSignature, Verdict, examine, pick_credentials, secret_sent_as_key
from keys.headers import CREDENTIAL_HEADERS, AuthLevel
from keys.hosts import LOOPBACK_HOSTS
from keys.secret import MASK, Secret
from keys.signing import Credentials, masked_header_value
from keys.variants import MEANINGS
from tui import endpoints
from tui.diagnosis.diagnose import Diagnosis, Fix, diagnose_response, explain_code
from tui.inspect.host_advice import wrong_host_fix
from tui.inspect.lead_fixes import lead_fix
from tui.inspect.lint import Finding, header_set_of, headers_family, lint, sent_family, venue_of
from tui.inspect.lint_client import key_is_secret
from tui.inspect.model import CapturedRequest

TYPE_CHECKING = False  # typing's flag without importing typing (a start-up cost: benchmarks/inspect_startup.py)
if TYPE_CHECKING:  # the records are imported where they are made: `keyprobe inspect` of a capture needs neither
    from typing import Any

    from tui.exchange import Draft, SentRequest

NO_STATUS_FIX = ("The answer has no HTTP status line: check that the URL (the proxy's --upstream) is the venue's API "
                 "and not another server, or a TLS port spoken to in plain http.")
MARK_LIMIT = 4000  # longer pre-images are shown without markers
# difflib compares what lies between the common start and end only up to this many characters each: it is
# quadratic, and two 4,000-character pre-images differing throughout took it 6 s (in the Traffic view, on each
# row highlighted, on the UI loop). A longer middle is marked whole.
DIFF_LIMIT = 600


class Inspection(namedtuple("Inspection", "request venue family findings verdict diagnosis notes")):
    """request (the CapturedRequest, masked), venue, family, findings (Finding), verdict, diagnosis (or None), and
    notes: a list of its own, which the proxy adds to (a named tuple, not a dataclass: HeaderSet says why)."""

    __slots__ = ()

    def __new__(cls, request: CapturedRequest, venue: str, family: str, findings: list[Finding], verdict: Verdict,
                diagnosis: Diagnosis | None, notes: list[str] | None = None) -> Inspection:
        return super().__new__(cls, request, venue, family, findings, verdict, diagnosis, [] if notes is None else notes)

    def to_dict(self) -> dict[str, Any]:
        r = self.request
        return {
            "label": r.label,
            "source": r.source,
            "method": r.method,
            "url": r.url,
            "venue": self.venue,
            "findings": [f.to_dict() for f in self.findings],
            "signature": self.verdict.to_dict(),
            "diagnosis": self.diagnosis.to_dict() if self.diagnosis is not None else None,
            "notes": list(r.notes) + self.notes,
        }


def sent_signature(req: CapturedRequest, family: str) -> SentSignature:
    hs = header_set_of(family)
    return SentSignature(req.method, req.path, req.query, req.body, req.header(hs.timestamp), req.header(hs.sign),
                         req.header(hs.key), client_urls(req))


def client_urls(req: CapturedRequest) -> tuple[str, ...]:
    """The URL as captured and, when its Host header names another host (a bot pointed at the proxy), as the
    client wrote it: a code that signs its URL signed that one."""
    host = (req.header("host") or "").strip()
    urls = [req.url]
    if host and host.lower() not in req.url.lower():
        name = host.rsplit(":", 1)[0].strip("[]")
        urls.append(f"{'http' if name in LOOPBACK_HOSTS else 'https'}://{host}{req.target}")
    return tuple(urls)


def masked_headers(req: CapturedRequest, family: str) -> tuple[tuple[str, str], ...]:
    """Key and signature headers as fingerprints, both venues' names (a bot may send the other venue's)."""
    hs, other = header_set_of(family), header_set_of("bitmart" if family == "wooxpro" else "wooxpro")
    return tuple((k, masked_header_value(k, masked_header_value(k, v, hs), other)) for k, v in req.headers)


def masked_request(req: CapturedRequest, family: str) -> SentRequest:
    from tui.exchange import SentRequest

    return SentRequest(req.method, req.url, masked_headers(req, family), req.body)


def draft_of(req: CapturedRequest, venue_id: str, family: str) -> Draft:
    """The Draft history keeps for a captured request: the query as captured, so a replay sends it as written."""
    from urllib.parse import parse_qsl

    from tui.exchange import Draft
    from tui.venues import VENUES, emulator_venue

    base = f"{req.scheme or 'https'}://{req.url.split('://', 1)[-1].split('/', 1)[0]}"
    if venue_id == "emulator" or venue_id == "unknown":
        venue = emulator_venue(base, family) if venue_id == "emulator" else VENUES["bitmart" if family == "bitmart" else "wooxpro"].at(base)
    else:
        venue = VENUES[venue_id].at(base)
    return Draft(venue, req.method, req.path, tuple(parse_qsl(req.query, keep_blank_values=True)),
                 req.body.decode("utf-8", "replace"), raw_query=req.query or None)


# The fix topic (tui/catalog/advice_base) that each reproduced signing mistake (keys/variants) points to: the
# forensics' finding is evidence like any other, so the diagnosis puts that fix first with the finding beside it.
# Signature encodings (hex case, base64, digests, WOO X's scheme, a swapped key and secret) have no fix of their own.
_VARIANT_TOPICS = {
    **dict.fromkeys(("body-spaced-json", "body-sorted-keys", "body-ascii-escaped", "body-not-ascii-escaped",
                     "body-empty-braces", "body-trailing-newline", "body-python-repr", "body-json-twice",
                     "body-numbers-rerendered", "post-signed-as-query", "preimage-trailing-newline",
                     "body-pretty-printed", "body-field-added", "body-bytes-repr", "body-js-object",
                     "body-percent-encoded", "body-latin1-sent"), "bytes"),
    **dict.fromkeys(("get-signed-empty", "get-signed-body", "query-sorted", "query-other-encoding",
                     "query-with-question-mark", "path-and-query"), "get-body"),
    "body-form-signed-json": "bytes",
    "timestamp-seconds": "timestamp-format",
    "timestamp-other": "stale",
    **dict.fromkeys(("memo-empty", "memo-case", "memo-uid", "memo-missing", "memo-is-key"), "memo"),
    **dict.fromkeys(("memo-whitespace", "secret-whitespace", "secret-quoted", "secret-literal-newline",
                     "memo-literal-newline", "memo-quoted", "memo-invisible-character",
                     "secret-invisible-character"), "whitespace"),
}
# Findings that explain a signature the venue rejects by themselves, in the order a reviewer would name them,
# with the fix topic each backs. When no known mistake reproduces the signature, the conclusion names the
# first of them present instead of blaming the key material.
EXPLAINING = {"key-is-secret": "key-header", "header-other-venue": "key-header", "signature-format": "",
              "body-not-utf8": "bytes", "body-js-object": "json-body", "body-form-encoded": "json-body",
              "body-not-object": "json-body", "body-not-json": "json-body", "body-bom": "json-body",
              "timestamp-time-zone": "clock", "timestamp-stale": "stale", "path-trailing-slash": "path", "path-double-slash": "path"}
NOT_CHECKED = "not-checked-by-venue"


def variant_evidence(verdict: Verdict) -> tuple[tuple[str, str], ...]:
    """(topic, sentence) for the diagnosis from what the forensics reproduced."""
    if verdict.status != "mismatch":
        return ()
    return tuple((_VARIANT_TOPICS[v], f"its signature is reproduced by signing {MEANINGS[v]} ({v})")
                 for v in verdict.variants if v in _VARIANT_TOPICS)


def inspect_request(req: CapturedRequest, credentials: list[Credentials] | tuple[Credentials, ...] = (), *,
                    uid: str | None = None, received_at_ms: float | None = None, responder: str | None = None,
                    max_seconds: float = DEFAULT_MAX_SECONDS) -> Inspection:
    """Lint, forensics and diagnosis of one request. `responder`: the family the answering host reads, when the
    caller knows it (the proxy's own emulator); else it comes from the host, or the answer."""
    venue, family = venue_of(req, responder)
    findings = lint(req, received_at_ms=received_at_ms, responder=responder)
    signed_as = sent_family(req, family)
    sent = sent_signature(req, signed_as)
    verdict = examine(sent, pick_credentials(credentials, sent.api_key), uid=uid, max_seconds=max_seconds)
    if secret_sent_as_key(sent.api_key, credentials):  # says more than its length (key-not-40-hex) does
        findings = [Finding(*key_is_secret(header_set_of(signed_as), req.host))] + [f for f in findings if f.id != "key-not-40-hex"]
        verdict = verdict._replace(sentence=f"{header_set_of(signed_as).key} carries the secret (key-is-secret): the venue "
                                   "finds no key by it, so it checks no signature.")
    verdict = conclude(verdict, findings, req, family, signed_as)
    # From here on only the masked request exists: a bot that put its secret, memo or key in the query or the
    # body must not find it in the proxy's line, --json or history.
    hide = credential_masker(credentials, req.headers)
    req = masked_copy(req, hide, keep=header_set_of(signed_as).key)
    findings = [f._replace(sentence=hide(f.sentence)) for f in findings]
    verdict = verdict._replace(signed=_opt(hide, verdict.signed), expected=_opt(hide, verdict.expected),
                               sentence=hide(verdict.sentence))
    diagnosis = None
    if req.response is not None and req.response.status != 101:  # a switch: what follows is the link's (tui/proxy/ws_*)
        r = req.response
        explained = tuple((EXPLAINING[f.id], f.sentence) for f in findings if EXPLAINING.get(f.id))
        # the request as diagnose reads it (method, url, header(), body), key and signature masked by name
        shown = req._replace(headers=masked_headers(req, family))
        diagnosis = diagnose_response(family, r.status, r.headers, r.body, shown, evidence=variant_evidence(verdict) + explained)
        failed = diagnosis.code != 1000 and (diagnosis.code is not None or (r.status or 0) >= 400)
        # What the request shows (a reproduced mistake, a finding that explains the answer) comes before the table's
        # guesses: a 30005 whose spaced JSON was reproduced must not lead with "the memo is wrong".
        shows = ((verdict.sentence,) if verdict.status == "mismatch" and verdict.variants else ()) + tuple(s for _, s in explained)
        if shows and failed:
            diagnosis = diagnosis._replace(causes=tuple(dict.fromkeys(shows)) + diagnosis.causes)
        lead = lead_fix([(f.id, f.sentence) for f in findings], verdict.variants if verdict.status == "mismatch" else ())
        if lead is not None and failed and (lead[2] or not diagnosis.fixes or diagnosis.fixes[0].evidence is None):
            diagnosis = diagnosis._replace(fixes=(Fix(lead[0], lead[1]),) + diagnosis.fixes)
        # The other venue's host: its own fix ("check the base URL", "send the key header") names the wrong venue's.
        if failed and (moved := wrong_host_fix(req, venue, family, headers_family(req), diagnosis.code, r.status)):
            diagnosis = diagnosis._replace(fixes=(Fix(*moved),) + diagnosis.fixes)
        if r.status is None:  # the code table's fix names decode's --status, which inspect and the proxy lack
            diagnosis = diagnosis._replace(fixes=(Fix(NO_STATUS_FIX),))
        elif failed and diagnosis.code is None and any(k.lower() == "upgrade" for k, _ in req.headers):
            from tui.ws.refused_upgrade import asks_upgrade, refused_upgrade

            if asks_upgrade(req.headers):  # a stream's handshake refused: not an API call's answer
                diagnosis = refused_upgrade(diagnosis, r.status, r.body)
    elif req.recorded_code is not None:
        diagnosis = explain_code(family, req.recorded_code)
    return Inspection(req, venue, family, findings, verdict, diagnosis)


def conclude(verdict: Verdict, findings: list[Finding], req: CapturedRequest, family: str, signed_as: str) -> Verdict:
    """The verdict as the venue sees it: not checked when the venue never reads that signature (the other venue's
    header names, a KEYED or public endpoint); a finding named, never the key material, when it explains a mismatch."""
    if verdict.status not in ("match", "mismatch"):
        return verdict
    as_sent = _as_sent(verdict)
    if signed_as != family:
        hs, theirs = header_set_of(family), header_set_of(signed_as)
        return verdict._replace(status=NOT_CHECKED, sentence=(
            f"This host reads {hs.key}, {hs.sign} and {hs.timestamp}; the signature came in {theirs.sign}, the other "
            f"venue's name (header-other-venue), so the venue never checked it. Sent under the right names: {as_sent}"))
    endpoint = endpoints.lookup(req.method, req.path)
    if endpoint is not None and endpoint.auth is not AuthLevel.SIGNED:
        hs = header_set_of(family)
        level = "KEYED" if endpoint.auth is AuthLevel.KEYED else "public"
        return verdict._replace(status=NOT_CHECKED, sentence=(
            f"{req.method} {req.path} is {level}: the venue checks {hs.key if level == 'KEYED' else 'no key'}, not the "
            f"signature, so it is neither a match nor a mismatch here. {as_sent}"))
    if verdict.status == "mismatch" and verdict.signed is None and not verdict.variants:
        explaining = next((f for name in EXPLAINING for f in findings if f.id == name), None)
        if explaining is not None:
            return verdict._replace(sentence=(
                f"The signature does not match the request as sent, and none of the {verdict.hmacs:,} known mistakes "
                f"tried reproduces it; the request itself shows why ({explaining.id}): {explaining.sentence} Fix that "
                "first: the key material is not in question until then."))
    return verdict


def _as_sent(verdict: Verdict) -> str:
    """What the signature is, in a clause for the not-checked sentence."""
    if verdict.status == "match":
        return "The signature itself matches the request as sent."
    if verdict.signed is not None:
        return f"The signature itself covers something else: {verdict.sentence}"
    return (f"The signature itself matches none of the {verdict.hmacs:,} known mistakes tried: if the same code signs a "
            "SIGNED call (an order) that way, the venue will answer 30005 there.")


def credential_masker(credentials: Iterable[Credentials], headers: Iterable[tuple[str, str]] = ()) -> Callable[[str], str]:
    """Each credential's secret and memo become the mask, its key the key's fingerprint, wherever any 8 characters
    of them occur in any spelling (keys/redact.py); so does the key a request sent in either venue's key header,
    known credentials or not (a bot that also puts its key in the query). The signature stays: masked by name
    wherever it is shown, and a request copied from the traffic view must still be checkable."""
    sent = [Secret(v) for k, v in headers if k.lower() in CREDENTIAL_HEADERS and k.lower().endswith("-key")]
    return redact.masking([(value, shown) for c in credentials
                           for value, shown in ((c.secret, MASK), (c.memo, MASK), (c.api_key, c.fingerprint))]
                          + [(value, value.fingerprint()) for value in sent])


def _opt(hide: Callable[[str], str], text: str | None) -> str | None:
    return None if text is None else hide(text)


def masked_copy(req: CapturedRequest, hide: Callable[[str], str], keep: str = "") -> CapturedRequest:
    """`req` with every credential value masked in its URL, headers, body, label and notes (bytes as UTF-8).
    The `keep` header (the key's own) stays: masked_request masks it by name wherever it is shown or stored,
    and a request copied from the traffic view must still name its key for a later check."""
    def body(data: bytes) -> bytes:
        text = data.decode("utf-8", "surrogateescape")
        masked = hide(text)
        return data if masked == text else masked.encode("utf-8", "surrogateescape")

    response = req.response
    if response is not None:
        response = response._replace(headers=tuple((k, hide(v)) for k, v in response.headers), body=body(response.body))
    headers = tuple((k, v if k.lower() == keep.lower() else hide(v)) for k, v in req.headers)
    return req._replace(url=hide(req.url), headers=headers, body=body(req.body),
                        label=hide(req.label), notes=tuple(hide(n) for n in req.notes), response=response)


def marks(a: str, b: str) -> tuple[str, str]:
    """Caret lines under `a` and `b` marking the characters the other one lacks."""
    if len(a) > MARK_LIMIT or len(b) > MARK_LIMIT:
        return "", ""
    import difflib  # here: only a mismatch has two strings to compare

    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    middle_a, middle_b = a[start:len(a) - end], b[start:len(b) - end]
    if len(middle_a) > DIFF_LIMIT or len(middle_b) > DIFF_LIMIT:
        opcodes = [("replace", 0, len(middle_a), 0, len(middle_b))]
    else:
        opcodes = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False).get_opcodes()
    ma, mb = [" "] * len(a), [" "] * len(b)
    for tag, i1, i2, j1, j2 in opcodes:
        i1, i2, j1, j2 = i1 + start, i2 + start, j1 + start, j2 + start
        if tag != "equal":
            ma[i1:i2] = ["^"] * (i2 - i1)
            mb[j1:j2] = ["^"] * (j2 - j1)
            if i1 == i2 and i1 < len(a):
                ma[i1] = "|"
            if j1 == j2 and j1 < len(b):
                mb[j1] = "|"
    return "".join(ma).rstrip(), "".join(mb).rstrip()
