"""The keys screen (f2): the key file's profiles, and add / edit / remove / use / lock.

What it shows comes from Profile.listing(), which holds no secret and no memo: the key appears as
its fingerprint, the secret and memo as set / unset. Every change is saved at once, in a thread
worker, through the vault's atomic save; if the save fails, the profiles in memory go back to what
they were, so memory and disk never disagree. Lock drops the unlocked vault and goes back to the
emulator, with the unlock modal offered again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tui.console.messages import VaultSaved, VaultSaveFailed
from tui.output.terminal_safe import shown as escaped

COLUMNS = ("", "Profile", "Venue", "Key", "Secret", "Memo", "Hosts", "Notes")


class KeysScreen(Screen[None]):
    CSS_PATH = "keys.tcss"
    # The keys that open a form are priority bindings: they open it the moment they are read, so the
    # keys typed right after them in one burst go to the form (screens/fields_modal.py), not the table.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="keys.close", tooltip="Back to the main screen."),
        Binding("u", "use", "Use", id="keys.use", tooltip="Sign with the highlighted profile (enter does the same)."),
        Binding("a", "add", "Add", id="keys.add", priority=True, tooltip="Add a profile."),
        Binding("e", "edit", "Edit", id="keys.edit", priority=True, tooltip="Edit the highlighted profile (blank secrets keep theirs)."),
        Binding("delete,d", "remove", "Remove", id="keys.remove", tooltip="Remove the highlighted profile (asks first)."),
        Binding("l", "lock", "Lock", id="keys.lock", tooltip="Drop the unlocked key file from memory; back to the emulator."),
        Binding("o", "unlock", "Unlock", id="keys.unlock", priority=True, tooltip="Unlock the key file."),
        Binding("n", "create", "New key file", id="keys.create", priority=True, tooltip="Create an encrypted key file."),
    ]
    HELP = """\
## Keys
The profiles in the encrypted key file. A profile is a key bound to a venue: it signs only for that
venue's hosts (plus any extra hosts it lists). Secrets are never shown: the key appears as its
fingerprint, the secret and the memo as set / unset.

