"""The console App: lifecycle, app-wide bindings, keymap, themes, and where screens are registered.

The first frame is painted before anything slow happens: the emulator starts in a thread worker
from on_ready, and httpx, the emulator and the diagnosis engine are imported only after that.
The request flow itself lives in screens/main.py; the state it acts on in session.py.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from tui.console.session import ConsoleSession
from tui.startup_gc import pause_gc, resume_gc

if TYPE_CHECKING:
    from tui.console.messages import TargetFailed, TargetReady
    from tui.console.screens.main import MainScreen
    from tui.console.target import ConsoleTarget

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
READY_FD_ENV = "KEYPROBE_READY_FD"  # benchmarks/startup.py: write "ready" to this fd at first paint


def lazy_screen(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A factory that imports tui.console.screens.<module> only when the screen is first shown."""

    def make() -> Screen[Any]:
        return getattr(importlib.import_module(f"tui.console.screens.{module}"), name)()

    return make


def _command_provider() -> type:
    from tui.console.commands import KeyprobeCommands

    return KeyprobeCommands


@dataclass(frozen=True)
class ConsoleOptions:
    venue: str | None = None  # a tui.venues id; None: the emulator (or the key file, once unlocked)
    profile: str | None = None  # a profile in the key file
    base_url: str | None = None  # `--base-url`: the venue at this URL, KEYPROBE_* credentials, no profile
    flavour: str = "wooxpro"  # the emulator's dialect: WOO X Pro leads (BitMart is winding down: keys/lifecycle.py)
    theme: str = DARK_THEME
    watch_terminal: bool = False  # quit when the terminal hangs up (tui/console/hangup.py): the real console only


class KeyprobeApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute: a subclass elsewhere still finds it
    TITLE = "keyprobe"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit keyprobe."),
        Binding("f1", "help", "Help", id="app.help", tooltip="Help for the focused part, and every key."),
        Binding("ctrl+t", "toggle_theme", "Theme", id="app.theme", show=False, tooltip="Switch between the light and the dark theme."),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help_quit"),
        Binding("f9", "inspect_paste", "Inspect", id="app.inspect", show=False, tooltip="Paste a request your own code sent and inspect it."),
        Binding("f12", "websocket", "WebSocket", id="app.websocket", show=False,
                tooltip="Log in on the venue's WebSocket, subscribe, watch the frames (the WebSocket view)."),
    ]
    # Other screens register here (name -> factory); push them with app.push_screen(name).
    # An "unlock" screen, when registered, is offered the key file at start-up (see open_initial_target).
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {
        "help": lazy_screen("help", "HelpScreen"),
        "unlock": lazy_screen("unlock", "UnlockScreen"),
    }
    COMMANDS = App.COMMANDS | {_command_provider}
    # Classes every screen gets by the terminal's size (app.tcss): the footer tightens under 120
    # columns, the main screen's columns share the width evenly under 100, and the composer drops
    # its blank lines and a duplicate line under 34 rows (80x24 still shows every part).
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-medium"), (120, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (34, "-tall")]

    def __init__(self, options: ConsoleOptions | None = None) -> None:
        from tui.console import alt_digits, safe_output

        safe_output.install()  # no control character a widget shows reaches the terminal as itself
        alt_digits.install()  # ESC 1 is alt+1 (the jumps), not "¡" typed into the path
        super().__init__()
        self.options = options or ConsoleOptions()
        self.session = ConsoleSession()
        self.session.records.on_change = self._records_changed  # called from the records' writer thread
        self.vault: Any = None  # keys.vault.Vault while the key file is unlocked (screens/unlock.py); None when locked
        self._closing = False
        self._keymap: dict[str, str] = {}
        # Keymap sentences held until the start-up unlock window is gone (a toast under it went unread)
        self._held_notes: list[str] | None = []

    # -- screens ------------------------------------------------------------------------------------
    def action_inspect_paste(self) -> None:
        from tui.console.screens.inspect_paste import open_paste_box

        open_paste_box(self)

    def action_websocket(self) -> None:
        from tui.console.screens.ws import open_websocket

        open_websocket(self)

    def get_default_screen(self) -> Screen[Any]:
        from tui.console.screens.main import MainScreen

        # Born with its breakpoint classes: setting them at the first resize would restyle every
        # widget once more before the first frame.
        return MainScreen(id="main", classes=" ".join(self.breakpoint_classes(self.size.width, self.size.height)))

    def breakpoint_classes(self, width: int, height: int) -> list[str]:
        """The classes Screen gives for this terminal size (HORIZONTAL_ / VERTICAL_BREAKPOINTS)."""
        chosen = []
        for dimension, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            chosen += [name for least, name in sorted(breakpoints, reverse=True) if dimension >= least][:1]
        return chosen

    @property
    def main_screen(self) -> MainScreen:
        from tui.console.screens.main import MainScreen

        return next(s for s in self.screen_stack if isinstance(s, MainScreen))

    # -- lifecycle ----------------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.theme != self.options.theme:  # re-styling every widget is not free: only when it changes
            self.theme = self.options.theme
        from tui.console.keymap import load_keymap

        if self.options.watch_terminal:
            from tui.console.hangup import exit_on_sigterm, watch_hangup

            watch_hangup(self)  # here, not at first paint: a terminal closed before that is caught too
            exit_on_sigterm(self)
        keymap, problem = load_keymap()
        if keymap:
            self.set_keymap(keymap)
            self._keymap = keymap
        if problem:
            self.keymap_problem(problem)

    def keymap_problem(self, sentence: str) -> None:
        """Say what is wrong with the keymap, after the start-up unlock window (a toast under it went unread)."""
        if self._held_notes is not None:
            self._held_notes.append(sentence)
        else:
            self.notify(sentence, title="Keymap", severity="warning", markup=False, timeout=20)

    def on_keymap_problem(self, message: Any) -> None:
        self.keymap_problem(message.sentence)

    def _release_notes(self) -> None:
        held, self._held_notes = self._held_notes or [], None
        for sentence in held:
            self.keymap_problem(sentence)

    def on_ready(self) -> None:
        resume_gc()
        fd = os.environ.get(READY_FD_ENV)
        if fd:
            try:
                os.write(int(fd), b"ready\n")
            except (OSError, ValueError):
                pass
        self.open_initial_target()
        self.warm_imports()

    # What F1 and ctrl+p open, imported once the console is up, off the UI thread: the first F1 paid
    # ~0.4 s for its Markdown renderer otherwise (benchmarks/palette_open.py, "first").
    WARM_MODULES = ("tui.console.screens.help", "tui.console.commands", "tui.console.screen_commands",
                    "tui.console.screens.traffic", "tui.endpoints")

    @work(thread=True, group="warm", exit_on_error=False, description="import what F1 and ctrl+p open")
    def warm_imports(self) -> None:
        for module in self.WARM_MODULES:
            importlib.import_module(module)
        if self._keymap:
            from tui.console.keymap import binding_ids, unknown_ids
            from tui.console.messages import KeymapProblem

            if (sentence := unknown_ids(self._keymap, binding_ids())) is not None:
                self.post_message(KeymapProblem(sentence))

    def open_initial_target(self) -> None:
        """The emulator by default; an unlocked profile when a key file exists and an unlock screen is
        registered; otherwise KEYPROBE_* credentials for a named venue."""
        from tui.paths import keyfile_path

        venue, profile = self.options.venue, self.options.profile
        wants_keyfile = profile is not None or (venue != "emulator" and keyfile_path().exists())
        if self.options.base_url is None and wants_keyfile and "unlock" in self.SCREENS:
            self.push_screen("unlock", callback=self._unlocked)  # the keymap's sentences wait for it
            return
        self._release_notes()
        if self.options.base_url is not None:
            from tui.console.base_url import default_venue_for

            self._use_environment(venue or default_venue_for(self.options.base_url), self.options.base_url)
        elif venue in (None, "emulator"):
            if profile is not None:
                self.notify(f"Profiles open once the unlock screen is installed; using the emulator, not {profile!r}.",
                            title="Profile", severity="warning", markup=False)
            self.start_emulator()
        else:
            self._use_environment(venue)

    def _unlocked(self, target: ConsoleTarget | None) -> None:
        """Start-up's unlock: the emulator unless cancelled with a loopback profile, or a real venue the
        command line named (--profile, --venue); a real venue is otherwise only offered (use_unlocked)."""
        from tui.console.widgets.profile_select import use_unlocked

        self._release_notes()
        use_unlocked(self, target, explicit=self.options.profile is not None or self.options.venue not in (None, "emulator"))

    def _use_environment(self, venue_id: str, base_url: str | None = None) -> None:
        from tui.console.base_url import at_base_url
        from tui.console.messages import TargetFailed
        from tui.console.target import ConsoleTarget
        from tui.signing_context import SigningContext, environment_credentials
        from tui.venues import get_venue

        try:
            venue = get_venue(venue_id)
        except ValueError as exc:
            self.post_message(TargetFailed(str(exc)))
            return
        if base_url is None:
            signing = SigningContext.for_venue(venue, environment_credentials())
            self.set_target(ConsoleTarget(signing.venue, signing.credentials, signing.allowed_hosts, profile="environment"))
            return
        target, problem = at_base_url(venue, base_url, environment_credentials())
        if target is None:
            self.post_message(TargetFailed(problem or "That base URL cannot be used."))
            return
        if problem:
            self.notify(problem, title="Base URL", severity="warning", markup=False)
        self.set_target(target)

    def use_base_url(self, base_url: str) -> None:
        """The palette's "Base URL": the current venue at another base URL, no profile created."""
        target = self.session.target
        venue_id = target.venue.id if target is not None else "wooxpro"
        self._use_environment(venue_id, base_url)

    def set_target(self, target: ConsoleTarget) -> None:
        """Switch what the console sends to (other screens call this, e.g. after unlocking a profile).
        An emulator profile without a base URL goes to the console's own emulator, started if need be."""
        from tui.console.messages import TargetReady

        if target.own_emulator and target.emulator is None:
            current = self.session.target
            if current is None or current.emulator is None or not current.emulator.running:
                self.start_emulator(then=target)
                return
            target = target.on_emulator(current.emulator)

        self.post_message(TargetReady(target))

    @work(thread=True, group="target", exclusive=True, exit_on_error=False, description="start the local emulator")
    def start_emulator(self, key_state: str = "active", then: ConsoleTarget | None = None) -> None:
        """The console's own emulator, with its demo key in `key_state`, or for `then` (an emulator profile)."""
        from tui.console.messages import TargetFailed, TargetReady

        try:
            from tui.console.target import emulator_target
            from tui.emulator import Emulator

            emulator = Emulator(self.options.flavour)
            emulator.start()
        except Exception as exc:  # noqa: BLE001 - any failure becomes a sentence on screen
            self.post_message(TargetFailed(f"The local emulator did not start: {exc}"))
            return
        self.post_message(TargetReady(then.on_emulator(emulator) if then is not None else emulator_target(emulator, key_state)))

    def on_target_ready(self, message: TargetReady) -> None:
        if self._closing:
            if message.target.emulator is not None:
                message.target.emulator.stop()
            return
        old = self.session.target
        self.session.set_target(message.target)
        if old is not None and old.emulator is not None and old.emulator is not message.target.emulator:
            old.emulator.stop()
        self.main_screen.target_changed(message.target)

    def _records_changed(self, sentence: str, severity: str) -> None:
        from tui.console.messages import SidebarNotice

        self.post_message(SidebarNotice(sentence, severity))

    def on_sidebar_notice(self, message: Any) -> None:
        """A history line or a saved file was written: the sidebar says so and shows the lists again."""
        self.main_screen.query_one("#sidebar").notice(message.sentence, message.severity)

    def on_target_failed(self, message: TargetFailed) -> None:
        self.session.fail(message.sentence)
        self.main_screen.target_failed(message.sentence)

    async def on_unmount(self) -> None:
        self._closing = True
        await self.session.aclose()
        self.session.stop_emulator()

    def get_system_commands(self, screen: Screen[Any]) -> Any:
        """Textual's palette entries, less its "Theme" picker and "Keys" panel: keyprobe's own
        "Theme: toggle light / dark" and "Help: the focused part and every key" do those, and
        "Keys" next to "Keys: manage profiles" read as the same thing."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Theme", "Keys"):
                yield command

    # -- actions ------------------------------------------------------------------------------------
    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def action_help(self) -> None:
        from tui.console.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.focused, self.screen.active_bindings))


def run_console(args: Any) -> int:
    """`keyprobe` with no subcommand."""
    options = ConsoleOptions(
        venue=getattr(args, "console_venue", None),
        profile=getattr(args, "console_profile", None),
        base_url=getattr(args, "console_base_url", None),
        flavour=getattr(args, "console_flavour", None) or "wooxpro",
        watch_terminal=True,
    )
    pause_gc()
    app = KeyprobeApp(options)
    try:
        result = app.run()
    finally:
        resume_gc()
        app.session.stop_emulator()
    # A crash (an unhandled exception in a handler or worker) is Textual's return code 1: a script or
    # a shell must see that the console died, not a clean 0.
    return app.return_code or int(result or 0)
