"""The WebSocket view (f12): `keyprobe ws`'s session against the console's venue, and its frames as they come.

Connect, log in (signed in keys/, the key leaving it only into the socket), ping, subscribe the channels typed
at the top (a private one on the private link, a public one on the public link), each step shown as it lands
with its time; then the verdict and, for a refusal, a close or a silence, the diagnosis: the documented row,
the fixes with their evidence. The links that passed stay open and their frames keep arriving (spot's raw
deflate inflated, keys and signatures as fingerprints, control characters escaped) until **s** stops them or
the venue closes them. Everything runs on the console's network thread (tui/console/ws_live.py); it posts
messages and only the handlers below touch widgets.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, RichLog, Static

from tui.console.ws_messages import WsEnded, WsFailed, WsFramesArrived, WsReady, WsStepDone

MARKS = {
    "pending": ("○", "pending", "dim"),
    "running": ("◌", "running…", "bold yellow"),
    True: ("✓", "ok", "bold green"),
    False: ("✗", "failed", "bold red"),
    None: ("–", "skipped", "yellow"),
}
FRAMES_SHOWN = 500


def step_line(index: int, name: str, state: Any, step: Any = None) -> Text:
    from tui.ws.report import TITLES

    icon, word, style = MARKS[state]
    text = Text.assemble((f"{icon} ", style), (f"{index}. {TITLES[name]}", "bold"), "  ", (word, style))
    if step is not None:
        if step.ok is not None:
            text.append(f"  {step.ms:,.1f} ms", style="dim")
        text.append(f"\n   {step.detail}", style="" if step.ok is False else "dim")
    return text


def frame_line(frame: Any) -> Text:
    """One frame: when, which link, which way, its text (already masked, inflated and escaped by tui.ws.frames)."""
    arrow = "→" if frame.direction == "sent" else "←"
    line = Text(f"{frame.at_ms:8.1f} ms {frame.link:<7} {arrow} ", style="dim", overflow="fold")  # JSON has no spaces
    line.append(frame.text, style="" if frame.direction == "received" else "cyan")
    tags = [f"raw deflate, {frame.size:,} B"] if frame.compressed else []
    if frame.clipped:
        tags.append("clipped")
    if frame.problem:
        tags.append(frame.problem)
    if tags:
        line.append(f"   ({'; '.join(tags)})", style="yellow" if frame.problem else "dim")
    return line


def verdict_text(report: Any) -> Text:
    """The verdict; for a failure, its diagnosis (the documented row, causes, fixes with evidence, notes)."""
    from tui.console.widgets.diagnosis import advice_text
    from tui.output.terminal_safe import shown

    failed = report.first_failure
    text = Text()
    if report.login is not None:
        text.append("Login pre-image  ", style="dim")
        text.append(shown(report.login.preimage_masked), style="bold")
        text.append(f"   marker {report.login.marker}\n", style="dim")
    if failed is None:
        text.append(shown(report.verdict), style="bold green" if report.passed else "bold yellow")
        return text
    text.append(f"The {failed.name} step fails.\n", style="bold red")
    d = failed.diagnosis
    if d is None:
        text.append(shown(failed.detail))
        return text
    text.append(shown(d.headline) + "\n", style="bold")
    text.append_text(advice_text(d))
    return text


class WebSocketScreen(Screen[None]):
    CSS_PATH = "ws.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="ws.close", tooltip="Stop the session and go back."),
        Binding("ctrl+r", "rerun", "Run again", id="ws.rerun", tooltip="Connect, log in and subscribe again."),
        Binding("ctrl+g", "stop", "Stop", id="ws.stop", tooltip="Close the links; the frames stop."),
        Binding("ctrl+o", "market", "Spot/futures", id="ws.market", tooltip="BitMart: switch between the spot and the futures stream."),
    ]
    HELP = """\
