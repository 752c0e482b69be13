"""`keyprobe send --json`'s document: an Exchange as a dict of JSON values, with no secret, key or
signature in clear (keys and signatures arrive masked in SentRequest; the memo is `****` in the
pre-image). terminal_safe.dump writes it, a large body piece by piece.
"""

from __future__ import annotations

from typing import Any

from keys import bounded
from keys.secret import Secret
from tui.exchange import Exchange, SentRequest
from tui.output.render import body_text, decoded_pieces
from tui.output.terminal_safe import JsonText

def _evidence_dict(sent: SentRequest, text: Any) -> dict | None:
    ev = sent.evidence
    if ev is None:
        return None
    # The pre-image is its head and then the payload (prehash puts the payload last): written from the payload
    # itself, never built as one more copy of a 20 MB body.
    head = ev._replace(payload="").preimage_masked
    return {
        "level": ev.level.value,
        "header_prefix": ev.header_set.prefix,
        "host": ev.host,
        "key": ev.key_fingerprint,
        "timestamp": ev.timestamp,
        "payload": ev.payload,
        "preimage_masked": None if head is None else text(lambda: (head, ev.payload)),
        "signature": Secret(ev.signature).fingerprint() if ev.signature else None,
        "memo_length": ev.memo_length,
        "memo_all_digits": ev.memo_all_digits,
        "clock_offset_ms": ev.clock_offset_ms,
    }


def exchange_to_dict(exchange: Exchange, *, streamed: bool = False) -> dict:
    """`request`, `response`, `timings_ms`, `failure`, `rate_limit`: no secret, key or signature in clear.

    `streamed`: the bodies and the pre-image are JsonText (the same strings, given as pieces), for
    terminal_safe.dump to write without a copy of a large body (`send --json`); otherwise plain strings."""
    req, resp, t = exchange.request, exchange.response, exchange.timings

    def text(pieces: Any) -> Any:
        return JsonText(pieces) if streamed else "".join(pieces())

    request = None
    if req is not None:
        request = {
            "method": req.method,
            "url": req.url,
            "headers": [[k, v] for k, v in req.headers],
            "body": text(lambda: decoded_pieces(req.body)),
            "signing": _evidence_dict(req, text),
        }
    response = None
    if resp is not None:
        parsed: Any = None if resp.truncated else bounded.parse_json(body_text(resp.body))[0]
        response = {
            "status": resp.status,
            "reason": resp.reason,
            "http_version": resp.http_version,
            "headers": [[k, v] for k, v in resp.headers],
            "body": text(lambda: decoded_pieces(resp.body)),
            "json": parsed,
            "truncated": resp.truncated,
            "size": resp.size,
        }
    rl = exchange.rate_limit
    return {
        "request": request,
        "response": response,
        "timings_ms": {
            "connect": t.connect_ms, "tls": t.tls_ms, "request_sent": t.request_sent_ms,
            "first_byte": t.first_byte_ms, "body": t.body_ms, "total": t.total_ms,
        },
        "failure": None if exchange.failure is None else {
            "kind": exchange.failure.kind.value, "sentence": exchange.failure.sentence, "detail": exchange.failure.detail,
        },
        "rate_limit": {"remaining": rl.remaining, "limit": rl.limit, "reset": rl.reset, "mode": rl.mode} if rl.present else None,
        "started_at": exchange.started_at,
        "sent": exchange.went_out,  # a byte of the request left, whatever failed after
        "proxy": exchange.proxy,
    }
