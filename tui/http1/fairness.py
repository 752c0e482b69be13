"""The connection table both servers keep: how many connections a peer and everyone may hold, how long
each phase of a request may take, and who makes room for a newcomer.

On loopback every peer is 127.0.0.1, so a cap per address alone cannot tell a flood from a bot. So a
newcomer is never refused while someone is only waiting: at a cap, the connection that has waited longest
in its phase (idle between requests, or sending its head or body) is closed to make room. A connection
being answered is never evicted. Each phase has a deadline for the whole phase, not per read, so trickling
a byte at a time buys nothing: a head must arrive within HEAD_S of its first byte, a body within BODY_S of
the head's end; an idle connection lasts IDLE_S.

A connection that switched to WebSocket stays in the table as a STREAM: its `since` is when the peer was
last heard (the link enters STREAM again on every read), so at a cap the link silent longest makes room,
as an idle HTTP connection would. Its own idle rule (the venue's 20 s without a byte) is the link's to
enforce, with the venue's close; the table gives a STREAM no deadline of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from enum import Enum


class Phase(Enum):
    IDLE = "idle"  # between requests (or before the first)
    HEAD = "head"  # a request head has begun
    BODY = "body"  # the head is in, the body is arriving
    BUSY = "busy"  # being answered: never evicted, no client deadline
    STALLED = "stalled"  # an answer waits for a client that does not read it
    STREAM = "stream"  # a WebSocket link, since its peer was last heard


EVICTABLE = (Phase.IDLE, Phase.HEAD, Phase.BODY, Phase.STALLED, Phase.STREAM)


class Tracked:
    """What the table needs from a connection. `evict(status, sentence)` closes it, answering `status` with
    the sentence when it was in the middle of a request; `peer` is the client's address."""

    peer: str
    phase: Phase = Phase.IDLE
    since: float = 0.0  # when the phase began
    deadline: float = float("inf")

    def evict(self, status: int, sentence: str) -> None:  # pragma: no cover - the servers implement it
        raise NotImplementedError


class ConnectionTable:
    def __init__(self, clock: Callable[[], float], *, max_total: int, max_per_peer: int, idle_s: float,
                 head_s: float, body_s: float, stalled_s: float) -> None:
        self.clock = clock
        self.max_total, self.max_per_peer = max_total, max_per_peer
        self.limits = {Phase.IDLE: idle_s, Phase.HEAD: head_s, Phase.BODY: body_s, Phase.STALLED: stalled_s,
                       Phase.BUSY: float("inf"), Phase.STREAM: float("inf")}
        self.open: set[Tracked] = set()
        self.per_peer: Counter[str] = Counter()
        self.evicted = 0  # connections closed to make room, since start

    def admit(self, conn: Tracked) -> bool:
        """Count `conn` in, making room if a cap is reached; False when no one can make room (all busy)."""
        if self.per_peer[conn.peer] >= self.max_per_peer and not self._make_room(conn.peer):
            return False
        if len(self.open) >= self.max_total and not self._make_room(None):
            return False
        self.open.add(conn)
        self.per_peer[conn.peer] += 1
        self.enter(conn, Phase.IDLE)
        return True

    def _make_room(self, peer: str | None) -> bool:
        waiting = [c for c in self.open if c.phase in EVICTABLE and (peer is None or c.peer == peer)]
        if not waiting:
            return False
        stalest = min(waiting, key=lambda c: c.since)
        self.evicted += 1
        self.forget(stalest)
        stalest.evict(503, f"closed to make room for a new connection: this one had waited longest ({stalest.phase.value})")
        return True

    def forget(self, conn: Tracked) -> None:
        if conn in self.open:
            self.open.discard(conn)
            self.per_peer[conn.peer] -= 1
            if not self.per_peer[conn.peer]:
                del self.per_peer[conn.peer]

    def enter(self, conn: Tracked, phase: Phase) -> None:
        """`conn` starts a phase now: its deadline is the phase's limit from now."""
        conn.phase, conn.since = phase, self.clock()
        conn.deadline = conn.since + self.limits[phase]

    def sweep(self) -> None:
        """Close every connection past its phase's deadline (one timer for all, called a few times a second)."""
        now = self.clock()
        for conn in [c for c in self.open if c.deadline < now]:
            self.forget(conn)
            conn.evict(408, f"the request's {conn.phase.value} did not arrive within {self.limits[conn.phase]:g} s")
