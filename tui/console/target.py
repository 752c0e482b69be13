"""What the console sends to and signs with. Textual-free, so it is cheap and testable.

The emulator target is the newcomer's default; a profile from the key file (unlocked by a later
screen) or KEYPROBE_* environment credentials give the other targets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from keys.signing import Credentials
    from tui.venues import Venue


@dataclass(frozen=True)
class ConsoleTarget:
    venue: Venue
    credentials: Credentials | None
    allowed_hosts: frozenset[str]
    profile: str  # the label shown: a profile name, "demo", "environment"
    emulator: Any = None  # a tui.emulator.Emulator the console started itself, else None
    tampered: str | None = None  # "secret" / "memo" while a "break it on purpose" entry is active

    @property
    def key_label(self) -> str:
        if self.credentials is None:
            return f"{self.profile} (no key)"
        broken = f" (wrong {self.tampered})" if self.tampered else ""
        return f"{self.profile} {self.credentials.fingerprint}{broken}"

    def with_credentials(self, credentials: Credentials, tampered: str | None, profile: str | None = None) -> ConsoleTarget:
        return replace(self, credentials=credentials, tampered=tampered, profile=profile or self.profile)


def emulator_target(emulator: Any, key_state: str = "active") -> ConsoleTarget:
    """The in-process emulator with one of its demo keys."""
    from tui.venues import signing_hosts

    venue = emulator.venue
    label = "demo" if key_state == "active" else f"demo-{key_state}"
    return ConsoleTarget(venue, emulator.demo_credentials(key_state), signing_hosts(venue), label, emulator)
