"""Lint a captured request without the secret: what the request alone shows is wrong (issue 12 item 2).

Each finding has a stable id (part of `inspect --json`), a severity (error: the venue will refuse it;
warning: likely trouble; info: worth knowing) and one sentence. Key values are never quoted, only
their length and shape.
"""

from __future__ import annotations

import functools
import json
import re
from collections import namedtuple

from keys.headers import BITMART_HEADERS, WOOXPRO_HEADERS, AuthLevel, HeaderSet
from keys.hosts import FAMILY_HOSTS, LOOPBACK_HOSTS
from keys.variants import read_signature
from tui import endpoints
from tui.diagnosis.evidence import SPOT_HOSTS
from tui.endpoints import DEPRECATED_PATHS, FUTURES_V1_PREFIX
from tui.inspect import lint_client, lint_venue
from tui.inspect.model import CapturedRequest

FUTURES_HOSTS = frozenset({"api-cloud-v2.bitmart.com", "api-cloud-v2.bitmart.news"})
WINDOW_MS = 60_000  # 30007: within a minute
CLOSE_MS = 5_000  # the recvWindow default: closer than this is fine
WOOX_HEADERS = ("x-api-signature",)  # WOO X (developer.woox.io), a different venue from WOO X Pro
KNOWN_SUFFIXES = ("KEY", "SIGN", "TIMESTAMP", "BROKER-ID")
# RFC 9110 token: what a method may be made of (no control character, space or separator).
HTTP_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


class Finding(namedtuple("Finding", "id severity sentence")):
    """id; severity: "error" | "warning" | "info"; sentence. (collections' namedtuple, not typing's: keys.forensics
    says why.)"""

    __slots__ = ()

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "sentence": self.sentence}


_HEADER_IN_MESSAGE = re.compile(r"Header (X-BM-|X-API-)(KEY|SIGN|TIMESTAMP) is empty")


def answered_family(req: CapturedRequest) -> str | None:
    """The header set the host that answered reads, when its answer says so: a 30001/30004/30006 naming one of its
    headers, WOO X Pro's bare 404 for a path it lacks, or BitMart's rate-limit headers alone (the emulator's BitMart dialect; its WOO X Pro one sends both
    sets)."""
    r = req.response
    if r is None:
        return None
    match = _HEADER_IN_MESSAGE.search(r.body[:2048].decode("utf-8", "replace"))
    if match is not None:  # "Header X-API-KEY is empty": that host reads X-API-*, whatever the request carried
        return "bitmart" if match.group(1) == "X-BM-" else "wooxpro"
    if lint_venue.route_not_found(r.body):
        return "wooxpro"
    names = {k.lower()[:16] for k, _ in r.headers}
    if "x-bm-ratelimit-r" in names and not any(n.startswith("x-api-ratelimit") for n in names):
        return "bitmart"
    return None


def headers_family(req: CapturedRequest) -> str | None:
    """The venue whose header names the request carries: X-API-* is WOO X Pro's, X-BM-* BitMart's (None: neither)."""
    names = [k.upper() for k, _ in req.headers]
    if any(n.startswith("X-API-") for n in names):
        return "wooxpro"
    if any(n.startswith("X-BM-") for n in names):
        return "bitmart"
    return None


def venue_of(req: CapturedRequest, responder: str | None = None) -> tuple[str, str]:
    """(venue id or "unknown", family) from the host; on loopback from the family the answering host reads
    (`responder`, the proxy's own emulator, else its answer), else from the header names sent, else WOO X Pro's
    (the emulator's default dialect): a request with no venue header is never taken for BitMart's by default."""
    host = req.host
    if host in SPOT_HOSTS:
        return "bitmart-spot", "bitmart"
    if host in FAMILY_HOSTS["bitmart"]:
        return "bitmart", "bitmart"
    if host in FAMILY_HOSTS["wooxpro"]:
        return "wooxpro", "wooxpro"
    if host in LOOPBACK_HOSTS:
        return "emulator", responder or answered_family(req) or headers_family(req) or "wooxpro"
    return "unknown", responder or headers_family(req) or "wooxpro"


