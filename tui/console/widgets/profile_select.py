"""The composer's profile selector: shown once a key file is unlocked, gone again when it is locked.

Picking a profile makes it the target (its venue, its key, only its hosts); picking "(local
emulator)" goes back to the emulator's demo key. It is mounted at the top of the composer by
`sync_profile_select`, so the composer itself does not need to know about key files.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Select

from tui.console.profiles import EMULATOR_CHOICE


class ProfileSelect(Horizontal):
    DEFAULT_CSS = """
    ProfileSelect {
        height: 1;
    }
    ProfileSelect #profile-choice {
        width: 1fr;
        max-width: 40;
    }
    """
    HELP = """\
## Profile
The key that signs: a profile from the unlocked key file, or the local emulator's demo key. The
venue follows the profile, and a profile signs only for its venue's hosts (plus the ones it allows).
Manage profiles in the keys screen (**f2**).
"""

    def __init__(self, names: list[str], current: str | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._names = names
        self._current = current if current in names else EMULATOR_CHOICE

    def compose(self) -> ComposeResult:
        yield Label("Profile", classes="field-label")
        yield Select(self._options(self._names), value=self._current, allow_blank=False, compact=True, id="profile-choice")

    @staticmethod
    def _options(names: list[str]) -> list[tuple[str, str]]:
        return [(n, n) for n in names] + [(EMULATOR_CHOICE, EMULATOR_CHOICE)]

    def update_choices(self, names: list[str], current: str | None) -> None:
        found = self.query("#profile-choice")
        if found and not found.first().is_mounted:  # composed, still mounting (unlock syncs, then its caller)
            self.call_after_refresh(self.update_choices, names, current)  # the choice shown stays until then
            return
        self._names = names
        self._current = current if current in names else EMULATOR_CHOICE
        if not found:
            return  # not composed yet: compose reads the choices just set
        select = found.first(Select)
        with self.prevent(Select.Changed):
            select.set_options(self._options(names))
            select.value = self._current

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()  # the composer's own Select handlers are for method and auth
        choice = str(event.value)
        if choice == self._current:
            return
        self._current = choice
        use_choice(self.app, choice)


def use_choice(app: Any, choice: str) -> None:
    """Switch the target to profile `choice` (or the emulator)."""
    from tui.console.profiles import target_for

    if choice == EMULATOR_CHOICE or app.vault is None or choice not in app.vault.profiles:
        use_emulator(app)
        app.notify("Using the local emulator's demo key.", title="Profile", markup=False)
        return
    profile = app.vault.profiles[choice]
    app.set_target(target_for(profile))
    app.notify(f"Using profile {profile.name} ({profile.venue_name}, {profile.fingerprint}).", title="Profile", markup=False)


def use_unlocked(app: Any, target: Any, explicit: bool = False) -> None:
    """The key file was just unlocked and offers `target` (its first profile, or --profile's). A profile
    on a real venue is only offered, in words: the console stays where the user is (the emulator), as
    unlocking is no choice to send real orders. It is taken at once when loopback, or when the command
    line named it (`--profile`, `--venue`)."""
    current = app.session.target
    if target is None or (target.reaches_real_venue and not explicit):
        if current is None:
            app.start_emulator()
        if target is not None:
            from tui.console.profiles import real_venue_offer

            app.notify(real_venue_offer(target, current), title="Profile", markup=False, timeout=15)
        sync_profile_select(app, current.key_file_profile if current is not None else None)
        return
    app.set_target(target)
    sync_profile_select(app, target.profile)


def use_emulator(app: Any) -> None:
    """The emulator's demo key: the running emulator if the console has one, else a new one."""
    target = app.session.target
    if target is not None and target.emulator is not None and target.emulator.running:
        from tui.console.target import emulator_target

        app.set_target(emulator_target(target.emulator))
    else:
        app.start_emulator()


def sync_profile_select(app: Any, current: str | None) -> None:
    """Mount, update or remove the selector to match app.vault; `current` is the profile in use."""
    try:
        composer = app.main_screen.composer
    except Exception:  # noqa: BLE001 - no main screen yet (shutting down): nothing to show it in
        return
    existing = composer.query(ProfileSelect)
    vault = getattr(app, "vault", None)
    if vault is None:
        existing.remove()
        return
    names = list(vault.profiles)
    if existing:
        existing.first().update_choices(names, current)
    else:
        composer.mount(ProfileSelect(names, current, id="profile-select"), before=0)
