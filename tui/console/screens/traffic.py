"""The Traffic view: the diagnosing proxy's exchanges, live, with the diagnosis of the highlighted one.

The proxy (tui.proxy.Proxy) is started and stopped from the palette; it runs on its own threads. Its
observer calls our listener from its thread, which only posts a message; the handler adds the row.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from tui.output.terminal_safe import shown

DEFAULT_PORT = 8650
# The rows kept, as the proxy keeps its inspections: the newest KEEP_ROWS, within KEEP_BYTES of bodies. A bot
# sending large bodies grew this view without end while it was open (~2 MB a row; fresh-eyes attack on 26ca1db).
KEEP_ROWS = 1000
KEEP_BYTES = 64 * 1024 * 1024


class Exchanged(Message):
    def __init__(self, inspection: Any) -> None:
        super().__init__()
        self.inspection = inspection


class ProxyChanged(Message):
    def __init__(self, sentence: str) -> None:
        super().__init__()
        self.sentence = sentence


def _proxy(app: Any) -> Any:
    return getattr(app, "keyprobe_proxy", None)


def start_proxy(app: Any) -> None:
    """Start the proxy in front of the console's current venue (from a thread worker: it binds a socket)."""
    if _proxy(app) is not None:
        app.notify(f"The proxy already listens on {_proxy(app).base_url}.", title="Proxy", markup=False)
        return

    def start() -> None:
        from tui.proxy import Proxy, UpstreamRefused
        from tui.console.screens.inspect_paste import key_material

        target = app.session.target
        upstream = target.venue.base_url if target is not None else "emulator"
        allowed = None if target is None or target.venue.is_emulator else target.allowed_hosts
        sentence = ""
        for port in (DEFAULT_PORT, 0):
            try:
                proxy = Proxy(upstream, allowed_hosts=allowed, port=port, credentials=key_material(app)).start()
            except UpstreamRefused as exc:
                sentence = f"The proxy cannot forward there: {exc}"
                break
            except OSError as exc:
                sentence = f"The proxy cannot listen: {exc.strerror or exc}."
                continue
            app.keyprobe_proxy = proxy
            sentence = f"Proxy listening on {proxy.base_url}, forwarding to {proxy.upstream.base_url}. Point your bot there."
            break
        app.call_from_thread(app.notify, sentence, title="Proxy", markup=False)
        for screen in app.screen_stack:
            if isinstance(screen, TrafficScreen):
                screen.post_message(ProxyChanged(sentence))

    app.run_worker(start, thread=True, group="proxy")


def stop_proxy(app: Any) -> None:
    proxy = _proxy(app)
    if proxy is None:
        app.notify("The proxy is not running.", title="Proxy", markup=False)
        return
    app.keyprobe_proxy = None

    def stop() -> None:
        proxy.stop()
        app.call_from_thread(app.notify, "Proxy stopped.", title="Proxy", markup=False)

    app.run_worker(stop, thread=True, group="proxy")


