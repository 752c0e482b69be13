"""The sidebar (ctrl+b): saved requests (tui.saved; a folder is a collection) and the send history
(tui.history, newest first).

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
from textual.widgets import Label, OptionList, Static, Tree
from textual.widgets.option_list import Option

from tui.console.drafts import open_draft, rebased, signing_for
from tui.console.messages import ExchangeReceived, SendStarted, SidebarLoaded, SidebarNotice

HISTORY_CAP = 200


class Sidebar(Vertical):
    HELP = """\
## Saved requests and history
**Saved**: your saved requests; a folder is a collection. **History**: every send, newest first
(the newest 200 are listed). **enter** (or **o**) opens the highlighted item into the composer, **r** replays
it (signed afresh with a new timestamp, through the same send path as ctrl+j; a signed write to a
real venue asks first), **delete** removes a saved request (asks first), **g** reloads the lists.

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
    Sidebar #history-list {
        height: 1fr;
        min-height: 4;
        border: none;
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
        self._history: list[dict[str, Any]] = []
        self._replayed: list[Any] = []  # drafts of replays in flight: tui.replay records those itself
        self._loaded = False  # read the files only once the sidebar is first shown (start-up stays cheap)

    def compose(self) -> ComposeResult:
        tree: Tree[Any] = Tree("saved", id="saved-tree")
        tree.show_root = False
        yield tree
        yield Label("History", classes="sidebar-heading", id="history-heading")
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
        from tui import history, paths, saved

        notes: list[str] = []
        root = paths.saved_dir()
        collections: list[tuple[str, list[Any]]] = [("", saved.listing(root))]
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
        except OSError as exc:
            folders = []
            notes.append(f"Could not list {root}: {exc.strerror or exc}.")
        collections += [(folder.name, saved.listing(folder)) for folder in folders]
        try:
            log = history.read()
        except history.HistoryError as exc:
            entries, total = [], 0
            notes.append(str(exc))
        else:
            entries, total = log.newest_first()[:HISTORY_CAP], len(log.entries)
            if log.skipped_sentence():
                notes.append(log.skipped_sentence() or "")
        self.post_message(SidebarLoaded(collections, entries, total, notes))

    def on_sidebar_loaded(self, message: SidebarLoaded) -> None:
        tree = self.query_one("#saved-tree", Tree)
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
                    parent.add_leaf(label, data=item)
        if count == 0:
            tree.root.add_leaf(Text("nothing saved yet: ctrl+s saves the request", style="dim"), data=None)
        self._history = message.history
        options = self.query_one("#history-list", OptionList)
        options.clear_options()
        options.add_options([Option(history_label(e), id=str(i)) for i, e in enumerate(message.history)])
        shown = len(message.history)
        heading = f"History ({shown})" if shown == message.history_total else f"History ({shown} of {message.history_total})"
        self.query_one("#history-heading", Label).update(heading)
        note = self.query_one("#sidebar-note", Static)
        note.update(Text("\n".join(message.notes), style="yellow"))
        note.display = bool(message.notes)

    @property
    def saved_count(self) -> int:
        return sum(1 for node in _leaves(self.query_one("#saved-tree", Tree).root) if node.data is not None)

    @property
    def history_entries(self) -> list[dict[str, Any]]:
        return list(self._history)

    # -- what is highlighted --------------------------------------------------------------------------
    def selected(self) -> tuple[str, Any] | None:
        """("saved", SavedRequest) or ("history", entry) for the highlighted item of the list in focus
        (or, when neither has focus, the saved tree's cursor)."""
        tree = self.query_one("#saved-tree", Tree)
        options = self.query_one("#history-list", OptionList)
        if options.has_focus and options.highlighted is not None and options.highlighted < len(self._history):
            return "history", self._history[options.highlighted]
        node = tree.cursor_node
        if node is not None and node.data is not None:
            return "saved", node.data
        return None

    def _draft_of(self, kind: str, item: Any) -> tuple[Any, str, str] | None:
        """(draft, name, notes) of a saved request or a history entry; None after saying why not."""
        if kind == "saved":
            return item.draft, item.name, item.notes
        from tui.history import HistoryError, entry_draft

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
            self._notify(f"Opened {found[1]} in the composer.")

    # -- save -------------------------------------------------------------------------------------
    def ask_and_save(self) -> None:
        """ctrl+s: ask for a name, then save the composer's draft (no credentials can reach the file)."""
        app: Any = self.app
        target = app.session.target
        if target is None:
            self._notify("Nothing to save yet: the console has no venue (the emulator is still starting).", "warning")
            return
        draft = app.main_screen.composer.draft(target.venue, target.profile)
        from tui.console.screens.dialogs import AskScreen

        suggestion = draft.path.strip("/").split("/")[-1] or "request"
        question = f"Save {draft.method} {draft.path} as (letters, digits, . _ -; folder/name puts it in a collection):"
        app.push_screen(AskScreen(question, "Save the request", suggestion), callback=lambda name: self._save_as(draft, name))

    def _save_as(self, draft: Any, name: str | None) -> None:
        if name:
            self.save_draft(draft, name)

    @work(thread=True, group="sidebar-write", exit_on_error=False, description="save a request")
    def save_draft(self, draft: Any, name: str) -> None:
        from tui import paths, saved

        folder = paths.saved_dir()
        collection, _, leaf = name.rpartition("/")
        try:
            if collection:
                folder = folder / saved.check_name(collection)
            written = saved.save(draft, leaf, folder)
        except saved.SavedRequestError as exc:
            self.post_message(SidebarNotice(str(exc), "error"))
            return
        where = f" in collection {collection}" if collection else ""
        self.post_message(SidebarNotice(f"Saved {leaf}{where} ({written})."))

    # -- delete -----------------------------------------------------------------------------------
    def action_delete(self) -> None:
        chosen = self.selected()
        if chosen is None or chosen[0] != "saved":
            self._notify("Highlight a saved request to delete (history entries stay).", "warning")
            return
        item = chosen[1]
        from tui.console.screens.dialogs import ConfirmScreen

        question = f"Delete the saved request {item.name} ({item.path})?"
        self.app.push_screen(ConfirmScreen(question, "Delete a saved request"), callback=lambda yes: self.delete_file(item) if yes else None)

    @work(thread=True, group="sidebar-write", exit_on_error=False, description="delete a saved request")
    def delete_file(self, item: Any) -> None:
        try:
            item.path.unlink()
        except FileNotFoundError:
            self.post_message(SidebarNotice(f"{item.path} was already gone.", "warning"))
            return
        except OSError as exc:
            self.post_message(SidebarNotice(f"Could not delete {item.path}: {exc.strerror or exc}.", "error"))
            return
        self.post_message(SidebarNotice(f"Deleted {item.name}."))

    def on_sidebar_notice(self, message: SidebarNotice) -> None:
        if message.sentence:
            self._notify(message.sentence, message.severity)
        if self._loaded:
            self.load()

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
        from tui.replay import ReplayJob, needs_confirmation

        job = ReplayJob(name, rebased(draft, target), f"sidebar {chosen[0]}", notes)
        await open_draft(app, job.draft)
        if needs_confirmation(job.draft):
            from tui.console.screens.dialogs import ConfirmScreen

            question = f"Replay {job.draft.method} {job.draft.url}? It is a signed write to a real venue."
            app.push_screen(ConfirmScreen(question, "Replay"), callback=lambda yes: self.replay(job) if yes else None)
        else:
            self.replay(job)

    @work(group="replay", exclusive=True, exit_on_error=False, description="replay a request")
    async def replay(self, job: Any) -> None:
        app: Any = self.app
        main = app.main_screen
        signing = signing_for(app, job.draft)
        warnings: list[str] = []
        self._replayed.append(job.draft)
        main.post_message(SendStarted(job.draft))
        try:
            results = await app.session.replay([job], signing, on_warning=warnings.append)
        except Exception as exc:  # noqa: BLE001 - a sentence, never a crash
            self._forget_replay(job.draft)
            self.post_message(SidebarNotice(f"The replay failed unexpectedly: {type(exc).__name__}: {exc}", "error"))
            return
        result = results[0]
        if result.refused:  # tui.replay does not record what was never sent
            self._forget_replay(job.draft)
        main.post_message(ExchangeReceived(result.exchange, result.diagnosis))
        for warning in warnings:
            self.post_message(SidebarNotice(warning, "warning"))
        self.post_message(SidebarNotice(f"Replayed {job.name}: {result.outcome} ({result.message})."))

    def _forget_replay(self, draft: Any) -> None:
        self._replayed = [d for d in self._replayed if d is not draft]

    # -- every answer the main screen shows goes into the history ------------------------------------
    def sent(self, exchange: Any, diagnosis: Any) -> None:
        """Called by the main screen for each diagnosed answer. Replays are already recorded by
        tui.replay (source "replay"); everything else is a console send."""
        if any(d is exchange.draft for d in self._replayed):
            self._forget_replay(exchange.draft)
            return
        self.record(exchange, diagnosis)

    @work(thread=True, group="history-write", exit_on_error=False, description="record a send in the history")
    def record(self, exchange: Any, diagnosis: Any) -> None:
        from tui import history

        warning = history.record(exchange, diagnosis, source="console")
        self.post_message(SidebarNotice(warning or "", "warning"))  # an empty sentence: just reload the list

    def _notify(self, sentence: str, severity: str = "information") -> None:
        self.app.notify(sentence, title="Saved requests", severity=severity, markup=False)  # type: ignore[arg-type]


def _leaves(node: Any) -> list[Any]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_leaves(child))
    return out


def history_label(entry: dict[str, Any]) -> Text:
    """`12:03:44 GET /contract/private/assets-detail 200 1000` (code red when it is not 1000)."""
    when = str(entry.get("time") or "")[11:19]
    status, code = entry.get("status"), entry.get("code")
    label = Text.assemble((f"{when} ", "dim"), (f"{entry.get('method', '?')} ", "bold"), str(entry.get("path", "?")))
    if entry.get("name"):
        label.append(f" ({entry['name']})", style="dim")
    if entry.get("failure"):
        label.append(f" {entry['failure']}", style="red")
    else:
        label.append(f" {status if status is not None else '-'}", style="dim")
        if code is not None:
            label.append(f" {code}", style="green" if code == 1000 else "red")
    return label
