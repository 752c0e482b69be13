"""Phase stamps of one send, from httpcore's `trace` extension (ecosystem.md 5).

The console's timing bar and the clock estimate both read them: the clock needs the moments the
request headers left and the response headers arrived, which exclude pool, DNS, connect and body time.
"""

from __future__ import annotations

import time
from time import perf_counter_ns

import httpx

from tui.exchange import Timings


class Trace:
    """Monotonic stamps of one send, plus the wall clock read at the same instant as the first.

    `wall_ms(perf_ns)` turns any stamp into wall-clock milliseconds without a second wall read, so
    an NTP step during the request cannot bend the interval (ecosystem.md 2.2).
    """

    __slots__ = ("wall0_ns", "perf0_ns", "events", "end_ns")

    def __init__(self, wall0_ns: int = 0, perf0_ns: int = 0, events: dict[str, int] | None = None,
                 end_ns: int | None = None) -> None:
        self.wall0_ns = wall0_ns
        self.perf0_ns = perf0_ns
        self.events: dict[str, int] = {} if events is None else events  # "send_request_headers.started" -> perf ns
        self.end_ns = end_ns

    @classmethod
    def start(cls) -> Trace:
        wall, perf = time.time_ns(), time.perf_counter_ns()
        return cls(wall0_ns=wall, perf0_ns=perf)

    def attach(self, request: httpx.Request) -> None:
        """Trace `request` through httpcore's `trace` extension."""
        request.extensions["trace"] = self.record

    async def record(self, name: str, info: dict) -> None:
        # "http11.send_request_headers.started" / "http2.…" / "connection.connect_tcp.started" are
        # kept by phase, without the prefix; the first stamp of each wins.
        self.events.setdefault(name[name.find(".") + 1 :], perf_counter_ns())

    def mark(self, event: str) -> None:
        """Stamp a phase now, unless the tracer already did (the body's end, when httpcore stamped it first)."""
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

