"""What the `keyprobe_emulator` fixture hands a test: keyprobe's emulator, its switches, and what it received.

    emu.url                          http://127.0.0.1:PORT, the venue's base URL
    emu.demo_key                     DemoKey(api_key, secret, memo, name, state): public demo values, plain strings
    emu.demo_keys["frozen"]          the same for each key state: active, frozen, expired, ip-restricted, read-only
    emu.header_names                 HeaderNames(key, timestamp, signature) of the current dialect
    emu.dialect = "bitmart"          the venue played: "wooxpro" (X-API-*, header_prefix; the default) or "bitmart" (X-BM-*)
    emu.skew_s, emu.drift_ppm, emu.latency_ms, emu.jitter_ms, emu.fault, emu.rate_scale, emu.rate_limit,
    emu.maintenance, emu.service_down, emu.time_endpoint, emu.market_seed     switches, read and set
    emu.freeze(), emu.unfreeze(), emu.restrict_ips([...]), emu.key_state()   key states
    emu.set_clock(monotonic)         the clock the drift and the rate limits run on (move time in a test)
    emu.exchanges                    every request received, oldest first, each with keyprobe's diagnosis
    emu.clear_exchanges()

Each exchange is recorded as it is answered (before the answer is written), so when the bot's call returns,
its exchange is in the list. Its diagnosis (lint, signature forensics with the demo keys, the documented
row of the code) is worked out when first read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple

from keys.demo import DEMO_KEYS
from keys.signing import BITMART_HEADERS, WOOXPRO_HEADERS
from tui.emulator import Emulator
from tui.emulator.market import DEFAULT_SEED, MINUTE_MS, Market
from tui.emulator.state import FLAVOURS

MAX_EXCHANGES = 10_000  # a test that sends more keeps the newest


class DemoKey(NamedTuple):
    """A demo key's public values, as a bot's own signer takes them (emu.demo_key[:3] is key, secret, memo)."""

    api_key: str
    secret: str
    memo: str
    name: str
    state: str


class HeaderNames(NamedTuple):
    key: str
    timestamp: str
    signature: str


@dataclass
class ReceivedExchange:
    """One request the emulator received and what it answered. `diagnosis`, `signature` and `findings` are
    keyprobe's reading of it (tui.inspect.report), the same as `keyprobe inspect` or the proxy would give."""

    method: str
    path: str
    query: str  # the raw query string, without the "?"
    headers: tuple[tuple[str, str], ...]  # lower-case names, as received
    body: bytes
    status: int
    answer: bytes
    received_at_ms: int  # the emulator's clock (skew and drift included) when it arrived
    client_ip: str
    _url: str = field(repr=False, default="")
    _credentials: tuple = field(repr=False, default=())

    def header(self, name: str) -> str | None:
        lname = name.lower()
        return next((v for k, v in self.headers if k == lname), None)

    @cached_property
    def code(self) -> int | None:
        """The envelope's code (1000 on success), or None when the answer has none (an HTML page, a reset)."""
        import json

        try:
            value = json.loads(self.answer).get("code")
        except (ValueError, AttributeError):
            return None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @cached_property
    def inspection(self) -> Any:  # tui.inspect.report.Inspection
        from tui.inspect.model import CapturedRequest, CapturedResponse
        from tui.inspect.report import inspect_request

        target = self.path + (f"?{self.query}" if self.query else "")
        captured = CapturedRequest(self.method, self._url + target, self.headers, self.body, "pytest",
                                   response=CapturedResponse(self.status, (), self.answer))
        return inspect_request(captured, self._credentials, received_at_ms=self.received_at_ms)

    @property
    def diagnosis(self) -> Any:  # tui.diagnosis.diagnose.Diagnosis: .code, .headline, .category, .causes, .fixes
        return self.inspection.diagnosis

    @property
    def signature(self) -> Any:  # keys.forensics.Verdict: .status ("valid", "reproduced", ...), .variants
        return self.inspection.verdict

    @property
    def findings(self) -> list:  # tui.inspect.lint.Finding: .id, .severity, .sentence
        return self.inspection.findings

    def __repr__(self) -> str:  # the headers hold a key and a signature: not in a test's failure output
        return f"ReceivedExchange({self.method} {self.path} -> {self.status}, code {self.code})"


