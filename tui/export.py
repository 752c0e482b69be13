"""Copy as curl: a request signed now, or a script that signs in the shell with credentials from the environment.

`curl_command` signs exactly as the wire does: it builds the httpx.Request with the wire's own
`build_request` (so the client's default headers, User-Agent included, are there too) and runs the
SigningContext's signer on it, then renders the final request (method, headers, exact body bytes,
URL as httpx encoded it) for curl. It carries the API key and a signature valid for the venue's
timestamp window; never the secret or the memo.

`curl_script` carries no credential at all: $KEYPROBE_API_KEY, $KEYPROBE_SECRET and $KEYPROBE_MEMO are
read when it runs, and it computes the timestamp (`date +%s%3N`) and the HMAC (`openssl dgst`) itself.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

import httpx

from keys.signing import AuthLevel, Credentials, signed_payload, signs_body
from tui.signing_context import SigningContext, context_for
from tui.venues import Venue
from tui.transport.wire import build_request as wire_request
from tui.transport.wire import export_client

if TYPE_CHECKING:
    from tui.exchange import Draft  # the export reads a Draft; exchange imports nothing from here

# Added by httpx or curl themselves from the URL and the body; copying them would only risk a mismatch.
AUTOMATIC_HEADERS = frozenset({"host", "content-length"})
# curl reads `[...]` and `{...}` in a URL as glob patterns; --globoff sends them as written.
GLOB_CHARACTERS = frozenset("[]{}")


def build_request(draft: Draft) -> httpx.Request:
    """The request a send of `draft` would build, headers and bytes, before it is signed."""
    with export_client() as client:
        return wire_request(client, draft)


def curl_command(draft: Draft, signing: SigningContext | Credentials | None) -> str:
    """A one-line curl command for `draft`, signed now; raises SigningRefused like a send would."""
    signer = context_for(signing, draft).signer(draft)
    request = next(signer.sync_auth_flow(build_request(draft)))
    argv = ["curl", "--http1.1", "-X", request.method]
    for header in _header_lines(request):
        argv += ["-H", header]
    argv += _compressed_args(request)
    argv += _data_args(request.method, request.content.decode("utf-8", errors="surrogateescape"))
    url = str(request.url)
    argv += _glob_args(url) + [url]
    return shlex.join(argv)


def curl_script(draft: Draft, venue: Venue | None = None, offset_ms: int = 0) -> str:
    """A POSIX shell script that signs and sends `draft` with credentials from the environment;
    `offset_ms` (the measured server-clock offset) is added to its timestamp, as a corrected clock does."""
    if venue is not None:
        draft = draft._replace(venue=venue)
    venue = draft.venue
    hs = venue.header_set
    level = draft.auth_level
    request = build_request(draft)
    url = str(request.url)
    method = request.method
    body = request.content.decode("utf-8", errors="surrogateescape")
    payload = signed_payload(method, request.url.query.decode("ascii"), body)
    q = shlex.quote
    lines = [
        "#!/bin/sh",
        f"# {method} {url}",
        f"# {venue.name}: {level.value} request, exported by keyprobe. No credential is stored in this file:",
        "# it reads KEYPROBE_API_KEY, KEYPROBE_SECRET and KEYPROBE_MEMO from the environment when it runs.",
        "set -eu",
    ]
    if level is not AuthLevel.NONE:
        lines.append(': "${KEYPROBE_API_KEY:?set KEYPROBE_API_KEY to the API key}"')
    if level is AuthLevel.SIGNED:
        lines += [
            ': "${KEYPROBE_SECRET:?set KEYPROBE_SECRET to the secret}"',
            'KEYPROBE_MEMO="${KEYPROBE_MEMO-}"  # may be empty: the pre-image is then TS##PAYLOAD',
            "# 13-digit milliseconds (GNU date); where date has no %N, seconds * 1000",
            "TS=$(date +%s%3N)",
            'case "$TS" in *[!0-9]*) TS=$(( $(date +%s) * 1000 ));; esac',
            *([f"TS=$(( TS + {offset_ms} ))  # the server clock's measured offset (keyprobe's corrected clock), in ms"] if offset_ms else []),
            f"PAYLOAD={q(payload)}  # {'the exact body' if signs_body(method) else 'the exact query string'}",
            "# X-SIGN = hex HMAC-SHA256(secret, TS#memo#payload). openssl takes the secret as an argument:",
            "# it is visible to other local users in the process list while openssl runs.",
            "SIGN=$(printf '%s' \"$TS#$KEYPROBE_MEMO#$PAYLOAD\" | openssl dgst -sha256 -hmac \"$KEYPROBE_SECRET\" | awk '{print $NF}')",
        ]
    curl = ["curl", "--http1.1", "-X", method]
    for header in _header_lines(request):  # the client's defaults, as a send carries them
        curl += ["-H", q(header)]
    curl += ["-H", q("Content-Type: application/json")] + _compressed_args(request)
    if level is not AuthLevel.NONE:
        curl += ["-H", f'"{hs.key}: $KEYPROBE_API_KEY"']
    if level is AuthLevel.SIGNED:
        curl += ["-H", f'"{hs.timestamp}: $TS"', "-H", f'"{hs.sign}: $SIGN"']
    curl += [q(a) for a in _data_args(method, body)] + [q(a) for a in _glob_args(url)] + [q(url)]
    lines.append(" ".join(curl))
    return "\n".join(lines) + "\n"


def _header_lines(request: httpx.Request) -> list[str]:
    """`Name: value` for every header the request carries, in wire order, but those curl adds itself."""
    lines = []
    for raw_name, raw_value in request.headers.raw:
        name = raw_name.decode("latin-1")
        if name.lower() not in AUTOMATIC_HEADERS:
            lines.append(f"{name}: {raw_value.decode('latin-1')}")
    return lines


def _compressed_args(request: httpx.Request) -> list[str]:
    """The send asks for gzip (httpx decodes it); --compressed has curl decode it too, instead of printing bytes."""
    return ["--compressed"] if "accept-encoding" in request.headers else []


def _data_args(method: str, body: str) -> list[str]:
    """The body, byte for byte: --data-binary (never -d, which strips newlines from files and marks @)."""
    if not body and not signs_body(method):
        return []
    if body.startswith("@"):
        return ["--data-raw", body]  # --data-binary would read a file named by the rest of the body
    return ["--data-binary", body]


def _glob_args(url: str) -> list[str]:
    return ["--globoff"] if GLOB_CHARACTERS & set(url) else []
