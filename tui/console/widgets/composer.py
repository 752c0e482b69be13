"""The composer: venue and key labels, method, path (with endpoint suggestions), auth level, query
rows and the JSON body. It only edits a Draft; signing and sending happen elsewhere.

Only the target line and the request row (method and path) are real widgets in the first frame: the
auth row, the query and header tables, the body's label and the two Selects and the TextArea are
painted as look-alike placeholders (two Statics) and built right after it (mount_editors). Each
widget costs the first frame time (benchmarks/startup.py), and the path field is all a person can
type into before the editors are there."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from keys.payload import BODY_SIGNED_METHODS
from tui.console.widgets.query_table import QueryTable

if TYPE_CHECKING:
    from textual.widgets import Select, TextArea

    from tui.endpoints import Endpoint
    from tui.exchange import Draft
    from tui.venues import Venue

METHODS = ("GET", "POST", "PUT", "DELETE")
BODY_METHODS = BODY_SIGNED_METHODS  # signed over their body; GET and DELETE over their query string
AUTH_LEVELS = (("none", "none"), ("keyed", "keyed"), ("signed", "signed"))
START_METHOD, START_PATH, START_AUTH = "GET", "/contract/private/assets-detail", "keyed"


def body_label(method: str) -> str:
    if method.upper() in BODY_METHODS:
        return "Body (JSON, sent and signed exactly as typed)"
    return f"Body (a {method.upper()} signs its query, not a body)"


def body_placeholder(method: str) -> str:
    return "{}" if method.upper() in BODY_METHODS else f"none: a {method.upper()} sends no body"


def select_look_alike(value: str) -> str:
    """A compact Select of width 10 showing `value`, as text: `GET     ▼ `."""
    return f"{value:<8}▼ "


class Composer(Vertical):
    HELP = """\
## Composer
What will be sent. **Method** and **path** pick the endpoint; the path field completes known
endpoints (press **right** to accept) and the line below names the endpoint and its documented
auth level. **Auth** follows the endpoint table; change it to see what a wrong level does.

