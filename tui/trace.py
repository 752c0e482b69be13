"""Phase stamps of one send, from httpcore's `trace` extension (ecosystem.md 5).

The console's timing bar and the clock estimate both read them: the clock needs the moments the
request headers left and the response headers arrived, which exclude pool, DNS, connect and body time.
"""

from __future__ import annotations

import time
from time import perf_counter_ns

import httpx

from tui.exchange import Timings

# The one trace event after which nothing more is needed: the body's end is stamped by the wire itself
# (right after the last byte is read), so the body and close events are not traced at all.
LAST_TRACED = "receive_response_headers.complete"


class Trace:
    """Monotonic stamps of one send, plus the wall clock read at the same instant as the first.

    `wall_ms(perf_ns)` turns any stamp into wall-clock milliseconds without a second wall read, so
    an NTP step during the request cannot bend the interval (ecosystem.md 2.2).

    httpcore awaits the trace callback at the start and end of every phase, so `record` does as
    little as it can: it looks the phase up in a memo and stores the clock.
    """

    __slots__ = ("wall0_ns", "perf0_ns", "events", "end_ns", "_extensions")

    def __init__(self, wall0_ns: int = 0, perf0_ns: int = 0, events: dict[str, int] | None = None,
                 end_ns: int | None = None) -> None:
        self.wall0_ns = wall0_ns
        self.perf0_ns = perf0_ns
        self.events: dict[str, int] = {} if events is None else events  # "send_request_headers.started" -> perf ns
        self.end_ns = end_ns
        self._extensions: dict | None = None

    @classmethod
    def start(cls) -> Trace:
        wall, perf = time.time_ns(), time.perf_counter_ns()
        return cls(wall0_ns=wall, perf0_ns=perf)

    def attach(self, request: httpx.Request) -> None:
        """Trace `request` through httpcore's `trace` extension."""
        self._extensions = request.extensions
        request.extensions["trace"] = self.record

    async def record(self, name: str, info: dict) -> None:
        # "http11.send_request_headers.started" / "http2.…" / "connection.connect_tcp.started" are
        # kept by phase, without the prefix; the first stamp of each wins.
        phase = _PHASES.get(name) or _phase(name)
        events = self.events
        if phase not in events:
            events[phase] = perf_counter_ns()
            if phase == LAST_TRACED and self._extensions is not None:
                # httpcore reads the extension afresh for each phase: without it, the body and close
                # phases skip four awaited callbacks. The wire stamps the body's end itself.
                self._extensions.pop("trace", None)

    def mark(self, event: str) -> None:
        """Stamp a phase now, unless the tracer already did (the body's end, which is not traced)."""
        self.events.setdefault(event, perf_counter_ns())

    def at(self, event: str) -> int | None:
        return self.events.get(event)

    def wall_ms(self, perf_ns: int) -> float:
        return (self.wall0_ns + (perf_ns - self.perf0_ns)) / 1e6

    @property
    def request_started_ns(self) -> int | None:
        """When the first byte of the request headers was handed to the socket."""
        return self.at("send_request_headers.started")

    @property
    def response_headers_ns(self) -> int | None:
        """When the response status line and headers had been read."""
        return self.at("receive_response_headers.complete")

    def timings(self) -> Timings:
        at = self.events.get
        sent = at("send_request_body.complete")
        headers = at("receive_response_headers.complete")
        body_end = at("receive_response_body.complete") or (self.end_ns if headers else None)
        return Timings(
            _span(at("connect_tcp.started"), at("connect_tcp.complete")),  # connect
            _span(at("start_tls.started"), at("start_tls.complete")),  # TLS
            _span(at("send_request_headers.started"), sent),  # request sent
            _span(sent, headers),  # first byte
            _span(headers, body_end),  # body
            _span(self.perf0_ns, self.end_ns),  # total
        )


def _span(a: int | None, b: int | None) -> float | None:
    return None if a is None or b is None else round((b - a) / 1e6, 3)


# httpcore's event name -> the phase ("http11.send_request_headers.started" -> "send_request_headers.started").
# Names come from a small fixed set, so the table stays small; it saves slicing the name on every callback.
_PHASES: dict[str, str] = {}


def _phase(name: str) -> str:
    phase = name[name.find(".") + 1 :]
    if len(_PHASES) < 256:
        _PHASES[name] = phase
    return phase
