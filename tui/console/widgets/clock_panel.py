"""The clock panel: the server-clock offset with its bound, the verdict against the 60 s window of
30007, a sparkline of the samples' round trips, whether signing uses the corrected clock, and the drift
once the venue has enough measurements (tui.clock.drift)."""

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
    text = Text(f"{len(samples)} samples, {len(used)} used (each bounds the offset; their bounds are intersected)", style="dim")
    return text


def drift_text(drift: Any, recv_window_ms: float | None = 5_000) -> Text:
    """`drift +50.0 ppm (+49.2 to +50.9), 5 measurements over 3 min · 5 s recvWindow in 27.3 h · 60 s in 13.9 days`,
    or what it still needs; nothing before a second measurement."""
    from tui.clock.drift import duration

    if drift is None:
        return Text("")
    if not drift.enough:
        return Text(f"drift: from 3 measurements over at least 30 s ({drift.points} over {drift.span_ms / 1000:.0f} s "
                    "so far; f5 measures again)", style="dim")
    text = Text.assemble(("drift ", "bold"), f"{drift.drift_ppm:+,.1f} ppm",
                         (f" ({drift.drift_low_ppm:+,.1f} to {drift.drift_high_ppm:+,.1f}), {drift.points} measurements over "
                          f"{duration(drift.span_ms)}", "dim"))
    windows = ((recv_window_ms, f"{recv_window_ms / 1000:g} s recvWindow"),) if recv_window_ms is not None else ()
    for window_ms, name in (*windows, (60_000, "60 s window")):  # no recvWindow on WOO X Pro
        crossing = drift.crossing(window_ms)
        if crossing.outside_now:
            text.append(f" · outside the {name}", style="bold red")
        elif crossing.in_ms is not None:
            text.append(f" · {name} in {duration(crossing.in_ms)}", style="bold yellow" if crossing.in_ms < 86_400_000 else "")
    return text


def rtts(estimate: Any) -> list[float]:
    return [float(s.rtt_ms) for s in estimate.samples]


class ClockPanel(Vertical):
    HELP = """\
## Clock
The offset between the venue's clock and yours, measured from several requests to the venue's
time endpoint (their intervals intersected: the bound never exceeds the shortest round trip's). A signed
request is refused with **30007** when its timestamp is more than 60 s away from the server's.

- **f5** measures again, **f8** signs with the corrected clock (local time + offset).
- After any 30007 the clock is measured again automatically.
- From 3 measurements over at least 30 s (kept between sessions for a real venue), the **drift** in ppm
  and when the offset will leave the 5 s recvWindow and the 60 s window (`keyprobe skew --watch` follows it).
"""

    def compose(self) -> ComposeResult:
        yield Static(Text("Not measured yet.", style="dim"), classes="clock-summary")
        yield Sparkline([], classes="clock-rtts")
        yield Static("", classes="clock-samples")
        drift = Static("", classes="clock-drift")
        drift.display = False  # shown from a second measurement of the venue on
        yield drift

    def show(self, estimate: Any, use_offset: bool, drift: Any = None, recv_window_ms: float | None = 5_000) -> None:
        if estimate is None:
            self.show_message("Not measured yet.")
            return
        self.query_one(".clock-summary", Static).update(summary_text(estimate, use_offset))
        self.query_one(Sparkline).data = rtts(estimate)
        self.query_one(".clock-samples", Static).update(samples_text(estimate))
        text = drift_text(drift, recv_window_ms)
        line = self.query_one(".clock-drift", Static)
        line.update(text)
        line.display = bool(text.plain)  # no blank line before a second measurement

    def show_message(self, sentence: str, style: str = "dim") -> None:
        self.query_one(".clock-summary", Static).update(Text(sentence, style=style))
        self.query_one(Sparkline).data = []
        self.query_one(".clock-samples", Static).update("")
        line = self.query_one(".clock-drift", Static)
        line.update("")
        line.display = False