class TrafficScreen(Screen[None]):
    CSS_PATH = "inspect.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "app.pop_screen", "Back", id="traffic.back", tooltip="Back to the composer."),
        Binding("s", "toggle_proxy", "Start/stop proxy", id="traffic.toggle", tooltip="Start or stop the proxy."),
    ]
    HELP = ("## Traffic\nThe proxy's exchanges, newest last: method, path, code, the signature verdict and lint "
            "errors. The highlighted one's findings and diagnosis are below. **s** starts or stops the proxy.")

    def compose(self) -> ComposeResult:
        yield Label("", id="traffic-status")
        table: DataTable[Any] = DataTable(id="traffic-table", cursor_type="row")
        table.add_columns("#", "method", "path", "code", "signature", "lint errors")
        yield table
        from tui.console.widgets.token_wrap import TokenWrapped

        with VerticalScroll(id="traffic-detail-scroll"):
            # TokenWrapped: a wrapped signed or expected line keeps its ^ / | marks under their characters
            yield TokenWrapped(Text("Highlight an exchange to see its diagnosis.", style="dim"), id="traffic-detail")
        yield Footer()

    def on_mount(self) -> None:
        self._traffic: list[Any] = []  # the kept rows' inspections, oldest first
        self._sizes: list[int] = []  # the body bytes each holds
        self._seen = 0  # exchanges shown since the view opened: the number of the newest row
        self._listener: Any = None
        self._connect_proxy()

    def on_unmount(self) -> None:
        proxy = _proxy(self.app)
        if proxy is not None and self._listener in proxy.listeners:
            proxy.listeners.remove(self._listener)

    def _connect_proxy(self) -> None:
        proxy = _proxy(self.app)
        status = self.query_one("#traffic-status", Label)
        if proxy is None:
            status.update(Text("The proxy is not running: press s (or the palette's \"Proxy: start\").", style="yellow"))
            return
        status.update(Text(f"Proxy on {proxy.base_url} -> {proxy.upstream.base_url}", style="green"))
        if self._listener is None:
            self._listener = lambda inspection, relayed: self.post_message(Exchanged(inspection))
            proxy.listeners.append(self._listener)
            for inspection in list(proxy.inspections):
                self._add_row(inspection)

    def action_toggle_proxy(self) -> None:
        if _proxy(self.app) is None:
            start_proxy(self.app)
        else:
            stop_proxy(self.app)
            self._listener = None
            self.query_one("#traffic-status", Label).update(Text("Proxy stopped.", style="yellow"))

    @on(ProxyChanged)
    def _on_proxy_changed(self, message: ProxyChanged) -> None:
        self._connect_proxy()

    @on(Exchanged)
    def _on_exchanged(self, message: Exchanged) -> None:
        self._add_row(message.inspection)

    def _add_row(self, ins: Any) -> None:
        self._traffic.append(ins)
        self._sizes.append(len(ins.request.body) + (len(ins.request.response.body) if ins.request.response is not None else 0))
        self._seen += 1
        d, v = ins.diagnosis, ins.verdict
        code = str(d.code) if d is not None and d.code is not None else "-"
        verdict = v.status + (f" ({', '.join(v.variants)})" if v.variants else "")
        errors = ", ".join(f.id for f in ins.findings if f.severity == "error")
        # The method and target are the client's bytes: an OSC 52 or an alternate-screen exit in a target
        # reached the terminal from this table (issue 21, finding 3). Text(), never markup.
        self.query_one("#traffic-table", DataTable).add_row(
            str(self._seen), Text(shown(ins.request.method)), Text(shown(ins.request.target)[:80]), code, Text(shown(verdict)), errors)
        table = self.query_one("#traffic-table", DataTable)
        while len(self._traffic) > 1 and (len(self._traffic) > KEEP_ROWS or sum(self._sizes) > KEEP_BYTES):
            del self._traffic[0], self._sizes[0]
            table.remove_row(table.ordered_rows[0].key)

    @on(DataTable.RowHighlighted)
    def _on_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        from tui.console.widgets.diagnosis import advice_text, title_text
        from tui.console.widgets.token_wrap import TokenWrapped
        from tui.inspect.render import lines

        if not 0 <= event.cursor_row < len(self._traffic):
            return
        ins = self._traffic[event.cursor_row]
        out = Text()
        for line in lines(self._seen - len(self._traffic) + event.cursor_row + 1, ins):
            out.append_text(line)
            out.append("\n")
        if ins.diagnosis is not None:
            out.append("\n")
            out.append_text(title_text(ins.diagnosis))
            if ins.diagnosis.code != 1000:
                out.append("\n")
                out.append_text(advice_text(ins.diagnosis))
        self.query_one("#traffic-detail", TokenWrapped).show(out)


def open_traffic(app: Any) -> None:
    app.push_screen(TrafficScreen())


def copy_python(app: Any) -> None:
    """The composer's request as a Python script (httpx + hmac, $KEYPROBE_* credentials), to the clipboard."""
    from tui.console.screens.curl import CurlScreen
    from tui.python_export import python_script

    target = app.session.target
    draft = app.main_screen.composer.draft(target.venue, target.profile) if target is not None else None
    problem = "Nothing to copy yet: the console has no venue." if draft is None else draft.body_error()
    if problem:
        app.notify(problem, title="Copy as Python", severity="warning", markup=False)
        return
    text = python_script(draft)
    app.copy_to_clipboard(text)
    app.push_screen(CurlScreen(text, "Python script: signs with $KEYPROBE_API_KEY, $KEYPROBE_SECRET, $KEYPROBE_MEMO"))


def palette_entries(app: Any) -> list[Any]:
    """Inspect and proxy entries for the command palette (commands.entries() adds these)."""
    from tui.console.palette_entry import Entry
    from tui.console.screens.inspect_paste import open_paste_box

    running = _proxy(app) is not None
    return [
        Entry("Copy as Python script ($KEYPROBE_* variables)", "httpx + hmac, signing and sending exactly as keyprobe does",
              lambda: copy_python(app)),
        Entry("Inspect: paste a request your code sent", "curl, raw HTTP, ccxt log or HAR: lint, signature, diagnosis (f9)",
              lambda: open_paste_box(app)),
        Entry("Traffic: the proxy's exchanges, live", "Each exchange with its lint, signature verdict and diagnosis",
              lambda: open_traffic(app)),
        Entry("Proxy: stop" if running else "Proxy: start in front of this venue",
              "A loopback pass-through your bot points at; every exchange diagnosed",
              (lambda: stop_proxy(app)) if running else (lambda: start_proxy(app))),
    ]
