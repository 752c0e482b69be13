"""A local BitMart / WOO X Pro venue: a pure request handler (`handle`) and a loopback HTTP server
around it (`Emulator`), with demo keys in every state and switches for skew, latency, maintenance,
rate limits and transport faults."""

from tui.emulator.handler import Reply, handle
from tui.emulator.runner import Emulator
from tui.emulator.state import Controls, EmulatorState

__all__ = ["Controls", "Emulator", "EmulatorState", "Reply", "handle"]