def header_set_of(family: str) -> HeaderSet:
    return WOOXPRO_HEADERS if family == "wooxpro" else BITMART_HEADERS


def sent_family(req: CapturedRequest, family: str) -> str:
    """The family whose auth headers the request carries: the other venue's when it has none of `family`'s."""
    other = "bitmart" if family == "wooxpro" else "wooxpro"
    if not any(req.has_header(n) for n in header_set_of(family).names()) and any(
            req.has_header(n) for n in header_set_of(other).names()):
        return other
    return family


def lint(req: CapturedRequest, *, received_at_ms: float | None = None, clock_offset_ms: float | None = None,
         responder: str | None = None) -> list[Finding]:
    venue, family = venue_of(req, responder)
    hs = header_set_of(family)
    out: list[Finding] = []
    if req.headers_known:
        out += _headers(req, hs, family)
        out += _auth(req, hs)
        out += _timestamp(req, hs, received_at_ms, clock_offset_ms)
        out += _key(req, hs)
        out += _signature(req, header_set_of(sent_family(req, family)))
    out += [Finding(*found) for found in lint_client.findings(req, hs, received_at_ms)]  # what the client's code did
    out += _method(req)
    out += _url(req)
    out += _body(req)
    out += _host(req, venue)
    out += [Finding(*found) for found in lint_venue.findings(req, venue)]  # BitMart's wind-down, WOO X Pro's differences
    return out


def _method(req: CapturedRequest) -> list[Finding]:
    if HTTP_TOKEN.fullmatch(req.method):
        return []
    return [Finding("method-not-token", "error", f"The method {req.method!r} is not an HTTP token (letters, digits and "
                    "!#$%&'*+-.^_`|~ only): no server accepts it.")]


def _url(req: CapturedRequest) -> list[Finding]:
    from urllib.parse import urlsplit

    try:
        port = urlsplit(req.url).port
    except ValueError as exc:
        return [Finding("url-malformed", "error", f"The URL cannot be parsed ({exc}): check its brackets and port.")]
    return [] if port is None or 0 < port < 65536 else [Finding("url-malformed", "error", f"The port {port} is not 1-65535.")]


def _timestamp(req: CapturedRequest, hs: HeaderSet, received_at_ms: float | None, offset_ms: float | None) -> list[Finding]:
    ts = req.header(hs.timestamp)
    if ts is None:
        return []
    shown = ts if len(ts) <= 24 else ts[:23] + "…"
    if re.fullmatch(r"\d{10}", ts):
        return [Finding("timestamp-seconds", "error", f"{hs.timestamp} is 10 digits ({shown}): seconds, not milliseconds (30008).")]
    if not re.fullmatch(r"\d{13}", ts):
        return [Finding("timestamp-not-13-digits", "error", f"{hs.timestamp} is {shown!r}, not 13 digits of milliseconds (30008).")]
    out = []
    sent = int(ts)
    date = req.response.header("date") if req.response is not None else None
    if date:
        from email.utils import parsedate_to_datetime  # here: most captures carry no answer, and it costs ~5 ms

        try:
            server_ms = parsedate_to_datetime(date).timestamp() * 1000
        except (TypeError, ValueError, IndexError, OverflowError):
            server_ms = None
        if server_ms is not None:
            gap = sent - server_ms  # Date has whole seconds: the server was in [server_ms, server_ms + 1000)
            if gap > WINDOW_MS + 1000 or gap < -WINDOW_MS:
                out.append(Finding("timestamp-far-from-date", "error", f"{hs.timestamp} is {_span(gap)} the "
                                   "response's Date header: outside the 60 s window (30007)."))
            elif abs(gap) > CLOSE_MS + 1000:
                out.append(Finding("timestamp-far-from-date", "warning", f"{hs.timestamp} is {_span(gap)} the "
                                   "response's Date header: inside 60 s, but outside a 5 s recvWindow."))
    if received_at_ms is not None:
        server_now = received_at_ms + (offset_ms or 0.0)
        gap = sent - server_now
        where = "the measured server clock" if offset_ms is not None else "this machine's clock when it arrived"
        if abs(gap) > WINDOW_MS:
            out.append(Finding("timestamp-far-from-clock", "error", f"{hs.timestamp} is {_span(gap)} {where}: "
                               "outside the 60 s window (30007)."))
        elif abs(gap) > CLOSE_MS:
            out.append(Finding("timestamp-far-from-clock", "warning", f"{hs.timestamp} is {_span(gap)} {where}."))
    return out