**Body**: the JSON sent with POST/PUT, byte for byte, and signed as typed. A GET or DELETE is
signed over its query string instead and normally carries no body (one typed there is sent but not
signed, and the line under the editor says so). Invalid JSON is flagged here and refused at send.
**Tab** leaves the editor (it never types into the body); type spaces to indent.
The command palette (**ctrl+p**, "Endpoint: …") fills in any known endpoint with a sample query
and body.
"""

    class Changed(Message):
        """Something in the draft changed (for the live signing preview)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.family = "bitmart"
        self._venue: Venue | None = None
        self._venue_label = ""
        self._configured = False

    def compose(self) -> ComposeResult:
        yield Static("…", id="target-line")
        yield Static("", id="venue-notice")  # a venue winding down says so here (tui.diagnosis.venue_state.notice_line)
        with Horizontal(id="request-row"):
            yield Static(select_look_alike(START_METHOD), id="method-slot", classes="select-slot")
            yield Input(START_PATH, placeholder="/path", compact=True, id="path")
        yield Static(self._rows_look_alike(), id="rows-slot")
        yield Static(Text(body_placeholder(START_METHOD), style="dim"), id="body-slot")

    def _rows_look_alike(self) -> str:
        """The auth row, the two tables' headings and the body's label, line for line as the real
        widgets lay them out (a blank line above each table, none on a short terminal: app.tcss)."""
        gap = "" if self.screen.has_class("-short") else "\n"
        auth = f"[$text-muted]Auth[/] [on $surface]{select_look_alike(START_AUTH)}[/]"
        query, headers = (QueryTable.HEADINGS[kind][0] for kind in ("query", "header"))
        return f"{auth}\n{gap}{query}\n{gap}{headers}\n[$text-muted]{body_label(START_METHOD)}[/]"

    async def mount_editors(self) -> None:
        """Replace the placeholders with the real rows: the Selects, the tables and the body editor."""
        from textual.widgets import Select, TextArea

        method = Select([(m, m) for m in METHODS], value=START_METHOD, allow_blank=False, compact=True, id="method")
        auth = Select(list(AUTH_LEVELS), value=START_AUTH, allow_blank=False, compact=True, id="auth")
        rows = (
            Horizontal(Label("Auth", classes="field-label"), auth, Static("", id="endpoint-hint"), id="auth-row"),
            QueryTable(id="query"),
            QueryTable("header", id="headers"),
            Label(body_label(START_METHOD), classes="field-label", id="body-label"),
        )
        body = TextArea("", id="body", soft_wrap=True, tab_behavior="focus", compact=True, placeholder=body_placeholder(START_METHOD))
        async with self.batch():  # one new frame, not one per swap
            await self.query_one("#request-row").mount(method, before="#method-slot")
            await self.mount_all(rows, before="#rows-slot")
            await self.mount_all((body, Static("", id="body-error")), before="#body-slot")
            await self.query("#method-slot, #rows-slot, #body-slot").remove()

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
        query = self.query_one("#query", QueryTable).pairs()
        headers = self.query_one("#headers", QueryTable).pairs()
        return Draft(venue, self.method, path if path.startswith("/") else f"/{path}", query, self.body, auth, profile, headers=headers)

    # -- writing ------------------------------------------------------------------------------------
    def configure(self, venue: Venue, key_label: str, venue_label: str | None = None, notice: str = "") -> None:
        """Called when the target is known: venue labels (with a winding-down venue's one-line notice) and
        the endpoint list of its family."""
        from tui import endpoints

        self.family = venue.family
        self._venue = venue
        self._venue_label = venue_label or venue.name
        self.show_key(key_label)
        shown = self.query_one("#venue-notice", Static)
        shown.update(Text(f"⚠ {notice}", style="bold yellow") if notice else "")
        shown.set_class(bool(notice), "-shown")
        paths = list(dict.fromkeys(e.path for e in endpoints.suggestions("", venue.family)))
        self.query_one("#path", Input).suggester = SuggestFromList(paths, case_sensitive=False)
        self._configured = True
        self._update_hint(set_auth=False)
        self.check_body()
        self._path_from_start()

    def show_key(self, key_label: str) -> None:
        venue = self._venue
        line = Text.assemble(("Venue ", "dim"), (self._venue_label if venue else "…", "bold"), ("   Key ", "dim"), (key_label, "bold"))
        self.query_one("#target-line", Static).update(line)

    async def load_endpoint(self, endpoint: Endpoint) -> None:
        """Fill in a known endpoint with its sample query and body."""
        self.query_one("#method").value = endpoint.method  # type: ignore[attr-defined]
        self.query_one("#path", Input).value = endpoint.path
        await self.query_one("#query", QueryTable).set_pairs(list(endpoint.sample_query))
        self.query_one("#body").text = endpoint.sample_body  # type: ignore[attr-defined]
        self.query_one("#auth").value = endpoint.auth.value  # type: ignore[attr-defined]
        self._update_hint(set_auth=True)
        self._path_from_start()

    async def load_draft(self, draft: Draft) -> None:
        """Show a draft as it was saved (the sidebar opens and replays through this): method, path,
        auth level, query rows and body. The fields are set with their change messages held back:
        the composer's own handlers would re-derive the auth level from the endpoint table, and a
        saved request may use another level. The hint, the body line and the preview follow once."""
        from textual.widgets import Select, TextArea

        with self.prevent(Input.Changed, Select.Changed):
            self.query_one("#method", Select).value = draft.method.upper()
            self.query_one("#path", Input).value = draft.path
            self.query_one("#auth", Select).value = draft.auth_level.value
        await self.query_one("#query", QueryTable).set_pairs(list(draft.query))
        await self.query_one("#headers", QueryTable).set_pairs(list(draft.headers))
        self.query_one("#body", TextArea).text = draft.body
        self._update_hint(set_auth=False)
        self.check_body()
        self._path_from_start()
        self.post_message(self.Changed())

    def check_body(self) -> str | None:
        """Say under the editor what becomes of the body: an invalid JSON body is flagged
        (Draft.body_error's sentence; the send refuses it), and for a GET or DELETE that the body is
        not signed. Returns the error sentence, or None."""
        if not self.query("#body"):
            return None  # the editors are still placeholders (the first frame)
        method, body = self.method, self.body
        error = None
        if self._venue is not None:
            from tui.exchange import Draft

            error = Draft(self._venue, method, self.path or "/", body=body).body_error()
        self.query_one("#body-label", Label).update(body_label(method))
        editor = self.query("#body")
        if editor:
            editor.first().placeholder = body_placeholder(method)  # type: ignore[attr-defined]
        widget = self.query_one("#body-error", Static)
        if error:
            widget.update(Text(f"{error} It will not be sent."))
        elif body.strip() and method.upper() not in BODY_METHODS:
            widget.update(Text(f"A {method.upper()} is signed over its query string: this body would be sent as typed, but not signed."))
        else:
            widget.update("")
        widget.set_class(error is not None, "-error")
        widget.set_class(error is None and bool(body.strip()) and method.upper() not in BODY_METHODS, "-warning")
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

    def _path_from_start(self) -> None:
        """A long path in a narrow field shows its start (`/contract/priv…`), not its last characters
        (`ct/private/assets-detail`), unless someone is typing in it."""
        path = self.query_one("#path", Input)
        if not path.has_focus:
            path.cursor_position = 0

    def on_descendant_blur(self, event: Any) -> None:
        if getattr(event.widget, "id", None) == "path":
            self._path_from_start()

    # -- events -------------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "path":
            self._update_hint(set_auth=True)
        self.post_message(self.Changed())

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "method":
            self._update_hint(set_auth=True)
            self.check_body()
        self.post_message(self.Changed())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.check_body()
        self.post_message(self.Changed())

    def on_query_table_changed(self, event: QueryTable.Changed) -> None:
        self.post_message(self.Changed())
