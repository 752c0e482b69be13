"""The main screen's clock: measuring the server's offset (f5, a new venue, after a 30007), showing
it in the status bar, the Clock tab and the 30007 evidence, and signing with it (f8).

A mixin of MainScreen (screens/main.py), which provides the widgets named here: the worker posts
messages and these handlers are the only code that shows a measurement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work

from tui.console.widgets.diagnosis import DiagnosisPanel
from tui.console.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from tui.console.messages import ClockFailed, ClockMeasured, ClockMeasuring


class ClockFlow:
    """Mix in before the Screen class: `class MainScreen(ClockFlow, ..., Screen[None])`. MainScreen
    provides `session`, `clock_panel` and `refresh_preview`."""

    def action_measure_clock(self) -> None:
        self.measure_clock("asked for")

    @work(group="clock", exclusive=True, exit_on_error=False, description="measure the server clock")
    async def measure_clock(self, reason: str) -> None:
        from tui.console.messages import ClockFailed, ClockMeasured, ClockMeasuring

        self.post_message(ClockMeasuring(reason))
        try:
            estimate, drift = await self.session.measure_clock()
        except Exception as exc:  # noqa: BLE001 - a failed measurement is a sentence, not a crash
            self.post_message(ClockFailed(f"Could not measure the clock: {exc}"))
            return
        self.post_message(ClockMeasured(estimate, drift))

    def on_clock_measuring(self, message: ClockMeasuring) -> None:
        self.query_one(StatusBar).show_clock(None, self.session.use_offset, measuring=True)
        self.clock_panel.show_message(f"Measuring ({message.reason})…")

    def on_clock_measured(self, message: ClockMeasured) -> None:
        self.session.estimate = message.estimate
        self.session.drift = message.drift
        self._show_clock()

    def on_clock_failed(self, message: ClockFailed) -> None:
        self.query_one(StatusBar).show_clock(self.session.estimate, self.session.use_offset)
        self.clock_panel.show_message(message.sentence, style="bold red")
        self.query_one(DiagnosisPanel).show_clock(None, False, failure=message.sentence)

    def _show_clock(self) -> None:
        estimate, use = self.session.estimate, self.session.use_offset
        self.query_one(StatusBar).show_clock(estimate, use)
        from tui.clock.measure import recv_window_for

        target = self.session.target
        recv_window = recv_window_for(target.venue) if target is not None else None
        self.clock_panel.show(estimate, use, self.session.drift, recv_window)
        self.query_one(DiagnosisPanel).show_clock(estimate, use)
        self.refresh_preview()

    def action_toggle_corrected_clock(self) -> None:
        if self.session.estimate is None:
            self.app.notify("Measure the clock first (f5).", title="Clock", severity="warning")
            return
        self.session.use_offset = not self.session.use_offset
        self._show_clock()
        state = "the corrected clock (local + offset)" if self.session.use_offset else "the local clock"
        self.app.notify(f"Signing with {state}.", title="Clock")
