"""One input -> its inspections within one budget, and the one rule for the key material: the way through
for `keyprobe inspect`, the console's paste box and (the rule) `keyprobe proxy`.

Every request read gets the whole search, whatever its place in the input: a request gets the same verdict
alone or in a batch of a thousand. What bounds a big input is the total budget (tui.inspect.budget): when
it is spent, the requests left are not examined, and `unexamined()` says which.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from keys.forensics import DEFAULT_MAX_SECONDS
from keys.hosts import LOOPBACK_HOSTS
from keys.signing import Credentials
from tui.inspect.budget import Budget
from tui.inspect.detect import Reading
from tui.inspect.model import CapturedRequest
from tui.inspect.report import Inspection, inspect_request


def key_material(own: Sequence[Credentials], host: str) -> list[Credentials]:
    """THE rule, for inspect, the proxy and the paste box alike: the user's own key material (a profile, else
    KEYPROBE_*), then, for a request that went to a loopback host (the emulator, in-process or started apart),
    the emulator's demo keys. The forensics checks with the one whose key the request carries."""
    if host not in LOOPBACK_HOSTS:
        return list(own)
    from keys.demo import DEMO_KEYS  # here: a capture from a venue's host needs no demo key

    return [*own, *(k.credentials for k in DEMO_KEYS)]


def inspect_all(reading: Reading, own: Sequence[Credentials], budget: Budget, *, uid: str | None = None,
                responder: str | None = None) -> Iterator[Inspection]:
    """Each request's inspection, in order, until the budget is spent (the caller counts what it got)."""
    for request in reading.requests:
        left = budget.left()  # one look at the clock per request
        if left <= 0:
            return
        if isinstance(request, CapturedRequest):
            yield inspect_request(request, key_material(own, request.host), uid=uid, responder=responder,
                                  max_seconds=min(DEFAULT_MAX_SECONDS, left))
        else:  # a WebSocket login (a pasted frame, a HAR's _webSocketMessages): the same key material rule
            from tui.inspect.wsframes import inspect_capture

            yield inspect_capture(request, key_material(own, request.host), uid=uid, max_seconds=min(DEFAULT_MAX_SECONDS, left))


def unexamined(reading: Reading, examined: int, budget: Budget) -> str | None:
    """The sentence naming what the budget left out, or None when every request was read and examined."""
    total = len(reading.requests)
    parts = []
    if examined < total:
        parts.append(f"requests {examined + 1:,} to {total:,} (of {total:,} read) were not examined")
    if reading.unread:
        parts.append(reading.unread)
    return budget.sentence("; ".join(parts)) if parts else None
