"""The sidebar (ctrl+b): saved requests (tui.records.saved; a folder is a collection) and the send history
(tui.records.history, newest first).

enter opens an item into the composer; r replays it, signed afresh through tui.replay and the
console's one Wire, and the answer lands in the main screen like any send; delete removes a saved
request (after asking). ctrl+s on the main screen saves the composer's draft under a name
("folder/name" puts it in a collection). Files are read and written in thread workers; the history
list shows the newest HISTORY_CAP entries, so a full history costs one bounded read, not a UI stall.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static, Tree
from textual.widgets.tree import TreeNode
from textual.widgets.option_list import Option

from tui.console.drafts import open_draft, rebased, signer_note, signing_of
from tui.console.messages import ExchangeReceived, SendStarted, SidebarLoaded, SidebarNotice
from tui.console.records import HISTORY_SHOWN as HISTORY_CAP
from tui.output.terminal_safe import shown as escaped


class Sidebar(Vertical):
    HELP = """\
## Saved requests and history
**Saved**: your saved requests; a folder is a collection. **History**: every send, newest first
(the newest 200 are listed, each with the profile that signed it; the filter above the list keeps
the entries holding every word typed: a path, a code, a profile, a date). **enter** (or **o**)
opens the highlighted item into the composer, **r** replays it (signed afresh with a new timestamp
by the active profile, through the same send path as ctrl+j; a signed write to a real venue asks
first; when the item was saved with another profile the notice says so), **delete** removes a
saved request or a history entry (asks first), **g** reloads the lists.

