"""The console's state, without Textual: the target, the measured clock, and the one Wire.

Workers await these coroutines and post what they return; nothing here touches a widget. Every
send, clock sample, probe and replay runs on the session's network thread (tui.console.network),
through tui.transport.wire.Wire (the one send path), signed with the clock chosen here. A send is diagnosed
there too, the moment its last byte is read, so the diagnosis never waits behind the UI.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tui.console.network import NetworkThread
from tui.console.records import Records
from tui.console.send_gate import SendGate

if TYPE_CHECKING:
    from keys.signing import OffsetClock
    from tui.clock.measure import ClockEstimate
    from tui.clock.drift import ClockPoint, DriftFit
    from tui.console.target import ConsoleTarget
    from tui.emulator import Emulator
    from tui.exchange import Draft, Exchange
    from tui.diagnosis.diagnose import Diagnosis
    from tui.probe.ladder import ProbeReport
    from tui.replay import ReplayJob, ReplayResult
    from tui.signing_context import SigningContext
    from tui.transport.wire import Wire


BIG_BODY = 1024 * 1024  # an answer this big leaves enough freed memory behind to hand back


def _wall_ms() -> float:
    import time

    return time.time_ns() / 1e6


class NoTarget(Exception):
    """Nothing to send to yet (the emulator did not start, no profile is unlocked)."""


class ConsoleSession:
    def __init__(self, *, timeout_s: float = 15.0) -> None:
        self.target: ConsoleTarget | None = None
        self.estimate: ClockEstimate | None = None  # of the current venue
        self.drift: DriftFit | None = None  # over the current venue's measurements (this session's and kept ones)
        self._clock_points: list[ClockPoint] = []  # touched on the network thread only
        self._points_of: str | None = None  # the server the points belong to
        self.wall_ms: Callable[[], float] = _wall_ms  # when a measurement was taken (tests move it instead of waiting)
        self.use_offset = False  # sign with the measured offset (OffsetClock.apply)
        self.timeout_s = timeout_s
        self.failure: str | None = None  # why no target could be made, when that happened
        self._ready = asyncio.Event()
        self._wire: Wire | None = None
        self._stopped: list[Emulator] = []
        self.network = NetworkThread()
        self.websocket: Any = None  # the WebSocket view's held session (tui/console/ws_live.py), if one runs
        self.records = Records()  # the one writer of the history and the saved requests
        self.gate = SendGate()  # asks before a signed write to a real venue (ctrl+j, the sidebar's replay)

    # -- target -------------------------------------------------------------------------------------
    def set_target(self, target: ConsoleTarget) -> None:
        previous = self.target
        if previous is None or previous.venue.base_url != target.venue.base_url:
            self.estimate = None  # an offset belongs to one server
            self.drift = None
        self.target = target
        self.failure = None
        self._ready.set()

    def fail(self, sentence: str) -> None:
        self.failure = sentence
        self._ready.set()

    async def wait_target(self) -> ConsoleTarget:
        """The target, waiting for the emulator to finish starting if it is still on its way."""
        await self._ready.wait()
        if self.target is None:
            raise NoTarget(self.failure or "There is nothing to send to yet.")
        return self.target

    # -- clock --------------------------------------------------------------------------------------
    def clock(self) -> OffsetClock:
        from keys.signing import OffsetClock

        offset = float(self.estimate.offset_ms) if self.estimate is not None else 0.0
        return OffsetClock(offset_ms=offset, apply=self.use_offset and self.estimate is not None)

    async def measure_clock(self) -> tuple[ClockEstimate, DriftFit | None]:
        """A fresh ClockEstimate (raises tui.clock.measure.ClockUnavailable) and the drift over the venue's
        measurements so far. The caller's message handler stores them in `estimate` and `drift`, so the
        measured values and the ones shown are the same objects."""
        target = await self.wait_target()
        return await self.network.run(self._measure_and_release(target))

    async def _measure_and_release(self, target: ConsoleTarget) -> tuple[ClockEstimate, DriftFit | None]:
        from tui.clock.measure import measure
        from tui.console.memory import release_freed_memory

        try:
            estimate = await measure(self.wire(), target.venue)
        finally:
            release_freed_memory()  # a server answering every sample with 20 MB left them in the heap
        return estimate, self._track_drift(target, estimate)

    def _track_drift(self, target: ConsoleTarget, estimate: ClockEstimate) -> DriftFit | None:
        """Add the measurement to the venue's points (read from the kept samples on the first one) and fit them.
        On the network thread: the kept samples are a file. The emulator this console started keeps nothing."""
        from tui.clock.drift import ClockPoint, fit
        from tui.clock.store import ClockStore

        server = target.venue.base_url
        store = ClockStore() if target.emulator is None else None
        if self._points_of != server:
            self._points_of = server
            self._clock_points = store.load(server)[0] if store is not None else []
        low, high = estimate.interval
        point = ClockPoint(self.wall_ms(), estimate.offset_ms, low, high)
        self._clock_points.append(point)
        if store is not None:
            store.add(server, [point])  # a sentence when it cannot; the fit goes on with this session's
        return fit(self._clock_points)

    # -- sending ------------------------------------------------------------------------------------
    def wire(self) -> Wire:
        if self._wire is None:
            from tui.transport.wire import Wire

            self._wire = Wire(timeout=self.timeout_s, deadline_name="the console's timeout")
        return self._wire

    async def send(self, draft: Draft) -> Exchange:
        """Sign and send `draft` on the network thread."""
        target = await self.wait_target()
        return await self.network.run(self.wire().send(draft, target.with_clock(self.clock())))

    async def send_and_diagnose(self, draft: Draft) -> tuple[Exchange, Diagnosis]:
        """`send`, diagnosed on the network thread the moment the last byte is read."""
        target = await self.wait_target()
        return await self.network.run(self._send_and_diagnose(draft, target.with_clock(self.clock())))

    async def _send_and_diagnose(self, draft: Draft, signing: SigningContext) -> tuple[Exchange, Diagnosis]:
        from tui.diagnosis.diagnose import diagnose

        from tui.console.memory import release_freed_memory

        exchange = await self.wire().send(draft, signing)
        diagnosis = diagnose(exchange)
        if exchange.response is not None and len(exchange.response.body) >= BIG_BODY:
            release_freed_memory()  # the pieces the body was read in, now joined into one
        return exchange, diagnosis

    async def probe(self, on_step: Callable[[Any], None]) -> ProbeReport:
        """The probe ladder (tui.probe.ladder) for the current target; `on_step` is called on the network
        thread as each rung finishes (post a message from it)."""
        from tui.probe.ladder import run_probe
        from tui.ws.probe_rung import rung_for

        target = await self.wait_target()
        websocket = rung_for(target, timeout_s=self.timeout_s)  # where the venue's stream is known (the emulator's port)
        return await self.network.run(run_probe(target, wire=self.wire(), on_step=on_step, websocket=websocket))

    def probe_layers(self) -> tuple[str, ...]:
        """The rungs `probe` climbs for the current target: REST's, and the WebSocket login where it has a stream."""
        from tui.probe.ladder import LAYERS
        from tui.ws.probe_rung import missing_rung

        target = self.target
        return LAYERS if target is None or missing_rung(target) is not None else (*LAYERS, "websocket")

    async def replay(self, jobs: list[ReplayJob], signing: SigningContext, target: ConsoleTarget, **options: Any) -> list[ReplayResult]:
        """tui.replay.replay of `jobs`, each signed by `signing` (the key of `target`), on the network
        thread; each one sent is recorded in the history as a replay signed by that key."""
        from tui.replay import replay

        results = await self.network.run(replay(jobs, lambda _job: signing, wire=self.wire(), record_history=False, **options))
        for result in results:
            if not result.refused:  # nothing was sent: nothing to record
                await self.record(result.exchange, result.diagnosis, target, source="replay",
                                  name=result.job.name, notes=result.job.notes)
        return results

    async def record(self, exchange: Exchange, diagnosis: Diagnosis, target: ConsoleTarget, **how: Any) -> None:
        """Add a send to the history (on the records' writer thread) and wait until it is written: the
        profile only when a key file's profile signed (a replay of the entry unlocks it), and the key."""
        sent = self.records.sent(exchange, diagnosis, signed_by=target.key_file_profile, signer=target.key_label, **how)
        await asyncio.wrap_future(sent)

    # -- shutdown -----------------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close the Wire's clients on the network loop and stop the network thread."""
        live, self.websocket = self.websocket, None
        if live is not None and live.future is not None:  # its links closed first: nothing pending when the loop stops
            live.stop()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.wrap_future(live.future), 5)
        wire, self._wire = self._wire, None
        if wire is not None:
            try:
                await self.network.run(wire.aclose())
            except Exception:  # noqa: BLE001 - closing must not fail the exit
                pass
        self.network.close()
        self.records.close()

    def stop_emulator(self) -> None:
        """Stop the emulator this console started (safe to call twice)."""
        target = self.target
        if target is not None and target.emulator is not None and target.emulator not in self._stopped:
            self._stopped.append(target.emulator)
            target.emulator.stop()
