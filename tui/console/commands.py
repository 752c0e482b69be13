"""The command palette (ctrl+p): every action, every known endpoint, and, on the emulator, its
switches and the "break it on purpose" entries, so a newcomer can provoke each error and read
its diagnosis."""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.console.palette_entry import Entry

KEY_STATES = ("frozen", "expired", "ip-restricted", "read-only")
SIGNED_DEMO = ("POST", "/contract/private/submit-order")


def entries(app: Any) -> list[Entry]:
    main = app.main_screen
    out = [
        Entry("Send the request", "Sign and send what the composer holds (ctrl+j / alt+enter)", main.action_send),
        Entry("Copy as curl (signed)", "The request signed now, as a curl command, to the clipboard (f6)", main.action_copy_curl),
        Entry("Copy as curl script ($KEYPROBE_* variables)", "A script that signs in the shell, no secret inside (f7)", main.action_copy_curl_script),
        Entry("Clock: measure the offset again", "Sample the venue's time endpoint (f5)", main.action_measure_clock),
        Entry("Clock: sign with the corrected clock (toggle)", "Local time + the measured offset (f8)", main.action_toggle_corrected_clock),
        Entry("Theme: toggle light / dark", "ctrl+t", app.action_toggle_theme),
        Entry("Help: the focused part and every key", "F1", app.action_help),
        Entry("Body: search", "Search the response body (/ in the body, n / N to step)", main.action_search_body),
        Entry("Sidebar: show / hide", "ctrl+b", main.action_toggle_sidebar),
        Entry("Compare: mark this exchange", "Mark what is on screen, to compare another with it (f4)", main.action_mark_exchange),
        Entry("Compare: the marked exchange beside this one", "Request, pre-image, answer, diagnosis, body; differences marked (f10)", main.action_compare),
        Entry("Query: add a parameter", "A new row in the query table, focused (ctrl+n in the table)", partial(add_row, app, "#query")),
        Entry("Headers: add a header", "A new header row, focused; an empty value removes that header (ctrl+n in the table)",
              partial(add_row, app, "#headers")),
        Entry("Base URL: send to another base URL (no profile)", "The current venue at a URL you type; KEYPROBE_* credentials",
              partial(ask_base_url, app)),
    ]
    from tui.console.screens.main import JUMPS

    # alt+1 .. alt+7 need a terminal that sends alt (macOS: Option as Meta); these work in any
    out += [Entry(f"Jump: {label}", f"Focus the {label} (alt+{n})", partial(main.action_jump, pane))
            for n, (pane, label) in enumerate(JUMPS.items(), start=1)]
    from tui.console.screen_commands import screen_entries

    out += screen_entries(app)  # keys, profiles, saved requests, probe
    from tui.console.screens.traffic import palette_entries

    out += palette_entries(app)  # inspect paste box, traffic view, proxy start/stop
    from tui.console.screens.ws import palette_entries as websocket_entries

    out += websocket_entries(app)  # the WebSocket view
    target = app.session.target
    from tui import endpoints

    for e in endpoints.suggestions("", target.venue.family if target else None):
        out.append(Entry(f"Endpoint: {e.method} {e.path} ({e.auth.value})", e.summary, partial(main.load_endpoint, e)))
    if target is not None and target.emulator is not None:
        from tui.console.emulator_switches import SWITCHES

        out += [Entry(s.title, s.help, partial(apply_switch, app, s)) for s in SWITCHES]
        out += [
            Entry("Break it: use a wrong secret", "The demo key with one character of the secret changed: 30005", partial(break_key, app, "secret")),
            Entry("Break it: use a wrong memo", "The demo key with one character of the memo changed: 30005", partial(break_key, app, "memo")),
            Entry("Break it: restore the demo key", "The working demo credentials again", partial(use_demo_key, app, "active")),
        ]
        out += [Entry(f"Break it: use the {s} demo key", "A key the emulator treats as " + s, partial(use_demo_key, app, s)) for s in KEY_STATES]
    return out


async def add_row(app: Any, table: str) -> None:
    await app.main_screen.composer.query_one(table).action_add_row()


def ask_base_url(app: Any) -> None:
    from tui.console.screens.dialogs import AskScreen

    target = app.session.target
    current = target.venue.base_url if target is not None else "https://"
    app.push_screen(AskScreen("Base URL (scheme, host and port; a key goes only over https, loopback aside):", "Base URL", current),
                    callback=lambda url: app.use_base_url(url) if url else None)


def apply_switch(app: Any, switch: Any) -> None:
    emulator = app.session.target.emulator
    app.notify(switch.apply(emulator), title="Emulator", markup=False)


async def break_key(app: Any, what: str) -> None:
    from keys.demo import tampered

    target = app.session.target
    app.set_target(target.with_credentials(tampered(target.emulator.demo_credentials(), what), what, profile="demo"))
    note = f"Signing with a wrong {what} now."
    main = app.main_screen
    if main.composer.query_one("#auth").value != "signed":
        from tui import endpoints

        await main.load_endpoint(endpoints.lookup(*SIGNED_DEMO))
        note += f" A {what} only matters to signed requests, so the composer now holds {' '.join(SIGNED_DEMO)}."
    app.notify(note + " Send it (ctrl+j).", title="Break it on purpose", markup=False)


def use_demo_key(app: Any, state: str) -> None:
    target = app.session.target
    label = "demo" if state == "active" else f"demo-{state}"
    app.set_target(target.with_credentials(target.emulator.demo_credentials(state), None, profile=label))
    app.notify(f"Using the {label} key.", title="Keys", markup=False)


class KeyprobeCommands(Provider):
    def _entries(self) -> list[Entry]:
        return entries(self.app)

    async def discover(self) -> Hits:
        for entry in self._entries():
            yield DiscoveryHit(entry.title, entry.callback, help=entry.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries():
            score = matcher.match(entry.title)
            if score > 0:
                yield Hit(score, matcher.highlight(entry.title), entry.callback, help=entry.help)
