"""Add or edit one profile. Secrets are never rendered: the key, the secret and the memo show only
"set" / "unset" (the key as its fingerprint) and take a new value in a password Input; a blank
field keeps the old value. Each value goes from its Input straight into a Secret, and the vault's
Profile.new checks everything (name, venue, hosts, base URL) and says what is wrong in a sentence.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static

from keys.secret import Secret
from tui.console.screens.fields_modal import FieldsModal

if TYPE_CHECKING:
    from keys.vault import Profile

SECRET_FIELDS = ("api-key", "secret", "memo")


def _state(profile: Profile | None, field: str) -> str:
    if profile is None:
        return "optional" if field == "memo" else "required"
    value = {"api-key": profile.api_key, "secret": profile.secret, "memo": profile.memo}[field]
    if not value:
        return "unset · type one to set it"
    shown = f"set {profile.fingerprint}" if field == "api-key" else "set"
    return f"{shown} · blank keeps it"


class ProfileFormScreen(FieldsModal[Any]):
    """Dismisses with the new keys.vault.Profile, or None when cancelled."""

    CSS_PATH = ["dialogs.tcss", "keys.tcss"]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save", priority=True, tooltip="Check the profile and save it to the key file."),
        Binding("escape", "cancel", "Cancel", id="form.cancel", tooltip="Close without changing anything."),
    ]
    HELP = """\
## Profile
**Name**, **venue**, and the key's three parts. The API key, secret and memo are typed into hidden
fields and never shown again: the form says only whether each is set (the key by its fingerprint).
When editing, a blank field keeps what is stored. **Extra hosts** lets this key sign for hosts
beyond its venue's (comma-separated); **base URL** points the venue elsewhere (a mirror, a local
emulator), and its host must be one the key may sign for.

**ctrl+s** saves, **escape** cancels. Enter moves to the next field.
"""

    def __init__(self, existing: Profile | None = None, taken: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self._old = existing
        self._taken = taken

    def compose(self) -> ComposeResult:
        from tui.venues import VENUES

        old = self._old
        title = f"Edit profile {old.name}" if old else "Add a profile"
        venues = [(f"{v.name} ({v.id})", v.id) for v in VENUES.values()]
        with Vertical(id="form-dialog", classes="dialog"):
            yield Label(Text(title, style="bold"), classes="dialog-title")
            with VerticalScroll(id="form-fields"):
                yield from self._row("Name", Input(old.name if old else "", placeholder="wooxpro-main", id="name", disabled=old is not None, compact=True))
                yield from self._row("Venue", Select(venues, value=old.venue if old else "wooxpro", allow_blank=False, compact=True, id="venue"))
                warning = self._venue_warning(old.venue if old else "wooxpro")
                yield Static(warning, id="venue-warning", classes="" if warning.plain else "-none")
                for field, label in zip(SECRET_FIELDS, ("API key", "Secret", "Memo")):
                    yield from self._row(label, Input(password=True, placeholder="hidden", compact=True, id=field), _state(old, field))
                if old is not None and old.memo:
                    yield Checkbox("Clear the memo (this key has none)", id="memo-clear")
                hosts = ", ".join(old.extra_hosts) if old else ""
                yield from self._row("Extra hosts", Input(hosts, placeholder="none: only the venue's hosts", id="hosts", compact=True))
                yield from self._row("Base URL", Input((old.base_url or "") if old else "", placeholder="the venue's own (the emulator: this console's)", id="base-url", compact=True))
                yield from self._row("Proxy", Input((old.proxy or "") if old else "", placeholder="none (direct)", id="proxy", compact=True))
                yield from self._row("Notes", Input(old.notes if old else "", placeholder="", id="notes", compact=True))
            yield Static("", id="form-error")
            yield Label(Text("ctrl+s saves · escape cancels · secrets are never shown", style="dim"), classes="dialog-hint")

    @staticmethod
    def _row(label: str, widget: Any, state: str | None = None) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label(label, classes="form-label")
            yield widget
            if state is not None:
                yield Static(Text(state, style="dim"), classes="form-state", id=f"{widget.id}-state")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#api-key" if self._old else "#name", Input))  # before any key typed ahead

    @staticmethod
    def _venue_warning(venue_id: object) -> Text:
        """A venue that is winding down (keys/lifecycle.py) is said under the venue, by the local clock."""
        from tui.diagnosis.venue_state import key_warning
        from tui.venues import VENUES

        venue = VENUES.get(str(venue_id))
        warning = key_warning(venue.state_now()) if venue is not None else ""
        return Text(f"⚠ {warning}", style="bold yellow") if warning else Text("")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "venue":
            warning, shown = self._venue_warning(event.value), self.query_one("#venue-warning", Static)
            shown.update(warning)
            shown.set_class(not warning.plain, "-none")

    def field_entered(self, field: Input) -> None:
        if field.id == "notes":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self._clear_secrets()
        self.dismiss(None)

    def action_save(self) -> None:
        self.after_typed(self._save)  # ctrl+s is read before the keys typed ahead of it are in their fields

    def _save(self) -> None:
        from keys.vault import Profile, ProfileError

        old = self._old
        name = old.name if old else self.query_one("#name", Input).value.strip()
        if old is None and name in self._taken:
            self._error(f"A profile named {name!r} already exists; choose another name or edit that one.")
            return
        memo_clear = bool(self.query(Checkbox).filter("#memo-clear")) and self.query_one("#memo-clear", Checkbox).value
        try:
            profile = Profile.new(
                name,
                str(self.query_one("#venue", Select).value),
                self._secret("api-key", old.api_key if old else None),
                self._secret("secret", old.secret if old else None),
                Secret("") if memo_clear else self._secret("memo", old.memo if old else None),
                extra_hosts=tuple(h for h in re.split(r"[,\s]+", self.query_one("#hosts", Input).value) if h),
                base_url=self.query_one("#base-url", Input).value.strip() or None,
                notes=self.query_one("#notes", Input).value.strip(),
                proxy=self.query_one("#proxy", Input).value.strip() or None,
            )
        except ProfileError as exc:
            self._error(str(exc))
            return
        self._clear_secrets()
        self.dismiss(profile)

    def _secret(self, field: str, old: Secret | None) -> Secret:
        """The typed value as a Secret, or the stored one when the field is left blank."""
        widget = self.query_one(f"#{field}", Input)
        if widget.value or old is None:
            return Secret(widget.value)
        return old

    def _clear_secrets(self) -> None:
        for field in SECRET_FIELDS:
            self.query_one(f"#{field}", Input).value = ""

    def _error(self, sentence: str) -> None:
        self.query_one("#form-error", Static).update(Text(sentence))
        self.query_one("#form-error").add_class("-error")
