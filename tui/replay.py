"""Replay saved requests: each one signed afresh (new timestamp) and sent through the one Wire.

A saved request holds no timestamp or signature, so a replay a day later is a new, valid request.
The key's host binding still applies: the hosts a key may sign for come from where the key came
from (its profile, or the venue table), never from the file, so an edited base URL is refused by
the signer and nothing is sent.

Concurrency is a semaphore over ONE Wire: all requests to a base URL share its kept-alive client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from keys.signing import AuthLevel
from tui.records import history
from tui.diagnosis.diagnose import Diagnosis, diagnose
from tui.exchange import Draft, Exchange, FailureKind
from tui.records.saved import SavedRequest
from tui.signing_context import SigningContext
from tui.venues import LOOPBACK_HOSTS
from tui.transport.wire import Wire

SUCCESS_CODE = 1000
CONFIRM_METHODS = frozenset({"POST", "PUT", "DELETE"})
HISTORY_BATCH = 50


@dataclass(frozen=True)
class ReplayJob:
    """One request to replay: a saved file or a history entry."""

    name: str
    draft: Draft
    origin: str = ""  # the file, or "history 3": shown when something is wrong with it
    notes: str = ""
    signer: str | None = None  # the key that signs it, as people read it: "main #d84ea451", "demo #d84ea451"

    @classmethod
    def from_saved(cls, saved: SavedRequest) -> ReplayJob:
        return cls(saved.name, saved.draft, str(saved.path or saved.name), saved.notes)


@dataclass(frozen=True)
class ReplayResult:
    job: ReplayJob
    round: int  # 1..repeat
    exchange: Exchange
    diagnosis: Diagnosis

    @property
    def refused(self) -> bool:
        f = self.exchange.failure
        return f is not None and f.kind is FailureKind.SIGNING_REFUSED

    @property
    def transport_failed(self) -> bool:
        return self.exchange.failure is not None and not self.refused

    @property
    def ok(self) -> bool:
        return self.exchange.failure is None and self.diagnosis.code == SUCCESS_CODE

    @property
    def status(self) -> int | None:
        r = self.exchange.response
        return r.status if r is not None else None

    @property
    def ms(self) -> float | None:
        return self.exchange.timings.total_ms

    @property
    def message(self) -> str:
        f = self.exchange.failure
        return f.sentence if f is not None else self.diagnosis.headline

    @property
    def outcome(self) -> str:
        if self.ok:
            return "ok"
        if self.refused:
            return "refused"
        if self.transport_failed:
            return "transport-failure"
        return "api-error"

    def to_dict(self) -> dict[str, Any]:
        d = self.exchange.draft
        return {
            "name": self.job.name,
            "origin": self.job.origin,
            "round": self.round,
            "method": d.method.upper(),
            "url": d.url,
            "outcome": self.outcome,
            "status": self.status,
            "code": self.diagnosis.code,
            "message": self.message,
            "ms": self.ms,
            "failure": self.exchange.failure.kind.value if self.exchange.failure is not None else None,
            "fixes": [] if self.ok else [fix.text for fix in self.diagnosis.fixes],
        }


def exit_code(results: Sequence[ReplayResult]) -> int:
    """0 when every request returned 1000; 3 if any transport failure; else 2 if the signer refused
    any (a key asked to sign for a host it is not bound to: `keyprobe send` says 2 for that too);
    else 1 (an API error)."""
    if any(r.transport_failed for r in results):
        return 3
    if any(r.refused for r in results):
        return 2
    return 0 if all(r.ok for r in results) else 1


def needs_confirmation(draft: Draft) -> bool:
    """A signed write to a real venue: anything but the emulator or a loopback host."""
    if draft.method.upper() not in CONFIRM_METHODS or draft.auth_level is not AuthLevel.SIGNED:
        return False
    host = (urlsplit(draft.url).hostname or "").lower()
    return host not in LOOPBACK_HOSTS


async def replay(
    jobs: Sequence[ReplayJob],
    signing_for: Callable[[ReplayJob], SigningContext],
    *,
    wire: Wire,
    concurrency: int = 4,
    repeat: int = 1,
    on_result: Callable[[ReplayResult], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    record_history: bool = True,
    history_path: Any = None,
) -> list[ReplayResult]:
    """Send every job `repeat` times, at most `concurrency` at once, and return the results in job
    order (round by round). `on_result` sees each result as it completes (for a progress bar);
    `on_warning` hears once if the history could not be written."""
    if concurrency < 1 or repeat < 1:
        raise ValueError("concurrency and repeat must be at least 1")
    gate = asyncio.Semaphore(concurrency)
    signings = [signing_for(job) for job in jobs]  # resolved up front: a profile unlocks once, not mid-run
    pending: list[dict[str, Any]] = []  # history lines, written in batches: one lock per batch, not per send
    history_warned = False

    def flush() -> None:
        nonlocal history_warned
        batch = pending[:]
        pending.clear()
        if not batch:
            return
        try:
            history.append(batch, history_path)
        except history.HistoryError as exc:
            if not history_warned and on_warning is not None:
                history_warned = True
                on_warning(str(exc))

    async def one(index: int, round_: int) -> ReplayResult:
        job, signing = jobs[index], signings[index]
        async with gate:
            exchange = await wire.send(job.draft, signing)
        result = ReplayResult(job, round_, exchange, diagnose(exchange))
        if record_history and not result.refused:  # refused: nothing was sent, so nothing to record
            pending.append(history.entry_for(exchange, result.diagnosis, source="replay", name=job.name, notes=job.notes,
                                             signer=job.signer))
            if len(pending) >= HISTORY_BATCH:
                flush()
        if on_result is not None:
            on_result(result)
        return result

    # Round by round, job by job: gather keeps this order whatever order they complete in.
    try:
        return list(await asyncio.gather(*(one(i, r) for r in range(1, repeat + 1) for i in range(len(jobs)))))
    finally:
        flush()  # also on Ctrl-C: what was sent is recorded
