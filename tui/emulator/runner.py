"""`Emulator`: a local venue for demos, the console and end-to-end tests, served by server.Server."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable

from keys.demo import DemoKey
from keys.signing import Credentials
from tui.emulator.server import Server
from tui.emulator.state import Controls, EmulatorState
from tui.emulator.ws.limits import WsLimits
from tui.emulator.ws.streams import WsStreams
from tui.venues import Venue, emulator_venue

WILDCARD_CONNECT = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}  # noqa: S104 - only names what to connect to


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Emulator:
    """A local venue.

    with Emulator(flavour="wooxpro", skew_s=90) as emu:
        httpx.get(emu.base_url + "/system/time")
    """

    def __init__(self, flavour: str = "bitmart", host: str = "127.0.0.1", port: int = 0, skew_s: float = 0,
                 latency_ms: float = 0, seed: int | None = None, drift_ppm: float = 0, ws_limits: WsLimits = WsLimits()) -> None:
        self.state = EmulatorState(flavour) if seed is None else EmulatorState(flavour, seed=seed)
        self.state.controls.skew_s = float(skew_s)
        self.state.controls.latency_ms = float(latency_ms)
        self.state.controls.drift_ppm = float(drift_ppm)
        self.host = host
        self._port = port
        self.ws_limits = ws_limits
        self._server: Server | None = None
        self._streams: WsStreams | None = None
        self._observer: Callable[..., None] | None = None

    # -- lifecycle ---------------------------------------------------------------------------------------
    def start(self) -> Emulator:
        if self._server is not None:
            return self
        server = Server(self.state, self.host, self._port)
        server.observer = self._observer
        streams = WsStreams(server, self.ws_limits)
        server.on_upgrade = streams.on_upgrade  # the WebSocket streams on the same port
        server.start()  # OSError (port taken, bad address) propagates before anything runs
        self._server, self._streams, self._port = server, streams, server.port
        return self

    def observe(self, observer: Callable[..., None] | None) -> None:
        """Call `observer(request, reply, client_ip)` for each request, before its reply is written (None: stop).
        It runs on the server's thread: keep it quick (append to a list)."""
        self._observer = observer
        if self._server is not None:
            self._server.observer = observer

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server stops (or `timeout` passes); Ctrl-C interrupts the wait."""
        server = self._server
        deadline = None if timeout is None else time.monotonic() + timeout
        while server is not None and server.is_alive():
            left = 0.25 if deadline is None else min(0.25, deadline - time.monotonic())
            if left <= 0:
                return
            server.join(left)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- what clients need -------------------------------------------------------------------------------
    @property
    def flavour(self) -> str:
        return self.state.flavour

    @property
    def port(self) -> int:
        return self._port

    @property
    def beyond_loopback(self) -> bool:
        """True when other machines can reach it (0.0.0.0, ::, a LAN address): the demo keys go with it."""
        return not is_loopback(self.host)

    @property
    def base_url(self) -> str:
        """Where a client on this machine connects: a wildcard address is reached through loopback."""
        host = WILDCARD_CONNECT.get(self.host, self.host)
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self._port}"

    @property
    def ws_url(self) -> str:
        """The same address with the ws scheme: the streams are at /spot/user, /futures/api, ... (?protocol=1.1)."""
        return "ws" + self.base_url[len("http"):]

    @property
    def streams(self) -> WsStreams:
        """The WebSocket side while running: its open links, the messages both ways (log), its closes."""
        if self._streams is None:
            raise RuntimeError("the emulator is not running")
        return self._streams

    @property
    def controls(self) -> Controls:
        return self.state.controls

    @property
    def keys(self) -> tuple[DemoKey, ...]:
        return self.state.keys

    @property
    def venue(self) -> Venue:
        return emulator_venue(self.base_url, self.state.flavour)

    def demo_credentials(self, state: str = "active") -> Credentials:
        """The credentials of the demo key in `state` (or with that name): active, frozen, expired, ..."""
        return self.state.credentials(state)

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"Emulator({self.state.flavour!r}, {where})"
