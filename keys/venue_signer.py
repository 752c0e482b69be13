"""VenueSigner, the httpx.Auth that signs a request: it runs on the final request, after httpx has
encoded the URL and body, so the string it signs is read from the bytes that go on the wire.
Serialising twice (sign a spaced dump, send a compact one) is the classic 30005 and cannot happen here.

Kept apart from keys.signing (the payload rule, sign(), Credentials) so that what only reads or
explains a signature never imports httpx.
"""

from __future__ import annotations

from collections.abc import Generator

import httpx

from keys.hosts import transport_refusal
from keys.signing import (
    AuthLevel,
    Clock,
    Credentials,
    HeaderSet,
    OffsetClock,
    SigningEvidence,
    SigningRefused,
    sign,
    signed_payload,
    signs_body,
)


class VenueSigner(httpx.Auth):
    """Signs one request. Make a new one per send: the timestamp and the evidence are per request."""

    requires_request_body = True

    def __init__(
        self,
        credentials: Credentials | None,
        header_set: HeaderSet,
        level: AuthLevel,
        clock: Clock | None = None,
        allowed_hosts: frozenset[str] | None = None,
        venue_name: str = "this venue",
    ) -> None:
        self._credentials = credentials
        self._headers = header_set
        self._level = level
        self._clock = clock or OffsetClock()
        self._allowed = allowed_hosts
        self._venue_name = venue_name
        self._body_text: tuple[bytes, str] | None = None
        self.evidence: SigningEvidence | None = None

    def body_text_of(self, content: bytes, text: str) -> None:
        """Say that `content`, the object the request will carry as its body, is `text` encoded as UTF-8 (the
        wire builds it so). The evidence's payload is then `text` itself, not a decoded copy; for any other
        content (checked by identity when signing) the payload is decoded from the bytes as before."""
        self._body_text = (content, text)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        url = request.url
        host = url.host
        if self._level is not AuthLevel.NONE and self._allowed is not None:
            # The transport policy, checked on the final URL: https only (loopback aside), the key's hosts, port 443.
            refusal = transport_refusal(url.scheme, host, url.port, self._allowed, self._venue_name)
            if refusal is not None:
                raise SigningRefused(refusal)
        # setdefault, without raising and catching a KeyError on every send. (No local holds the
        # headers: once the key is in them, a crash report that prints locals would show it.)
        if not request.headers.get_list("content-type"):
            request.headers["Content-Type"] = "application/json"
        self.evidence = self._apply(request, url, host)
        yield request

    def _apply(self, request: httpx.Request, url: httpx.URL, host: str) -> SigningEvidence:
        hs, level = self._headers, self._level
        if level is AuthLevel.NONE:
            return SigningEvidence(level=level, header_set=hs, host=host)
        creds = self._credentials
        if creds is None or not creds.api_key:  # an empty key is no key: nothing goes out with a blank header
            raise SigningRefused(f"A {level.value} request needs credentials: choose a profile or set KEYPROBE_API_KEY.")
        if creds.refusal is not None:
            raise SigningRefused(creds.refusal)
        request.headers[hs.key] = creds.api_key.reveal()
        # Lengths and flags of the credentials, never a value. (Whitespace around them never gets this far:
        # creds.refusal turned it away above.)
        keyed = SigningEvidence(
            level=level,
            header_set=hs,
            host=host,
            key_fingerprint=creds.fingerprint,
            memo_length=len(creds.memo),
            memo_all_digits=creds.memo.is_all_digits(),
        )
        if level is AuthLevel.KEYED:
            return keyed
        clock = self._clock
        timestamp = str(clock.now_ms())
        content = request.content
        known = self._body_text
        body = known[1] if known is not None and known[0] is content else content
        payload = signed_payload(request.method, url.query.decode("ascii"), body)
        # The HMAC reads the body's bytes as sent when the body is the payload: the same pre-image bytes
        # (the payload is their UTF-8 text), without encoding a copy of a 20 MB body.
        signature = sign(creds.secret, timestamp, creds.memo, content if signs_body(request.method) else payload)
        request.headers[hs.timestamp] = timestamp
        request.headers[hs.sign] = signature
        return keyed._replace(
            timestamp=timestamp,
            payload=payload,
            signature=signature,
            clock_offset_ms=round(clock.offset_ms) if clock.apply else 0,
        )
