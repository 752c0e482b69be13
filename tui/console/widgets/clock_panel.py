"""The clock panel: the server-clock offset with its bound, the verdict against the 60 s window of
30007, a sparkline of the samples' round trips, and whether signing uses the corrected clock."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

VERDICT_STYLE = {"ok": "bold green", "warn-recvwindow": "bold yellow", "outside-30007-window": "bold red"}


def summary_text(estimate: Any, use_offset: bool) -> Text:
    offset, bound = float(estimate.offset_ms), float(estimate.bound_ms)
    text = Text.assemble(
        ("server − local ", "bold"),
        (f"{offset:+,.1f} ms", VERDICT_STYLE.get(estimate.verdict, "bold")),
        f"  ±{bound:,.1f} ms   min round trip {float(estimate.rtt_ms):,.1f} ms   method {estimate.method}\n",
    )
    text.append(estimate.verdict_sentence, style=VERDICT_STYLE.get(estimate.verdict, ""))
    if estimate.verdict != "ok":
        text.append_text(howto_text(use_offset))
    text.append("\nsigning with the ", style="dim")
    text.append("corrected clock (local + offset)" if use_offset else "local clock", style="bold")
    text.append("   f8 toggles, f5 measures again", style="dim")
    return text


def howto_text(use_offset: bool) -> Text:
    """The console's way to sign with the offset (the core's verdict sentence names none; the CLI's
    is --sync-clock)."""
    if use_offset:
        return Text.assemble(" ", ("Signing with it now", "bold"), " (f8 turns it off).")
    return Text.assemble(" ", ("Press f8", "bold"), " to sign with it.")


def samples_text(estimate: Any) -> Text:
    samples = list(estimate.samples)
    used = [s for s in samples if getattr(s, "used", True)]
    text = Text(f"{len(samples)} samples, {len(used)} used (round trips over twice the minimum are dropped)", style="dim")
    return text


def rtts(estimate: Any) -> list[float]:
    return [float(s.rtt_ms) for s in estimate.samples]


class ClockPanel(Vertical):
    HELP = """\
## Clock
The offset between the venue's clock and yours, measured from several requests to the venue's
time endpoint (the one with the shortest round trip wins; the bound is half of it). A signed
request is refused with **30007** when its timestamp is more than 60 s away from the server's.

- **f5** measures again, **f8** signs with the corrected clock (local time + offset).
- After any 30007 the clock is measured again automatically.
"""

    def compose(self) -> ComposeResult:
        yield Static(Text("Not measured yet.", style="dim"), classes="clock-summary")
        yield Sparkline([], classes="clock-rtts")
        yield Static("", classes="clock-samples")

    def show(self, estimate: Any, use_offset: bool) -> None:
        if estimate is None:
            self.show_message("Not measured yet.")
            return
        self.query_one(".clock-summary", Static).update(summary_text(estimate, use_offset))
        self.query_one(Sparkline).data = rtts(estimate)
        self.query_one(".clock-samples", Static).update(samples_text(estimate))

    def show_message(self, sentence: str, style: str = "dim") -> None:
        self.query_one(".clock-summary", Static).update(Text(sentence, style=style))
        self.query_one(Sparkline).data = []
        self.query_one(".clock-samples", Static).update("")
