"""The unlock modal: the key file's passphrase, Argon2id in a thread worker, then a profile target.

It comes first when a key file exists (app.open_initial_target pushes it). The passphrase goes from
the password Input straight into a Secret and the Input is cleared before the KDF starts, so no
frame holds it as a plain str. A wrong passphrase keeps the modal open with a sentence and the
focus in the cleared Input; any other key-file problem (permissions, damage, a newer version) is
the vault's sentence plus what to do about it. Escape continues on the emulator without keys.

The same modal creates a new key file (`create=True`, from the keys screen): two passphrases, the
cost from KEYPROBE_KDF (default moderate), and vault.create's refusal to overwrite anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, LoadingIndicator, Static

from keys.secret import Secret
from tui.console.messages import UnlockFailed, Unlocked
from tui.console.screens.fields_modal import FieldsModal

# What to do, for the vault errors whose sentence says what is wrong but not how to get going again.
FIXES = {
    "CorruptKeyFile": "Restore it from a backup, or move it away and create a new key file (keyprobe keys init, or n in the keys screen).",
    "UnsupportedVersion": "Open it with the keyprobe that wrote it, or move it away and create a new key file.",
}


def sentence_for(exc: BaseException) -> str:
    """The vault's own sentence, with the fix appended where the vault's text has none."""
    fix = FIXES.get(type(exc).__name__)
    text = str(exc) or type(exc).__name__
    return f"{text} {fix}" if fix else text


class UnlockScreen(FieldsModal[Any]):
    """Dismisses with a ConsoleTarget for the starting profile, or None (escape, or no profiles)."""

    CSS_PATH = ["dialogs.tcss", "unlock.tcss"]
    AUTO_FOCUS = "#passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Use the emulator", id="unlock.cancel", tooltip="Continue on the local emulator without keys."),
    ]
    HELP = """\
## Unlock the key file
Type the key file's passphrase and press **enter**. The key is derived with Argon2id (about half a
second by design), then the profiles are available: the composer's profile selector, the keys
screen (**f2**). A wrong passphrase leaves this window open to try again.

**escape** continues on the local emulator with its demo key; unlock later from the keys screen.
"""

    def __init__(self, path: Path | None = None, *, create: bool = False) -> None:
        super().__init__()
        from tui.paths import keyfile_path

        self._path = Path(path) if path is not None else keyfile_path()
        self._create = create
        self._busy = False
        self._cancelled = False

    @property
    def busy(self) -> bool:
        return self._busy

    def compose(self) -> ComposeResult:
        title = "Create a key file" if self._create else "Unlock the key file"
        hint = "enter creates it · escape cancels" if self._create else "enter unlocks · escape continues on the emulator without keys"
        with Vertical(id="unlock-dialog", classes="dialog"):
            yield Label(Text(title, style="bold"), classes="dialog-title")
            yield Static(Text(str(self._path), style="dim"), id="unlock-path")
            yield Input(password=True, placeholder="passphrase", id="passphrase")
            if self._create:
                yield Input(password=True, placeholder="the same passphrase again", id="passphrase-again")
            yield LoadingIndicator(id="unlock-spinner")
            yield Static("", id="unlock-message")
            yield Label(Text(hint, style="dim"), classes="dialog-hint")

    def on_mount(self) -> None:
        if not self._create:
            self.check_file()  # a missing or unsafe file is said before anyone types a passphrase

    def on_screen_resume(self) -> None:
        self._cancelled = False

    # -- input (keys typed in one burst: screens/fields_modal.py) -------------------------------------
    def field_entered(self, field: Input) -> None:
        if self._create and field.id == "passphrase":
            self.set_focus(self.query_one("#passphrase-again", Input))  # now: Widget.focus() waits its turn
        else:
            self.after_typed(self._submit)  # read the fields once the keys typed before enter are in them

    def _submit(self) -> None:
        if self._busy:
            return
        first = self.query_one("#passphrase", Input)
        passphrase = Secret(first.value)  # from the widget straight into a Secret: no plain local
        first.value = ""
        if self._create:
            again = self.query_one("#passphrase-again", Input)
            same = passphrase == Secret(again.value)
            again.value = ""
            if not same:
                self._show("The two passphrases differ; type them again.", error=True)
                first.focus()
                return
        if not passphrase:
            self._show("Type the passphrase, then enter (escape continues without keys).", error=True)
            first.focus()
            return
        self._busy = True
        self.query_one("#unlock-dialog").add_class("-busy")
        self._show("Creating the key file (Argon2id)…" if self._create else "Deriving the key (Argon2id)…")
        self.open_vault(passphrase)

    def action_cancel(self) -> None:
        self._cancelled = True  # an unlock still running in its thread is dropped when it lands
        self.dismiss(None)

    # -- workers: the KDF never runs on the event loop ------------------------------------------------
    @work(thread=True, group="unlock-check", exit_on_error=False, description="check the key file's header")
    def check_file(self) -> None:
        from keys.vault import VaultError, read_header

        try:
            read_header(self._path)
        except VaultError as exc:
            self.post_message(UnlockFailed(sentence_for(exc)))

    @work(thread=True, group="unlock", exclusive=True, exit_on_error=False, description="unlock the key file (Argon2id)")
    def open_vault(self, passphrase: Secret) -> None:
        from keys import vault as vaultmod

        try:
            if self._create:
                from tui.commands._profile import kdf_from_env

                opened = vaultmod.create(self._path, passphrase, kdf_from_env())
            else:
                opened = vaultmod.unlock(self._path, passphrase)
        except vaultmod.WrongPassphrase:
            self.post_message(UnlockFailed("Wrong passphrase (or the key file was modified). Try again."))
            return
        except (vaultmod.VaultError, ValueError) as exc:  # ValueError: a bad KEYPROBE_KDF
            self.post_message(UnlockFailed(sentence_for(exc)))
            return
        except OSError as exc:
            self.post_message(UnlockFailed(f"Could not use {self._path}: {exc.strerror or exc}."))
            return
        except Exception as exc:  # noqa: BLE001 - a sentence on screen, never a crash with locals
            self.post_message(UnlockFailed(f"The key file could not be opened ({type(exc).__name__})."))
            return
        self.post_message(Unlocked(opened))

    # -- handlers -----------------------------------------------------------------------------------
    def on_unlock_failed(self, message: UnlockFailed) -> None:
        self._busy = False
        self.query_one("#unlock-dialog").remove_class("-busy")
        self._show(message.sentence, error=True)
        first = self.query_one("#passphrase", Input)
        first.value = ""
        first.focus()

    def on_unlocked(self, message: Unlocked) -> None:
        self._busy = False
        self.query_one("#unlock-dialog").remove_class("-busy")
        if self._cancelled or not self.is_active:
            return  # escape was pressed while the KDF ran: stay locked
        from tui.console.profiles import first_profile, target_for
        from tui.console.widgets.profile_select import sync_profile_select

        app: Any = self.app
        app.vault = message.vault
        profile, note = first_profile(message.vault, getattr(app.options, "profile", None))
        if note and not self._create:
            app.notify(note, title="Keys", severity="warning", markup=False)
        target = target_for(profile) if profile is not None else None
        # The selector shows what the console is on now; the caller decides whether to switch (use_unlocked)
        current = app.session.target
        sync_profile_select(app, current.key_file_profile if current is not None else None)
        self.dismiss(target)

    def _show(self, sentence: str, error: bool = False) -> None:
        widget = self.query_one("#unlock-message", Static)
        widget.update(Text(sentence))
        widget.set_class(error, "-error")
