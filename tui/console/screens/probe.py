"""The probe screen (f3): tui.probe.ladder's ladder run against the console's target, rung by rung.

venue -> public -> clock -> keyed -> signed (-> websocket, where the venue's stream is known), each shown pending /
running / ok / failed / not checked with
its evidence and time as soon as it is known, under the verdict (on top, so a small terminal shows
it without scrolling): the first failing layer, the documented row for its code, and what to fix. The ladder runs in an async worker over the console's
one Wire; the worker posts a message per rung and only the handlers below touch widgets.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from tui.console.messages import ProbeFailed, ProbeFinished, ProbeStepDone
from tui.output.terminal_safe import shown

STATES = {
    "pending": ("○", "pending", "dim"),
    "running": ("◌", "running…", "bold yellow"),
    "ok": ("✓", "ok", "bold green"),
    "failed": ("✗", "failed", "bold red"),
    "unknown": ("–", "not checked", "yellow"),
}


def step_text(index: int, title: str, state: str, step: Any = None, folded: bool = False) -> Text:
    """A rung: its line, then its evidence (left out when `folded`: a passed rung on a short terminal)."""
    icon, word, style = STATES[state]
    text = Text.assemble((f"{icon} ", style), (f"{index}. {title}", "bold"), "  ", (word, style))
    if step is not None:
        if step.code is not None:
            text.append(f"  code {step.code}", style=style)
        text.append(f"  {step.ms:,.0f} ms", style="dim")
        if not folded:
            text.append(f"\n   {shown(step.detail)}")  # the server's answer in it: control characters shown escaped
    return text


FOLD_BELOW_ROWS = 34  # the app's "-short" breakpoint: below it passed rungs show one line each (e shows all)


class ProbeScreen(Screen[None]):
    CSS_PATH = "probe.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="probe.close", tooltip="Back to the main screen."),
        Binding("r", "rerun", "Run again", id="probe.rerun", tooltip="Climb the ladder again."),
        Binding("e", "toggle_evidence", "Evidence", id="probe.evidence",
                tooltip="Show or hide the evidence of the rungs that passed (hidden on a short terminal)."),
    ]
    HELP = """\
## Probe: which layer fails?
The venue's state, then four harmless requests, each resting on the one below, so the first failure
names the layer to fix:

1. **venue**: the venue still trades (BitMart discontinued trading on 2026-08-26 and ceases on
   2027-01-31: no key passes there, whatever the rungs below say);
2. **public**: a public call answers (network, DNS, TLS, the base URL);
3. **clock**: the local clock is inside the venue's 60 s timestamp window (30007);
4. **keyed**: a KEYED call succeeds (the key exists, is active, the IP is allowed);
5. **signed**: a SIGNED call verifies; it cancels an order id that cannot exist, so "order not
   found" proves the signature and nothing can move;
