"""Palette entries for the keys screen, the unlock modal, the profiles, the sidebar and the probe
(commands.entries() adds these), so every one of their actions is reachable from ctrl+p."""

from __future__ import annotations

from functools import partial
from typing import Any

from tui.console.palette_entry import Entry


def screen_entries(app: Any) -> list[Entry]:
    main = app.main_screen
    out = [
        Entry("Keys: manage profiles", "The key file's profiles: add, edit, remove, use, lock (f2)", main.action_open_keys),
        Entry("Probe: find the failing layer for this key", "public -> clock -> keyed -> signed, with evidence (f3)", main.action_open_probe),
        Entry("Saved: save the request", "Save what the composer holds under a name; folder/name makes a collection (ctrl+s)", main.action_save_draft),
        Entry("Saved: open the highlighted request", "Into the composer (enter or o in the sidebar)", partial(_sidebar_action, app, "open")),
        Entry("Saved: replay the highlighted request", "Signed afresh, through the same send path (r in the sidebar)", partial(_sidebar_action, app, "replay")),
        Entry("Saved: delete the highlighted saved request", "Asks first (delete in the sidebar)", partial(_sidebar_action, app, "delete")),
        Entry("Saved: reload the saved requests and the history", "Read both again (g in the sidebar)", partial(_sidebar_action, app, "reload")),
    ]
    vault = getattr(app, "vault", None)
    if vault is not None:
        from tui.console.profiles import EMULATOR_CHOICE
        from tui.console.screens.keys import lock
        from tui.console.widgets.profile_select import sync_profile_select, use_choice

        def choose(name: str) -> None:
            use_choice(app, name)
            sync_profile_select(app, name)

        out.append(Entry("Keys: add a profile", "A new key for a venue; secrets go into hidden fields (a in the keys screen)", partial(_keys, app, "add", None)))
        for name in vault.profiles:
            out.append(Entry(f"Keys: edit {name}", "Blank secret fields keep the stored ones (e in the keys screen)", partial(_keys, app, "edit", name)))
            out.append(Entry(f"Keys: remove {name}", "Asks first (d in the keys screen)", partial(_keys, app, "remove", name)))
        out.append(Entry("Keys: lock the key file", "Drop it from memory and go back to the local emulator (l in the keys screen)", partial(lock, app)))
        out += [Entry(f"Profile: use {name}", f"Sign with {name} ({p.venue_name}, {p.fingerprint})", partial(choose, name)) for name, p in vault.profiles.items()]
        out.append(Entry("Profile: use the local emulator's demo key", "Back to the emulator", partial(choose, EMULATOR_CHOICE)))
    else:
        from tui.paths import keyfile_path

        if keyfile_path().exists():
            out.append(Entry("Keys: unlock the key file", "Type the passphrase; its profiles become selectable", partial(_unlock, app)))
        else:
            out.append(Entry("Keys: create a key file", "An encrypted file for your profiles (n in the keys screen)", partial(_keys, app, "create", None)))
    return out


async def _sidebar_action(app: Any, action: str) -> None:
    from tui.console.widgets.sidebar import Sidebar

    sidebar = app.main_screen.query_one(Sidebar)
    if not sidebar.has_class("-visible"):  # the action works on what the sidebar shows: show it
        sidebar.add_class("-visible")
        sidebar.shown()
    result = getattr(sidebar, f"action_{action}")()
    if result is not None:
        await result


def _keys(app: Any, action: str, name: str | None) -> None:
    from tui.console.screens.keys import KeysScreen

    app.push_screen(KeysScreen(then=(action, name)))


def _unlock(app: Any) -> None:
    from tui.console.screens.keys import after_unlock
    from tui.console.screens.unlock import UnlockScreen

    app.push_screen(UnlockScreen(), callback=after_unlock(app))
