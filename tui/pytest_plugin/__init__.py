"""keyprobe's pytest plugin: the `keyprobe_emulator` fixture, a local WOO X Pro / BitMart venue for a bot's tests.

Installing keyprobe registers it (the `pytest11` entry point in pyproject.toml), so a bot's test only asks:

    def test_my_bot_places_an_order(keyprobe_emulator):
        bot = MyBot(keyprobe_emulator.url, *keyprobe_emulator.demo_key[:3])
        bot.place_order(...)
        assert keyprobe_emulator.exchanges[-1].diagnosis.code == 1000

This module imports nothing of keyprobe's but the `tui` package's version line until a test asks for the
fixture: a run that never does pays only for reading this file (pytest loads it in every run where keyprobe is
installed). keyprobe's packages are named `keys` and `tui`; a module of the bot's with one of
those names earlier on sys.path would hide them, so the fixture first checks where each would come from
and, when it is not keyprobe's, fails the test with a sentence saying so instead of an ImportError.
It lives in tui/ (the project's top level holds only tui/ and keys/): pytest loads it before a test's folder is
put on sys.path, so only `python -m pytest` run beside a bot's own top-level `tui` module could hide it.
"""

from __future__ import annotations

import pytest

PACKAGES = ("keys", "tui")


def shadowing_sentence() -> str | None:
    """A sentence when `keys` or `tui` would not be keyprobe's own package, else None."""
    import importlib.machinery
    import sys
    from pathlib import Path

    home = Path(__file__).resolve().parents[2]  # the folder holding keyprobe's `keys` and `tui`
    for name in PACKAGES:
        ours = home / name
        loaded = sys.modules.get(name)
        # PathFinder walks sys.path as an `import` would, ignoring what is already imported: a bot's keys.py
        # ahead of keyprobe's shadows it even when keyprobe's was imported first (the bot would get keyprobe's).
        candidates = [getattr(loaded, "__file__", None) or next(iter(getattr(loaded, "__path__", []) or []), None)] if loaded else []
        spec = importlib.machinery.PathFinder.find_spec(name)
        if spec is not None:
            candidates.append(spec.origin if spec.origin not in (None, "namespace") else next(iter(spec.submodule_search_locations or []), None))
        for found in candidates:
            if found is None or Path(found).resolve().is_relative_to(ours):
                continue
            where = Path(found)
            where = where.parent if where.name == "__init__.py" else where
            return (f"keyprobe's emulator fixture cannot start: the module `{name}` on sys.path is {where}, not keyprobe's "
                    f"({ours}). keyprobe's packages are named `keys` and `tui`, so a module of yours with one of those "
                    f"names ahead of them hides them: rename it, or move it into your own package (yourbot/{name}.py).")
        if spec is None and loaded is None:
            return (f"keyprobe's emulator fixture cannot start: keyprobe's package `{name}` is not importable from this "
                    f"Python ({sys.executable}); reinstall keyprobe here (pip install keyprobe).")
    return None


@pytest.fixture(scope="session")
def _keyprobe_emulator_server():
    """One emulator per test session (per xdist worker), reset before each test that asks for it."""
    sentence = shadowing_sentence()
    if sentence is not None:
        pytest.fail(sentence, pytrace=False)
    from tui.pytest_plugin.emulator import KeyprobeEmulator

    emulator = KeyprobeEmulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def keyprobe_emulator(_keyprobe_emulator_server):
    """A running local venue (WOO X Pro by default; `.dialect = "bitmart"` for BitMart's) with demo keys in every state, fresh for this test: every
    switch back to a healthy venue, nothing received yet. See tui.pytest_plugin.emulator.KeyprobeEmulator."""
    _keyprobe_emulator_server.reset()
    yield _keyprobe_emulator_server
    _keyprobe_emulator_server.reset()
