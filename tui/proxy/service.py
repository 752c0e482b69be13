"""The diagnosing proxy as a service: a loopback listener, the relay, and an observer that inspects each exchange.

    with Proxy("emulator", port=0) as proxy:      # WOO X Pro's emulator (emulator_flavour=); or "wooxpro", "bitmart", a URL
        bot.base_url = proxy.base_url
        ...
        proxy.inspections                          # every exchange: lint, forensics, diagnosis

The relay runs on its own event loop thread. Each completed exchange goes on a queue bounded by the bytes it
holds (backlog.py: past it an exchange is relayed unexamined, and counted); one observer
thread inspects it (forensics may take milliseconds), records it in history (source "proxy") and calls
the listeners (the CLI's printer, the console's Traffic view). So the bot's call never waits for any of it.

A WebSocket upgrade is forwarded (tui.proxy.ws_relay: frame for frame); once the venue answers a link's login,
the link's capture goes on the same queue, and the observer checks it as `inspect` would (ws_capture), records
it and tells the listeners, each seeing a ProxiedLogin where a REST exchange gives an Inspection.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable

from keys.forensics import DEFAULT_MAX_SECONDS
from keys.signing import Credentials
from tui.exchange import Exchange, FailureKind, ResponseData, Timings, TransportFailure
from tui.inspect.batch import key_material
from tui.inspect.report import Inspection, draft_of, inspect_request
from tui.proxy.backlog import Backlog, skipped_note
from tui.proxy.relay import MAX_CONNECTIONS, MAX_HEAD, Relay, Relayed
from tui.proxy.upstream import Upstream, resolve
from tui.proxy.ws_capture import LinkCapture
from tui.proxy.ws_relay import WsRelay

STOP_WAIT_S = 5.0  # how long stop() waits for the relay to close its connections before it cancels them

Listener = Callable[[Inspection, Relayed], None]
KEEP_INSPECTIONS = 1000
KEEP_BYTES = 64 * 1024 * 1024  # bodies kept in `inspections` (a request's and its answer's): the oldest go first
KEEP_PROBLEMS = 50  # distinct problems kept for the end: a full disk failed every batch, 5 a second, for hours
BACKLOG = 4  # exchanges waiting for the observer before each gets the short search
BACKLOG_SEARCH_S = 0.05
# asyncio accepts up to the listen backlog (100 by default) in one turn of the loop: more than the fair table
# holds, so a burst of newcomers evicted a connection of the same burst before its request was read (a flood
# from one peer reset 1-2% of a bot's requests). Half the table per turn leaves each one a turn to be read.
ACCEPT_BACKLOG = MAX_CONNECTIONS // 2


class Proxy:
    def __init__(self, upstream: str = "emulator", *, allowed_hosts: frozenset[str] | None = None, host: str = "127.0.0.1",
                 port: int = 8650, credentials: list[Credentials] | tuple[Credentials, ...] = (), uid: str | None = None,
                 history: bool = True, emulator_flavour: str = "wooxpro") -> None:
        self.spec = upstream
        self.allowed_hosts = allowed_hosts
        self.host, self.port = host, port
        self.credentials = list(credentials)
        self.uid = uid
        self.history = history
        self.emulator_flavour = emulator_flavour
        self.emulator = None
        self.upstream: Upstream | None = None
        self.listeners: list[Listener] = []
        self.inspections: list[Inspection] = []
        self.history_problems: list[str] = []
        self._backlog = Backlog()
        self._kept_sizes: list[int] = []  # the body bytes each kept inspection holds, in step with `inspections`
        self._kept_bytes = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._relay: Relay | None = None
        self.ws: WsRelay | None = None  # the WebSocket side: its links and caps
        self._threads: list[threading.Thread] = []
        self._done = threading.Condition()
        self._observed = 0
        self._history_writer = None  # tui.records.history_writer.HistoryWriter while running with history

    # -- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> Proxy:
        """Resolve the upstream (UpstreamRefused when not allowed), listen, and start the observer."""
        spec = self.spec
        if spec == "emulator":
            from tui.emulator import Emulator

            self.emulator = Emulator(flavour=self.emulator_flavour).start()
            spec = self.emulator.base_url
        try:
            self.upstream = resolve(spec, self.allowed_hosts)
            relay = self._relay = Relay(self.upstream, self._relayed)
            self.ws = WsRelay("ws" + self.upstream.base_url[len("http"):], self._relayed)
            relay.on_switch, relay.switch_refusal = self.ws.carry, self.ws.refusal
            self._loop = asyncio.new_event_loop()
            self._server = self._loop.run_until_complete(
                asyncio.start_server(relay.accept, self.host, self.port, limit=MAX_HEAD, backlog=ACCEPT_BACKLOG))
        except BaseException:
            self.stop()
            raise
        self.port = self._server.sockets[0].getsockname()[1]
        if self.history:
            from tui.records.history_writer import HistoryWriter

            self._history_writer = HistoryWriter(on_problem=self._problem)
        for target, name in ((self._loop.run_forever, "proxy-relay"), (self._observe, "proxy-observer")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        loop, server = self._loop, self._server
        if loop is not None and server is not None and loop.is_running():
            relay = self._relay

            async def close() -> None:
                server.close()
                try:
                    await asyncio.wait_for(relay.close(), STOP_WAIT_S)
                except TimeoutError:
                    pass  # a close stuck on a peer: its connections are cancelled below with every task left
                # A connection accepted as the signal came has a task the relay has not counted yet (and its
                # upstream connect one of its own): left pending, the closed loop's leftovers printed
                # "Task was destroyed but it is pending!" and a traceback at exit.
                rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
                for task in rest:
                    task.cancel()
                await asyncio.gather(*rest, return_exceptions=True)

            try:
                asyncio.run_coroutine_threadsafe(close(), loop).result(2 * STOP_WAIT_S)
            except TimeoutError:
                pass  # a loop that does not answer at all is stopped as it is: Ctrl-C ends the proxy, no traceback
            loop.call_soon_threadsafe(loop.stop)
        self._backlog.stop()  # what still waits is skipped: Ctrl-C does not wait for a backlog to be checked
        for thread in self._threads:
            thread.join(5)
        writer, self._history_writer = self._history_writer, None
        if writer is not None:
            writer.close()  # after the observer: every exchange it recorded is written before stop returns
        if loop is not None and not loop.is_running():
            loop.close()
        self._loop = self._server = None
        self._threads = []
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None

    def __enter__(self) -> Proxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def unexamined(self) -> int:
        """Exchanges relayed but not examined (the observer was too far behind, or the proxy stopped)."""
        return self._backlog.unexamined

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until `count` exchanges have been inspected (and recorded in the history) or skipped (tests, the CLI's
        shutdown)."""
        with self._done:
            if not self._done.wait_for(lambda: self._observed >= count, timeout):
                return False
        writer = self._history_writer
        return writer is None or writer.flush(timeout)

    # -- the observer ----------------------------------------------------------------------------------
    def _relayed(self, relayed: Relayed | LinkCapture) -> None:
        """An exchange is over (the relay's thread): queue it for the observer, or count it as done unexamined."""
        if not self._backlog.put(relayed):
            with self._done:
                self._observed += 1
                self._done.notify_all()

    def _keep(self, inspection: Inspection) -> None:
        """Keep `inspection` for `inspections`, within KEEP_INSPECTIONS and KEEP_BYTES (the newest always)."""
        request = inspection.request
        size = len(request.body) + (len(request.response.body) if request.response is not None else 0)
        self.inspections.append(inspection)
        self._kept_sizes.append(size)
        self._kept_bytes += size
        while len(self.inspections) > 1 and (len(self.inspections) > KEEP_INSPECTIONS or self._kept_bytes > KEEP_BYTES):
            self._kept_bytes -= self._kept_sizes.pop(0)
            del self.inspections[0]

    def _observe(self) -> None:
        _yield_to_the_relay()
        while (item := self._backlog.get()) is not None:
            relayed, skipped = item
            try:
                if isinstance(relayed, LinkCapture):  # a WebSocket link whose login the venue answered
                    self._observe_login(relayed)
                    continue
                # A backlog (a bot retrying a bad signature fast) gets a short search each, so the
                # observer keeps up and its CPU does not crowd the relay.
                backlog = self._backlog.qsize()
                request = relayed.request
                # inspect's rule for the key material (the user's, and the demo keys for a loopback upstream, the
                # emulator in-process or started apart), and the header names our own emulator reads
                inspection = inspect_request(request, key_material(self.credentials, request.host), uid=self.uid,
                                             received_at_ms=relayed.received_at_ms, responder=self._responder(),
                                             max_seconds=BACKLOG_SEARCH_S if backlog > BACKLOG else DEFAULT_MAX_SECONDS)
                if relayed.failure:
                    inspection.notes.append(f"Not answered: {relayed.failure}.")
                if skipped:
                    inspection.notes.append(skipped_note(skipped))
                self._keep(inspection)
                if self.history:
                    self._record(inspection, relayed)
                for listener in list(self.listeners):
                    listener(inspection, relayed)
            except Exception as exc:  # noqa: BLE001 - one odd exchange must not stop the observer
                self._problem(f"could not inspect {relayed.request.label}: {type(exc).__name__}")
            finally:
                with self._done:
                    self._observed += 1
                    self._done.notify_all()

    def _problem(self, sentence: str) -> None:
        """Keep `sentence` for the end, once, and at most KEEP_PROBLEMS of them (any thread)."""
        if len(self.history_problems) < KEEP_PROBLEMS and sentence not in self.history_problems:
            self.history_problems.append(sentence)

    def _observe_login(self, link: LinkCapture) -> None:
        from tui.proxy.ws_capture import history_exchange, inspect_link

        login = inspect_link(link, self.credentials, uid=self.uid, max_seconds=DEFAULT_MAX_SECONDS)
        self._keep(login)  # type: ignore[arg-type] - shaped as an Inspection for every reader
        if self.history:
            from tui.records import history

            exchange, diagnosis, notes = history_exchange(login, link)
            problem = history.record(exchange, diagnosis, source="proxy", notes=notes)
            if problem:
                self._problem(problem)
        for listener in list(self.listeners):
            listener(login, link)  # type: ignore[arg-type]

    def _responder(self) -> str | None:
        """The family whose header names the in-process emulator reads now (None: both, or not ours)."""
        if self.emulator is None:
            return None
        from tui.emulator.handler import header_sets

        sets = header_sets(self.emulator.state)
        return None if len(sets) != 1 else "wooxpro" if sets[0].prefix == "X-API-" else "bitmart"

    def _record(self, ins: Inspection, relayed: Relayed) -> None:
        from tui.records import history

        req = ins.request
        response = failure = None
        if req.response is not None:
            r = req.response
            response = ResponseData(r.status or 0, "", r.headers, r.body, False, len(r.body))
        else:
            failure = TransportFailure(FailureKind.OTHER, relayed.failure or "no answer")
        # No SentRequest: a history line is written from the Draft and the outcome only (masking the headers
        # for it was a sixth of the history's cost per exchange).
        exchange = Exchange(draft_of(req, ins.venue, ins.family), None, response, failure,
                            Timings(total_ms=relayed.elapsed_ms), started_at=relayed.received_at_ms / 1000)
        v = ins.verdict
        notes = f"signature {v.status}" + (f": {', '.join(v.variants)}" if v.variants else "")
        # Handed to the writer's thread, which appends a batch at a time (tui/records/history_writer.py): a lock, a
        # write and a cap check per exchange here took more of the proxy's time than relaying it.
        self._history_writer.add(history.entry_for(exchange, ins.diagnosis, source="proxy", notes=notes))


def _yield_to_the_relay() -> None:
    """Lower this (the observer's) thread's scheduling priority: on two busy cores its inspection of the last
    exchange competed with the relay forwarding the next, and the bot's call waited (benchmarks/proxy_overhead.py:
    added p50 0.60-0.68 ms with it at the relay's priority, 0.18-0.25 ms at nice 5, in the same runs). Linux
    applies a thread id to setpriority; elsewhere nothing changes. Never above the thread's own priority: under
    `nice -n 10` (as root, who may raise it) nice 5 would have put the observer ahead of the relay."""
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, max(5, os.getpriority(os.PRIO_PROCESS, thread)))
    except (AttributeError, OSError):
        pass
