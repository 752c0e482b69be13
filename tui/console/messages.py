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
class SendNeedsConfirmation(Message):
    """The send gate asks before this send (a signed write to a real venue): nothing was sent yet."""

    draft: Draft
    target: ConsoleTarget


@dataclass
class ExchangeReceived(Message):
    """One send finished (a response or a transport failure), with its diagnosis when the network
    thread made it (a console send); without one, the main screen diagnoses it in a thread."""

    exchange: Exchange
    diagnosis: Any = None  # tui.diagnosis.diagnose.Diagnosis


@dataclass
class DiagnosisReady(Message):
    exchange: Exchange
    diagnosis: Any  # tui.diagnosis.diagnose.Diagnosis (imported lazily: not needed for the first paint)


@dataclass
class BodyFormatted(Message):
    """The response body laid out for display (tui.console.body_text: JSON one token per line),
    posted as it grows: the same text again with more lines, then once with its note."""

    exchange: Exchange
    text: Any  # tui.console.body_text.BodyText
    note: str | None  # None while laying out; then "JSON, 12 lines" / "not JSON ..."
    truncated: bool


@dataclass
class ClockMeasuring(Message):
    reason: str


@dataclass
class ClockMeasured(Message):
    estimate: Any  # tui.clock.measure.ClockEstimate
    drift: Any = None  # tui.clock.drift.DriftFit over the venue's measurements, or None


@dataclass
class ClockFailed(Message):
    sentence: str


# -- the key file, the sidebar and the probe (screens/unlock.py, keys.py, probe.py, widgets/sidebar.py) --
@dataclass
class Unlocked(Message):
    """The key file opened (or was created); the Vault now lives only in app.vault."""

    vault: Any  # keys.vault.Vault


@dataclass
class UnlockFailed(Message):
    """A sentence for the unlock modal, which stays open for another try."""

    sentence: str


@dataclass
class VaultSaved(Message):
    what: str  # "Added profile x." / "Removed profile x."


@dataclass
class VaultSaveFailed(Message):
    """The key file was not written; `before` is the profiles as they were, restored in memory."""

    sentence: str
    before: dict[str, Any]


@dataclass
class SidebarLoaded(Message):
    collections: list[tuple[str, list[Any]]]  # (collection, [SavedRequest | SavedRequestError]); "" is the top folder
    history: list[dict[str, Any]]  # newest first, at most the sidebar's cap
    history_total: int
    notes: list[str]  # unreadable files or lines, as sentences


@dataclass
class SidebarNotice(Message):
    """A saved request was written or deleted, or could not be: say so and reload the lists."""

    sentence: str
    severity: str = "information"


@dataclass
class ProbeStepDone(Message):
    step: Any  # tui.probe.ladder.Step


@dataclass
class ProbeFinished(Message):
    report: Any  # tui.probe.ladder.ProbeReport


@dataclass
class ProbeFailed(Message):
    sentence: str


@dataclass
class KeymapProblem(Message):
    """The keymap names an id no binding has (found once every screen is imported, off the UI thread)."""

    sentence: str
