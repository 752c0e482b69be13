"""The composer: venue and key labels, method, path (with endpoint suggestions), auth level, query
rows and the JSON body. It only edits a Draft; signing and sending happen elsewhere.

The two Selects and the TextArea are the costliest widgets of the first frame, so it is painted
with look-alike placeholders and they are swapped in right after (mount_editors)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from tui.console.widgets.query_table import QueryTable

if TYPE_CHECKING:
    from textual.widgets import Select, TextArea

    from tui.endpoints import Endpoint
    from tui.exchange import Draft
    from tui.venues import Venue

METHODS = ("GET", "POST", "PUT", "DELETE")
AUTH_LEVELS = (("none", "none"), ("keyed", "keyed"), ("signed", "signed"))
START_METHOD, START_PATH, START_AUTH = "GET", "/contract/private/assets-detail", "keyed"


class Composer(Vertical):
    HELP = """\
## Composer
What will be sent. **Method** and **path** pick the endpoint; the path field completes known
endpoints (press **right** to accept) and the line below names the endpoint and its documented
auth level. **Auth** follows the endpoint table; change it to see what a wrong level does.

**Body**: the JSON sent with POST/PUT, byte for byte, and signed as typed. Invalid JSON is flagged
here and refused at send. The command palette (**ctrl+p**, "Endpoint: …") fills in any known
endpoint with a sample query and body.
"""

    class Changed(Message):
        """Something in the draft changed (for the live signing preview)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.family = "bitmart"
        self._venue: Venue | None = None
        self._configured = False

    def compose(self) -> ComposeResult:
        yield Static("…", id="target-line")
        with Horizontal(id="request-row"):
            yield Static(f"{START_METHOD} ▼", id="method-slot", classes="select-slot")
            yield Input(START_PATH, placeholder="/path", compact=True, id="path")
        with Horizontal(id="auth-row"):
            yield Label("Auth", classes="field-label")
            yield Static(f"{START_AUTH} ▼", id="auth-slot", classes="select-slot")
            yield Static("", id="endpoint-hint")
        yield QueryTable(id="query")
        yield Label("Body (JSON, sent and signed exactly as typed)", classes="field-label")
        yield Static(Text("{}  (POST/PUT only)", style="dim"), id="body-slot")
        yield Static("", id="body-error")

    async def mount_editors(self) -> None:
        """Replace the placeholders with the real Selects and the body editor."""
        from textual.widgets import Select, TextArea

        method = Select([(m, m) for m in METHODS], value=START_METHOD, allow_blank=False, compact=True, id="method")
        auth = Select(list(AUTH_LEVELS), value=START_AUTH, allow_blank=False, compact=True, id="auth")
        body = TextArea("", id="body", soft_wrap=True, tab_behavior="indent", compact=True, placeholder="{}  (POST/PUT only)")
        for widget, slot in ((method, "#method-slot"), (auth, "#auth-slot"), (body, "#body-slot")):
            placeholder = self.query_one(slot)
            await placeholder.parent.mount(widget, after=placeholder)  # type: ignore[union-attr]
            await placeholder.remove()

    # -- reading ------------------------------------------------------------------------------------
    @property
    def method(self) -> str:
        return str(self.query_one("#method").value)  # type: ignore[attr-defined]

    @property
    def path(self) -> str:
        return self.query_one("#path", Input).value.strip()

    @property
    def body(self) -> str:
        return self.query_one("#body").text  # type: ignore[attr-defined]

    def draft(self, venue: Venue, profile: str | None = None) -> Draft:
        from keys.signing import AuthLevel
        from tui.exchange import Draft

        path = self.path or "/"
        auth = AuthLevel(str(self.query_one("#auth").value))  # type: ignore[attr-defined]
        query = self.query_one(QueryTable).pairs()
        return Draft(venue, self.method, path if path.startswith("/") else f"/{path}", query, self.body, auth, profile)

    # -- writing ------------------------------------------------------------------------------------
    def configure(self, venue: Venue, key_label: str) -> None:
        """Called when the target is known: venue labels and the endpoint list of its family."""
        from tui import endpoints

        self.family = venue.family
        self._venue = venue
        self.show_key(key_label)
        paths = list(dict.fromkeys(e.path for e in endpoints.suggestions("", venue.family)))
        self.query_one("#path", Input).suggester = SuggestFromList(paths, case_sensitive=False)
        self._configured = True
        self._update_hint(set_auth=False)
        self.check_body()

    def show_key(self, key_label: str) -> None:
        venue = self._venue
        line = Text.assemble(("Venue ", "dim"), (venue.name if venue else "…", "bold"), ("   Key ", "dim"), (key_label, "bold"))
        self.query_one("#target-line", Static).update(line)

    async def load_endpoint(self, endpoint: Endpoint) -> None:
        """Fill in a known endpoint with its sample query and body."""
        self.query_one("#method").value = endpoint.method  # type: ignore[attr-defined]
        self.query_one("#path", Input).value = endpoint.path
        await self.query_one(QueryTable).set_pairs(list(endpoint.sample_query))
        self.query_one("#body").text = endpoint.sample_body  # type: ignore[attr-defined]
        self.query_one("#auth").value = endpoint.auth.value  # type: ignore[attr-defined]
        self._update_hint(set_auth=True)

    def check_body(self) -> str | None:
        """Flag an invalid JSON body under the editor (Draft.body_error's sentence, or None)."""
        error = None
        if self._venue is not None:
            from tui.exchange import Draft

            error = Draft(self._venue, self.method, self.path or "/", body=self.body).body_error()
        widget = self.query_one("#body-error", Static)
        widget.update(Text(f"{error} It will not be sent." if error else ""))
        widget.set_class(error is not None, "-error")
        return error

    def _update_hint(self, set_auth: bool) -> None:
        if not self._configured:
            return
        from tui import endpoints

        method, path = self.method, self.path
        hint = Text()
        known = endpoints.lookup(method, path)
        if known is not None:
            hint.append(f"{known.summary}", style="bold")
            hint.append(f" · documented: {known.auth.value}")
        elif path:
            hint.append("Not in keyprobe's endpoint table: signed by default.", style="dim")
        others = [e for e in endpoints.suggestions(path, self.family) if e is not known][:3]
        if others:
            hint.append("   also: " if hint.plain else "", style="dim")
            hint.append(" · ".join(f"{e.method} {e.path} ({e.auth.value})" for e in others), style="dim")
        self.query_one("#endpoint-hint", Static).update(hint)
        if set_auth:
            auth = endpoints.default_auth(method, path).value
            select = self.query_one("#auth")
            if select.value != auth:  # type: ignore[attr-defined]
                select.value = auth

    # -- events -------------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "path":
            self._update_hint(set_auth=True)
        self.post_message(self.Changed())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "method":
            self._update_hint(set_auth=True)
        self.post_message(self.Changed())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.check_body()
        self.post_message(self.Changed())

    def on_query_table_changed(self, event: QueryTable.Changed) -> None:
        self.post_message(self.Changed())