**ctrl+s** saves what the composer holds; a name like `orders/cancel-one` puts it in the `orders`
collection. A saved request holds no key, secret, memo, signature or timestamp.
"""
    DEFAULT_CSS = """
    Sidebar .sidebar-heading {
        width: 1fr;
        padding: 0 1;
        color: $text-accent;
        text-style: bold;
    }
    Sidebar #saved-tree {
        height: 1fr;
        min-height: 4;
    }
    Sidebar #saved-empty {
        display: none;  /* shown when nothing is saved: a tree's line cannot wrap, this can */
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    Sidebar #history-list {
        height: 1fr;
        min-height: 4;
        border: none;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    Sidebar #history-filter {
        margin: 0 1;
    }
    Sidebar #sidebar-note {
        display: none;
        height: auto;
        max-height: 4;
        padding: 0 1;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open", "Open", id="sidebar.open", tooltip="Open the highlighted request in the composer (enter does the same)."),
        Binding("r", "replay", "Replay", id="sidebar.replay", tooltip="Replay the highlighted request, signed afresh."),
        Binding("delete", "delete", "Delete", id="sidebar.delete", tooltip="Delete the highlighted saved request."),
        Binding("g", "reload", "Reload", id="sidebar.reload", tooltip="Read the saved requests and the history again."),
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._all_history: list[dict[str, Any]] = []  # as loaded, newest first
        self._history: list[dict[str, Any]] = []  # what the list shows (the filter applied)
        self._history_total = 0
        self._loaded = False  # read the files only once the sidebar is first shown (start-up stays cheap)
        self._list = "saved-tree"  # the list r, o and delete act on: the one last focused

    def compose(self) -> ComposeResult:
        tree: Tree[Any] = Tree("saved", id="saved-tree")
        tree.show_root = False
        yield Static("Nothing saved yet: ctrl+s saves the request in the composer.", id="saved-empty")
        yield tree
        yield Label("History", classes="sidebar-heading", id="history-heading")
        yield Input(placeholder="filter: path, code, profile, date…", compact=True, id="history-filter")
        yield OptionList(id="history-list")
        yield Static("", id="sidebar-note")

    def shown(self) -> None:
        """The sidebar became visible: read the lists (the first time, or again), focus the saved tree."""
        self._loaded = True
        self.load()
        self.query_one("#saved-tree", Tree).focus()

    # -- loading ------------------------------------------------------------------------------------
    def action_reload(self) -> None:
        self._loaded = True
        self.load()

    @work(thread=True, group="sidebar-load", exclusive=True, exit_on_error=False, description="read saved requests and history")
    def load(self) -> None:
        listing = self.app.session.records.load()  # type: ignore[attr-defined]
        self.post_message(SidebarLoaded(listing.collections, listing.history, listing.history_total, listing.notes))

    def on_sidebar_loaded(self, message: SidebarLoaded) -> None:
        """Show the lists again, each highlight kept on the item it was on (a reload after a replay
        or a delete moved it onto another item, which r or delete then acted on)."""
        tree = self.query_one("#saved-tree", Tree)
        node = tree.cursor_node
        kept_file = node.data.path if node is not None and node.data is not None else None
        kept_leaf: TreeNode[Any] | None = None
        tree.clear()
        count = 0
        for collection, items in message.collections:
            parent = tree.root if not collection else tree.root.add(Text(f"{collection}/", style="bold"), data=None, expand=True)
            for item in items:
                if isinstance(item, Exception):
                    parent.add_leaf(Text(f"⚠ {item}", style="yellow"), data=None)
                else:
                    count += 1
                    label = Text.assemble((f"{item.draft.method:<6}", "dim"), item.name)
                    leaf = parent.add_leaf(label, data=item)
                    if item.path == kept_file:
                        kept_leaf = leaf
        if kept_leaf is not None:
            tree.last_line  # noqa: B018 - lays the new nodes out, so the leaf knows its line
            tree.move_cursor(kept_leaf)
        self.query_one("#saved-empty").display = count == 0
        self._all_history, self._history_total = message.history, message.history_total
        self._show_history()
        note = self.query_one("#sidebar-note", Static)
        note.update(Text("\n".join(message.notes), style="yellow"))
        note.display = bool(message.notes)

    def _show_history(self) -> None:
        terms = self.query_one("#history-filter", Input).value.lower().split()
        options = self.query_one("#history-list", OptionList)
        index = options.highlighted
        kept = self._history[index] if index is not None and index < len(self._history) else None
        self._history = [e for e in self._all_history if all(t in history_haystack(e) for t in terms)]
        options.clear_options()
        width = options.scrollable_content_region.width or None  # 0 before the first layout: no cut then
        options.add_options([Option(history_label(e, width), id=str(i)) for i, e in enumerate(self._history)])
        if kept is not None and kept in self._history:
            options.highlighted = self._history.index(kept)  # equal entries are the same request: either will do
        loaded, total = len(self._all_history), self._history_total
        heading = f"History ({loaded})" if loaded == total else f"History ({loaded} of {total})"
        if terms:
            heading += f": {len(self._history)} match"
        self.query_one("#history-heading", Label).update(heading)

    def on_resize(self) -> None:
        if self._all_history:  # the paths are cut to the list's width: cut them again
            self.call_after_refresh(self._show_history)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "history-filter":
            event.stop()
            self._show_history()

    @property
    def saved_count(self) -> int:
        return sum(1 for node in _leaves(self.query_one("#saved-tree", Tree).root) if node.data is not None)

    @property
    def history_entries(self) -> list[dict[str, Any]]:
        return list(self._history)

    # -- what is highlighted --------------------------------------------------------------------------
    def on_descendant_focus(self, event: Any) -> None:
        if event.widget.id in ("saved-tree", "history-list"):
            self._list = event.widget.id

    def selected(self) -> tuple[str, Any] | None:
        """("saved", SavedRequest) or ("history", entry): the highlighted item of the list last
        focused, and only of that one (falling back to the other list acted on an item not in view)."""
        if self._list == "history-list":
            index = self.query_one("#history-list", OptionList).highlighted
            return ("history", self._history[index]) if index is not None and index < len(self._history) else None
        node = self.query_one("#saved-tree", Tree).cursor_node
        return ("saved", node.data) if node is not None and node.data is not None else None

    def _draft_of(self, kind: str, item: Any) -> tuple[Any, str, str] | None:
        """(draft, name, notes) of a saved request or a history entry; None after saying why not."""
        if kind == "saved":
            return item.draft, item.name, item.notes
        from tui.records.history import HistoryError, entry_draft

        try:
            draft = entry_draft(item)
        except HistoryError as exc:
            self._notify(str(exc), "error")
            return None
        return draft, item.get("name") or f"{draft.method} {draft.path}", item.get("notes") or ""

    # -- open -------------------------------------------------------------------------------------
    async def on_tree_node_selected(self, event: Tree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            await self.open_item("saved", event.node.data)

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = event.option_index
        if 0 <= index < len(self._history):
            await self.open_item("history", self._history[index])

    async def action_open(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self._notify("Highlight a saved request or a history entry to open.", "warning")
            return
        await self.open_item(*chosen)

    async def open_item(self, kind: str, item: Any) -> None:
        found = self._draft_of(kind, item)
        if found is not None:
            await open_draft(self.app, found[0])
            target = self.app.session.target  # type: ignore[attr-defined]
            self._notify(f"Opened {found[1]} in the composer.{signer_note(found[0], target) if target else ''}")

    # -- save -------------------------------------------------------------------------------------
    def ask_and_save(self) -> None:
        """ctrl+s: ask for a name, then save the composer's draft (no credentials can reach the file)."""
        app: Any = self.app
        target = app.session.target
        if target is None:
            self._notify("Nothing to save yet: the console has no venue (the emulator is still starting).", "warning")
            return
        draft = app.main_screen.composer.draft(target.venue, target.key_file_profile)
        from tui.console.screens.dialogs import AskScreen

        suggestion = draft.path.strip("/").split("/")[-1] or "request"
        question = f"Save {draft.method} {draft.path} as (letters, digits, . _ -; folder/name puts it in a collection):"
        app.push_screen(AskScreen(question, "Save the request", suggestion), callback=lambda name: self._save_as(draft, name))

    def _save_as(self, draft: Any, name: str | None) -> None:
        if name:
            self._write(self.app.session.records.save(draft, name))  # type: ignore[attr-defined]

    @work(group="sidebar-write", exit_on_error=False, description="wait for a write to the saved requests or the history")
    async def _write(self, future: Any) -> None:
        """Wait for the records' writer (it says what happened through SidebarNotice)."""
        import asyncio

        await asyncio.wrap_future(future)

    # -- delete -----------------------------------------------------------------------------------
    def action_delete(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self._notify("Highlight a saved request or a history entry to delete.", "warning")
            return
        from tui.console.screens.dialogs import ConfirmScreen

        records = self.app.session.records  # type: ignore[attr-defined]
        if chosen[0] == "history":
            entry = chosen[1]
            question = f"Delete the history entry {entry.get('time', '')} {entry.get('method', '?')} {entry.get('path', '?')}?"
            self.app.push_screen(ConfirmScreen(question, "Delete a history entry"),
                                 callback=lambda yes: self._write(records.forget(entry)) if yes else None)
            return
        item = chosen[1]

        question = f"Delete the saved request {item.name} ({item.path})?"
        self.app.push_screen(ConfirmScreen(question, "Delete a saved request"), callback=lambda yes: self._write(records.delete(item)) if yes else None)

    def notice(self, sentence: str, severity: str = "information") -> None:
        """Something was written (or could not be): say so, and show the lists again if they are shown."""
        if sentence:
            self._notify(sentence, severity)
        if self._loaded:
            self.load()

    def on_sidebar_notice(self, message: SidebarNotice) -> None:
        message.stop()
        self.notice(message.sentence, message.severity)

    # -- replay -----------------------------------------------------------------------------------
    async def action_replay(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self._notify("Highlight a saved request or a history entry to replay.", "warning")
            return
        found = self._draft_of(*chosen)
        if found is None:
            return
        draft, name, notes = found
        app: Any = self.app
        target = app.session.target
        if target is None:
            self._notify("Nothing to replay with yet: the console has no venue.", "warning")
            return
        from tui.console.screens.dialogs import confirm_send
        from tui.replay import ReplayJob

        job = ReplayJob(name, rebased(draft, target), f"sidebar {chosen[0]}", notes)
        await open_draft(app, job.draft)
        # The send key's gate: a signed write to a real venue asks first, unless trusted this session
        confirm_send(app, job.draft, target, go=lambda: self.replay(job, target),
                     refused=lambda sentence: self._notify(f"Not replayed: {sentence}", "warning"))

    @work(group="replay", exclusive=True, exit_on_error=False, description="replay a request")
    async def replay(self, job: Any, target: Any) -> None:
        app: Any = self.app
        main = app.main_screen
        if app.session.target is not target:  # switched while the question was open: what was confirmed is gone
            self.post_message(SidebarNotice("Not replayed: the profile changed before the replay went; replay it again.", "warning"))
            return
        warnings: list[str] = []
        main.post_message(SendStarted(job.draft))
        try:  # on the session's network thread; the session records it as a replay signed by the active profile
            results = await app.session.replay([job], signing_of(app), target, on_warning=warnings.append)
        except Exception as exc:  # noqa: BLE001 - a sentence, never a crash
            self.post_message(SidebarNotice(f"The replay failed unexpectedly: {type(exc).__name__}: {exc}", "error"))
            return
        result = results[0]
        main.post_message(ExchangeReceived(result.exchange, result.diagnosis))
        for warning in warnings:
            self.post_message(SidebarNotice(warning, "warning"))
        said = result.message if result.message.endswith(".") else f"{result.message}."
        self.post_message(SidebarNotice(f"Replayed {job.name}: {result.outcome}, {said}{signer_note(job.draft, target)}"))

    def _notify(self, sentence: str, severity: str = "information") -> None:
        self.app.notify(sentence, title="Saved requests", severity=severity, markup=False)  # type: ignore[arg-type]


def _leaves(node: Any) -> list[Any]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_leaves(child))
    return out


def history_haystack(entry: dict[str, Any]) -> str:
    """What the history filter looks in: date and time, method, path, status, code, profile, name, source."""
    fields = ("time", "method", "path", "status", "code", "profile", "signer", "name", "source", "failure")
    return " ".join(str(entry.get(f) or "") for f in fields).lower()


def history_label(entry: dict[str, Any], width: int | None = None) -> Text:
    """Two lines, neither wrapped: `1000 POST 10:02:00 · emu-good (submit)` (the code red when it is
    not 1000), then the path, whole or, wider than `width`, cut at its start (`…/private/assets-detail`:
    the end tells entries apart, `/contract/private…` read the same on every line at 80x24). The code comes
    first: a narrow sidebar (80x24) cut `10:02:00 POST 30005` to `10:02:00 POST 3000…`. Every field is the
    history file's text: control characters shown escaped (tui.output.terminal_safe)."""
    when = escaped(str(entry.get("time") or "")[11:19])
    status, code = entry.get("status"), entry.get("code")
    label = Text(no_wrap=True, overflow="ellipsis")
    if entry.get("failure"):
        label.append(escaped(entry["failure"]), style="red")
    elif code is not None:
        label.append(escaped(code), style="green" if code == 1000 else "red")
    else:
        label.append(f"HTTP {escaped(status) if status is not None else '-'}", style="dim")
    label.append(f" {escaped(entry.get('method', '?'))}", style="bold")
    label.append(f" {when}", style="dim")
    who = entry.get("profile") or str(entry.get("signer") or "").split(" #")[0]  # "demo", not its fingerprint: narrow
    if who:
        label.append(f" · {escaped(who)}", style="cyan")
    if entry.get("name"):
        label.append(f" ({escaped(entry['name'])})", style="dim")
    path = escaped(entry.get("path", "?"))
    if width is not None and len(path) > width > 1:
        path = "…" + path[len(path) - width + 1:]
    label.append(f"\n{path}")
    return label
