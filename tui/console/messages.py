"""What workers post. Workers do the I/O and the CPU work; only the handlers of these messages
touch widgets (Harlequin's discipline). Payloads are plain data from the headless core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from tui.console.target import ConsoleTarget
    from tui.exchange import Draft, Exchange


@dataclass
class TargetReady(Message):
    """The console can send: a venue and credentials are set (the emulator started, a profile unlocked)."""

    target: ConsoleTarget


@dataclass
class TargetFailed(Message):
    """The console could not get a target ready (the emulator did not start)."""

    sentence: str


@dataclass
class SendStarted(Message):
    draft: Draft


@dataclass
class SendRefused(Message):
    """Nothing was sent: the draft is not sendable (invalid JSON body, no target)."""

    sentence: str


@dataclass
class ExchangeReceived(Message):
    """One send finished (a response or a transport failure). The diagnosis follows separately."""

    exchange: Exchange


@dataclass
class DiagnosisReady(Message):
    exchange: Exchange
    diagnosis: Any  # tui.diagnose.Diagnosis (imported lazily: not needed for the first paint)


@dataclass
class BodyFormatted(Message):
    """The response body split into display lines (pretty-printed JSON when it parses)."""

    exchange: Exchange
    lines: list[str]
    note: str  # "JSON, 12 lines" / "truncated at ..." / "not JSON"
    truncated: bool


@dataclass
class ClockMeasuring(Message):
    reason: str


@dataclass
class ClockMeasured(Message):
    estimate: Any  # tui.clock.ClockEstimate


@dataclass
class ClockFailed(Message):
    sentence: str
