"""What a reviewer of the client's own code would name from the request alone, beyond the protocol's rules
(tui.inspect.lint): a path a URL join bent, a timestamp a time zone or a cache made wrong, a body curl changed,
the secret sent where the key belongs. Each finding has a stable id of `inspect --json`, like lint's.
"""

from __future__ import annotations

import re

from keys.headers import HeaderSet
from tui import endpoints
from tui.inspect.model import CapturedRequest

WINDOW_MS = 60_000  # 30007: within a minute
ZONE_STEP_MS = 15 * 60_000  # every time zone's offset is a multiple of 15 minutes (+05:45, +05:30, -03:30 ...)
ZONE_SLACK_MS = 90_000  # a zone's offset plus a clock a little off and the Date header's whole seconds
MAX_ZONE_MS = 14 * 3_600_000  # UTC-12 .. UTC+14
CLOCK_AGREES_MS = 5_000  # this machine's clock and the server's Date this close: the clock is not the cause
# Indented JSON whose newlines are gone: `{  "a"` or `,  "b"` (curl -d @file strips CR and LF, keeps the spaces)
_INDENT_WITHOUT_NEWLINE = re.compile(rb'[{\[,] {2,}["{\[\d-]')

Found = tuple[str, str, str]  # (id, severity, sentence): lint.Finding's fields, made into Findings there


def findings(req: CapturedRequest, hs: HeaderSet, received_at_ms: float | None) -> list[Found]:
    out = _path(req)
    if req.headers_known:
        out += _timestamp(req, hs, received_at_ms)
    out += _body(req)
    return out


def _path(req: CapturedRequest) -> list[Found]:
    path = req.path
    if endpoints.lookup(req.method, path) is not None:
        return []
    squeezed = re.sub("/{2,}", "/", path)
    if squeezed != path and endpoints.lookup(req.method, squeezed.rstrip("/") or "/") is not None:
        return [("path-double-slash", "error", f"The path {_clip(path)} has '//' where {squeezed.rstrip('/')} has one '/': "
                 "a base URL ending in '/' joined to a path starting with '/'. The venue routes it nowhere (404). Join "
                 "them with exactly one '/'.")]
    if len(path) > 1 and path.endswith("/") and endpoints.lookup(req.method, path.rstrip("/")) is not None:
        return [("path-trailing-slash", "error", f"The path {_clip(path)} ends in '/': the endpoint is "
                 f"{path.rstrip('/')}, and the venue routes the slashed path nowhere (404). Drop the trailing slash.")]
    return []


def _timestamp(req: CapturedRequest, hs: HeaderSet, received_at_ms: float | None) -> list[Found]:
    ts = req.header(hs.timestamp)
    if ts is None or not re.fullmatch(r"\d{13}", ts):
        return []
    sent = int(ts)
    date_ms = _date_ms(req)
    out: list[Found] = []
    reference = date_ms if date_ms is not None else received_at_ms
    if reference is not None:
        gap = sent - reference
        zones = round(gap / ZONE_STEP_MS)  # not 0: at least 7.5 min off, far outside the 60 s window
        if zones and abs(gap) <= MAX_ZONE_MS + ZONE_SLACK_MS \
                and abs(gap - zones * ZONE_STEP_MS) <= ZONE_SLACK_MS:
            hours, minutes = divmod(abs(zones) * 15, 60)
            where = "the response's Date header" if date_ms is not None else "this machine's clock"
            out.append(("timestamp-time-zone", "error", f"{hs.timestamp} is {hours} h {minutes:02d} min "
                        f"{'ahead of' if gap > 0 else 'behind'} {where}: a whole time-zone offset, not a drifting clock. "
                        "The code turned local time into epoch milliseconds as if it were UTC, or the reverse (Python's "
                        "datetime.utcnow().timestamp(), a naive datetime, mktime on a UTC tuple): take the epoch from "
                        "time.time() (JavaScript: Date.now()), which no time zone changes."))
            return out
    if date_ms is not None and received_at_ms is not None and abs(received_at_ms - date_ms) <= CLOCK_AGREES_MS + 1000:
        age = received_at_ms - sent
        if age > WINDOW_MS:
            out.append(("timestamp-stale", "error", f"{hs.timestamp} is {age / 1000:.1f} s older than the moment the "
                        f"request was sent, while this machine's clock agrees with the server's Date within "
                        f"{abs(received_at_ms - date_ms) / 1000:.0f} s: the clock is fine, the timestamp was read once "
                        "and reused (kept from start-up or an earlier call, or a retry re-sent the old headers). Read "
                        "the clock and sign again for every request."))
    return out


def _date_ms(req: CapturedRequest) -> float | None:
    date = req.response.header("date") if req.response is not None else None
    if not date:
        return None
    from email.utils import parsedate_to_datetime  # here: most captures carry no answer

    try:
        return parsedate_to_datetime(date).timestamp() * 1000 + 500  # whole seconds: the middle of that second
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _body(req: CapturedRequest) -> list[Found]:
    body = req.body
    if req.method not in ("POST", "PUT") or b"\n" in body or not _INDENT_WITHOUT_NEWLINE.search(body[:4096]):
        return []
    return [("body-newlines-stripped", "warning", "The body is indented JSON with no newline left ('{  \"...'): "
             "`curl -d @file` (and --data, --data-ascii) drops a file's newlines, so a signature over the file as "
             "written cannot match what was sent. Send the file as is with --data-binary @file, or sign one line.")]


def key_is_secret(hs: HeaderSet, host: str) -> Found:
    """The key header carried the secret itself (known only to the forensics, which hold the key material)."""
    where = f"to {host} " if host else ""
    return ("key-is-secret", "error", f"{hs.key} carries the secret key, not the access key: the secret has been sent "
            f"{where}in a header, where proxies and logs can keep it. Revoke this key pair on the venue's API page and "
            f"create a new one; {hs.key} takes the access key (40 hex digits), the secret only keys the HMAC.")


def _clip(path: str) -> str:
    return path if len(path) <= 80 else path[:79] + "…"