class KeyprobeEmulator:
    """A running emulator and its switches, reset to a healthy WOO X Pro venue by `reset()` (the fixture does it)."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self._exchanges: list[ReceivedExchange] = []
        self._lock = threading.Condition()
        self._default_clock = emulator.state.monotonic
        self._seed = DEFAULT_SEED
        self._credentials = tuple(k.credentials for k in emulator.keys)
        emulator.observe(self._record)

    @classmethod
    def start(cls, flavour: str = "wooxpro") -> KeyprobeEmulator:
        return cls(Emulator(flavour=flavour).start())

    def stop(self) -> None:
        self.emulator.observe(None)
        self.emulator.stop()

    def reset(self) -> None:
        """A fresh venue: every switch back, keys unfrozen, counters and orders cleared, WOO X Pro's dialect, the
        default market seed and clock, nothing received."""
        state = self.emulator.state
        state.flavour = "wooxpro"
        state.reset()
        if state.monotonic is not self._default_clock:
            state.monotonic = self._default_clock
        state.reset_clock()
        if self._seed != DEFAULT_SEED:
            self.market_seed = DEFAULT_SEED
        self.clear_exchanges()

    # -- what a bot needs ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.emulator.base_url

    @property
    def demo_keys(self) -> dict[str, DemoKey]:
        """The demo key of each state: active, frozen, expired, ip-restricted, read-only (public demo values)."""
        out = {}
        for key in DEMO_KEYS:
            listing = key.listing()
            out[key.state] = DemoKey(listing["api_key"], listing["secret"], listing["memo"], key.name, key.state)
        return out

    @property
    def demo_key(self) -> DemoKey:
        """The active demo key (BitMart's documented example credentials)."""
        return self.demo_keys["active"]

    @property
    def header_names(self) -> HeaderNames:
        """The key, timestamp and signature header names the venue reads now (X-API-* first when it reads both)."""
        state = self.emulator.state
        headers = BITMART_HEADERS if state.flavour == "bitmart" or self.header_prefix == "X-BM-" else WOOXPRO_HEADERS
        return HeaderNames(headers.key, headers.timestamp, headers.sign)

    # -- switches ---------------------------------------------------------------------------------------------
    @property
    def dialect(self) -> str:
        return self.emulator.state.flavour

    @dialect.setter
    def dialect(self, flavour: str) -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"dialect must be one of {', '.join(FLAVOURS)}, not {flavour!r}")
        self.emulator.state.flavour = flavour

    @property
    def controls(self) -> Any:  # tui.emulator.state.Controls: every switch, for what the properties do not name
        return self.emulator.controls

    def _control(name: str, doc: str) -> property:  # noqa: N805 - a property factory used in the class body
        def get(self: KeyprobeEmulator) -> Any:
            return getattr(self.emulator.controls, name)

        def put(self: KeyprobeEmulator, value: Any) -> None:
            setattr(self.emulator.controls, name, value)

        return property(get, put, doc=doc)

    header_prefix = _control("header_prefix", "wooxpro dialect: which auth headers it reads: X-API-, X-BM- or both")
    skew_s = _control("skew_s", "the emulator's clock runs this many seconds ahead (negative: behind)")
    drift_ppm = _control("drift_ppm", "and gains this many millionths of a second per second from when it is set")
    latency_ms = _control("latency_ms", "delay on each leg of every request")
    jitter_ms = _control("jitter_ms", "plus a uniform random 0..this on each leg")
    fault = _control("fault", 'None, "html502", "reset", "slow-body" or "huge-body"')
    rate_scale = _control("rate_scale", "every documented rate limit times this")
    rate_limit = _control("rate_limit", "one limit (requests per window) for every endpoint instead, or None")
    maintenance = _control("maintenance", "30016 (HTTP 200) on every venue path")
    service_down = _control("service_down", "30014 (HTTP 503) on every path")
    time_endpoint = _control("time_endpoint", "False: /system/time answers 30000, clients must read the Date header")
    del _control

    @property
    def market_seed(self) -> int:
        return self._seed

    @market_seed.setter
    def market_seed(self, seed: int) -> None:
        """Prices walk from this seed (from the minute the emulator started): the same seed gives the same prices."""
        state = self.emulator.state
        with state.lock:
            state.market = Market(int(seed), origin_ms=state.market.origin_minute * MINUTE_MS)
        self._seed = int(seed)

    def set_clock(self, monotonic: Any) -> None:
        """The clock (a () -> seconds) the drift and the rate-limit windows run on: a test moves it instead of waiting."""
        self.emulator.state.monotonic = monotonic

    # -- key states ---------------------------------------------------------------------------------------------
    def key_state(self, key: str = "active") -> str:
        state = self.emulator.state
        return state.key_state(state.key(key))

    def freeze(self, key: str = "active") -> None:
        """Freeze a key (by state or name): its keyed and signed calls get 30003."""
        self.emulator.state.freeze(key)

    def unfreeze(self, key: str = "active") -> None:
        self.emulator.state.unfreeze(key)

    def restrict_ips(self, ips: list[str] | tuple[str, ...] | None, key: str = "active") -> None:
        """Allow the key only from these IPs (the bot is on 127.0.0.1: it then gets 30010); None lifts it."""
        self.emulator.state.set_whitelist(key, None if ips is None else frozenset(ips))

    # -- what it received ------------------------------------------------------------------------------------------
    def _record(self, request: Any, reply: Any, client_ip: str) -> None:
        path, _, query = request.target.partition("?")
        exchange = ReceivedExchange(request.method, path, query, tuple(request.headers.items()), request.body,
                                    reply.status, reply.body, self.emulator.state.now_ms(), client_ip,
                                    _url=self.url, _credentials=self._credentials)
        with self._lock:
            self._exchanges.append(exchange)
            if len(self._exchanges) > MAX_EXCHANGES:
                del self._exchanges[: len(self._exchanges) - MAX_EXCHANGES]
            self._lock.notify_all()

    @property
    def exchanges(self) -> list[ReceivedExchange]:
        """Every request received since the test began (or clear_exchanges), oldest first: a copy."""
        with self._lock:
            return list(self._exchanges)

    def clear_exchanges(self) -> None:
        with self._lock:
            self._exchanges.clear()

    def wait_for(self, count: int, timeout_s: float = 10.0) -> list[ReceivedExchange]:
        """The exchanges once at least `count` have arrived (a bot calling from another thread), or those there are."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._exchanges) >= count, timeout_s)
            return list(self._exchanges)

    def __repr__(self) -> str:
        return f"KeyprobeEmulator({self.dialect}, {self.url}, {len(self._exchanges)} exchanges)"