6. **websocket** (where the venue's stream is known: BitMart's, the emulator's): the private stream
   accepts a login with this key (a key REST takes may still be refused there).

Each rung shows its evidence (the request and the answer, or the measured offset); on a short
terminal (under 34 rows) a rung that passed folds to its one line, and **e** shows or hides the
evidence of every rung. **r** runs it again, **escape** goes back.
"""

    def __init__(self) -> None:
        super().__init__()
        self.report: Any = None  # the last ProbeReport
        self.states: dict[str, str] = {}
        self.steps: dict[str, Any] = {}  # name -> its ProbeStep, once it finished
        self.evidence_shown: bool | None = None  # e: True / False; None: by the terminal's height

    def compose(self) -> ComposeResult:
        from tui.probe.ladder import LAYERS

        self.rungs = LAYERS
        yield Static("", id="probe-title")
        with VerticalScroll(id="probe-body"):
            # The verdict first: at 80x24 the ladder's rungs wrap to a screenful, and the verdict is the answer.
            yield Static("", id="probe-verdict")
            with Vertical(id="probe-ladder"):
                for name in (*LAYERS, "websocket"):  # the WebSocket rung is shown when the ladder climbs it
                    yield Static("", id=f"step-{name}", classes="probe-step")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#probe-ladder").border_title = "Ladder"
        self.query_one("#probe-verdict").border_title = "Verdict"
        self.start()

    # -- running ------------------------------------------------------------------------------------
    def start(self) -> None:
        target = self.app.session.target  # type: ignore[attr-defined]
        self.rungs = self.app.session.probe_layers()  # type: ignore[attr-defined]
        self.query_one("#step-websocket").display = "websocket" in self.rungs
        title = Text("Probe ", style="bold")
        if target is not None:
            title.append_text(Text.assemble((target.venue.name, "bold"), " ", (target.venue.base_url, "dim"), "  key ", (target.key_label, "bold")))
        else:
            title.append("waiting for the console's venue…", style="dim")
        self.query_one("#probe-title", Static).update(title)
        self.report = None
        for i, name in enumerate(self.rungs, start=1):
            self._set(name, "running" if i == 1 else "pending")
        verdict = self.query_one("#probe-verdict", Static)
        verdict.update(Text("Climbing the ladder…", style="dim"))
        verdict.remove_class("-ok", "-failed")
        self.run_ladder()

    def action_rerun(self) -> None:
        if any(state == "running" for state in self.states.values()):
            return
        self.start()

    def action_close(self) -> None:
        self.workers.cancel_group(self, "probe")
        self.dismiss()

    @work(group="probe", exclusive=True, exit_on_error=False, description="climb the probe ladder")
    async def run_ladder(self) -> None:
        from tui.console.session import NoTarget

        session = self.app.session  # type: ignore[attr-defined]
        try:  # on the session's network thread; each rung is posted from there as it finishes
            report = await session.probe(lambda step: self.post_message(ProbeStepDone(step)))
        except NoTarget as exc:
            self.post_message(ProbeFailed(str(exc)))
            return
        except Exception as exc:  # noqa: BLE001 - the probe never crashes the console
            self.post_message(ProbeFailed(f"The probe stopped unexpectedly: {type(exc).__name__}: {exc}"))
            return
        self.post_message(ProbeFinished(report))

    # -- handlers -----------------------------------------------------------------------------------
    def on_probe_step_done(self, message: ProbeStepDone) -> None:
        step = message.step
        state = "ok" if step.ok is True else ("failed" if step.ok is False else "unknown")
        self._set(step.name, state, step)
        layers = self.rungs
        index = layers.index(step.name)
        if index + 1 < len(layers) and self.states[layers[index + 1]] == "pending":
            self._set(layers[index + 1], "running")

    def on_probe_finished(self, message: ProbeFinished) -> None:
        report = self.report = message.report
        self.rungs = report.layers  # the ladder the report climbed is the one shown
        self.query_one("#step-websocket").display = "websocket" in self.rungs
        verdict = self.query_one("#probe-verdict", Static)
        verdict.update(verdict_text(report))
        verdict.set_class(report.passed, "-ok")
        verdict.set_class(report.first_failure is not None, "-failed")

    def on_probe_failed(self, message: ProbeFailed) -> None:
        for name, state in self.states.items():
            if state in ("running", "pending"):
                self._set(name, "unknown")
        verdict = self.query_one("#probe-verdict", Static)
        verdict.update(Text(message.sentence, style="bold red"))
        verdict.add_class("-failed")

    @property
    def folds_passed(self) -> bool:
        if self.evidence_shown is not None:
            return not self.evidence_shown
        return self.app.size.height < FOLD_BELOW_ROWS

    def action_toggle_evidence(self) -> None:
        self.evidence_shown = self.folds_passed
        self._redraw_rungs()

    def on_resize(self) -> None:
        self._redraw_rungs()

    def _redraw_rungs(self) -> None:
        for name, state in list(self.states.items()):
            if name in self.rungs:
                self._set(name, state, self.steps.get(name))

    def _set(self, name: str, state: str, step: Any = None) -> None:
        from tui.probe.ladder import TITLES

        self.states[name] = state
        self.steps[name] = step
        widget = self.query_one(f"#step-{name}", Static)
        widget.update(step_text(self.rungs.index(name) + 1, TITLES[name], state, step, folded=state == "ok" and self.folds_passed))
        for s in STATES:
            widget.set_class(s == state, f"-{s}")


def verdict_text(report: Any) -> Text:
    """The verdict sentence; for a failure, the layer, the documented row of its code, the causes
    and the fixes, all from tui.probe.ladder / tui.diagnosis.diagnose (plain Text: nothing is read as markup)."""
    text = Text()
    failed = report.first_failure
    if failed is None:
        text.append(report.verdict, style="bold green" if report.passed else "bold yellow")
        return text
    text.append(f"First failing layer: {failed.name}", style="bold red")
    text.append(f"  ({failed.title})\n", style="dim")
    text.append(shown(report.verdict) + "\n")
    diagnosis = report.verdict_diagnosis
    if diagnosis is not None and diagnosis.code is not None:
        text.append("\nDocumented: ", style="dim")
        text.append(shown(f"{diagnosis.code} {diagnosis.message or ''}".rstrip()), style="bold")
        if diagnosis.http_status is not None:
            text.append(f"  (HTTP {diagnosis.http_status})", style="dim")
        text.append("\n")
        for cause in diagnosis.causes[:3]:
            text.append(f"  • {shown(cause)}\n")
    if report.fixes:
        text.append("\nWhat to fix\n", style="bold")
        for fix in report.fixes:
            text.append(f"  → {shown(fix)}\n")
    return text
