"""The emulator's mutable world: which venue it plays, its keys, its switches, its counters and orders.

One lock guards everything that changes while requests are served (key states, orders, balances,
positions); the rate limiter has its own. The switches in `Controls` are plain attributes a test or the console sets directly
(`emu.controls.skew_s = 90`); each is a single assignment, read once per request.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, fields

from keys.demo import DEMO_KEYS, DemoKey
from keys.secret import Secret
from keys.signing import Credentials
from tui.emulator.accounts import Account
from tui.emulator.events import AccountEvents
from tui.emulator.market import DEFAULT_SEED, Market
from tui.emulator.ratelimit import RateLimiter

FLAVOURS = ("bitmart", "wooxpro")
FAULTS = (None, "html502", "reset", "slow-body", "huge-body")
HEADER_PREFIXES = ("X-API-", "X-BM-", "both")  # the wooxpro flavour's dialects (field-notes 6)

# Permissions a key can hold (tui.endpoints.PERMISSIONS); the read-only demo key holds only "read".
ALL_PERMISSIONS = frozenset({"read", "trade", "withdraw", "futures", "margin"})
READ_ONLY = frozenset({"read"})
# The ip-restricted demo key is whitelisted to a documentation address (RFC 5737), never loopback.
RESTRICTED_IP = "203.0.113.7"
# A clock gaining a tenth of a second per second is far past any real one (a bad crystal: tens of ppm).
MAX_DRIFT_PPM = 100_000


@dataclass
class Controls:
    """Runtime switches. Defaults are a healthy venue with a generous rate limit."""

    skew_s: float = 0.0  # the emulator's clock = wall clock + skew (Date header, /system/time, 30007 window)
    # ... + drift: it gains this many millionths of a second per second (negative: loses), from the moment
    # the drift was set; changing it keeps what was gained so far (EmulatorState.now_ms).
    drift_ppm: float = 0.0
    latency_ms: float = 0.0  # added on each direction: before handling the request, and before writing the answer
    jitter_ms: float = 0.0  # plus a uniform random 0..jitter on each direction, drawn independently
    response_extra_ms: float = 0.0  # extra delay on the answer leg only (an asymmetric path)
    response_jitter_ms: float = 0.0  # plus a uniform random 0..this on the answer leg only (asymmetric jitter)
    maintenance: bool = False  # 30016 (HTTP 200) on every venue path except /system/*
    service_down: bool = False  # 30014 (HTTP 503) on every path
    rate_scale: float = 1.0  # every documented limit times this (at least 1 request per window)
    rate_limit: int | None = None  # a blanket limit for every endpoint instead of the documented ones
    rate_window_s: float | None = None  # with rate_limit (or alone): this window instead of the documented one
    block_after_429: int = 5  # this many 429s within one window, then 30017 (HTTP 418) until the window ends
    header_prefix: str = "X-API-"  # wooxpro flavour: which auth headers it reads: X-API-, X-BM- or both
    fault: str | None = None  # None | "html502" | "reset" | "slow-body" | "huge-body"
    time_endpoint: bool = True  # False: /system/time answers 30000 (404), clients must use the Date header
    slow_body_gap_s: float = 1.0  # "slow-body": pause between trickled chunks
    slow_body_chunks: int = 8
    huge_body_bytes: int = 20 * 1024 * 1024  # "huge-body": at least this many bytes

    def __setattr__(self, name: str, value: object) -> None:
        if name == "drift_ppm":
            value = float(value)  # type: ignore[arg-type]
            if not (math.isfinite(value) and abs(value) <= MAX_DRIFT_PPM):
                raise ValueError(f"drift must be a number of ppm between -{MAX_DRIFT_PPM:,} and {MAX_DRIFT_PPM:,}, not {value!r}")
            on_drift = self.__dict__.get("_on_drift")  # EmulatorState's: keeps what the old rate gained
            if on_drift is not None:
                on_drift(value)
        if name == "fault" and value not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(str(f) for f in FAULTS)}, not {value!r}")
        if name == "header_prefix" and value not in HEADER_PREFIXES:
            raise ValueError(f"header prefix must be one of {', '.join(HEADER_PREFIXES)}, not {value!r}")
        super().__setattr__(name, value)

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, f.default)


class EmulatorState:
    """Thread-safe state of one emulated venue."""

    def __init__(
        self,
        flavour: str = "bitmart",
        keys: tuple[DemoKey, ...] = DEMO_KEYS,
        controls: Controls | None = None,
        seed: int = DEFAULT_SEED,
    ) -> None:
        if flavour not in FLAVOURS:
            raise ValueError(f"emulator flavour must be bitmart or wooxpro, not {flavour!r}")
        self.flavour = flavour
        self.keys = tuple(keys)
        self.controls = controls or Controls()
        self.lock = threading.RLock()
        self.limiter = RateLimiter()  # tests replace limiter.monotonic to move time
        # The drift as one tuple, swapped whole so a request never reads half of a change:
        # (ms gained before `since`, monotonic seconds since when the rate runs, ppm).
        self._drift = (0.0, self.monotonic(), self.controls.drift_ppm)
        object.__setattr__(self.controls, "_on_drift", self._set_drift_rate)
        self.market = Market(seed, origin_ms=self.now_ms())
        self.events = AccountEvents()  # the WebSocket side's private channels listen here (tui/emulator/ws)
        self._next_order = 23_000_000_000
        self._key_memo: dict[str, DemoKey | None] = {}
        self._reset_locked()

    # -- keys ------------------------------------------------------------------------------------------
    def _reset_locked(self) -> None:
        self._frozen: set[str] = set()
        self._whitelist: dict[str, frozenset[str]] = {k.name: frozenset({RESTRICTED_IP}) for k in self.keys if k.state == "ip-restricted"}
        self.limiter.reset()
        self._accounts: dict[str, Account] = {}

    def reset(self) -> None:
        """Back to a fresh venue: switches, frozen keys, whitelists, counters, orders and balances."""
        with self.lock:
            self.controls.reset()
            self._reset_locked()
            self._drift = (0.0, self.monotonic(), 0.0)

    def key(self, name_or_state: str) -> DemoKey:
        for k in self.keys:
            if k.name == name_or_state:
                return k
        for k in self.keys:
            if k.state == name_or_state:
                return k
        names = ", ".join(k.name for k in self.keys)
        raise ValueError(f"no emulator key named {name_or_state!r}; the keys are {names}")

    def find_key(self, api_key: str) -> DemoKey | None:
        """The key whose Access Key equals the header value (compared in constant time). Answers are
        remembered per header value (a bounded memo: the five comparisons cost more than the rest of a
        request); the values are what clients sent, not stored secrets."""
        found = self._key_memo.get(api_key, False)
        if found is False:
            candidate = Secret(api_key)
            found = next((k for k in self.keys if k.credentials.api_key == candidate), None)
            if len(self._key_memo) >= 256:
                self._key_memo.clear()
            self._key_memo[api_key] = found
        return found

    def credentials(self, name_or_state: str = "active") -> Credentials:
        return self.key(name_or_state).credentials

    def usable_key(self, api_key: str) -> tuple[DemoKey | None, str | None]:
        """The key a request or a login names, and why it cannot be used ("missing", "unknown", "frozen",
        "expired") or None: one rule for the REST gateway and the WebSocket login, each with its own codes."""
        if not api_key.strip():
            return None, "missing"
        key = self.find_key(api_key)
        if key is None:
            return None, "unknown"
        key_state = self.key_state(key)
        return key, key_state if key_state in ("frozen", "expired") else None

    def key_state(self, key: DemoKey) -> str:
        """The state a request sees: a frozen switch wins over the key's own state."""
        with self.lock:
            return "frozen" if key.name in self._frozen else key.state

    def permissions(self, key: DemoKey) -> frozenset[str]:
        return READ_ONLY if key.state == "read-only" else ALL_PERMISSIONS

    def allowed_ips(self, key: DemoKey) -> frozenset[str] | None:
        """None: the key accepts any IP."""
        with self.lock:
            return self._whitelist.get(key.name)

    def freeze(self, key_name: str) -> None:
        with self.lock:
            self._frozen.add(self.key(key_name).name)

    def unfreeze(self, key_name: str) -> None:
        with self.lock:
            self._frozen.discard(self.key(key_name).name)

    def set_whitelist(self, key_name: str, ips: frozenset[str] | set[str] | tuple[str, ...] | None) -> None:
        """Restrict a key to these IPs (None lifts the restriction), as the key's settings page would."""
        with self.lock:
            name = self.key(key_name).name
            if ips is None:
                self._whitelist.pop(name, None)
            else:
                self._whitelist[name] = frozenset(ips)

    # -- clock -----------------------------------------------------------------------------------------
    @property
    def monotonic(self):  # noqa: ANN201 - a () -> float
        """The rate-limit windows' clock (the limiter's); a test replaces it to move time instead of sleeping."""
        return self.limiter.monotonic

    @monotonic.setter
    def monotonic(self, clock) -> None:  # noqa: ANN001
        with self.lock:
            gained = self.drift_ms()
            self.limiter.monotonic = clock
            self._drift = (gained, clock(), self._drift[2])  # the drift so far is kept; the new clock runs it on

    def set_skew(self, seconds: float) -> None:
        self.controls.skew_s = float(seconds)

    def reset_clock(self) -> None:
        """No skew, no drift, nothing gained: the emulator's clock is the wall clock again."""
        with self.lock:
            self.controls.skew_s = 0.0
            self.controls.drift_ppm = 0.0
            self._drift = (0.0, self.monotonic(), 0.0)

    def _set_drift_rate(self, ppm: float) -> None:
        with self.lock:
            self._drift = (self.drift_ms(), self.monotonic(), ppm)

    def drift_ms(self) -> float:
        """What the drift has added to the emulator's clock by now, in milliseconds."""
        gained, since, ppm = self._drift
        return gained + ppm * 1e-3 * (self.monotonic() - since) if ppm else gained

    def now_ms(self) -> int:
        """The emulator's clock in whole milliseconds (a floor, as a venue's stamp is): wall clock plus the
        skew plus the drift so far."""
        shift_ns = round((self.controls.skew_s * 1000 + self.drift_ms()) * 1e6)
        return (time.time_ns() + shift_ns) // 1_000_000

    # -- accounts and orders ---------------------------------------------------------------------------
    def account(self, key: DemoKey) -> Account:
        """The key's account; call with the lock held when reading and changing it together."""
        with self.lock:
            acct = self._accounts.get(key.name)
            if acct is None:
                acct = self._accounts[key.name] = Account()
            return acct

    def new_order_id(self) -> str:
        with self.lock:
            self._next_order += 1
            return str(self._next_order)
