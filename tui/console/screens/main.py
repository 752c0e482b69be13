"""The main screen: composer and signing preview on the left, the response, its diagnosis and the
body / headers / request / clock tabs on the right, and a sidebar slot for saved requests.

Workers (send, diagnose, format the body, measure the clock) post messages; the handlers below
are the only code that changes widgets.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import MountError
from textual.widgets import Static

from tui.console.screens.main_clock import ClockFlow
from tui.console.screens.styled_once import StyledOnce
from tui.console.widgets.composer import Composer
from tui.console.widgets.diagnosis import DiagnosisPanel
from tui.console.widgets.preview import PreviewPanel
from tui.console.widgets.ready_footer import ReadyFooter
from tui.console.widgets.response import ResponseSummary, headers_text, request_text
from tui.console.widgets.status_bar import StatusBar

if TYPE_CHECKING:  # the messages are imported where they are posted: not needed for the first frame
    from tui.console.messages import (
        BodyFormatted,
        DiagnosisReady,
        ExchangeReceived,
        SendNeedsConfirmation,
        SendRefused,
        SendStarted,
    )

CLOCK_CODE = 30007
PREVIEW_REFRESH_S = 1.0
# alt+1 .. alt+7, in this order: pane -> what the footer and F1 call it
JUMPS = {
    "request": "request (path)",
    "body": "body editor",
    "preview": "signing preview",
    "diagnosis": "diagnosis",
    "response": "response body",
    "tabs": "response tabs",
    "sidebar": "sidebar",
}
JUMP_TARGETS = {
    "request": "#path",
    "body": "#body",
    "preview": "#preview-scroll",
    "diagnosis": "#diagnosis",
    "response": "#body-log",
    "tabs": "#response-tabs Tabs",
}


def exchange_title(exchange: Any, diagnosis: Any) -> str:
    code = diagnosis.code if diagnosis is not None and diagnosis.code is not None else "-"
    return f"{exchange.draft.method} {exchange.draft.path} -> {code}"


def titled(widget: Any, title: str) -> Any:
    """The widget with its border title, set before it mounts (afterwards it would cost a refresh)."""
    widget.border_title = title
    return widget


class MainScreen(ClockFlow, StyledOnce, Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,alt+enter", "send", "Send", id="main.send", priority=True, tooltip="Sign and send the request."),
        Binding("f5", "measure_clock", "Clock", id="main.clock", tooltip="Measure the server clock offset again."),
        Binding("f6", "copy_curl", "curl", id="main.curl", tooltip="Copy the signed request as a curl command."),
        Binding("f7", "copy_curl_script", "curl $KEYPROBE_*", id="main.curl_script", show=False, tooltip="Copy a curl script that signs with $KEYPROBE_* variables."),
        Binding("f8", "toggle_corrected_clock", "Sync clock", id="main.corrected_clock", tooltip="Sign with local time + the measured offset (the CLI's --sync-clock)."),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", id="main.sidebar", show=False, tooltip="Show or hide the sidebar."),
        Binding("ctrl+s", "save_draft", "Save", id="main.save", show=False, tooltip="Save the request under a name (the sidebar lists it)."),
        Binding("f2", "open_keys", "Keys", id="main.keys", tooltip="The key file's profiles: add, edit, remove, use, lock."),
        Binding("f3", "open_probe", "Probe", id="main.probe", tooltip="Find which layer fails for this key: public, clock, keyed, signed."),
        Binding("f4", "mark_exchange", "Mark", id="main.mark", show=False, tooltip="Mark this exchange to compare another with it (f10)."),
        Binding("f10", "compare", "Compare", id="main.compare", show=False, tooltip="The marked exchange (f4) beside this one, differences marked."),
        # Jump keys: every pane one key away, wherever the focus is (the body editor included).
        *(Binding(f"alt+{n}", f"jump('{pane}')", f"Jump: {label}", id=f"main.jump_{pane}", show=False, priority=True,
                  tooltip=f"Focus the {label}.") for n, (pane, label) in enumerate(JUMPS.items(), start=1)),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exchange: Any = None  # the last Exchange received
        self.diagnosis: Any = None  # and its Diagnosis
        self._tabs_ready = asyncio.Event()
        self.marked: tuple[Any, Any] | None = None  # (exchange, diagnosis) marked with f4
        self._pending_target: Any = None

    def compose(self) -> ComposeResult:
        # The screen lays the columns out side by side (app.tcss); the status bar and the footer dock.
        # The sidebar (before the composer; ctrl+b shows it) and the response tabs are mounted just
        # after the first frame (_mount_deferred): nothing in them is needed to paint it.
        yield StatusBar(id="status-bar")
        with Vertical(id="compose-column"):
            yield titled(Composer(id="composer"), "Request")
            with titled(VerticalScroll(id="preview-scroll"), "Signing preview"):
                yield PreviewPanel(Text("The signing preview appears when the emulator is up.", style="dim"), id="preview")
        with Vertical(id="response-column"):
            yield titled(ResponseSummary(id="summary"), "Response")
            yield titled(DiagnosisPanel(id="diagnosis", classes="-brief"), "Diagnosis")
        yield ReadyFooter()

    AUTO_FOCUS = "#path"

    def on_mount(self) -> None:
        self.call_after_refresh(self._mount_deferred)
        # The preview's timestamp is "now": keep it now, or it shows one minutes old (only while shown).
        self.set_interval(PREVIEW_REFRESH_S, self._refresh_preview_if_shown)

    def _refresh_preview_if_shown(self) -> None:
        if self.app.screen is self and self._tabs_ready.is_set():
            self.refresh_preview()

    async def _mount_deferred(self) -> None:
        if self.app._exit or not self.is_attached:
            return  # quit before the second frame
        from tui.console.widgets.response_tabs import ResponseTabs
        from tui.console.widgets.sidebar import Sidebar

        tabs = ResponseTabs.build()
        sidebar = Sidebar(id="sidebar")
        sidebar.border_title = "Saved"
        try:
            await self.composer.mount_editors()
            await self.mount(sidebar, before="#compose-column")
            await self.query_one("#response-column").mount(tabs)
        except MountError:
            pass  # the app is closing

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def body_view(self) -> Any:
        return self.query_one("#body-view")  # widgets/body_view.BodyView (mounted after the first frame)

    @property
    def clock_panel(self) -> Any:
        return self.query_one("#clock-panel")  # widgets/clock_panel.ClockPanel

    def on_response_tabs_ready(self, message: Any) -> None:
        self._tabs_ready.set()
        if self._pending_target is not None:
            target, self._pending_target = self._pending_target, None
            self.target_changed(target)

    # -- target (called from the App's message handlers) --------------------------------------------
    def target_changed(self, target: Any) -> None:
        if not self._tabs_ready.is_set():
            self._pending_target = target  # shown as soon as the lazily mounted tabs are there
            return
        self.query_one(StatusBar).show_target(target)
        from tui.diagnosis.venue_state import notice_line

        self.composer.configure(target.venue, target.key_label, target.venue_label, notice_line(target.lifecycle_state))
        self.refresh_preview()
        if self.session.estimate is None and target.venue.is_emulator and target.venue.time_path:
            # A new server with a time endpoint: read its clock (a few milliseconds). A real venue is contacted only
            # when asked (send, f5), and so is one whose clock is only in the Date header (WOO X Pro's: seconds).
            self.measure_clock("new venue")
        elif self.session.estimate is None:
            self.query_one(StatusBar).show_clock(None, self.session.use_offset)

    async def load_endpoint(self, endpoint: Any) -> None:
        await self.composer.load_endpoint(endpoint)
        self.refresh_preview()

    def target_failed(self, sentence: str) -> None:
        self._pending_target = None
        self.query_one(StatusBar).show_failure(sentence)
        self.query_one(PreviewPanel).show_waiting(sentence)

    def refresh_preview(self) -> None:
        target = self.session.target
        if target is None:
            return
        from tui.console.signing_preview import preview

        draft = self.composer.draft(target.venue, target.profile)
        self.query_one(PreviewPanel).show(preview(draft, target.credentials, self.session.clock()))

    def on_composer_changed(self, event: Composer.Changed) -> None:
        self.refresh_preview()

    # -- sending ------------------------------------------------------------------------------------
    def action_send(self) -> None:
        self.send_request()

    @work(group="send", exclusive=True, exit_on_error=False, description="sign and send the request")
    async def send_request(self, confirmed: Any = None) -> None:
        """Sign and send the composer's draft; a signed write to a real venue is asked about first
        (session.gate) and sent only when `confirmed` is the very target the user said yes to."""
        from tui.console.messages import ExchangeReceived, SendNeedsConfirmation, SendRefused, SendStarted
        from tui.console.session import NoTarget

        await self._tabs_ready.wait()
        try:
            target = await self.session.wait_target()  # the emulator may still be starting
        except NoTarget as exc:
            self.post_message(SendRefused(str(exc)))
            return
        draft = self.composer.draft(target.venue, target.profile)
        problem = draft.body_error() or draft.header_error()
        if problem:
            self.post_message(SendRefused(problem))
            return
        if confirmed is not target and self.session.gate.asks(draft, target):
            self.post_message(SendNeedsConfirmation(draft, target))
            return
        self.post_message(SendStarted(draft))
        try:
            exchange, diagnosis = await self.session.send_and_diagnose(draft)  # on the network thread
        except Exception as exc:  # noqa: BLE001 - wire.send never raises; this is a last resort
            self.post_message(SendRefused(f"Sending failed unexpectedly: {type(exc).__name__}: {exc}"))
            return
        self.post_message(ExchangeReceived(exchange, diagnosis))
        await self.session.record(exchange, diagnosis, target)  # the history says which key signed

    def on_send_needs_confirmation(self, message: SendNeedsConfirmation) -> None:
        from tui.console.messages import SendRefused
        from tui.console.screens.dialogs import confirm_send

        target = message.target
        confirm_send(self.app, message.draft, target, go=lambda: self.send_request(confirmed=target),
                     refused=lambda sentence: self.post_message(SendRefused(sentence)))

    async def on_send_started(self, message: SendStarted) -> None:
        from tui.console.memory import release_freed_memory

        draft = message.draft
        self.exchange = self.diagnosis = None  # the last answer's body goes before the next arrives
        self.query_one(ResponseSummary).show_sending(f"{draft.method} {draft.path}")
        await self.query_one(DiagnosisPanel).clear("Waiting for the answer…")
        self.body_view.clear("Waiting for the answer…")
        release_freed_memory()  # ... and the memory it held with it (a few ms after a 20 MB one)

    async def on_send_refused(self, message: SendRefused) -> None:
        self.query_one(ResponseSummary).show_refused(message.sentence)
        await self.query_one(DiagnosisPanel).clear("Nothing was sent.")
        self.composer.check_body()

    async def on_exchange_received(self, message: ExchangeReceived) -> None:
        exchange = self.exchange = message.exchange
        self.diagnosis = None
        self.query_one(ResponseSummary).show_exchange(exchange)
        response = exchange.response
        headers = headers_text("response headers", response.headers) if response else Text("No response.", style="dim")
        self.query_one("#headers-text", Static).update(headers)
        self.query_one("#request-text", Static).update(request_text(exchange))
        if message.diagnosis is not None:  # diagnosed on the network thread: shown before the body
            await self._show_diagnosis(exchange, message.diagnosis)
        else:
            await self.query_one(DiagnosisPanel).clear("Diagnosing…")
            self.diagnose(exchange)
        if response is None:
            self.body_view.clear("No response body: the request did not get an answer.")
        else:
            self.body_view.clear(f"Formatting {len(response.body):,} bytes…")
            self.format_body(weakref.ref(exchange))

    @work(thread=True, group="diagnose", exclusive=True, exit_on_error=False, description="diagnose the answer")
    def diagnose(self, exchange: Any) -> None:
        from tui.console.messages import DiagnosisReady
        from tui.diagnosis.diagnose import diagnose

        self.post_message(DiagnosisReady(exchange, diagnose(exchange)))

    @work(thread=True, group="body", exclusive=True, exit_on_error=False, description="pretty-print the body")
    def format_body(self, exchange_ref: weakref.ref[Any]) -> None:
        """Post the body's text as it is laid out (body_text.paced): the first screen comes after
        the first slice. A weak reference: a finished Worker keeps its arguments until the
        collector's next full pass, and a 20 MB body passed here outlived its send."""
        from textual.worker import get_current_worker

        from tui.console.body_text import laid_out, paced
        from tui.console.memory import release_freed_memory
        from tui.console.messages import BodyFormatted

        exchange, worker = exchange_ref(), get_current_worker()
        response = exchange.response if exchange is not None else None
        for text, note in paced(laid_out(response.body, response.header("content-type"), response.truncated) if response else ()):
            if worker.is_cancelled:
                return  # a newer answer came: this body is not shown, and its memory goes now
            self.post_message(BodyFormatted(exchange, text, note, response.truncated))
        release_freed_memory()  # what the last body and this layout's scratch left in the heap

    async def on_diagnosis_ready(self, message: DiagnosisReady) -> None:
        if message.exchange is self.exchange:  # else an older send's diagnosis
            await self._show_diagnosis(message.exchange, message.diagnosis)

    async def _show_diagnosis(self, exchange: Any, d: Any) -> None:
        self.diagnosis = d
        estimate = None if d.code == CLOCK_CODE else self.session.estimate
        await self.query_one(DiagnosisPanel).show(d, exchange, estimate, self.session.use_offset)
        if d.code == CLOCK_CODE:
            self.measure_clock("after 30007")

    def on_body_formatted(self, message: BodyFormatted) -> None:
        if message.exchange is self.exchange:
            self.body_view.show_text(message.text, message.note, message.truncated)

    # -- copy as curl, sidebar ----------------------------------------------------------------------
    def action_copy_curl(self) -> None:
        self._copy_curl(script=False)

    def action_copy_curl_script(self) -> None:
        self._copy_curl(script=True)

    def _copy_curl(self, script: bool) -> None:
        from tui.console.curl import render_curl

        target = self.session.target
        draft = self.composer.draft(target.venue, target.profile) if target is not None else None
        text, title, problem = render_curl(target, draft, self.session.clock(), script)
        if problem:
            self.app.notify(problem, title="Copy as curl", severity="warning", markup=False)
            return
        self.app.copy_to_clipboard(text)
        from tui.console.curl import masked_for_display
        from tui.console.screens.curl import CurlScreen

        self.app.push_screen(CurlScreen(masked_for_display(text, target.venue.header_set), title))

    def action_search_body(self) -> None:
        self.query_one("#response-tabs").active = "tab-body"
        self.body_view.post_message(self.body_view.SearchRequested())

    # -- compare ------------------------------------------------------------------------------------
    def action_mark_exchange(self) -> None:
        if self.exchange is None or self.diagnosis is None:
            self.app.notify("Send something first: f4 marks the exchange on screen.", title="Compare", severity="warning")
            return
        self.marked = (self.exchange, self.diagnosis)
        self.app.notify(f"Marked {exchange_title(self.exchange, self.diagnosis)}. Send or open another, then f10 compares (or the palette: Compare).",
                        title="Compare", markup=False)

    def action_compare(self) -> None:
        if self.marked is None or self.exchange is None:
            self.app.notify("Mark an exchange with f4, then show another: f10 puts them side by side.", title="Compare", severity="warning")
            return
        from tui.console.compare import compare
        from tui.console.screens.compare import CompareScreen

        current = (self.exchange, self.diagnosis)
        self.app.push_screen(CompareScreen(compare(self.marked, current), "marked: " + exchange_title(*self.marked),
                                           "now: " + exchange_title(*current)))

    def action_jump(self, pane: str) -> None:
        """alt+1 .. alt+7: focus a pane (the sidebar is shown first if it is hidden)."""
        if pane == "sidebar":
            sidebar = self.query_one("#sidebar")
            if not sidebar.has_class("-visible"):
                self.action_toggle_sidebar()  # shows it and focuses its list
            else:
                sidebar.query_one("#saved-tree").focus()
            return
        if pane == "response":
            self.query_one("#response-tabs").active = "tab-body"
        found = self.query(JUMP_TARGETS[pane])
        if found:
            found.first().focus()

    def action_toggle_sidebar(self) -> None:
        sidebar = self.query_one("#sidebar")
        sidebar.toggle_class("-visible")
        if sidebar.has_class("-visible"):
            sidebar.shown()

    # -- saved requests, keys, probe (widgets/sidebar.py, screens/keys.py, screens/probe.py) ---------
    def action_save_draft(self) -> None:
        self.query_one("#sidebar").ask_and_save()

    def action_open_keys(self) -> None:
        from tui.console.screens.keys import KeysScreen

        self.app.push_screen(KeysScreen())

    def action_open_probe(self) -> None:
        from tui.console.screens.probe import ProbeScreen

        self.app.push_screen(ProbeScreen())
