"""One captured request -> an Inspection: lint, signature forensics and the diagnosis of its response.

`to_dict()` is the JSON shape of `inspect --json` and of each `proxy --json` line: method, url, venue,
findings, signature {status, variants, signed, expected}, diagnosis (the object `decode --json` prints,
or null when there is no response).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl

from keys.variants import MEANINGS
from keys.forensics import DEFAULT_MAX_SECONDS, SentSignature, Verdict, examine, pick_credentials
from keys import redact
from keys.headers import CREDENTIAL_HEADERS
from keys.secret import MASK, Secret
from keys.signing import Credentials, masked_header_value
from tui.diagnose import Diagnosis, Fix, diagnose_response, explain_code
from tui.exchange import Draft, SentRequest
from tui.inspect.lint import Finding, header_set_of, lint, venue_of
from tui.inspect.model import CapturedRequest
from tui.venues import VENUES, emulator_venue

NO_STATUS_FIX = ("The answer has no HTTP status line: check that the URL (the proxy's --upstream) is the venue's API "
                 "and not another server, or a TLS port spoken to in plain http.")
MARK_LIMIT = 4000  # longer pre-images are shown without markers


@dataclass
class Inspection:
    request: CapturedRequest
    venue: str
    family: str
    findings: list[Finding]
    verdict: Verdict
    diagnosis: Diagnosis | None
    notes: list[str] = field(default_factory=list)

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
                         req.header(hs.key))


def masked_request(req: CapturedRequest, family: str) -> SentRequest:
    hs = header_set_of(family)
    headers = tuple((k, masked_header_value(k, v, hs)) for k, v in req.headers)
    return SentRequest(req.method, req.url, headers, req.body)


def draft_of(req: CapturedRequest, venue_id: str, family: str) -> Draft:
    """The Draft history keeps for a captured request: the query as captured, so a replay sends it as written."""
    base = f"{req.scheme or 'https'}://{req.url.split('://', 1)[-1].split('/', 1)[0]}"
    if venue_id == "emulator" or venue_id == "unknown":
        venue = emulator_venue(base, family) if venue_id == "emulator" else VENUES["bitmart" if family == "bitmart" else "wooxpro"].at(base)
    else:
        venue = VENUES[venue_id].at(base)
    return Draft(venue, req.method, req.path, tuple(parse_qsl(req.query, keep_blank_values=True)),
                 req.body.decode("utf-8", "replace"), raw_query=req.query or None)


# The fix topic (tui/catalog/advice_base) that each reproduced signing mistake (keys/variants) points to: the
# forensics' finding is evidence like any other, so the diagnosis puts that fix first with the finding beside it.
# Signature encodings (hex case, base64, WOO X's scheme, a swapped key and secret) have no fix of their own.
_VARIANT_TOPICS = {
    **dict.fromkeys(("body-spaced-json", "body-sorted-keys", "body-ascii-escaped", "body-not-ascii-escaped",
                     "body-empty-braces"), "bytes"),
    **dict.fromkeys(("get-signed-empty", "get-signed-body", "query-sorted", "query-other-encoding",
                     "query-with-question-mark", "path-and-query"), "get-body"),
    "timestamp-seconds": "timestamp-format",
    "timestamp-other": "stale",
    **dict.fromkeys(("memo-empty", "memo-case", "memo-uid", "memo-missing"), "memo"),
    **dict.fromkeys(("memo-whitespace", "secret-whitespace", "secret-quoted"), "whitespace"),
}


def variant_evidence(verdict: Verdict) -> tuple[tuple[str, str], ...]:
    """(topic, sentence) for the diagnosis from what the forensics reproduced."""
    return tuple((_VARIANT_TOPICS[v], f"its signature is reproduced by signing {MEANINGS[v]} ({v})")
                 for v in verdict.variants if v in _VARIANT_TOPICS)


def inspect_request(req: CapturedRequest, credentials: list[Credentials] | tuple[Credentials, ...] = (), *,
                    uid: str | None = None, received_at_ms: float | None = None,
                    max_seconds: float = DEFAULT_MAX_SECONDS) -> Inspection:
    venue, family = venue_of(req)
    findings = lint(req, received_at_ms=received_at_ms)
    sent = sent_signature(req, family)
    verdict = examine(sent, pick_credentials(credentials, sent.api_key), uid=uid, max_seconds=max_seconds)
    # From here on only the masked request exists: a bot that put its secret, memo or key in the query or the
    # body must not find it in the proxy's line, --json or history.
    hide = credential_masker(credentials, req.headers)
    req = masked_copy(req, hide, keep=header_set_of(family).key)
    findings = [replace(f, sentence=hide(f.sentence)) for f in findings]
    verdict = replace(verdict, signed=_opt(hide, verdict.signed), expected=_opt(hide, verdict.expected),
                      sentence=hide(verdict.sentence))
    diagnosis = None
    if req.response is not None:
        r = req.response
        diagnosis = diagnose_response(family, r.status, r.headers, r.body, masked_request(req, family),
                                      evidence=variant_evidence(verdict))
        if r.status is None:  # the code table's fix names decode's --status, which inspect and the proxy lack
            diagnosis = diagnosis._replace(fixes=(Fix(NO_STATUS_FIX),))
    elif req.recorded_code is not None:
        diagnosis = explain_code(family, req.recorded_code)
    return Inspection(req, venue, family, findings, verdict, diagnosis)


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
        response = replace(response, headers=tuple((k, hide(v)) for k, v in response.headers), body=body(response.body))
    headers = tuple((k, v if k.lower() == keep.lower() else hide(v)) for k, v in req.headers)
    return replace(req, url=hide(req.url), headers=headers, body=body(req.body),
                   label=hide(req.label), notes=tuple(hide(n) for n in req.notes), response=response)


def marks(a: str, b: str) -> tuple[str, str]:
    """Caret lines under `a` and `b` marking the characters the other one lacks."""
    if len(a) > MARK_LIMIT or len(b) > MARK_LIMIT:
        return "", ""
    ma, mb = [" "] * len(a), [" "] * len(b)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            ma[i1:i2] = ["^"] * (i2 - i1)
            mb[j1:j2] = ["^"] * (j2 - j1)
            if i1 == i2 and i1 < len(a):
                ma[i1] = "|"
            if j1 == j2 and j1 < len(b):
                mb[j1] = "|"
    return "".join(ma).rstrip(), "".join(mb).rstrip()
