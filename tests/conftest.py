"""Fixtures shared by the end-to-end tests.

`emu` is one real loopback emulator (BitMart flavour) for the whole run, reset to a fresh venue before
and after each test that asks for it: switches, frozen keys, counters, orders. Starting one per module
cost a server start per file and gave nothing a reset does not.
"""

from __future__ import annotations

import pytest

from tui.emulator import Emulator

# Projects of their own, run by tests/test_pytest_plugin.py with their own pytest: not part of this suite.
collect_ignore = ["sample_bot", "sample_bot_shadow"]


@pytest.fixture(scope="session")
def shared_emulator():
    with Emulator() as e:
        yield e


@pytest.fixture
def emu(shared_emulator):
    shared_emulator.state.reset()
    yield shared_emulator
    shared_emulator.state.reset()
