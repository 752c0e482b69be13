"""Fixtures shared by the end-to-end tests, and how Hypothesis runs.

`emu` is one real loopback emulator (BitMart flavour) for the whole run, reset to a fresh venue before
and after each test that asks for it: switches, frozen keys, counters, orders. Starting one per module
cost a server start per file and gave nothing a reset does not.

Every test stands on 2026-07-01, before BitMart's notice of 2026-07-26 (keys/lifecycle.py), unless it moves
the lifecycle's clock itself (`lifecycle.clock_at`): what a test asserts about BitMart's documented answers
must not change with the day the suite runs. An exchange that carries a Date header is judged by it instead.

Hypothesis runs derandomised: every run of the suite tries the same examples (drawn from a hash of each
test), and no example database carries one run's finds into the next, so no run passes or fails by luck.
A raw-deflate decoder bug failed about one run in twenty before this; its example is now an @example.
`HYPOTHESIS_PROFILE=random` explores new examples instead (README, "Tests").
"""

from __future__ import annotations

import os
import signal
from datetime import datetime, timezone

import pytest
from hypothesis import settings

from keys import lifecycle
from tui.emulator import Emulator

# Projects of their own, run by tests/test_pytest_plugin.py with their own pytest: not part of this suite.
collect_ignore = ["sample_bot", "sample_bot_shadow"]
BEFORE_THE_NOTICE = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def standing_before_bitmarts_notice():
    with lifecycle.clock_at(BEFORE_THE_NOTICE):
        yield


# A suite started in the background of a non-interactive shell (`cmd &`, nohup) inherits SIGINT and SIGHUP
# ignored, and so would every keyprobe it starts: the tests that stop a server with Ctrl-C or hang up a console's
# terminal then waited 30 s for a process that could not hear them. Children get the dispositions a terminal gives.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if hasattr(signal, "SIGHUP") and signal.getsignal(signal.SIGHUP) == signal.SIG_IGN:
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


settings.register_profile("derandomized", derandomize=True, database=None, print_blob=True)
settings.register_profile("random", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derandomized"))


@pytest.fixture(autouse=True)
def _one_run_of_keyprobe_per_test():
    """Each test is one run of keyprobe: the credentials it registered for masking (keys.redact) are forgotten
    after it, so a memo such as "memo" registered by one test does not mask that word in the next one's output."""
    yield
    from keys import redact

    redact.clear()


@pytest.fixture(scope="session")
def shared_emulator():
    with Emulator() as e:
        yield e


@pytest.fixture(scope="session")
def shared_wooxpro():
    """The WOO X Pro flavour, for the tests that need its dialect (its WebSocket marker): one per worker too."""
    with Emulator("wooxpro") as e:
        yield e


@pytest.fixture
def emu(shared_emulator):
    shared_emulator.state.reset()
    yield shared_emulator
    shared_emulator.state.reset()
