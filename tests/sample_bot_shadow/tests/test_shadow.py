"""Two tests: one without the fixture (the bot's own keys module works), one with it (a sentence, not an ImportError)."""

import keys


def test_the_bots_own_keys_module_is_the_one_imported():
    assert keys.api_key() == "" and keys.__file__.endswith("keys.py")


def test_the_emulator_fixture(keyprobe_emulator):
    assert keyprobe_emulator.url
