"""The in-process emulator's switches, as data for the command palette: each provokes one of the
errors a newcomer should see once, and says in a sentence what to send next. Textual-free."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

SKEW_S = 90
DRIFT_SLOW_PPM = 50
DRIFT_FAST_PPM = 5_000
TINY_RATE_LIMIT = 3
UNTIL_NO_FAULT = 'until you pick "Emulator: no fault"'  # a fault stays on: say so, and how it ends


@dataclass(frozen=True)
class Switch:
    title: str
    help: str
    apply: Callable[[Any], str]  # (emulator) -> a sentence for a notification


def _skew(seconds: float) -> Callable[[Any], str]:
    def apply(emulator: Any) -> str:
        emulator.state.set_skew(seconds)
        if not seconds:
            return "The emulator's clock is back in step with yours."
        side = "ahead of" if seconds > 0 else "behind"
        return f"The emulator's clock is now {abs(seconds):g} s {side} yours: a signed request gets 30007 (window 60 s)."

    return apply


def _drift(ppm: float, how: str) -> Callable[[Any], str]:
    def apply(emulator: Any) -> str:
        emulator.controls.drift_ppm = ppm
        if not ppm:
            return "The emulator's clock stops drifting; what it gained so far stays (reset its clock to clear it)."
        return (f"The emulator's clock now gains {ppm:,g} ppm ({how}). Measure with f5 now and again: the Clock tab "
                "shows the drift from 3 measurements over at least 30 s, and when it leaves the windows.")

    return apply


def _reset_clock(emulator: Any) -> str:
    emulator.state.reset_clock()
    return "The emulator's clock is back in step with yours: no skew, no drift."


def _freeze(frozen: bool) -> Callable[[Any], str]:
    def apply(emulator: Any) -> str:
        name = emulator.state.key("active").name
        (emulator.state.freeze if frozen else emulator.state.unfreeze)(name)
        return f"The demo key is {'frozen: any keyed or signed request gets 30003' if frozen else 'active again'}."

    return apply


def _control(attribute: str, value: Any, sentence: str) -> Callable[[Any], str]:
    def apply(emulator: Any) -> str:
        setattr(emulator.controls, attribute, value)
        return sentence

    return apply


def _blanket_limit(count: int | None) -> Callable[[Any], str]:
    """One limit for every endpoint (count per minute), or None: back to the documented per-endpoint limits."""

    def apply(emulator: Any) -> str:
        emulator.controls.rate_limit = count
        emulator.controls.rate_window_s = None if count is None else 60.0
        if count is None:
            return "Rate limits are back to BitMart's documented per-endpoint limits."
        return f"Rate limit is {count} requests per minute on every endpoint: send a few times to see 429, then 418."

    return apply


def _reset(emulator: Any) -> str:
    emulator.state.reset()
    return "The emulator is back to a fresh venue: no skew, no faults, no limits hit, the demo key active."


SWITCHES: tuple[Switch, ...] = (
    Switch(f"Emulator: skew its clock +{SKEW_S} s", "Provoke 30007 (timestamp outside the 60 s window)", _skew(SKEW_S)),
    Switch(f"Emulator: skew its clock -{SKEW_S} s", "Provoke 30007 from the other side", _skew(-SKEW_S)),
    Switch("Emulator: reset its clock", "No skew, no drift", _reset_clock),
    Switch(f"Emulator: drift its clock +{DRIFT_SLOW_PPM} ppm", "A bad crystal: 4.3 s a day, the 5 s recvWindow in about a day",
           _drift(DRIFT_SLOW_PPM, "4.3 s a day")),
    Switch(f"Emulator: drift its clock +{DRIFT_FAST_PPM:,} ppm", "Fast enough to watch: 0.3 s a minute",
           _drift(DRIFT_FAST_PPM, "0.3 s a minute")),
    Switch("Emulator: stop its drift", "", _drift(0, "")),
    Switch("Emulator: freeze the demo key", "Provoke 30003 (key frozen)", _freeze(True)),
    Switch("Emulator: unfreeze the demo key", "The demo key works again", _freeze(False)),
    Switch("Emulator: maintenance on", "Provoke 30016 (documented with HTTP 200)", _control("maintenance", True, "Maintenance is on: venue paths answer 30016 with HTTP 200.")),
    Switch("Emulator: maintenance off", "", _control("maintenance", False, "Maintenance is off.")),
    Switch("Emulator: service down", "Provoke 30014 (HTTP 503)", _control("service_down", True, "The service is down: every path answers 30014 (503).")),
    Switch("Emulator: service back up", "", _control("service_down", False, "The service is up again.")),
    Switch(
        f"Emulator: rate limit {TINY_RATE_LIMIT} per minute",
        "Provoke 30013 (429), then 30017 (418) after repeated 429s",
        _blanket_limit(TINY_RATE_LIMIT),
    ),
    Switch("Emulator: rate limit back to normal", "", _blanket_limit(None)),
    Switch("Emulator: fault HTML 502 page", "An nginx-style HTML page instead of JSON, until no fault",
           _control("fault", "html502", f"Every answer is now an HTML 502 page, not JSON, {UNTIL_NO_FAULT}.")),
    Switch("Emulator: fault connection reset", "The socket closes without an answer, until no fault",
           _control("fault", "reset", f"Every request now has its connection reset without an answer, {UNTIL_NO_FAULT}.")),
    Switch("Emulator: fault slow body", "Headers, then the body trickles in, until no fault",
           _control("fault", "slow-body", f"Every answer now trickles in slowly, {UNTIL_NO_FAULT}.")),
    Switch("Emulator: fault huge body (20 MB)", "A valid envelope with a very large data array, until no fault",
           _control("fault", "huge-body", f"Every answer is now a 20 MB JSON body, {UNTIL_NO_FAULT}.")),
    Switch("Emulator: no fault", "", _control("fault", None, "No fault: answers are normal again.")),
    Switch("Emulator: reset everything", "Fresh venue: switches, counters, orders", _reset),
)
