"""The probe ladder's WebSocket rung: does the venue's private stream accept this key's login?

After the REST rungs, one login on the venue's private WebSocket, signed at the local clock as the signed rung
is (the user's own code does no better), then the link is closed. The rung passes when the login is answered
as accepted; otherwise it carries the login step's diagnosis (the documented code, a refusal in words, a close,
a silence, or a transport failure). tui.probe.ladder calls it through `websocket=`; `rung_for` builds it for a venue
whose private URL is known: BitMart spot and futures, the emulator's own port, and wherever an overridden base
URL points (the stream follows it: tui.ws.urls), so a loopback base URL never sends a login to a real host.
`missing_rung` says why a venue has none (WOO X Pro's address is on none of its pages).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from keys.ws_hosts import ws_signing_hosts
from tui.probe.ladder import Step
from tui.signing_context import SigningContext
from tui.ws.client import Plan, run_session
from tui.ws.dialects import dialect_for
from tui.ws.urls import stream_urls

Rung = Callable[[SigningContext], Awaitable[Step]]


def rung_for(signing: SigningContext, *, private_url: str | None = None, market: str | None = None,
             timeout_s: float = 10.0, proxy: str | bool | None = None) -> Rung | None:
    """The WebSocket rung for `signing`'s venue, or None when its private stream's address is not known."""
    venue = signing.venue
    try:
        dialect = dialect_for(venue.id, venue.family, market)
    except ValueError:
        return None
    url = private_url or stream_urls(venue, dialect).private
    if url is None:
        return None

    async def rung(signing: SigningContext) -> Step:
        start = time.perf_counter()
        plan = Plan(dialect, url, None, signing.credentials, ws_signing_hosts(venue.family, signing.allowed_hosts),
                    venue.name, (), timeout_s=timeout_s, proxy=proxy)
        report = await run_session(plan)
        ms = (time.perf_counter() - start) * 1000
        login = next((s for s in report.steps if s.name == "login"), None)
        failed = next((s for s in report.steps if s.name in ("connect", "login") and s.ok is False), None)
        if failed is not None:
            d = failed.diagnosis
            return Step("websocket", False, f"{url}: {failed.detail}", ms, d.code if d is not None else None, d)
        if login is None or login.ok is not True:
            return Step("websocket", None, f"{url}: {login.detail if login else 'no login was made'}", ms)
        return Step("websocket", True, f"{url}: logged in, {report.login.preimage_masked} signed ({dialect.name}).", ms)

    return rung


def missing_rung(signing: SigningContext, market: str | None = None) -> str | None:
    """Why `signing`'s venue gets no WebSocket rung (a sentence), or None when it gets one."""
    venue = signing.venue
    try:
        dialect = dialect_for(venue.id, venue.family, market)
    except ValueError as exc:
        return str(exc)
    urls = stream_urls(venue, dialect)
    return None if urls.private is not None else f"No WebSocket rung: {urls.why_none}"
