"""Time from a keypress to what it opens being on screen: ctrl+p (the command palette) and F1 (help)
in the keyprobe console, against a bare Textual app whose palette holds as many commands (keyprobe's own
titles and help lines, read from a headless console first) and whose help screen (a ModalScreen with
Textual's Markdown widget) shows the same text, each app in its own pseudo-terminal, same run.

Each app is started once and left to finish its start-up (keyprobe: the emulator is up and its clock
measured, so the palette holds every entry, the emulator's switches included). Then, OPENS times in
turn: a key is typed and the clock stops at the output chunk that completes the opened view's words
(the palette: its prompt and its first entry; help: its general text and its closing line); escape
closes it, and the next open waits until the screen below has been drawn again and the output has
been quiet for 150 ms (an escape followed at once by another key would read as alt+key). Medians are printed;
the first open of each (imports, first styling) is shown on its own as well.

    .venv/bin/python benchmarks/palette_open.py [--opens 9] [--before /work/main]

Goal (issue 15): the palette and help open in under 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile

from pty_session import COLUMNS, LINES, PtySession
from startup import FOOTER_KEYS, app_env, checkout_console

CTRL_P, F1, ESCAPE = b"\x10", b"\x1bOP", b"\x1b"

BARE_APP = """
import json, sys
from textual.app import App
from textual.command import DiscoveryHit, Hit, Provider
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Markdown, Static

COMMANDS, HELP, KEYS = json.loads(sys.argv[1])

class Commands(Provider):
    async def discover(self):
        for title, help in COMMANDS:
            yield DiscoveryHit(title, self.app.bell, help=help)

    async def search(self, query):
        matcher = self.matcher(query)
        for title, help in COMMANDS:
            if (score := matcher.match(title)) > 0:
                yield Hit(score, matcher.highlight(title), self.app.bell, help=help)

class Help(ModalScreen):
    BINDINGS = [("escape", "dismiss", "Close")]

    def compose(self):
        with VerticalScroll():
            yield Markdown(HELP)
            yield Static(KEYS)
        yield Static("Bare help ends here")

class Bare(App):
    BINDINGS = [("f2", "bell", "Go"), ("f3", "quit", "Quit"), ("f1", "help", "Help")]
    COMMANDS = App.COMMANDS | {Commands}

    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def action_help(self):
        self.push_screen(Help())

Bare().run()
"""


def keyprobe_contents() -> tuple[list[tuple[str, str]], str, str]:
    """What keyprobe's palette lists (emulator up) and what its F1 shows at start: the bare app gets as many
    commands, with the same titles and help lines, and a help of the same Markdown and keys text."""
    import asyncio
    import os

    os.environ["KEYPROBE_HOME"] = tempfile.mkdtemp(prefix="keyprobe-bench-")

    async def read() -> tuple[list[tuple[str, str]], str, str]:
        from tui.console.app import KeyprobeApp
        from tui.console.commands import entries
        from tui.console.screens.help import GENERAL, HelpScreen, help_texts

        app = KeyprobeApp()
        async with app.run_test(size=(COLUMNS, LINES)) as pilot:
            while app.session.estimate is None:  # the emulator up, its clock read: every entry listed
                await pilot.pause(0.05)
            commands = [(e.title, e.help) for e in entries(app)]
            texts = help_texts(app.focused) or [GENERAL]
            if GENERAL not in texts:
                texts.append(GENERAL)
            keys = HelpScreen(app.focused, app.screen.active_bindings)
            keys._active = app.screen.active_bindings
            keys_text = keys._keys_text().plain  # needs the app: built while it runs
        return commands, "\n\n".join(texts), keys_text

    return asyncio.run(read())


# What each app shows once its start-up is done, what each view shows when open, and what the screen
# below shows again once the view is closed.
SETTLED = {"keyprobe": ("Local emulator", "clock +"), "bare": FOOTER_KEYS["bare"]}
OPENED = {
    ("keyprobe", "palette"): ("Search for commands", "Send the request"),
    ("bare", "palette"): ("Search for commands", "Send the request"),
    ("keyprobe", "help"): ("Compose a request on the left", "escape closes"),
    ("bare", "help"): ("Compose a request on the left", "Bare help ends here"),
}
CLOSED = {"keyprobe": ("f1 Help",), "bare": ("f1 Help",)}
KEYS = {"palette": CTRL_P, "help": F1}


def open_times(name: str, argv: list[str], opens: int, home: str, pycache: str, cwd: str | None = None) -> dict[str, list[float]]:
    session = PtySession(argv, app_env(home, pycache), cwd=cwd)
    session.start()
    times: dict[str, list[float]] = {"palette": [], "help": []}
    try:
        session.wait_for(SETTLED[name], timeout_s=30)
        for _ in range(opens):
            for view in ("palette", "help"):
                since = session.mark()
                pressed = session.send(KEYS[view])
                times[view].append((session.wait_for(OPENED[name, view], since=since) - pressed) * 1000)
                session.quiet()  # the rest of the view drawn: "f1 Help" below it was part of that
                since = session.mark()
                session.send(ESCAPE)
                session.wait_for(CLOSED[name], since=since)  # the screen below drawn again
                session.quiet()
    finally:
        session.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=9)
    parser.add_argument("--before", metavar="CHECKOUT", help="also time the console of another checkout with its own "
                        ".venv (e.g. the main branch's), in the same run: a before/after measured back to back")
    args = parser.parse_args()
    import json

    commands, help_markdown, keys_text = keyprobe_contents()
    bare = [sys.executable, "-c", BARE_APP, json.dumps([commands, help_markdown, keys_text])]
    apps = {"keyprobe": ([sys.executable, "-m", "tui"], None), "bare": (bare, None)}
    if args.before:
        apps["before"] = checkout_console(args.before)
    with tempfile.TemporaryDirectory() as home, tempfile.TemporaryDirectory() as pycache:
        results = {name: open_times("bare" if name == "bare" else "keyprobe", argv, args.opens, home, pycache, cwd)
                   for name, (argv, cwd) in apps.items()}
    print(f"keypress -> view on screen, {args.opens} opens each in one run, {COLUMNS}x{LINES} pty (ms); the bare app's "
          f"palette holds keyprobe's {len(commands)} entries and its help the same text ({len(help_markdown) + len(keys_text)} "
          "characters, in Textual's Markdown widget):")
    print(f"  {'':38} {'median':>8} {'first':>8} {'max':>8}")
    rows = [("keyprobe ctrl+p (command palette)", "keyprobe", "palette"), ("bare app ctrl+p (its palette)", "bare", "palette"),
            ("keyprobe F1 (help)", "keyprobe", "help"), ("bare app F1 (a Markdown help screen)", "bare", "help")]
    if args.before:
        rows += [("console (--before) ctrl+p", "before", "palette"), ("console (--before) F1", "before", "help")]
    for label, name, view in rows:
        values = results[name][view]
        print(f"  {label:38} {statistics.median(values):8.1f} {values[0]:8.1f} {max(values):8.1f}")
    for view in ("palette", "help"):
        kp, bare = statistics.median(results["keyprobe"][view]), statistics.median(results["bare"][view])
        print(f"  ratio {view:8} keyprobe / bare: {kp / bare:5.2f}   (goal: keyprobe under 200 ms: {'met' if kp < 200 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