## WebSocket: log in, subscribe, watch
`keyprobe ws` against the console's venue: the private link is opened, the login signed and sent, a text ping
answered, the private channel subscribed, then the public channel on the public link. Each step shows its
time; a refusal, a close or a silence gets the diagnosis (the documented row, what to fix, the evidence).
The frames keep coming until **ctrl+g** stops them: spot's compressed frames inflated, the key and the
signature as fingerprints. Type the channels at the top (space-separated) and press **enter** or **ctrl+r**;
**ctrl+o** switches BitMart between spot and futures. To see a refusal, use a broken demo key first
(ctrl+p, "Break it: use the frozen demo key").
"""

    def __init__(self) -> None:
        super().__init__()
        self.live: Any = None
        self.report: Any = None  # the last session's report, once its steps are done
        self.market: str | None = None
        self.states: dict[str, Any] = {}
        self.frames_seen = 0
        self.run = 0  # the current session's number: messages of an earlier one are ignored

    def compose(self) -> ComposeResult:
        from tui.ws.report import STEPS

        yield Static("", id="ws-title")
        yield Input(placeholder="channels, e.g. spot/user/order:BTC_USDT spot/ticker:BTC_USDT", id="ws-channels")
        with Horizontal(id="ws-body"):
            with VerticalScroll(id="ws-left"):
                with Vertical(id="ws-steps"):
                    for name in STEPS:
                        yield Static("", id=f"ws-step-{name}", classes="ws-step")
                yield Static("", id="ws-verdict")
            yield RichLog(id="ws-frames", max_lines=FRAMES_SHOWN, wrap=True, markup=False, auto_scroll=True, min_width=20)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#ws-steps").border_title = "Steps"
        self.query_one("#ws-verdict").border_title = "Verdict"
        self.query_one("#ws-frames").border_title = "Frames"
        self.start(fresh=True)

    def on_unmount(self) -> None:
        if self.live is not None:
            self.live.stop()

    # -- running ------------------------------------------------------------------------------------
    def start(self, fresh: bool = False) -> None:
        from tui.ws.report import STEPS
        from tui.ws.urls import plan_for

        if self.live is not None:
            self.live.stop()
            self.live = None
        self.report = None
        target = self.app.session.target  # type: ignore[attr-defined]
        verdict = self.query_one("#ws-verdict", Static)
        verdict.remove_class("-ok", "-failed")
        for i, name in enumerate(STEPS, start=1):
            self._set(name, "pending")
        self.query_one("#ws-frames", RichLog).clear()
        self.frames_seen = 0
        if target is None:
            self._title(None, None)
            verdict.update(Text("The console has no venue yet: wait for the emulator, or unlock a profile.", style="yellow"))
            return
        channels = self.query_one("#ws-channels", Input)
        topics = tuple(channels.value.replace(",", " ").split()) if not fresh else ()
        session = self.app.session  # type: ignore[attr-defined]
        try:
            plan = plan_for(target, self.market, topics, credential_source=target.key_label, timeout_s=session.timeout_s,
                            clock=session.clock())
        except ValueError as exc:
            self._title(target, None)
            verdict.update(Text(str(exc), style="bold red"))
            verdict.add_class("-failed")
            return
        if fresh or not channels.value.strip():
            channels.value = " ".join(plan.topics)
        self._title(target, plan)
        self._set(STEPS[0], "running")
        verdict.update(Text("Connecting…", style="dim"))
        from tui.console.ws_live import LiveSession

        self.run += 1
        run = self.run
        self.live = LiveSession(session.network, plan, on_step=lambda step: self.post_message(WsStepDone(run, step)),
                                on_ready=lambda report: self.post_message(WsReady(run, report)),
                                on_frames=lambda: self.post_message(WsFramesArrived(run)),
                                on_done=lambda report: self.post_message(WsEnded(run, report)),
                                on_failed=lambda sentence: self.post_message(WsFailed(run, sentence)))
        session.websocket = self.live  # the console stops it before its network thread when it closes
        self.live.start()

    def _title(self, target: Any, plan: Any) -> None:
        title = Text("WebSocket ", style="bold")
        if target is None:
            title.append("waiting for the console's venue…", style="dim")
        else:
            if plan is not None:
                title.append_text(Text.assemble((plan.dialect.name, "bold"), "  ", (plan.private_url or "", "dim")))
            title.append_text(Text.assemble("  key ", (target.key_label, "bold")))
        self.query_one("#ws-title", Static).update(title)

    def action_rerun(self) -> None:
        self.start()

    def action_stop(self) -> None:
        if self.live is not None:
            self.live.stop()

    def action_market(self) -> None:
        target = self.app.session.target  # type: ignore[attr-defined]
        if target is None or target.venue.family != "bitmart":
            self.notify("Only BitMart has a spot and a futures stream; WOO X Pro's are futures only.", title="WebSocket",
                        severity="warning", markup=False)
            return
        from tui.ws.urls import plan_for

        current = plan_for(target, self.market).dialect.market
        self.market = "futures" if current == "spot" else "spot"
        self.query_one("#ws-channels", Input).value = ""
        self.start()

    def action_close(self) -> None:
        if self.live is not None:
            self.live.stop()
        self.dismiss()

    @on(Input.Submitted, "#ws-channels")
    def _channels_submitted(self, event: Input.Submitted) -> None:
        self.start()

    # -- handlers -----------------------------------------------------------------------------------
    @on(WsStepDone)
    def _step_done(self, message: WsStepDone) -> None:
        if message.run != self.run:
            return
        from tui.ws.report import STEPS

        step = message.step
        self._set(step.name, step.ok, step)
        index = STEPS.index(step.name)
        if index + 1 < len(STEPS) and self.states[STEPS[index + 1]] == "pending":
            self._set(STEPS[index + 1], "running")

    @on(WsReady)
    def _ready(self, message: WsReady) -> None:
        if message.run != self.run:
            return
        self.report = message.report
        self._show_verdict(message.report)

    @on(WsEnded)
    def _ended(self, message: WsEnded) -> None:
        if message.run != self.run:
            return
        self.report = message.report
        self._show_verdict(message.report)
        self.query_one("#ws-frames", RichLog).write(Text("— the links are closed —", style="dim"))

    @on(WsFailed)
    def _failed(self, message: WsFailed) -> None:
        if message.run != self.run:
            return
        for name, state in self.states.items():
            if state in ("running", "pending"):
                self._set(name, None)
        verdict = self.query_one("#ws-verdict", Static)
        verdict.update(Text(message.sentence, style="bold red"))
        verdict.add_class("-failed")

    @on(WsFramesArrived)
    def _frames(self, message: WsFramesArrived) -> None:
        if message.run != self.run or self.live is None:
            return
        log = self.query_one("#ws-frames", RichLog)
        for frame in self.live.take():
            log.write(frame_line(frame))
            self.frames_seen += 1

    def _show_verdict(self, report: Any) -> None:
        verdict = self.query_one("#ws-verdict", Static)
        verdict.update(verdict_text(report))
        verdict.set_class(report.passed, "-ok")
        verdict.set_class(report.first_failure is not None, "-failed")

    def _set(self, name: str, state: Any, step: Any = None) -> None:
        from tui.ws.report import STEPS

        self.states[name] = state
        widget = self.query_one(f"#ws-step-{name}", Static)
        widget.update(step_line(STEPS.index(name) + 1, name, state, step))
        for key, css in (("pending", "-pending"), ("running", "-running"), (True, "-ok"), (False, "-failed"), (None, "-skipped")):
            widget.set_class(state is key if not isinstance(key, str) else state == key, css)


def open_websocket(app: Any) -> None:
    app.push_screen(WebSocketScreen())


def palette_entries(app: Any) -> list[Any]:
    """WebSocket entries for the command palette (commands.entries() adds these)."""
    from tui.console.palette_entry import Entry

    return [
        Entry("WebSocket: log in, subscribe and watch the frames", "keyprobe ws against this venue: each step, the frames "
              "as they come, the diagnosis of a refusal (f12)", lambda: open_websocket(app)),
    ]