def _span(ms: float) -> str:
    direction = "ahead of" if ms > 0 else "behind"
    return f"{abs(ms) / 1000:.1f} s {direction}"


@functools.cache
def _names(family: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(this venue's header names, the other venue's, both) upper-cased; the proxy lints every exchange."""
    hs = header_set_of(family)
    other = header_set_of("bitmart" if family == "wooxpro" else "wooxpro")
    own = frozenset(n.upper() for n in hs.names()) | {f"{hs.prefix}BROKER-ID"}
    theirs = frozenset(n.upper() for n in other.names()) | {f"{other.prefix}BROKER-ID"}  # ccxt sends X-BM-BROKER-ID
    return own, theirs, own | theirs


def _headers(req: CapturedRequest, hs: HeaderSet, family: str) -> list[Finding]:
    out: list[Finding] = []
    own, theirs, both = _names(family)
    for name, _ in req.headers:
        upper = name.upper()
        # Only an X-... name can be a venue header (Content-Type, Accept ... need no fuzzy match: it is slow)
        if upper in own or not upper.startswith("X"):
            continue
        if upper in theirs:
            venue = "BitMart" if upper.startswith("X-BM-") else "WOO X Pro"
            out.append(Finding("header-other-venue", "error", f"{name} is {venue}'s header name; this host reads "
                               f"{hs.key}, {hs.sign} and {hs.timestamp}."))
        elif upper.lower() in WOOX_HEADERS:
            out.append(Finding("header-other-venue", "error", f"{name} is WOO X's header (developer.woox.io), a "
                               "different venue from WOO X Pro and BitMart."))
        elif upper.endswith("MEMO") and upper.startswith(("X-BM-", "X-API-")):
            out.append(Finding("header-memo", "warning", f"{name}: the memo is never sent as a header; it belongs "
                               "only inside the signed string (timestamp#memo#payload)."))
        elif upper.startswith(("X-BM", "X-API", "X_BM", "X_API")) or _close(upper, own, 0.8):
            guess = _close(upper, both, 0.6)
            hint = f" (did you mean {guess[0]}?)" if guess else ""
            out.append(Finding("header-misspelt", "error", f"{name} is not a header the venue reads{hint}."))
    if not req.has_header("user-agent"):
        out.append(Finding("no-user-agent", "warning", "No User-Agent header: Cloudflare in front of the venue may "
                           "answer 403 or error 1010, which looks like an auth failure but is not."))
    return out


def _close(name: str, names: frozenset[str], cutoff: float) -> list[str]:
    import difflib  # here: only an X-... header that is none of the venues' needs it

    return difflib.get_close_matches(name, names, 1, cutoff)


def _signature(req: CapturedRequest, hs: HeaderSet) -> list[Finding]:
    """What the signature header's form alone shows: the digest's algorithm, case or encoding."""
    sign = req.header(hs.sign)
    if not sign or not sign.strip():
        return []
    text = sign.strip()
    read = read_signature(text)
    if read is None:
        return [Finding("signature-format", "error", f"{hs.sign} is {len(text)} characters that are no HMAC digest in hex or "
                        "base64: the venue wants the 64 lower-case hex digits of HMAC-SHA256 (30005).")]
    digest, algorithm, ids = read
    if "signature-openssl-label" in ids:
        return [Finding("signature-format", "error", f"{hs.sign} is openssl dgst's whole output line ({text[:text.index('=') + 1]!r} "
                        "and the digest): send only the hex digits after '= ' (awk '{print $NF}') (30005).")]
    if "digest-hex-base64" in ids:
        return [Finding("signature-format", "error", f"{hs.sign} is base64 of a {2 * len(digest)}-character hex text: the hex "
                        "digest was base64-encoded again; the venue wants the hex digits themselves (30005).")]
    if algorithm != "sha256":
        size = f"base64 of {len(digest)} bytes" if "digest-base64" in ids else f"{len(text)} hex digits"
        return [Finding("signature-format", "error", f"{hs.sign} is {size}: an HMAC-{algorithm.upper()}; the venue checks "
                        "HMAC-SHA256, 64 lower-case hex digits (30005).")]
    if "digest-base64" in ids:
        return [Finding("signature-format", "error", f"{hs.sign} is base64 ({len(text)} characters): the venue wants the "
                        "digest as 64 lower-case hex digits (30005).")]
    if "hex-uppercase" in ids:
        return [Finding("signature-format", "error", f"{hs.sign} is in upper-case hex: the venue compares lower-case (30005).")]
    return []


def _auth(req: CapturedRequest, hs: HeaderSet) -> list[Finding]:
    endpoint = endpoints.lookup(req.method, req.path)
    has = {n: req.header(n) for n in hs.names()}
    out = []
    for name, value in has.items():
        if value is not None and not value.strip():
            out.append(Finding("auth-header-empty", "error", f"{name} is present but empty (30001/30004/30006)."))
    if endpoint is None:
        return out
    level = endpoint.auth
    if level is AuthLevel.SIGNED:
        missing = [n for n in hs.names() if has[n] is None]
        if missing:
            out.append(Finding("auth-missing", "error", f"{req.method} {req.path} is a SIGNED endpoint, but "
                               f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing."))
    elif level is AuthLevel.KEYED:
        if has[hs.key] is None:
            out.append(Finding("auth-missing", "error", f"{req.method} {req.path} is a KEYED endpoint, but {hs.key} is missing (30002)."))
        elif has[hs.sign] is not None:
            out.append(Finding("auth-extra", "info", f"{req.method} {req.path} is KEYED: {hs.sign} and {hs.timestamp} "
                               "are not checked here, so a wrong secret or memo goes unseen until a SIGNED call."))
    elif any(v is not None for v in has.values()):
        out.append(Finding("auth-extra", "info", f"{req.method} {req.path} is public: the key headers are not needed."))
    return out


def _key(req: CapturedRequest, hs: HeaderSet) -> list[Finding]:
    key = req.header(hs.key)
    if not key:
        return []
    if key != key.strip():
        return [Finding("key-whitespace", "error", f"{hs.key} has whitespace around it ({len(key)} characters): "
                        "the venue reads it as another key (30002).")]
    if key[0] in "'\"" or key[-1] in "'\"":
        return [Finding("key-quoted", "error", f"{hs.key} is wrapped in quotes: they were pasted with the key (30002).")]
    if re.fullmatch(r"[0-9a-fA-F]{64}", key):  # the secret's shape: the two values were swapped or mixed up
        return [Finding("key-not-40-hex", "error", f"{hs.key} is 64 hex digits, the length of a secret key, not the 40 of "
                        "an access key: if it is the secret, it has left your machine in a header; revoke the key pair "
                        "and create a new one, and send the access key here.")]
    if not re.fullmatch(r"[0-9a-f]{40}", key):
        return [Finding("key-not-40-hex", "warning", f"{hs.key} is {len(key)} characters, not the 40 lowercase hex "
                        "digits of a BitMart access key: check it was copied whole.")]
    return []


def _body(req: CapturedRequest) -> list[Finding]:
    out: list[Finding] = []
    body = req.body
    ctype = (req.header("content-type") or "").lower()
    if req.method in ("GET", "DELETE") and body:
        out.append(Finding("get-with-body", "warning", f"A {req.method} with a {len(body)}-byte body: the venue signs "
                           "the query for it, and proxies may drop the body."))
    if req.method not in ("POST", "PUT"):
        return out
    if req.headers_known and not ctype:
        out.append(Finding("content-type-missing", "warning", "No Content-Type: a POST body must be sent as application/json."))
    elif req.headers_known and "json" not in ctype:
        out.append(Finding("content-type-not-json", "error", f"Content-Type is {ctype!r}; the venue reads the body as "
                           "JSON only with application/json (30018)."))
    if body.startswith(b"\xef\xbb\xbf"):
        out.append(Finding("body-bom", "error", "The body starts with a UTF-8 byte-order mark: it is not JSON the "
                           "venue parses, and it is signed too."))
        return out
    if not body.strip():
        return out
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        out.append(Finding("body-not-utf8", "error", f"The body is not UTF-8 (byte 0x{body[exc.start]:02X} at {exc.start}): a "
                           "str body sent by http.client or requests goes out as ISO-8859-1, so the venue reads other "
                           "characters than were signed. Encode it yourself: body.encode('utf-8') (30005 or 30018)."))
        return out
    try:
        doc = json.loads(body)
    except RecursionError:
        return out
    except ValueError:
        if re.fullmatch(rb"[\w.%+-]+=[^&]*(&[\w.%+-]+=[^&]*)*", body.strip()):
            out.append(Finding("body-form-encoded", "error", "The body is form-encoded (a=1&b=2), not JSON (30018)."))
        elif body.strip() == b"[object Object]":
            out.append(Finding("body-js-object", "error", "The body is the text [object Object]: JavaScript was given the "
                               "object where a string belongs (fetch's body, a template string); send JSON.stringify(params) "
                               "and sign that same string (30018)."))
        else:
            out.append(Finding("body-not-json", "error", "The body is not valid JSON (30018)."))
        return out
    if isinstance(doc, str):
        out.append(Finding("body-not-object", "error", "The body is a JSON string, not an object: the JSON was encoded twice "
                           "(json.dumps of a JSON string, or requests' json= given one), so the venue reads no fields (30018)."))
    elif not isinstance(doc, dict):
        kind = "array" if isinstance(doc, list) else "null" if doc is None else "true/false" if isinstance(doc, bool) else "number"
        out.append(Finding("body-not-object", "error", f"The body is a JSON {kind}, not an object: the venue reads the "
                           "parameters from an object (30018)."))
    if body != body.rstrip():
        out.append(Finding("body-trailing-whitespace", "info", "The body ends in a newline or spaces after its JSON: they "
                           "are signed too, so a signer that signed the JSON alone fails (30005)."))
    return out


def _host(req: CapturedRequest, venue: str) -> list[Finding]:
    out: list[Finding] = []
    path = req.path
    if req.host in SPOT_HOSTS and path.startswith("/contract/"):
        out.append(Finding("futures-path-on-spot-host", "error", f"{path} is a futures path on the spot host "
                           f"{req.host}: futures v2 lives on api-cloud-v2 (30030 or 30000)."))
    elif req.host in FUTURES_HOSTS and path.startswith("/spot/"):
        out.append(Finding("spot-path-on-futures-host", "error", f"{path} is a spot path on the futures host {req.host}: "
                           "spot lives on api-cloud."))
    if path.startswith(FUTURES_V1_PREFIX):
        out.append(Finding("retired-path", "error", f"{path} is a Futures V1 path, retired on 2024-11-30 (30030): use the v2 paths."))
    elif path in DEPRECATED_PATHS:
        out.append(Finding("retired-path", "error", f"{path} is a retired endpoint (30031): use its v4 replacement."))
    if req.scheme == "http" and req.host not in LOOPBACK_HOSTS:
        out.append(Finding("plain-http", "error", "The request goes over plain http: the key travels unencrypted."))
    if venue == "unknown" and req.host:
        out.append(Finding("host-unknown", "info", f"{req.host} is not a BitMart or WOO X Pro host keyprobe knows."))
    return out