**enter** / **u** signs with the highlighted profile, **a** adds, **e** edits (a blank secret keeps
the stored one), **d** removes (asks first). Each change is saved at once. **l** locks: the key file
leaves memory and the console goes back to the local emulator. **o** unlocks, **n** creates a key
file when there is none.
"""

    def __init__(self, then: tuple[str, str | None] | None = None) -> None:
        """`then`: an action to run once shown, e.g. ("edit", "bitmart-main") from the palette."""
        super().__init__()
        self._then = then
        self._saving = False
        self._state = "none"  # the key file's state as last shown (check_action runs often: no stat each time)
        self._changed: str | None = None  # the profile the running save added or edited
        self._removed: str | None = None  # or removed

    @property
    def vault(self) -> Any:
        return getattr(self.app, "vault", None)

    def compose(self) -> ComposeResult:
        yield Static("", id="keys-status")
        yield DataTable(id="keys-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="keys-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#keys-table", DataTable).add_columns(*COLUMNS)
        self.refresh_table()
        if self._then is not None:
            action, name = self._then
            self._then = None
            if name is not None:
                self.refresh_table(select=name)
            if self.check_action(action, ()):
                getattr(self, f"action_{action}")()

    def on_screen_resume(self) -> None:
        self.refresh_table()

    # -- what is shown ------------------------------------------------------------------------------
    def key_file_state(self) -> str:
        """"unlocked", "locked" (a file exists) or "none"."""
        if self.vault is not None:
            return "unlocked"
        from tui.paths import keyfile_path

        return "locked" if keyfile_path().exists() else "none"

    def refresh_table(self, select: str | None = None) -> None:
        from tui.console.profiles import listing_rows
        from tui.paths import keyfile_path

        table = self.query_one("#keys-table", DataTable)
        keep = select or self.highlighted_name()
        table.clear()
        target = self.app.session.target  # type: ignore[attr-defined]
        in_use = target.key_file_profile if target is not None else None
        rows = listing_rows(self.vault)
        for row in rows:
            hosts = row["hosts"]
            shown_hosts = f"{hosts[0]} +{len(hosts) - 1}" if len(hosts) > 1 else "".join(hosts)
            # the key file's text (notes above all): control characters shown escaped, never as markup
            table.add_row(
                "●" if row["name"] == in_use else "",
                Text(escaped(row["name"]), style="bold"),
                row["venue"],
                row["key"],
                row["secret"],
                row["memo"],
                Text(escaped(shown_hosts)),
                Text(escaped(row["notes"] or ""), style="dim"),
                key=row["name"],
            )
        if keep is not None and any(r["name"] == keep for r in rows):
            table.move_cursor(row=table.get_row_index(keep))
        state = self._state = self.key_file_state()
        status = Text.assemble(("Key file ", "dim"), (str(keyfile_path()), "bold"), "  ")
        if state == "unlocked":
            count = len(rows)
            status.append(f"unlocked · {count} profile{'s' if count != 1 else ''} · {self.vault.limits.describe()}", style="green")
            if not rows:
                status.append("   a adds the first profile", style="dim")
        elif state == "locked":
            status.append("locked", style="yellow")
            status.append("   o unlocks it; the console is on the local emulator meanwhile", style="dim")
        else:
            status.append("does not exist yet", style="yellow")
            status.append("   n creates an encrypted key file", style="dim")
        self.query_one("#keys-status", Static).update(status)
        self._show_detail()
        self.refresh_bindings()

    def highlighted_name(self) -> str | None:
        table = self.query_one("#keys-table", DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:  # noqa: BLE001 - no cursor row yet
            return None
        return str(key.value) if key.value is not None else None

    def _show_detail(self) -> None:
        name = self.highlighted_name()
        detail = Text()
        if name is not None and self.vault is not None and name in self.vault.profiles:
            profile = self.vault.profiles[name]
            row = profile.listing()
            detail.append(escaped(profile.name), style="bold")
            detail.append(f"  {profile.venue_name} · key {row['key']} · secret {row['secret']} · memo {row['memo']}\n")
            detail.append("signs for  ", style="dim")
            detail.append(escaped(", ".join(row["hosts"])) + "\n")
            detail.append("base URL   ", style="dim")
            detail.append(escaped(row["base_url"] or own_base_url(profile)) + "\n")
            if row.get("proxy"):
                detail.append("proxy      ", style="dim")
                detail.append(f"{escaped(row['proxy'])}\n", style="bold yellow")
            if row["notes"]:
                detail.append("notes      ", style="dim")
                detail.append(escaped(row["notes"]) + "\n")
            for warning in profile.hygiene():
                detail.append(f"⚠ {warning}\n", style="yellow")
        self.query_one("#keys-detail", Static).update(detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_use()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        state = self._state
        if action == "unlock":
            return state == "locked"
        if action == "create":
            return state == "none"
        if action in ("lock", "add"):
            return state == "unlocked"
        if action in ("edit", "remove", "use"):
            return self.vault is not None and self.highlighted_name() is not None
        return True

    # -- actions ------------------------------------------------------------------------------------
    def action_close(self) -> None:
        self.dismiss()

    def action_use(self) -> None:
        name = self.highlighted_name()
        if self.vault is None or name is None:
            return
        from tui.console.widgets.profile_select import sync_profile_select, use_choice

        use_choice(self.app, name)
        sync_profile_select(self.app, name)
        self.dismiss()

    def action_add(self) -> None:
        if self._refuse_while_saving() or self.vault is None:
            return
        from tui.console.screens.profile_form import ProfileFormScreen

        self.app.push_screen(ProfileFormScreen(None, frozenset(self.vault.profiles)), callback=self._added)

    def action_edit(self) -> None:
        name = self.highlighted_name()
        if self._refuse_while_saving() or self.vault is None or name is None:
            return
        from tui.console.screens.profile_form import ProfileFormScreen

        self.app.push_screen(ProfileFormScreen(self.vault.profiles[name]), callback=self._edited)

    def action_remove(self) -> None:
        name = self.highlighted_name()
        if self._refuse_while_saving() or self.vault is None or name is None:
            return
        from tui.console.screens.dialogs import ConfirmScreen

        question = f"Remove profile {name}? Its key, secret and memo are deleted from the key file."
        self.app.push_screen(ConfirmScreen(question, "Remove a profile"), callback=lambda yes: self._remove_confirmed(name) if yes else None)

    def action_lock(self) -> None:
        if self.vault is None:
            return
        lock(self.app)
        self.dismiss()
        from tui.console.screens.unlock import UnlockScreen

        self.app.push_screen(UnlockScreen(), callback=after_unlock(self.app))

    def action_unlock(self) -> None:
        from tui.console.screens.unlock import UnlockScreen

        self.app.push_screen(UnlockScreen(), callback=after_unlock(self.app))

    def action_create(self) -> None:
        from tui.console.screens.unlock import UnlockScreen

        self.app.push_screen(UnlockScreen(create=True))

    # -- changes, each saved at once ------------------------------------------------------------------
    def _added(self, profile: Any) -> None:
        if profile is not None:
            before = dict(self.vault.profiles)
            self.vault.add(profile)
            self._save(f"Added profile {profile.name}.", before, profile.name)

    def _edited(self, profile: Any) -> None:
        if profile is not None:
            before = dict(self.vault.profiles)
            self.vault.replace(profile)
            self._save(f"Saved profile {profile.name}.", before, profile.name)

    def _remove_confirmed(self, name: str) -> None:
        if self.vault is not None and name in self.vault.profiles:
            before = dict(self.vault.profiles)
            self.vault.remove(name)
            self._save(f"Removed profile {name}.", before, None, removed=name)

    def _save(self, what: str, before: dict[str, Any], name: str | None, removed: str | None = None) -> None:
        self._saving = True
        self._changed, self._removed = name, removed
        self.refresh_table(select=name)
        self.save_vault(self.vault, what, before)

    def _refuse_while_saving(self) -> bool:
        if self._saving:
            self.app.notify("Still saving the key file; try again in a moment.", title="Keys", severity="warning")
        return self._saving

    @work(thread=True, group="vault-save", exclusive=True, exit_on_error=False, description="save the key file")
    def save_vault(self, vault: Any, what: str, before: dict[str, Any]) -> None:
        from keys.vault import VaultError

        try:
            vault.save()
        except (VaultError, OSError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            self.post_message(VaultSaveFailed(f"The key file was not saved ({reason}); nothing changed.", before))
            return
        self.post_message(VaultSaved(what))

    def on_vault_saved(self, message: VaultSaved) -> None:
        self._saving = False
        app: Any = self.app
        app.notify(message.what, title="Keys", markup=False)
        name = self._changed
        if name is not None and self.vault is not None and name in self.vault.profiles:
            profile = self.vault.profiles[name]
            for warning in (*profile.hygiene(), winding_down(profile.venue)):
                if warning:
                    app.notify(warning, title=f"Profile {name}", severity="warning", markup=False)
        self._follow_target()
        self.refresh_table(select=name)

    def on_vault_save_failed(self, message: VaultSaveFailed) -> None:
        self._saving = False
        if self.vault is not None:
            self.vault.profiles = message.before
        self.app.notify(message.sentence, title="Keys", severity="error", markup=False)
        self.refresh_table()

    def _follow_target(self) -> None:
        """The profile in use was edited or removed: sign with what the key file now says."""
        from tui.console.profiles import target_for
        from tui.console.widgets.profile_select import sync_profile_select, use_emulator

        app: Any = self.app
        target = app.session.target
        current = target.key_file_profile if target is not None else None
        if current is not None and self.vault is not None:
            if current == self._removed:
                use_emulator(app)
                current = None
            elif current == self._changed and current in self.vault.profiles:
                app.set_target(target_for(self.vault.profiles[current]))
        sync_profile_select(app, current)


def winding_down(venue_id: str) -> str:
    """What the profile form says under a venue that is winding down, said again once such a profile is saved."""
    from tui.diagnosis.venue_state import key_warning
    from tui.venues import VENUES

    venue = VENUES.get(venue_id)
    return key_warning(venue.state_now()) if venue is not None else ""


def own_base_url(profile: Any) -> str:
    """What a profile without a base URL sends to, in words."""
    if profile.venue == "emulator":
        return "this console's own emulator (the CLI: keyprobe emulator's http://127.0.0.1:8640)"
    return "the venue's own"


def lock(app: Any) -> None:
    """Drop the unlocked key file: the vault, the CLI's cache, the selector, and a profile target."""
    from tui.commands._profile import forget
    from tui.console.widgets.profile_select import sync_profile_select, use_emulator

    app.vault = None
    forget()
    app.session.gate.forget()  # "don't ask again" lasts until the key file is locked
    sync_profile_select(app, None)
    target = app.session.target
    if target is None or target.emulator is None or target.from_key_file:
        use_emulator(app)
    app.notify("Locked: the key file is out of memory. The console is on the local emulator.", title="Keys", markup=False)


def after_unlock(app: Any) -> Any:
    def done(target: Any) -> None:
        from tui.console.widgets.profile_select import use_unlocked

        if target is not None:
            use_unlocked(app, target)  # a real venue is offered, not switched to

    return done
